"""Where the command line finds the agency: a thin layer the web app will replace.

The instance folder is ``$SCREENING_INSTANCE_PATH`` (default ``./instance``);
``agency.json`` in it names the agency::

    {"name": "...", "country": "TH", "province": "...", "timestamp_url": null}
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from screening.documents.keys import AgencyIdentity

SETTINGS_FILE = "agency.json"


class SettingsError(ValueError):
    """The instance folder has no usable agency settings."""


@dataclass(frozen=True)
class AgencySettings:
    identity: AgencyIdentity
    timestamp_url: str | None = None


def instance_path() -> Path:
    """The instance folder the commands work in."""
    return Path(os.environ.get("SCREENING_INSTANCE_PATH", "instance")).resolve()


def load_settings(instance: Path) -> AgencySettings:
    """Read agency.json; raise SettingsError with a plain message."""
    path = instance / SETTINGS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        identity = AgencyIdentity(
            str(data["name"]), str(data["country"]), str(data.get("province", ""))
        )
    except FileNotFoundError:
        raise SettingsError(
            f"no {SETTINGS_FILE} in {instance}: run 'screening keys create' "
            "with --name and --country"
        ) from None
    except (ValueError, KeyError, TypeError):
        raise SettingsError(f"{path} is not valid agency settings") from None
    url = data.get("timestamp_url")
    return AgencySettings(identity, str(url) if url else None)


def save_settings(instance: Path, settings: AgencySettings) -> None:
    """Write agency.json."""
    instance.mkdir(parents=True, exist_ok=True)
    data = {
        "name": settings.identity.name,
        "country": settings.identity.country,
        "province": settings.identity.province,
        "timestamp_url": settings.timestamp_url,
    }
    (instance / SETTINGS_FILE).write_text(
        json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
