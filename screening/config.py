"""Typed settings for the web application, read and checked at start-up.

Secrets come from environment variables or from files in the instance
folder (written by ``screening init`` with owner-only permissions). Nothing
secret has a default: a missing secret stops the application with a message
that says how to create it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
DATA_KEYS_FILE = "data_keys"
DATABASE_FILE = "screening.sqlite3"
INTERFACE_LANGUAGES = ("en", "th", "lo")
MIN_VERIFY_MEMORY_MB = 256
MAX_VERIFY_SECONDS = 300

# Thailand and Lao PDR keep the same time all year: dates people read
# (on screens and on signed documents) are dates there, not in UTC.
LOCAL_TIME = timezone(timedelta(hours=7), "ICT")


class ConfigError(Exception):
    """The configuration cannot run the application; the message says why."""


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    secret_key: str
    data_keys: tuple[str, ...]
    database_url: str
    questionnaires_folder: Path | None = None
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    login_window_minutes: int = 15
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    secure_cookies: bool = False
    proxy_count: int = 0
    default_language: str = "en"
    timestamp_url: str | None = None
    # Each uploaded PDF is verified in a worker process held to these limits
    # (screening/documents/bounded.py); past either, it is "too complex".
    verify_memory_mb: int = 512
    verify_seconds: int = 15
    # Command-line runs open one connection per use instead of keeping a pool.
    database_pool: bool = True
    testing: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    def check(self) -> None:
        """Raise ConfigError naming the first setting that cannot work."""
        if len(self.secret_key) < 32:
            raise ConfigError("the secret key must be at least 32 characters long")
        if not self.data_keys:
            raise ConfigError("at least one data-encryption key is needed")
        for number, key in enumerate(self.data_keys, start=1):
            try:
                Fernet(key)
            except ValueError:
                raise ConfigError(
                    f"data-encryption key {number} is not a valid Fernet key"
                ) from None
        if not self.database_url.startswith(("sqlite:", "postgresql")):
            raise ConfigError(
                "the database URL must start with sqlite: or postgresql "
                "(for example postgresql+psycopg://user@host/database)"
            )
        for name in (
            "session_idle_minutes",
            "session_max_hours",
            "login_window_minutes",
            "login_failures_per_account",
            "login_failures_per_address",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.verify_memory_mb < MIN_VERIFY_MEMORY_MB:
            raise ConfigError(
                f"verify_memory_mb must be at least {MIN_VERIFY_MEMORY_MB}: "
                "verifying an honest document takes some 120 MB"
            )
        if not 1 <= self.verify_seconds <= MAX_VERIFY_SECONDS:
            raise ConfigError(f"verify_seconds must be from 1 to {MAX_VERIFY_SECONDS}")
        if self.proxy_count < 0:
            raise ConfigError("proxy_count cannot be negative")
        if self.default_language not in INTERFACE_LANGUAGES:
            known = ", ".join(INTERFACE_LANGUAGES)
            raise ConfigError(f"default_language must be one of {known}")
        if self.timestamp_url and not self.timestamp_url.startswith(
            ("http://", "https://")
        ):
            raise ConfigError("the timestamp server URL must start with http(s)://")


def default_instance_path(environ: Mapping[str, str] | None = None) -> Path:
    """./instance, unless SCREENING_INSTANCE_PATH names another folder."""
    environ = os.environ if environ is None else environ
    configured = environ.get("SCREENING_INSTANCE_PATH")
    if configured:
        return Path(configured).resolve()
    return Path.cwd().resolve() / "instance"


def _secret(
    environ: Mapping[str, str], variable: str, instance_path: Path, filename: str
) -> str | None:
    if environ.get(variable):
        return environ[variable]
    path = instance_path / filename
    if path.is_file():
        return path.read_text(encoding="utf-8")
    return None


def _integer(environ: Mapping[str, str], variable: str, default: int) -> int:
    value = environ.get(variable)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{variable} must be a whole number, not {value!r}") from None


def _flag(environ: Mapping[str, str], variable: str) -> bool:
    return environ.get(variable, "").strip().lower() in ("1", "true", "yes", "on")


def load_settings(
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build settings from the environment and the instance folder, then check them.

    ``overrides`` (used by tests and commands) replace any setting by name.
    """
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    instance_path = Path(
        overrides.pop("instance_path", None) or default_instance_path(environ)
    )

    secret_key = overrides.pop("secret_key", None) or _secret(
        environ, "SCREENING_SECRET_KEY", instance_path, SECRET_KEY_FILE
    )
    keys_text = overrides.pop("data_keys", None) or _secret(
        environ, "SCREENING_DATA_KEYS", instance_path, DATA_KEYS_FILE
    )
    if secret_key is None or keys_text is None:
        missing = "secret key" if secret_key is None else "data-encryption keys"
        raise ConfigError(
            f"no {missing} in {instance_path}: run `screening init` first, "
            "or set SCREENING_SECRET_KEY and SCREENING_DATA_KEYS (to use an "
            "instance elsewhere, run from its parent folder or set "
            "SCREENING_INSTANCE_PATH)"
        )
    if isinstance(keys_text, str):
        data_keys = tuple(
            key.strip() for key in keys_text.replace(",", "\n").split() if key.strip()
        )
    else:
        data_keys = tuple(keys_text)

    database_url = environ.get("SCREENING_DATABASE_URL") or (
        f"sqlite:///{instance_path / DATABASE_FILE}"
    )
    questionnaires = environ.get("SCREENING_QUESTIONNAIRES")
    settings = Settings(
        instance_path=instance_path,
        secret_key=secret_key.strip(),
        data_keys=data_keys,
        database_url=database_url,
        questionnaires_folder=Path(questionnaires) if questionnaires else None,
        session_idle_minutes=_integer(environ, "SCREENING_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_integer(environ, "SCREENING_SESSION_MAX_HOURS", 12),
        secure_cookies=_flag(environ, "SCREENING_SECURE_COOKIES"),
        proxy_count=_integer(environ, "SCREENING_PROXY_COUNT", 0),
        default_language=environ.get("SCREENING_DEFAULT_LANGUAGE", "en"),
        timestamp_url=environ.get("SCREENING_TIMESTAMP_URL") or None,
        verify_memory_mb=_integer(environ, "SCREENING_VERIFY_MEMORY_MB", 512),
        verify_seconds=_integer(environ, "SCREENING_VERIFY_SECONDS", 15),
    )

    known = {item.name for item in fields(Settings)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}")
    if overrides.get("questionnaires_folder"):
        overrides["questionnaires_folder"] = Path(overrides["questionnaires_folder"])
    settings = replace(settings, **overrides)
    settings.check()
    return settings
