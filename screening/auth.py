"""Signing in and out, and changing one's password."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from screening import accounts, audit, db
from screening.extensions import settings
from screening.forms import ChangePasswordForm, LoginForm
from screening.i18n import N_
from screening.pages import safe_target
from screening.security import client_address, start_session

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)

PASSWORD_PROBLEMS = {
    "too_short": N_("Use at least %(count)d characters."),
    "same_as_username": N_("The password cannot be your user name."),
    "unchanged": N_("Choose a password different from the current one."),
}


def login_limits() -> accounts.LoginLimits:
    config = settings()
    return accounts.LoginLimits(
        timedelta(minutes=config.login_window_minutes),
        config.login_failures_per_account,
        config.login_failures_per_address,
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)

    config = settings()
    session_db = db.session()
    address = client_address()
    outcome = accounts.authenticate(
        session_db,
        form.username.data or "",
        form.password.data or "",
        address=address,
        secret=config.secret_key,
        limits=login_limits(),
    )
    if outcome.status != "ok" or outcome.user is None:
        audit.record(session_db, f"login.{outcome.status}", address=address)
        session_db.commit()
        if outcome.status == "limited":
            message = gettext(
                "Too many failed sign-ins. Wait %(minutes)d minutes and try again.",
                minutes=config.login_window_minutes,
            )
            return render_template("auth/login.html", form=form, error=message), 429
        message = gettext("The user name or password is not right.")
        return render_template("auth/login.html", form=form, error=message), 401

    user = outcome.user
    audit.record(
        session_db,
        "login.ok",
        user=user,
        record_type="user",
        record_id=user.id,
        address=address,
    )
    session_db.commit()
    language = session.get("language")
    session.clear()  # a fresh session: nothing from before sign-in carries over
    if language:
        session["language"] = language
    login_user(user)
    start_session()
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(safe_target(request.args.get("next"), url_for("pages.home")))


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    session_db = db.session()
    audit.record(
        session_db,
        "logout",
        user=current_user,
        record_type="user",
        record_id=current_user.id,
        address=client_address(),
    )
    # The session lives in a signed cookie: a new session version makes any
    # copy of the old cookie worthless, instead of only forgetting this one.
    current_user.session_version += 1
    session_db.commit()
    logout_user()
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form)

    user = current_user._get_current_object()
    session_db = db.session()
    address = client_address()
    # The current password is checked like a sign-in, and counts towards the
    # same limits: a borrowed session must not become a password oracle.
    outcome = accounts.authenticate(
        session_db,
        user.username,
        form.current_password.data or "",
        address=address,
        secret=settings().secret_key,
        limits=login_limits(),
    )
    if outcome.status != "ok":
        audit.record(
            session_db,
            f"password.{outcome.status}",
            user=user,
            record_type="user",
            record_id=user.id,
            address=address,
        )
        session_db.commit()
        if outcome.status == "limited":
            message = gettext(
                "Too many failed sign-ins. Wait %(minutes)d minutes and try again.",
                minutes=settings().login_window_minutes,
            )
            form.current_password.errors.append(message)
            return render_template("auth/password.html", form=form), 429
        form.current_password.errors.append(gettext("This password is not right."))
        return render_template("auth/password.html", form=form), 400

    try:
        accounts.change_password(session_db, user, form.new_password.data or "")
    except accounts.AccountError as error:
        form.new_password.errors.append(
            gettext(
                PASSWORD_PROBLEMS.get(error.code, N_("This password cannot be used.")),
                count=accounts.MIN_PASSWORD_LENGTH,
            )
        )
        return render_template("auth/password.html", form=form), 400
    audit.record(
        session_db,
        "password.change",
        user=user,
        record_type="user",
        record_id=user.id,
        address=client_address(),
    )
    session_db.commit()
    login_user(user)  # the session id changed with the session version
    start_session()
    flash(gettext("Your password is changed."), "success")
    return redirect(url_for("pages.home"))
