"""Through the result page: a person's identity is in the PDF only with consent."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import QUESTIONNAIRES, ROOT
from tests.helpers import completed_from_answers, document_ids, issue

pytestmark = pytest.mark.slow

NAME = "Somsak Testperson"
PASSPORT = "AA7654321"


@pytest.fixture(scope="session")
def catalog_folder() -> Path:
    """The bundled questionnaire: it asks for consent to share and for identity."""
    return QUESTIONNAIRES


def answers(consent_sharing: str) -> dict:
    request = json.loads((ROOT / "examples" / "th-scam-compound.json").read_text())
    request["answers"].update(
        consent_sharing=consent_sharing,
        full_name=NAME,
        document_number=PASSPORT,
    )
    return request


def issued_text(app, browser, reference: str, tmp_path: Path) -> str:
    issue(browser, reference, "en")
    [document_id] = document_ids(browser, reference)
    pdf = browser.get(f"/screenings/{reference}/documents/{document_id}.pdf").data
    path = tmp_path / f"{reference}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("consent", ["yes", "no"])
def test_identity_details_reach_the_document_only_with_consent_to_share(
    app, signed_in, agency_key, tmp_path, consent
):
    nok = signed_in("nok")
    reference = completed_from_answers(app, "nok", answers(consent))

    text = issued_text(app, nok, reference, tmp_path)

    assert reference in text
    if consent == "yes":
        assert NAME in text and PASSPORT in text
    else:
        assert NAME not in text and PASSPORT not in text
