"""Login sessions, CSRF, security headers and role checks for every request."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from screening import db
from screening.models import User

log = logging.getLogger(__name__)

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to continue.")
# "basic": a changed address (a tablet moving between networks) must not end
# an interview; idle and absolute timeouts bound a stolen cookie instead.
login_manager.session_protection = "basic"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
# Pages a user who must change their password may still reach.
OPEN_TO_NEW_PASSWORD = frozenset(
    {"auth.change_password", "auth.logout", "pages.set_language", "static"}
)

View = TypeVar("View", bound=Callable[..., Any])


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    identifier, _, version = user_id.partition(":")
    if not identifier.isdigit() or not version.isdigit():
        return None
    user = db.session().get(User, int(identifier))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def client_address() -> str:
    return request.remote_addr or "unknown"


def start_session() -> None:
    """Call right after login_user: the idle and absolute clocks start now."""
    now = int(time.time())
    session["started"] = now
    session["seen"] = now
    session.permanent = True


def _expire_idle_sessions() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return None
    from screening.extensions import settings

    config = settings()
    now = int(time.time())
    started = int(session.get("started", 0))
    seen = int(session.get("seen", 0))
    idle = now - seen > config.session_idle_minutes * 60
    too_long = now - started > config.session_max_hours * 3600
    if not (idle or too_long):
        session["seen"] = now
        return None

    log.info("session of user %s expired", current_user.id)
    logout_user()
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    if request.method != "GET" or request.is_json:
        abort(401)
    flash(_l("You were signed out after a period of inactivity."), "info")
    return redirect(url_for("auth.login", next=request.full_path))


def _require_new_password() -> ResponseReturnValue | None:
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_TO_NEW_PASSWORD
    ):
        return redirect(url_for("auth.change_password"))
    return None


def _secure_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Pages carry personal data: never keep them in a shared cache.
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def require_role(*roles: str) -> Callable[[View], View]:
    """Allow a view only to signed-in users holding one of the roles (else 403)."""
    wanted = frozenset(roles)

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.roles & wanted:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def upload_limit(size: int) -> Callable[[View], View]:
    """Let a view receive a request body of up to ``size`` bytes.

    Every other request keeps the application's MAX_CONTENT_LENGTH. The limit
    is applied before the CSRF check reads the form.
    """

    def decorator(view: View) -> View:
        view.upload_limit = size  # type: ignore[attr-defined]
        return view

    return decorator


def _apply_upload_limit() -> None:
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    size = getattr(view, "upload_limit", None)
    if size is not None:
        request.max_content_length = size


def init_app(app: Flask, proxy_count: int) -> None:
    if proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxy_count, x_proto=proxy_count, x_host=proxy_count
        )
    app.before_request(_apply_upload_limit)  # before CSRFProtect reads the form
    csrf.init_app(app)
    login_manager.init_app(app)
    app.before_request(_expire_idle_sessions)
    app.before_request(_require_new_password)
    app.after_request(_secure_headers)
