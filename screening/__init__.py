"""Screening for trafficking indicators: the web application factory.

The factory imports the web stack when it is called, not when the package is
imported, so `screening score` and the pure domain modules start quickly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 2 * 1024 * 1024


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application from the environment, the instance folder and overrides.

    Raises ConfigError, with a message saying what to do, when the settings
    cannot work (for example before `screening init` made the keys).
    """
    from flask import Flask

    from screening import db, i18n, security
    from screening.catalog import Catalog
    from screening.config import load_settings
    from screening.crypto import DataCipher
    from screening.extensions import Services, install
    from screening.issuance import Issuers
    from screening.published import QuestionnaireStore

    settings = load_settings(overrides=overrides)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_NAME="screening_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        # Tokens live as long as the session: an interview page may stay open
        # for a long break without its next save being refused.
        WTF_CSRF_TIME_LIMIT=settings.session_max_hours * 3600,
        **settings.extra,
    )

    catalog = Catalog.load(settings.questionnaires_folder)
    install(
        app,
        Services(
            settings=settings,
            cipher=DataCipher(settings.data_keys),
            catalog=catalog,
            questionnaires=QuestionnaireStore(catalog.standards),
            issuers=Issuers(settings.instance_path, settings.timestamp_url),
        ),
    )
    # Templates loop over many questions: leave no blank lines behind.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    db.init_app(app, settings.database_url, pooled=settings.database_pool)
    i18n.init_app(app)
    security.init_app(app, settings.proxy_count)
    _register_blueprints(app)
    log.info("application ready (instance %s)", settings.instance_path)
    return app


def _register_blueprints(app: Flask) -> None:
    from screening import (
        admin,
        auth,
        interview,
        pages,
        result_documents,
        results,
        trust_admin,
        verification,
    )

    app.register_blueprint(pages.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(interview.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(result_documents.bp)
    app.register_blueprint(verification.bp)
    app.register_blueprint(trust_admin.bp)
    pages.register_error_pages(app)
    pages.register_template_helpers(app)
