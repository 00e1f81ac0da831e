from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from screening import db, migrate

TABLES = {
    "agencies",
    "users",
    "user_roles",
    "login_attempts",
    "audit_events",
    "questionnaire_versions",
    "screenings",
    "answers",
    "issued_documents",
    "trusted_certificates",
    "revocation_lists",
}


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_an_empty_database_is_upgraded_to_every_table(empty_database):
    engine = db.make_engine(empty_database.url)
    assert _tables(engine) == set()

    migrate.upgrade(engine)

    assert _tables(engine) == TABLES
    assert migrate.is_current(engine)
    engine.dispose()


def test_the_migrations_build_exactly_what_the_models_describe(empty_database):
    engine = db.make_engine(empty_database.url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.Base.metadata)
    engine.dispose()
    assert differences == []


REVISIONS = migrate.revisions(db.make_engine("sqlite://"))


@pytest.mark.parametrize("revision", REVISIONS)
def test_each_migration_upgrades_and_downgrades_cleanly(empty_database, revision):
    engine = db.make_engine(empty_database.url)
    position = REVISIONS.index(revision)
    previous = REVISIONS[position - 1] if position else "base"
    migrate.upgrade(engine, previous)
    before = _tables(engine)

    migrate.upgrade(engine, revision)
    added = _tables(engine) - before
    assert added, f"{revision} adds no table"
    assert migrate.current_revision(engine) == revision

    migrate.downgrade(engine, previous)
    assert _tables(engine) == before
    migrate.upgrade(engine, revision)
    assert _tables(engine) == before | added
    engine.dispose()
