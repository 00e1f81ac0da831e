"""Issuing signed result documents for this instance's agency.

The issuer is built once per process (it parses the key and prepares the
signer) and rebuilt only when the key is rotated or the agency renamed. The
agency comes from the database, the key from the instance folder. No Flask.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from screening import issued
from screening.batch import ScoredAnswers
from screening.crypto import DataCipher
from screening.documents import keys
from screening.interviews import ScreeningResult
from screening.models import Agency, IssuedDocument, Screening, User
from screening.standard import Standard

if TYPE_CHECKING:  # WeasyPrint and pyHanko load only when a document is issued
    from screening.documents.issue import Issuer

SECOND_LANGUAGES = ("th", "lo", "en")
COUNTRY_LANGUAGES = {"TH": "th", "LA": "lo"}


def agency_identity(agency: Agency) -> keys.AgencyIdentity:
    """Who signs: the instance's own agency, as the certificate names it."""
    return keys.AgencyIdentity(agency.name, agency.country, agency.province)


def default_second_language(country: str, interview_language: str) -> str:
    """The counterpart's language; our own when the interview was in theirs."""
    own = COUNTRY_LANGUAGES.get(country, "en")
    other = "lo" if own == "th" else "th"
    return other if other != interview_language else own


def ensure_signing_key(instance: Path, agency: Agency) -> str | None:
    """Create the agency's key and certificate if there is none; say which."""
    try:
        keys.load_signing_material(instance)
    except keys.AgencyKeyError:
        certificate = keys.create_signing_key(instance, agency_identity(agency))
        return keys.fingerprint(certificate)
    return None


class Issuers:
    """The process's issuer, rebuilt when the key or the agency changes."""

    def __init__(self, instance: Path, timestamp_url: str | None = None) -> None:
        self.instance = instance
        self.timestamp_url = timestamp_url
        self._issuer: Issuer | None = None
        self._lock = threading.Lock()

    def get(self, agency: Agency) -> Issuer:
        """The issuer for the agency; raise keys.AgencyKeyError without a key."""
        material = keys.load_signing_material(self.instance)
        identity = agency_identity(agency)
        with self._lock:
            current = self._issuer
            if (
                current is None
                or current.material is not material
                or current.identity != identity
            ):
                from screening.documents.issue import Issuer

                current = Issuer(identity, material, timestamp_url=self.timestamp_url)
                self._issuer = current
            return current


def issue_for_screening(
    session: Session,
    issuer: Issuer,
    cipher: DataCipher,
    *,
    screening: Screening,
    result: ScreeningResult,
    standard: Standard,
    user: User,
    second_language: str,
    supersedes: str | None = None,
) -> IssuedDocument:
    """Sign a completed screening's result and register it (the caller commits)."""
    from screening.documents.issue import IssueOptions

    if second_language not in SECOND_LANGUAGES:
        raise ValueError(f"{second_language} is not a document language")
    scored = ScoredAnswers(
        result.questionnaire,
        dict(result.answers),
        result.assessment,
        screening.interview_language,
    )
    options = IssueOptions(
        second_language=second_language,
        # A name typed with a tab or a line break still prints on one line.
        interviewer=" ".join(screening.interviewer.display_name.split()),
        reference=screening.reference,
        supersedes=supersedes,
    )
    document = issuer.issue(scored, standard, options)
    return issued.record_issue(
        session, document, screening=screening, user=user, cipher=cipher
    )
