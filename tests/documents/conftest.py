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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography import x509
from sqlalchemy.orm import Session

from screening import create_app, db
from screening.batch import ScoredAnswers, assess_answers
from screening.cli import cli
from screening.documents import keys, trust
from screening.documents.issue import IssuedDocument, IssueOptions, Issuer
from tests.conftest import Database

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
    """An issuing agency for domain tests: a key in a folder, trust in memory.

    ``trusted`` holds each counterpart's certificates by issuer group (one
    group per counterpart folder), ``lists`` the newest list of each group.
    """

    instance: Path
    identity: keys.AgencyIdentity
    issuer: Issuer
    trusted: dict[str, list[x509.Certificate]] = field(default_factory=dict)
    revoked: list[trust.Revocation] = field(default_factory=list)
    lists: dict[str, trust.RevocationList] = field(default_factory=dict)

    def trust(self) -> trust.TrustContext:
        counterparts = [
            trust.Counterpart(
                group,
                certificates,
                self.lists[group].entries if group in self.lists else (),
            )
            for group, certificates in self.trusted.items()
        ]
        return trust.build_trust_context(
            keys.own_certificates(self.instance), counterparts, self.revoked
        )

    def trust_bundle_of(self, other: Agency) -> None:
        """What an administrator does with a counterpart's trust bundle."""
        self.trusted[str(other.instance)] = trust.read_trust_bundle(
            trust.export_trust_bundle(other.instance)
        )

    def keep_list(self, data: bytes) -> trust.RevocationList:
        """Check a counterpart's list and keep it for its group."""
        checked = trust.check_revocation_list(data, self.trust())
        assert checked.group is not None
        self.lists[checked.group] = checked
        return checked

    def revoke(self, document_id: str, reason: str, **options) -> trust.Revocation:
        entry = trust.withdrawal(document_id, reason, **options)
        self.revoked.append(entry)
        return entry

    def revocation_list(self) -> bytes:
        return trust.sign_revocation_list(
            self.issuer.material, len(self.revoked), self.revoked
        )


def make_agency(folder: Path, identity: keys.AgencyIdentity, **key_options) -> Agency:
    keys.create_signing_key(folder, identity, **key_options)
    material = keys.load_signing_material(folder)
    return Agency(folder, identity, Issuer(identity, material))


@dataclass
class Instance:
    """A whole instance set up by `screening init`: folder, database, key."""

    folder: Path
    database: Database

    @property
    def environment(self) -> dict[str, str]:
        return {
            "SCREENING_INSTANCE_PATH": str(self.folder),
            "SCREENING_DATABASE_URL": self.database.url,
            "SCREENING_SECRET_KEY": "",
            "SCREENING_DATA_KEYS": "",
            "SCREENING_QUESTIONNAIRES": "",
        }

    def run(self, *arguments, input: bytes | None = None) -> Result:
        return CliRunner().invoke(
            cli,
            [str(argument) for argument in arguments],
            env=self.environment,
            input=input,
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A database session of this instance, for steps the CLI does not offer."""
        app = create_app(
            {"instance_path": self.folder, "database_url": self.database.url}
        )
        try:
            with app.app_context():
                yield db.session()
        finally:
            db.engine_of(app).dispose()


def make_instance(
    folder: Path, database: Database, identity: keys.AgencyIdentity
) -> Instance:
    instance = Instance(folder, database)
    result = instance.run(
        "init", "--agency-name", identity.name, "--country", identity.country,
        "--province", identity.province,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return instance


@pytest.fixture(scope="session")
def thai_instance(tmp_path_factory) -> Iterator[Instance]:
    """The Thai agency's instance; ``thai_agency`` signs with its key."""
    folder = tmp_path_factory.mktemp("thai")
    database = Database.create(folder, "thai")
    yield make_instance(folder / "instance", database, THAI_AGENCY)
    database.drop()


def load_answers(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def score(catalog):
    def scored(answers: dict) -> ScoredAnswers:
        return assess_answers(answers, catalog)

    return scored


@pytest.fixture(scope="session")
def thai_agency(thai_instance) -> Agency:
    material = keys.load_signing_material(thai_instance.folder)
    return Agency(thai_instance.folder, THAI_AGENCY, Issuer(THAI_AGENCY, material))


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
    """Where rendered pages are kept for people to look at (not committed).

    Each test writes its own file names; nothing is cleared, since test
    workers running side by side (and the browser tests) write here too.
    """
    ARTIFACTS.mkdir(exist_ok=True)
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
