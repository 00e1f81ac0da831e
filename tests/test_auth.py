from __future__ import annotations

import re
import time

from flask import Flask
from sqlalchemy import select

from screening import accounts, create_app, db
from screening.models import AuditEvent, LoginAttempt, User
from tests.conftest import PASSWORD, csrf_token, login, settings_for


def test_signing_in_and_out(client, people):
    response = login(client, "nok")
    assert response.status_code == 302
    assert client.get("/screenings").status_code == 200

    token = csrf_token(client, "/screenings")
    client.post("/logout", data={"csrf_token": token})

    assert client.get("/screenings").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client, people
):
    wrong_password = login(client, "nok", "not the password")
    unknown_user = login(client, "nobody", "not the password")

    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert "user name or password is not right" in response.get_data(as_text=True)


def test_pages_need_a_signed_in_user(client):
    for path in ("/", "/screenings", "/screenings/new", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_passwords_are_hashed_with_argon2(app, people):
    with app.app_context():
        user = db.session().get(User, people.interviewer.id)
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_a_one_time_password_must_be_changed_at_first_sign_in(client, app, people):
    with app.app_context():
        session = db.session()
        user = session.get(User, people.interviewer.id)
        one_time = accounts.reset_password(session, user)
        session.commit()

    response = login(client, "nok", one_time)
    assert response.headers["Location"].endswith("/password")
    assert client.get("/screenings").headers["Location"].endswith("/password")

    token = csrf_token(client, "/password")
    short = client.post(
        "/password",
        data={
            "csrf_token": token,
            "current_password": one_time,
            "new_password": "short",
            "repeat_password": "short",
        },
    )
    assert "at least 12 characters" in short.get_data(as_text=True)

    changed = client.post(
        "/password",
        data={
            "csrf_token": token,
            "current_password": one_time,
            "new_password": "river boat mango seventeen",
            "repeat_password": "river boat mango seventeen",
        },
    )
    assert changed.status_code == 302
    assert client.get("/screenings").status_code == 200


def _limited_app(tmp_path, database, catalog_folder) -> Flask:
    return create_app(
        settings_for(
            tmp_path / "instance",
            database.url,
            catalog_folder,
            login_failures_per_account=3,
            login_failures_per_address=5,
        )
    )


def test_failed_logins_lock_the_account_even_for_the_right_password(
    app, people, tmp_path, database, catalog_folder
):
    limited = _limited_app(tmp_path, database, catalog_folder)
    client = limited.test_client()
    for _ in range(3):
        assert login(client, "nok", "guess").status_code == 401

    response = login(client, "nok")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)


def test_login_limits_are_kept_in_the_database_and_shared_by_every_worker(
    app, people, tmp_path, database, catalog_folder
):
    # Two app objects stand for two gunicorn workers over one database.
    first = _limited_app(tmp_path / "one", database, catalog_folder).test_client()
    second = _limited_app(tmp_path / "two", database, catalog_folder).test_client()
    for client in (first, second, first):
        assert login(client, "nok", "guess").status_code == 401

    assert login(second, "nok").status_code == 429
    with app.app_context():
        count = len(db.session().scalars(select(LoginAttempt)).all())
        keys = {row.account_key for row in db.session().scalars(select(LoginAttempt))}
    assert count == 4
    assert "nok" not in keys  # stored as a keyed hash


def test_failures_from_one_address_block_that_address_for_every_account(
    app, people, tmp_path, database, catalog_folder
):
    client = _limited_app(tmp_path, database, catalog_folder).test_client()
    for name in ("a", "b", "c", "d", "e"):
        login(client, name, "guess")

    assert login(client, "somchai").status_code == 429
    other_address = _limited_app(tmp_path / "x", database, catalog_folder).test_client()
    response = other_address.post(
        "/login",
        data={
            "username": "somchai",
            "password": PASSWORD,
            "csrf_token": csrf_token(other_address),
        },
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 302


def test_logins_and_failures_are_audited(client, app, people):
    login(client, "nok", "guess")
    login(client, "nok")

    with app.app_context():
        actions = db.session().scalars(select(AuditEvent.action)).all()
    assert actions == ["login.rejected", "login.ok"]


def test_an_idle_session_ends(client, app, people):
    login(client, "nok")
    idle = app.extensions["screening"].settings.session_idle_minutes * 60
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - idle - 5

    response = client.get("/screenings")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/screenings").status_code == 302


def test_a_session_ends_after_its_maximum_length_even_when_busy(client, app, people):
    login(client, "nok")
    longest = app.extensions["screening"].settings.session_max_hours * 3600
    with client.session_transaction() as session:
        session["started"] = int(time.time()) - longest - 5

    assert client.get("/screenings").status_code == 302


def test_resetting_a_password_ends_the_users_other_sessions(client, app, people):
    login(client, "nok")
    assert client.get("/screenings").status_code == 200
    with app.app_context():
        session = db.session()
        accounts.reset_password(session, session.get(User, people.interviewer.id))
        session.commit()

    assert client.get("/screenings").status_code == 302


def test_every_page_carries_strict_security_headers(client, people):
    response = client.get("/login")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_load_nothing_from_other_sites_and_run_no_inline_script(
    signed_in, client
):
    from tests.helpers import start

    nok = signed_in("nok")
    reference = start(nok)
    for path in ("/screenings", f"/screenings/{reference}/sections/interview"):
        page = nok.get(path).get_data(as_text=True)
        for url in re.findall(r'(?:src|href)="([^"]+)"', page):
            assert url.startswith(("/", "#", "data:")), url
        assert "<script>" not in page
        assert " style=" not in page
        assert " on" + "click=" not in page


def test_a_next_parameter_cannot_send_the_user_to_another_site(client, people):
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": "nok", "password": PASSWORD, "csrf_token": token},
    )

    assert response.headers["Location"] == "/"


def test_a_line_break_in_next_is_refused_not_a_server_error(client, people):
    token = csrf_token(client)

    response = client.post(
        "/login?next=/%0D%0AX:%20y",
        data={"username": "nok", "password": PASSWORD, "csrf_token": token},
    )

    assert response.status_code == 302
    assert "\n" not in response.headers["Location"]
    assert response.headers["Location"].endswith("/")


def test_a_copy_of_the_session_cookie_is_worthless_after_signing_out(app, people):
    from tests.conftest import Browser

    browser = Browser(app.test_client(), "nok")
    copied = browser.client.get_cookie("screening_session").value

    browser.post("/logout")

    replay = app.test_client()
    replay.set_cookie("screening_session", copied)
    assert replay.get("/screenings").status_code == 302


def test_guessing_the_current_password_is_limited_and_audited(signed_in, app):
    browser = signed_in("nok")
    codes = []
    for attempt in range(8):
        response = browser.post(
            "/password",
            {
                "current_password": f"guess-{attempt}",
                "new_password": "a-new-password-123",
                "repeat_password": "a-new-password-123",
            },
        )
        codes.append(response.status_code)

    assert codes[0] == 400
    assert codes[-1] == 429
    with app.app_context():
        actions = db.session().scalars(select(AuditEvent.action)).all()
    assert "password.rejected" in actions and "password.limited" in actions
