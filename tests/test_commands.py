from __future__ import annotations

import re
import stat

from click.testing import CliRunner
from sqlalchemy import select

from screening import create_app, db
from screening.cli import cli
from screening.models import Agency, QuestionnaireVersion, User

OTP = re.compile(r"One-time password:\s+([a-z0-9-]{19})")


def _environment(tmp_path, empty_database, catalog_folder) -> dict[str, str]:
    return {
        "SCREENING_INSTANCE_PATH": str(tmp_path / "instance"),
        "SCREENING_DATABASE_URL": empty_database.url,
        "SCREENING_QUESTIONNAIRES": str(catalog_folder),
        "SCREENING_SECRET_KEY": "",
        "SCREENING_DATA_KEYS": "",
    }


def test_init_sets_up_an_instance_and_prints_a_one_time_password_once(
    tmp_path, empty_database, catalog_folder
):
    env = _environment(tmp_path, empty_database, catalog_folder)
    runner = CliRunner()

    first = runner.invoke(cli, ["init", "--agency-name", "Nong Khai PSDHS"], env=env)

    assert first.exit_code == 0, first.output
    password = OTP.search(first.output).group(1)
    instance = tmp_path / "instance"
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    for name in ("secret_key", "data_keys", "keys/signing-key.pem"):
        assert stat.S_IMODE((instance / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "keys").stat().st_mode) == 0o700
    assert "mini@0.1.0" in first.output
    assert "Signing key and certificate created" in first.output

    second = runner.invoke(cli, ["init"], env=env)
    assert second.exit_code == 0, second.output
    assert "created" in first.output.split("Database:")[1].splitlines()[0]
    assert "is up to date" in second.output.split("Database:")[1].splitlines()[0]
    assert OTP.search(second.output) is None
    assert "no new password" in second.output
    assert "Signing key" not in second.output

    app = create_app({"instance_path": instance, "database_url": empty_database.url})
    with app.app_context():
        session = db.session()
        agencies = session.scalars(select(Agency)).all()
        assert [(a.name, a.country, a.is_own) for a in agencies] == [
            ("Nong Khai PSDHS", "TH", True)
        ]
        admin = session.scalars(select(User)).one()
        assert admin.roles == {"administrator"}
        assert admin.must_change_password
        assert len(session.scalars(select(QuestionnaireVersion)).all()) == 1
    client = app.test_client()
    from tests.conftest import login

    assert login(client, "admin", password).headers["Location"].endswith("/password")
    db.engine_of(app).dispose()


def test_create_admin_adds_another_administrator(
    tmp_path, empty_database, catalog_folder
):
    env = _environment(tmp_path, empty_database, catalog_folder)
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0

    result = runner.invoke(
        cli, ["create-admin", "lamphone", "--name", "Lamphone"], env=env
    )
    again = runner.invoke(cli, ["create-admin", "lamphone"], env=env)

    assert result.exit_code == 0, result.output
    assert OTP.search(result.output)
    spaced = runner.invoke(cli, ["create-admin", "bad name"], env=env)

    assert again.exit_code == spaced.exit_code == 1
    assert "that user name is taken" in again.output
    assert "without spaces" in spaced.output


def test_the_app_does_not_start_before_init(tmp_path, monkeypatch):
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["create-admin", "someone"],
        env={
            "SCREENING_INSTANCE_PATH": str(tmp_path / "nowhere"),
            "SCREENING_SECRET_KEY": "",
            "SCREENING_DATA_KEYS": "",
        },
    )

    assert result.exit_code != 0
    assert "screening init" in result.output + str(result.exception)


def test_a_command_without_an_instance_says_where_it_looked_in_one_line(
    tmp_path, empty_database, catalog_folder
):
    env = _environment(tmp_path, empty_database, catalog_folder)

    result = CliRunner().invoke(cli, ["trust", "export"], env=env)

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "run `screening init` first" in result.output
    assert "SCREENING_INSTANCE_PATH" in result.output
    assert not (tmp_path / "instance").exists()


def test_help_lists_the_products_commands_and_its_own_version():
    runner = CliRunner()

    listed = runner.invoke(cli, ["--help"])
    version = runner.invoke(cli, ["--version"])

    lines = listed.output.split("Commands:")[1].splitlines()
    commands = {line.split()[0] for line in lines if line.startswith("  ")}
    assert {"init", "score", "issue", "verify", "trust"} <= commands
    assert not {"run", "shell", "routes"} & commands
    assert "--app" not in listed.output
    assert version.output.startswith("screening, version ")


def test_init_refuses_to_rename_an_existing_agency(
    tmp_path, empty_database, catalog_folder
):
    env = _environment(tmp_path, empty_database, catalog_folder)
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0

    renamed = runner.invoke(cli, ["init", "--agency-name", "Chiang Saen MDT"], env=env)
    same = runner.invoke(cli, ["init", "--agency-name", "Demo agency"], env=env)

    assert renamed.exit_code == 1
    assert "belongs to Demo agency (TH, Chiang Rai) already" in renamed.output
    assert "SCREENING_INSTANCE_PATH" in renamed.output
    assert same.exit_code == 0, same.output


def test_init_refuses_an_agency_name_the_signature_box_cannot_draw(
    tmp_path, empty_database, catalog_folder
):
    env = _environment(tmp_path, empty_database, catalog_folder)

    thai = CliRunner().invoke(cli, ["init", "--agency-name", "สำนักงานเชียงราย"], env=env)
    blank = CliRunner().invoke(cli, ["init", "--province", " "], env=env)

    assert thai.exit_code == blank.exit_code == 2
    assert "Latin letters" in thai.output
    assert "U+0E2A ส" in thai.output and "more" in thai.output
    assert "--province" in blank.output
    assert not (tmp_path / "instance").exists()


def test_a_database_left_behind_by_an_upgrade_is_named_with_the_fix(
    tmp_path, empty_database, catalog_folder
):
    from screening import db, migrate

    env = _environment(tmp_path, empty_database, catalog_folder)
    assert CliRunner().invoke(cli, ["init"], env=env).exit_code == 0
    engine = db.make_engine(empty_database.url)
    older = migrate.revisions(engine)[-2]
    migrate.downgrade(engine, older)
    engine.dispose()

    behind = CliRunner().invoke(cli, ["trust", "list"], env=env)
    upgraded = CliRunner().invoke(cli, ["migrate"], env=env)
    after = CliRunner().invoke(cli, ["trust", "list"], env=env)

    assert behind.exit_code == 1
    assert f"at revision {older}" in behind.output
    assert "screening migrate" in behind.output
    assert upgraded.exit_code == 0, upgraded.output
    assert after.exit_code == 0, after.output
