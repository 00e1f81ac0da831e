"""What the application holds for its requests: settings, keys, questionnaires, issuer.

Other parts (for example document issuing) read these through the functions
here rather than through ``current_app.extensions`` keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from screening.catalog import Catalog
from screening.config import Settings
from screening.crypto import DataCipher
from screening.issuance import Issuers
from screening.published import QuestionnaireStore
from screening.standard import Standard

EXTENSION = "screening"


@dataclass
class Services:
    settings: Settings
    cipher: DataCipher
    catalog: Catalog
    questionnaires: QuestionnaireStore
    issuers: Issuers


def install(app: Flask, services: Services) -> None:
    app.extensions[EXTENSION] = services


def services(app: Flask | None = None) -> Services:
    found: Services = (app or current_app).extensions[EXTENSION]
    return found


def settings() -> Settings:
    return services().settings


def cipher() -> DataCipher:
    return services().cipher


def questionnaires() -> QuestionnaireStore:
    return services().questionnaires


def issuers() -> Issuers:
    return services().issuers


def standard(key: str) -> Standard:
    """A standard the catalog knows; stored questionnaires only name known ones."""
    found = services().catalog.standard(key)
    if found is None:
        raise LookupError(f"standard {key} is not installed")
    return found
