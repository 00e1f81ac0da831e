"""Run the packaged Alembic migrations against a database URL."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

log = logging.getLogger(__name__)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _with_connection(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to a revision (the newest by default)."""
    _with_connection(engine, "upgrade", revision)
    log.info("database upgraded to %s", revision)


def downgrade(engine: Engine, revision: str) -> None:
    _with_connection(engine, "downgrade", revision)
    log.info("database downgraded to %s", revision)


def revisions(engine: Engine) -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    return [item.revision for item in reversed(list(script.walk_revisions()))]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(engine: Engine) -> bool:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return current_revision(engine) == script.get_current_head()


def behind_message(engine: Engine) -> str | None:
    """Why this database cannot be used by this version, or None if it can.

    A database made by an earlier version must be brought up to date first
    (``screening migrate``); an empty one is left to ``screening init``.
    """
    current = current_revision(engine)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    if current is None or current == head:
        return None
    return (
        f"the database is at revision {current} and this version of screening "
        "needs a newer one: back it up, then run `screening migrate`"
    )
