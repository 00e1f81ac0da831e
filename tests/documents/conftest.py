"""Shared fixtures for signed documents: keys, issuers and documents made once.

The ``catalog`` and ``standard`` fixtures come from tests/conftest.py (the
bundled questionnaires).

Rendering is the slow part (about half a second a document), so every PDF
here is issued once per session and reused by the tests that read it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from screening.batch import ScoredAnswers, assess_answers
from screening.documents import keys, trust
from screening.documents.issue import IssuedDocument, IssueOptions, Issuer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "test-artifacts"

THAI_AGENCY = keys.AgencyIdentity(
    "Chiang Rai Provincial Office of Social Development", "TH", "Chiang Rai"
)
LAO_AGENCY = keys.AgencyIdentity(
    "Bokeo Provincial Anti-Trafficking Unit", "LA", "Bokeo"
)


@dataclass
class Agency:
    instance: Path
    identity: keys.AgencyIdentity
    issuer: Issuer

    def trust(self) -> trust.TrustContext:
        return trust.load_trust_context(self.instance)


def make_agency(folder: Path, identity: keys.AgencyIdentity, **key_options) -> Agency:
    keys.create_signing_key(folder, identity, **key_options)
    material = keys.load_signing_material(folder)
    return Agency(folder, identity, Issuer(identity, material, instance=folder))


def load_answers(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def score(catalog):
    def scored(answers: dict) -> ScoredAnswers:
        return assess_answers(answers, catalog)

    return scored


@pytest.fixture(scope="session")
def thai_agency(tmp_path_factory) -> Agency:
    return make_agency(tmp_path_factory.mktemp("thai"), THAI_AGENCY)


@pytest.fixture(scope="session")
def lao_agency(tmp_path_factory) -> Agency:
    return make_agency(tmp_path_factory.mktemp("lao"), LAO_AGENCY)


@pytest.fixture(scope="session")
def documents(thai_agency, score, standard) -> dict[str, IssuedDocument]:
    """One document per interview language, each with a second language."""
    cases = {
        "th": ("th-scam-compound.json", "lo"),
        "lo": ("lo-declined.json", "th"),
        "en": ("en-factory.json", "th"),
    }
    issued = {}
    for language, (name, second) in cases.items():
        answers = load_answers(name)
        issued[language] = thai_agency.issuer.issue(
            score(answers),
            standard,
            IssueOptions(second_language=second, interviewer=answers["interviewer"]),
        )
    return issued


@pytest.fixture(scope="session")
def document_files(documents, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("documents")
    paths = {}
    for language, document in documents.items():
        path = folder / f"result-{language}.pdf"
        path.write_bytes(document.pdf)
        paths[language] = path
    return paths


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where rendered pages are kept for people to look at (not committed)."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir()
    return ARTIFACTS


def issued_at_past(years: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=365 * years)


def copy_catalog(target: Path) -> Path:
    source = ROOT / "questionnaires"
    shutil.copytree(source / "gms-returnee", target / "gms-returnee")
    shutil.copytree(source / "standards", target / "standards")
    return target


def self_signed(key, common_name: str, start: dt.datetime, days: int, *extensions):
    """A self-signed test certificate with the given (extension, critical) pairs."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(key, hashes.SHA256())
