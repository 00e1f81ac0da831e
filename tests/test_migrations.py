from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, inspect, select, table

from screening import db, migrate
from screening.db import utcnow
from screening.documents import keys, trust

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
    "issuer_groups",
}


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def _columns(engine) -> set[tuple[str, str]]:
    """Every (table, column) of the schema, the revision table left out."""
    inspector = inspect(engine)
    return {
        (table, column["name"])
        for table in _tables(engine)
        for column in inspector.get_columns(table)
    }


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
    before = _columns(engine)

    migrate.upgrade(engine, revision)
    after = _columns(engine)
    assert after != before, f"{revision} changes no table or column"
    assert migrate.current_revision(engine) == revision

    migrate.downgrade(engine, previous)
    assert _columns(engine) == before
    migrate.upgrade(engine, revision)
    assert _columns(engine) == after
    engine.dispose()


def _certificate_row(certificate) -> dict:
    return {
        "sha256": keys.fingerprint(certificate),
        "subject": certificate.subject.rfc4514_string(),
        "not_before": certificate.not_valid_before_utc,
        "not_after": certificate.not_valid_after_utc,
        "pem": keys.certificate_pem(certificate).decode(),
        "imported_at": utcnow(),
    }


def test_trust_kept_before_issuer_groups_is_grouped_as_it_was_used(
    empty_database, tmp_path
):
    """Before 0004 trust went by subject: the data keeps that, then goes back."""
    bokeo = keys.AgencyIdentity("Bokeo Office", "LA", "Bokeo")
    rotated = [keys.create_signing_key(tmp_path / "bokeo", bokeo) for _ in range(2)]
    other = keys.create_signing_key(
        tmp_path / "other", keys.AgencyIdentity("Other Office", "TH", "Nan")
    )
    material = keys.load_signing_material(tmp_path / "bokeo")
    signed_list = trust.sign_revocation_list(material, 3, []).decode()
    certificates = table(
        "trusted_certificates", *(column(name) for name in _certificate_row(other))
    )
    lists = table(
        "revocation_lists",
        *(column(name) for name in ("issuer_key", "issuer_subject", "sequence")),
        *(column(name) for name in ("entry_count", "content", "imported_at")),
    )
    engine = db.make_engine(empty_database.url)
    migrate.upgrade(engine, "0003")
    with engine.begin() as connection:
        for certificate in (*rotated, other):
            connection.execute(certificates.insert(), _certificate_row(certificate))
        connection.execute(
            lists.insert(),
            {
                "issuer_key": "k" * 32,
                "issuer_subject": material.certificate.subject.rfc4514_string(),
                "sequence": 3,
                "entry_count": 0,
                "content": signed_list,
                "imported_at": utcnow(),
            },
        )

    migrate.upgrade(engine, "0004")
    with engine.connect() as connection:
        groups = {
            sha256: group_id
            for sha256, group_id in connection.execute(
                select(column("sha256"), column("group_id")).select_from(
                    table("trusted_certificates")
                )
            )
        }
        kept = connection.execute(
            select(column("group_id"), column("signer_sha256")).select_from(
                table("revocation_lists")
            )
        ).one()
    migrate.downgrade(engine, "0003")
    with engine.connect() as connection:
        key = connection.execute(
            select(column("issuer_key")).select_from(table("revocation_lists"))
        ).scalar_one()
    engine.dispose()

    bokeo_groups = {groups[keys.fingerprint(c)] for c in rotated}
    assert len(bokeo_groups) == 1
    assert groups[keys.fingerprint(other)] not in bokeo_groups
    assert tuple(kept) == (*bokeo_groups, material.fingerprint)
    assert len(key) == 32 and key != "k" * 32
