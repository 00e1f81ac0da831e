"""The home page, the language switcher and the one error page for every error."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from screening import db, labels
from screening.config import INTERFACE_LANGUAGES
from screening.forms import ROLE_LABELS
from screening.i18n import LANGUAGE_NAMES, current_language
from screening.interviews import can_see_screenings
from screening.models import ROLES
from screening.verification import can_verify

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    if can_see_screenings(current_user):
        return redirect(url_for("interview.list_screenings"))
    if "administrator" in current_user.roles:
        return redirect(url_for("admin.list_users"))
    if "verifier" in current_user.roles:
        return redirect(url_for("verify.page"))
    return render_template("home.html")


def safe_target(target: str | None, fallback: str) -> str:
    """A local path to go back to; anything pointing elsewhere becomes fallback."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return fallback
    if target.startswith("//") or "\\" in target:
        return fallback
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return fallback  # a line break would end up in the Location header
    return target


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    language = request.form.get("language", "")
    if language in INTERFACE_LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.language = language
            db.session().commit()
    return redirect(safe_target(request.form.get("next"), url_for("pages.home")))


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    return {"status": "ok"}


def _error_page(error: HTTPException) -> ResponseReturnValue:
    messages = {
        400: gettext("The request could not be understood."),
        401: gettext("Please sign in again."),
        403: gettext("Your account cannot open this page."),
        404: gettext("There is nothing here, or you cannot see it."),
        405: gettext("This page cannot be used that way."),
        413: gettext("What was sent is too large."),
        429: gettext("Too many attempts. Please wait and try again."),
    }
    code = error.code or 500
    if isinstance(error, CSRFError):
        message = gettext(
            "The form had expired or was not sent from this site. "
            "Nothing was saved. Please go back, reload the page and try again."
        )
    else:
        message = messages.get(
            code, gettext("Something went wrong. Nothing more was saved.")
        )
    if (
        request.accept_mimetypes.best == "application/json"
        or request.is_json
        or request.path.startswith("/api/")
    ):
        return {"error": code, "message": message}, code
    back = None
    if request.blueprint == "verify" and code == 413:
        from screening.documents.verify import MAX_DOCUMENT_BYTES, MAX_IMAGE_BYTES

        message = gettext(
            "The file is too large to verify: a PDF may be up to %(pdf)d MB and a "
            "photo up to %(photo)d MB.",
            pdf=MAX_DOCUMENT_BYTES // (1024 * 1024),
            photo=MAX_IMAGE_BYTES // (1024 * 1024),
        )
        back = url_for("verify.page")
    return render_template("error.html", code=code, message=message, back=back), code


def _unexpected(error: Exception) -> ResponseReturnValue:
    # The message of an exception may echo what a person said: log only its
    # class and where it was raised.
    frame = traceback.extract_tb(error.__traceback__)[-1:]
    where = f"{frame[0].filename}:{frame[0].lineno}" if frame else "unknown"
    log.error(
        "unexpected %s at %s (endpoint %s)",
        type(error).__name__,
        where,
        request.endpoint,
    )
    return _error_page(InternalServerError())


def _in_interface(table: dict[str, str]) -> Callable[[str], str]:
    return lambda key: labels.label(table, key, current_language())


def register_template_helpers(app: Flask) -> None:
    """Functions templates use to put codes into words of the interface language."""
    app.jinja_env.filters["language_name"] = lambda code: LANGUAGE_NAMES.get(code, code)
    app.jinja_env.globals.update(
        can_see_screenings=can_see_screenings,
        can_verify=can_verify,
        role_names=lambda roles: ", ".join(
            str(ROLE_LABELS[role]) for role in ROLES if role in roles
        ),
        status_label=_in_interface(labels.STATUSES),
        document_status=_in_interface(labels.DOCUMENT_STATUSES),
        band_heading=_in_interface(labels.BAND_HEADINGS),
        band_text=_in_interface(labels.BAND_TEXTS),
        strength_name=_in_interface(labels.STRENGTHS),
        profile_name=_in_interface(labels.PROFILES),
        flag_text=_in_interface(labels.FLAGS),
        element_name=_in_interface(labels.ELEMENTS),
        element_hint=_in_interface(labels.ELEMENT_HINTS),
        pattern_text=_in_interface(labels.PATTERNS),
        non_punishment=lambda: gettext(labels.NON_PUNISHMENT),
    )


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(HTTPException, _error_page)
    if not app.testing:  # tests want to see the exception itself
        app.register_error_handler(Exception, _unexpected)
