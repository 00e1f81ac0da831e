"""User administration: add users, change roles, reset passwords."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from screening import accounts, audit, db
from screening.forms import NewUserForm, UserForm
from screening.models import User
from screening.security import client_address, require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _agency_user(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None or user.agency_id != current_user.agency_id:
        abort(404)
    return user


def _one_time_password_page(user: User, password: str) -> ResponseReturnValue:
    return render_template("admin/one_time_password.html", user=user, password=password)


@bp.get("/users")
@require_role("administrator")
def list_users() -> ResponseReturnValue:
    users = db.session().scalars(
        select(User)
        .where(User.agency_id == current_user.agency_id)
        .order_by(User.username)
    )
    return render_template("admin/users.html", users=list(users))


@bp.route("/users/new", methods=["GET", "POST"])
@require_role("administrator")
def new_user() -> ResponseReturnValue:
    form = NewUserForm()
    if not form.validate_on_submit():
        return render_template("admin/user_form.html", form=form, user=None)

    session = db.session()
    try:
        user, password = accounts.create_user(
            session,
            current_user.agency,
            form.username.data or "",
            form.display_name.data or "",
            set(form.roles.data or ()),
        )
    except accounts.AccountError as error:
        if error.code != "username_taken":
            raise
        form.username.errors.append(gettext("This user name is taken."))
        return render_template("admin/user_form.html", form=form, user=None), 400
    user.active = bool(form.active.data)
    audit.record(
        session,
        "user.create",
        user=current_user,
        record_type="user",
        record_id=user.id,
        address=client_address(),
    )
    session.commit()
    return _one_time_password_page(user, password)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require_role("administrator")
def edit_user(user_id: int) -> ResponseReturnValue:
    user = _agency_user(user_id)
    form = UserForm(obj=user, roles=sorted(user.roles))
    if not form.validate_on_submit():
        return render_template("admin/user_form.html", form=form, user=user)

    roles = set(form.roles.data or ())
    if user.id == current_user.id and (
        "administrator" not in roles or not form.active.data
    ):
        flash(gettext("You cannot remove your own administrator access."), "error")
        return render_template("admin/user_form.html", form=form, user=user), 400
    session = db.session()
    user.display_name = (form.display_name.data or "").strip() or user.username
    user.set_roles(roles)
    if user.active and not form.active.data:
        user.session_version += 1  # signs the user out everywhere
    user.active = bool(form.active.data)
    audit.record(
        session,
        "user.update",
        user=current_user,
        record_type="user",
        record_id=user.id,
        address=client_address(),
    )
    session.commit()
    flash(gettext("The account is saved."), "success")
    return redirect(url_for("admin.list_users"))


@bp.post("/users/<int:user_id>/reset-password")
@require_role("administrator")
def reset_password(user_id: int) -> ResponseReturnValue:
    user = _agency_user(user_id)
    session = db.session()
    password = accounts.reset_password(session, user)
    audit.record(
        session,
        "user.reset_password",
        user=current_user,
        record_type="user",
        record_id=user.id,
        address=client_address(),
    )
    session.commit()
    return _one_time_password_page(user, password)
