from __future__ import annotations

from pathlib import Path

import pytest

from screening.catalog import Catalog
from screening.standard import Standard, StandardRegistry

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = ROOT / "questionnaires"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def standards() -> StandardRegistry:
    return StandardRegistry.from_folder(QUESTIONNAIRES / "standards")


@pytest.fixture(scope="session")
def standard(standards: StandardRegistry) -> Standard:
    found = standards.get("gms-common@1")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load(QUESTIONNAIRES)
