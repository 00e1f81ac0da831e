"""Whom this instance trusts: counterparts' certificates and revocation lists.

They live in the database, not in files, so every worker process (and every
server of a PostgreSQL deployment) sees an import or a removal at once, an
import is stored in the same transaction as its audit row, and a rollback
check cannot race with another import. Our own certificates stay in the
instance folder beside the signing key; our own revocations are the
withdrawn rows of the document register (``screening.issued``).

No Flask here: functions take the database session and the instance folder.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening import issued
from screening.db import utcnow
from screening.documents import trust
from screening.documents.keys import certificate_pem, fingerprint, own_certificates
from screening.models import ImportedRevocationList, TrustedCertificate, User

log = logging.getLogger(__name__)


def trusted_issuers(session: Session) -> list[TrustedCertificate]:
    """Imported counterpart certificates, by subject."""
    return list(
        session.scalars(
            select(TrustedCertificate).order_by(
                TrustedCertificate.subject, TrustedCertificate.not_before
            )
        )
    )


def import_trust_bundle(
    session: Session, data: bytes, *, user: User | None = None
) -> list[str]:
    """Trust the certificates of a counterpart's bundle; return those new here."""
    certificates = trust.read_trust_bundle(data)
    added = []
    for certificate in certificates:
        sha256 = fingerprint(certificate)
        known = session.scalar(
            select(TrustedCertificate.id).where(TrustedCertificate.sha256 == sha256)
        )
        if known is not None:
            continue
        row = TrustedCertificate(
            sha256=sha256,
            subject=certificate.subject.rfc4514_string()[:500],
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            pem=certificate_pem(certificate).decode("ascii"),
            imported_at=utcnow(),
            imported_by_id=user.id if user is not None else None,
        )
        try:
            with session.begin_nested():  # another worker may import it too
                session.add(row)
        except IntegrityError:
            continue
        added.append(sha256)
    log.info("trust bundle imported: %d new certificate(s)", len(added))
    return added


def remove_trusted(session: Session, sha256: str) -> bool:
    """Stop trusting one imported certificate; False when there is none such."""
    sha256 = sha256.strip().lower()
    if not trust.is_fingerprint(sha256):
        return False
    row = session.scalars(
        select(TrustedCertificate).where(TrustedCertificate.sha256 == sha256)
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    log.info("certificate %s no longer trusted", sha256[:16])
    return True


def revocation_lists(session: Session) -> list[ImportedRevocationList]:
    return list(
        session.scalars(
            select(ImportedRevocationList).order_by(
                ImportedRevocationList.issuer_subject
            )
        )
    )


def import_revocation_list(
    session: Session,
    data: bytes,
    context: trust.TrustContext,
    *,
    user: User | None = None,
) -> trust.RevocationList:
    """Check a counterpart's signed list and keep it, unless an older one.

    Raises TrustError, with code ``list_older`` when the list's number is
    lower than the one kept: an old list cannot bring back a revoked document.
    """
    checked = trust.check_revocation_list(data, context)
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        raise trust.TrustError("not a revocation list", "not_list") from None
    values = {
        "issuer_subject": checked.certificate.subject.rfc4514_string()[:500],
        "sequence": checked.sequence,
        "entry_count": len(checked.entries),
        "content": content,
        "imported_at": utcnow(),
        "imported_by_id": user.id if user is not None else None,
    }
    if not _insert_first_list(session, checked.issuer_key, values):
        _replace_kept_list(session, checked, values)
    log.info("revocation list imported: sequence %d", checked.sequence)
    return checked


def _replace_kept_list(
    session: Session, checked: trust.RevocationList, values: dict[str, Any]
) -> None:
    """Replace the kept list of an issuer, unless the new one is numbered lower.

    The database checks the number in the update itself, so concurrent
    imports cannot race.
    """
    replaced = session.execute(
        update(ImportedRevocationList)
        .where(
            ImportedRevocationList.issuer_key == checked.issuer_key,
            ImportedRevocationList.sequence <= checked.sequence,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if replaced.rowcount == 1:  # type: ignore[attr-defined]
        return
    kept = session.scalar(
        select(ImportedRevocationList.sequence).where(
            ImportedRevocationList.issuer_key == checked.issuer_key
        )
    )
    raise trust.TrustError(
        f"this list (number {checked.sequence}) is older than the one "
        f"already imported (number {kept})",
        "list_older",
        sequence=checked.sequence,
        kept=int(kept or 0),
    )


def _insert_first_list(
    session: Session, issuer_key: str, values: dict[str, Any]
) -> bool:
    exists = session.scalar(
        select(ImportedRevocationList.id).where(
            ImportedRevocationList.issuer_key == issuer_key
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ImportedRevocationList(issuer_key=issuer_key, **values))
    except IntegrityError:
        return False
    log.info("first revocation list of an issuer imported")
    return True


def load_trust_context(session: Session, instance: Path) -> trust.TrustContext:
    """Own and trusted certificates with every revocation, read afresh."""
    own = own_certificates(instance) if (instance / "keys").exists() else []
    trusted = [
        x509.load_pem_x509_certificate(row.pem.encode("ascii"))
        for row in trusted_issuers(session)
    ]
    lists = [
        trust.read_revocation_list(row.content.encode("utf-8"))
        for row in revocation_lists(session)
    ]
    return trust.build_trust_context(
        own, trusted, issued.own_revocations(session), lists
    )
