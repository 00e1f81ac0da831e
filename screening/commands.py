"""Administration commands: set up an instance, migrate, publish, add admins."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from click.core import ParameterSource
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening import accounts, audit, db, migrate
from screening.config import (
    DATA_KEYS_FILE,
    SECRET_KEY_FILE,
    ConfigError,
    default_instance_path,
)
from screening.crypto import new_key
from screening.documents.keys import AgencyKeyError
from screening.documents.signing import undrawable_in_stamp
from screening.extensions import services
from screening.issuance import ensure_signing_key
from screening.models import COUNTRIES, Agency, UserRole
from screening.published import publish_catalog
from screening.sourcefile import DefinitionError


def _write_secret(path: Path, content: str) -> bool:
    """Create a file readable by its owner only; False when it already exists."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(content + "\n")
    return True


def prepare_instance(instance_path: Path) -> list[str]:
    """Create the instance folder and its key files where missing; say what was made."""
    made: list[str] = []
    if not instance_path.is_dir():
        instance_path.mkdir(parents=True, mode=0o700)
        made.append(f"instance folder {instance_path}")
    if not os.environ.get("SCREENING_SECRET_KEY") and _write_secret(
        instance_path / SECRET_KEY_FILE, secrets.token_urlsafe(48)
    ):
        made.append(f"secret key {instance_path / SECRET_KEY_FILE}")
    if not os.environ.get("SCREENING_DATA_KEYS") and _write_secret(
        instance_path / DATA_KEYS_FILE, new_key()
    ):
        made.append(f"data-encryption key {instance_path / DATA_KEYS_FILE}")
    return made


def _publish(session: Session) -> list[str]:
    try:
        return publish_catalog(session, services().catalog)
    except DefinitionError as error:
        raise click.ClickException(
            f"cannot publish the questionnaires:\n{error}"
        ) from None


def _has_administrator(session: Session) -> bool:
    found = session.scalar(
        select(UserRole.user_id).where(UserRole.role == "administrator").limit(1)
    )
    return found is not None


def _print_password(username: str, password: str) -> None:
    click.echo(f"User name:          {username}")
    click.echo(f"One-time password:  {password}")
    click.echo("This password is shown only now. Sign in with it and choose your own.")


def _ensure_signing_key(session: Session, instance: Path, agency: Agency) -> None:
    try:
        fingerprint = ensure_signing_key(instance, agency)
    except AgencyKeyError as error:
        raise click.ClickException(f"cannot create the signing key: {error}") from None
    if fingerprint is None:
        return
    audit.record(
        session,
        "key.create",
        agency_id=agency.id,
        detail="first signing key, by screening init",
    )
    click.echo(f"Signing key and certificate created: {fingerprint}")


def initialise(
    app: Flask,
    agency_name: str,
    country: str,
    province: str,
    admin_username: str,
    *,
    asked_for_agency: bool = False,
) -> None:
    """Set the instance up; ``asked_for_agency``: the agency options were given."""
    with app.app_context():
        engine = db.engine_of(app)
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
        state = (
            "created"
            if before is None
            else "is up to date"
            if before == after
            else f"upgraded from {before} to {after}"
        )
        click.echo(f"Database: {engine.url.render_as_string()} {state}")
        session = db.session()
        for key in _publish(session):
            click.echo(f"Questionnaire published: {key}")
        agency = accounts.own_agency(session)
        if agency is None:
            agency = accounts.create_agency(
                session, agency_name, country, province, own=True
            )
            click.echo(f"Agency created: {agency.name} ({agency.country}, {province})")
        elif asked_for_agency and (agency.name, agency.country, agency.province) != (
            agency_name,
            country,
            province,
        ):
            raise click.ClickException(
                f"this instance belongs to {agency.name} ({agency.country}, "
                f"{agency.province}) already: --agency-name, --country and "
                "--province only set up a new instance. For another agency, run "
                "screening init with SCREENING_INSTANCE_PATH naming a new folder."
            )
        _ensure_signing_key(session, Path(app.instance_path), agency)
        password = None
        if not _has_administrator(session):
            user, password = accounts.create_user(
                session, agency, admin_username, "Administrator", {"administrator"}
            )
            audit.record(
                session,
                "user.create",
                record_type="user",
                record_id=user.id,
                agency_id=agency.id,
                detail="first administrator, by screening init",
            )
        session.commit()
        if password is None:
            click.echo("An administrator exists already: no new password was made.")
        else:
            click.echo("")
            click.echo("First administrator created.")
            _print_password(admin_username, password)


@click.command("init")
@click.option("--agency-name", default="Demo agency", show_default=True)
@click.option(
    "--country", type=click.Choice(COUNTRIES), default="TH", show_default=True
)
@click.option("--province", default="Chiang Rai", show_default=True)
@click.option("--admin", "admin_username", default="admin", show_default=True)
def init_command(
    agency_name: str, country: str, province: str, admin_username: str
) -> None:
    """Set up this instance; safe to run again.

    Creates the instance folder and its keys (owner-only files), brings the
    database up to date, publishes the bundled questionnaires, creates the
    agency with its document-signing key and certificate and a first
    administrator, and prints that administrator's one-time password once.
    """
    from screening import create_app

    _check_stamp_text("--agency-name", agency_name)
    _check_stamp_text("--province", province)
    context = click.get_current_context()
    asked_for_agency = any(
        context.get_parameter_source(name) is ParameterSource.COMMANDLINE
        for name in ("agency_name", "country", "province")
    )
    instance_path = default_instance_path()
    for item in prepare_instance(instance_path):
        click.echo(f"Created {item}")
    try:
        app = create_app({"database_pool": False})
    except (ConfigError, DefinitionError) as error:
        raise click.ClickException(str(error)) from None
    initialise(
        app,
        agency_name,
        country,
        province,
        admin_username,
        asked_for_agency=asked_for_agency,
    )


def _check_stamp_text(option: str, value: str) -> None:
    """The agency's name and province go into the certificate and signature box."""
    if not value.strip() or len(value) > 120:
        raise click.BadParameter("give 1 to 120 characters", param_hint=option)
    missing = undrawable_in_stamp(value)
    if missing:
        shown = ", ".join(f"U+{ord(c):04X} {c}" for c in missing[:6])
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        raise click.BadParameter(
            f"the signature box draws Latin letters only, not {shown}{more}: "
            "write the agency's name and province in Latin letters, as on its "
            "English letterhead",
            param_hint=option,
        )


@click.command("migrate")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def migrate_command(revision: str) -> None:
    """Bring the database schema up to a revision."""
    migrate.upgrade(db.engine_of(current_app), revision)
    click.echo(f"Database at {revision}")


@click.command("load-questionnaires")
@with_appcontext
def load_questionnaires_command() -> None:
    """Publish questionnaire versions found in the questionnaires folder."""
    session = db.session()
    added = _publish(session)
    session.commit()
    for key in added:
        click.echo(f"Questionnaire published: {key}")
    if not added:
        click.echo("Every questionnaire version is already published.")


CREATE_ADMIN_ERRORS = {
    "bad_username": "a user name is 1 to 80 characters without spaces",
    "username_taken": "that user name is taken (user names ignore case)",
}


@click.command("create-admin")
@click.argument("username")
@click.option("--name", "display_name", default="Administrator", show_default=True)
@with_appcontext
def create_admin_command(username: str, display_name: str) -> None:
    """Add an administrator to this instance's agency and print a one-time password."""
    session = db.session()
    agency = accounts.own_agency(session)
    if agency is None:
        raise click.ClickException("no agency yet: run `screening init` first")
    try:
        user, password = accounts.create_user(
            session, agency, username, display_name, {"administrator"}
        )
    except accounts.AccountError as error:
        reason = CREATE_ADMIN_ERRORS.get(error.code, error.code)
        raise click.ClickException(f"cannot create {username!r}: {reason}") from None
    audit.record(
        session,
        "user.create",
        record_type="user",
        record_id=user.id,
        agency_id=agency.id,
        detail="administrator, by screening create-admin",
    )
    session.commit()
    _print_password(username, password)


COMMANDS = (
    init_command,
    migrate_command,
    load_questionnaires_command,
    create_admin_command,
)
