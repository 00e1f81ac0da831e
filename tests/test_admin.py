from __future__ import annotations

import re

from sqlalchemy import select

from screening import db
from screening.models import AuditEvent, User
from tests.conftest import csrf_token, login

OTP = re.compile(r'id="one-time-password">([a-z0-9-]+)<')


def test_an_administrator_adds_a_user_who_gets_a_one_time_password(
    signed_in, client, app
):
    admin = signed_in("admin")

    response = admin.post(
        "/admin/users/new",
        {
            "username": "ploy",
            "display_name": "Ploy Saengthong",
            "roles": ["interviewer"],
            "active": "y",
        },
    )

    assert response.status_code == 200
    password = OTP.search(response.get_data(as_text=True)).group(1)
    assert len(password) == 19
    with app.app_context():
        user = db.session().scalars(select(User).where(User.username == "ploy")).one()
        assert user.roles == {"interviewer"}
        assert user.must_change_password
    assert login(client, "ploy", password).headers["Location"].endswith("/password")


def test_the_one_time_password_is_not_stored_or_shown_again(signed_in, app):
    admin = signed_in("admin")
    page = admin.post(
        "/admin/users/new",
        {"username": "ploy", "display_name": "Ploy", "roles": ["interviewer"]},
    ).get_data(as_text=True)
    password = OTP.search(page).group(1)

    assert password not in admin.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        user = db.session().scalars(select(User).where(User.username == "ploy")).one()
        assert password not in user.password_hash


def test_an_administrator_resets_a_password(signed_in, app, people, client):
    admin = signed_in("admin")

    response = admin.post(f"/admin/users/{people.interviewer.id}/reset-password")

    password = OTP.search(response.get_data(as_text=True)).group(1)
    assert login(client, "nok", password).headers["Location"].endswith("/password")
    with app.app_context():
        actions = db.session().scalars(select(AuditEvent.action)).all()
    assert "user.reset_password" in actions


def test_roles_are_changed_and_a_taken_user_name_refused(signed_in, app, people):
    admin = signed_in("admin")

    admin.post(
        f"/admin/users/{people.interviewer.id}",
        {"display_name": "Nok", "roles": ["interviewer", "supervisor"], "active": "y"},
    )
    taken = admin.post(
        "/admin/users/new",
        {"username": "NOK", "display_name": "x", "roles": ["interviewer"]},
    )

    with app.app_context():
        assert db.session().get(User, people.interviewer.id).roles == {
            "interviewer",
            "supervisor",
        }
    assert taken.status_code == 400
    assert "taken" in taken.get_data(as_text=True)


def test_an_administrator_cannot_lock_themself_out(signed_in, people):
    admin = signed_in("admin")

    response = admin.post(
        f"/admin/users/{people.administrator.id}",
        {"display_name": "Admin", "roles": ["interviewer"], "active": "y"},
    )

    assert response.status_code == 400


def test_users_of_another_agency_are_not_found(signed_in, people):
    admin = signed_in("admin")

    assert admin.get(f"/admin/users/{people.stranger.id}").status_code == 404
    reset = admin.post(f"/admin/users/{people.stranger.id}/reset-password")
    assert reset.status_code == 404


def test_only_administrators_reach_the_admin_screens(signed_in, people):
    nok = signed_in("nok")

    assert nok.get("/admin/users").status_code == 403
    assert (
        nok.post(f"/admin/users/{people.colleague.id}/reset-password").status_code
        == 403
    )


def test_a_disabled_user_cannot_sign_in(signed_in, client, people):
    admin = signed_in("admin")
    admin.post(
        f"/admin/users/{people.colleague.id}",
        {"display_name": "Somchai", "roles": ["interviewer"]},
    )

    assert login(client, "somchai").status_code == 401
    assert csrf_token(client)
