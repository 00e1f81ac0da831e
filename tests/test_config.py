from __future__ import annotations

from pathlib import Path

import pytest

from screening import create_app
from screening.config import ConfigError, load_settings
from tests.conftest import TEST_DATA_KEY, TEST_SECRET_KEY


def test_the_app_refuses_to_start_without_keys_and_says_to_run_init(tmp_path: Path):
    with pytest.raises(ConfigError, match="screening init"):
        load_settings(environ={}, overrides={"instance_path": tmp_path})


def test_keys_are_read_from_the_instance_folder(tmp_path: Path):
    (tmp_path / "secret_key").write_text(TEST_SECRET_KEY + "\n")
    (tmp_path / "data_keys").write_text(TEST_DATA_KEY + "\n")

    settings = load_settings(environ={}, overrides={"instance_path": tmp_path})

    assert settings.secret_key == TEST_SECRET_KEY
    assert settings.data_keys == (TEST_DATA_KEY,)
    assert settings.database_url == f"sqlite:///{tmp_path / 'screening.sqlite3'}"


def test_environment_variables_override_the_instance_folder(tmp_path: Path):
    environ = {
        "SCREENING_INSTANCE_PATH": str(tmp_path / "elsewhere"),
        "SCREENING_SECRET_KEY": TEST_SECRET_KEY,
        "SCREENING_DATA_KEYS": f"{TEST_DATA_KEY},{TEST_DATA_KEY}",
        "SCREENING_DATABASE_URL": "postgresql+psycopg://user@db.example/screening",
        "SCREENING_SESSION_IDLE_MINUTES": "10",
        "SCREENING_VERIFY_MEMORY_MB": "768",
        "SCREENING_VERIFY_SECONDS": "30",
    }
    settings = load_settings(environ=environ)

    assert settings.instance_path == (tmp_path / "elsewhere").resolve()
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert len(settings.data_keys) == 2
    assert settings.session_idle_minutes == 10
    assert (settings.verify_memory_mb, settings.verify_seconds) == (768, 30)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"secret_key": "short"}, "at least 32"),
        ({"data_keys": ("not-a-key",)}, "not a valid Fernet key"),
        ({"database_url": "mysql://x/y"}, "must start with sqlite"),
        ({"session_idle_minutes": 0}, "at least 1"),
        ({"default_language": "fr"}, "default_language"),
        ({"verify_memory_mb": 100}, "verify_memory_mb must be at least 256"),
        ({"verify_seconds": 0}, "verify_seconds must be from 1"),
        ({"colour": "blue"}, "unknown setting"),
    ],
)
def test_a_setting_that_cannot_work_stops_the_start(tmp_path, override, message):
    overrides = {
        "instance_path": tmp_path,
        "secret_key": TEST_SECRET_KEY,
        "data_keys": (TEST_DATA_KEY,),
        **override,
    }
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={}, overrides=overrides)


def test_a_number_setting_must_be_a_number(tmp_path: Path):
    environ = {
        "SCREENING_SECRET_KEY": TEST_SECRET_KEY,
        "SCREENING_DATA_KEYS": TEST_DATA_KEY,
        "SCREENING_SESSION_IDLE_MINUTES": "half an hour",
    }
    with pytest.raises(ConfigError, match="whole number"):
        load_settings(environ=environ, overrides={"instance_path": tmp_path})


def test_the_factory_uses_the_instance_folder_it_was_given(app):
    assert app.instance_path.endswith("instance")
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_factory_fails_on_a_broken_questionnaire_folder(tmp_path, database):
    from screening.sourcefile import DefinitionError
    from tests.conftest import settings_for

    broken = tmp_path / "catalog"
    (broken / "standards").mkdir(parents=True)
    (broken / "standards" / "gms-common@1.yaml").write_text("id: [unclosed\n")
    with pytest.raises(DefinitionError):
        create_app(settings_for(tmp_path / "instance", database.url, broken))
