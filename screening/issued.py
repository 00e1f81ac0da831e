"""Documents this agency issued: their register, withdrawal, our revocation list.

No Flask here: functions take the database session, so the web screens and
the command line share them. A row names the band, the signing certificate
and who issued it, never the person; the signed PDF itself is kept only as
a Fernet token under the instance's data keys.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from screening.crypto import DataCipher
from screening.db import utcnow
from screening.documents import issue
from screening.documents.keys import SigningMaterial
from screening.documents.trust import (
    Revocation,
    RevocationStatus,
    TrustError,
    normalized_document_id,
    sign_revocation_list,
    withdrawal,
)
from screening.models import IssuedDocument, Screening, User

log = logging.getLogger(__name__)


def record_issue(
    session: Session,
    document: issue.IssuedDocument,
    *,
    screening: Screening | None = None,
    user: User | None = None,
    cipher: DataCipher | None = None,
) -> IssuedDocument:
    """Add the register row of a document just signed (the caller commits).

    With a cipher, the PDF is kept encrypted so it can be downloaded again:
    a new rendering would carry a new signature, not the same document.
    """
    issued_at = document.issued_at or utcnow()
    row = IssuedDocument(
        document_id=document.document_id,
        screening_id=screening.id if screening is not None else None,
        issued_at=issued_at,
        issued_by_id=user.id if user is not None else None,
        band=str(document.record["band"]),
        certificate_sha256=str(document.record["issuer"]["certificate_sha256"]),
        languages=",".join(document.languages),
        status="valid",
        status_at=issued_at,
        pdf=cipher.encrypt_bytes(document.pdf) if cipher is not None else None,
    )
    session.add(row)
    session.flush()
    log.info("document %s registered (screening %s)", row.document_id, row.screening_id)
    return row


def find(session: Session, document_id: str) -> IssuedDocument | None:
    """One of our documents by its ID, or None (also for a malformed ID)."""
    try:
        document_id = normalized_document_id(document_id)
    except TrustError:
        return None
    return session.scalars(
        select(IssuedDocument).where(IssuedDocument.document_id == document_id)
    ).first()


def documents_of(session: Session, screening: Screening) -> list[IssuedDocument]:
    """The documents issued for a screening, newest first."""
    return list(
        session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.screening_id == screening.id)
            .options(selectinload(IssuedDocument.issued_by))
            .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        )
    )


def register(session: Session, limit: int = 500) -> list[IssuedDocument]:
    """The newest documents this instance issued, for the administrators' list."""
    return list(
        session.scalars(
            select(IssuedDocument)
            .options(
                selectinload(IssuedDocument.issued_by),
                selectinload(IssuedDocument.screening),
            )
            .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
            .limit(limit)
        )
    )


def stored_pdf(row: IssuedDocument, cipher: DataCipher) -> bytes | None:
    """The signed PDF as issued, if it was kept."""
    if row.pdf is None:
        return None
    return cipher.decrypt_bytes(row.pdf)


def withdraw(
    session: Session,
    document_id: str,
    reason: str,
    *,
    status: RevocationStatus = "revoked",
    replaced_by: str | None = None,
    user: User | None = None,
    now: dt.datetime | None = None,
) -> IssuedDocument:
    """Revoke or supersede one of our valid documents; raise TrustError.

    The change is a conditional update, so two people withdrawing the same
    document at once cannot both succeed.
    """
    entry = withdrawal(
        document_id, reason, status=status, replaced_by=replaced_by, now=now
    )
    row = find(session, entry.document_id)
    if row is None:
        raise TrustError("this instance did not issue that document", "not_ours")
    if entry.replaced_by is not None:
        replacement = find(session, entry.replaced_by)
        if replacement is None or replacement.status != "valid":
            raise TrustError(
                "the replacing document is not a valid document of ours",
                "bad_replacement",
            )
        if not _may_replace(replacement, row):
            raise TrustError(
                "the replacing document must be a later result of the same screening",
                "other_screening",
            )
    changed = session.execute(
        update(IssuedDocument)
        .where(IssuedDocument.id == row.id, IssuedDocument.status == "valid")
        .values(
            status=entry.status,
            reason=entry.reason,
            superseded_by=entry.replaced_by,
            status_at=_moment(entry.at),
            status_by_id=user.id if user is not None else None,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise TrustError("that document is already withdrawn", "already_withdrawn")
    session.refresh(row)
    log.info("document %s %s", row.document_id, row.status)
    return row


def _may_replace(replacement: IssuedDocument, row: IssuedDocument) -> bool:
    """A result is replaced only by a later result of the same screening.

    Documents issued from answers files belong to no screening; one of them
    may replace another such document, never a screening's result.
    """
    later = (replacement.issued_at, replacement.id) > (row.issued_at, row.id)
    return replacement.screening_id == row.screening_id and later


def _moment(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def own_revocations(session: Session) -> list[Revocation]:
    """Every document we revoked or superseded, oldest first."""
    rows = session.scalars(
        select(IssuedDocument)
        .where(IssuedDocument.status != "valid")
        .order_by(IssuedDocument.status_at, IssuedDocument.id)
    )
    return [
        Revocation(
            row.document_id,
            "superseded" if row.status == "superseded" else "revoked",
            row.reason or "",
            row.status_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            row.superseded_by,
        )
        for row in rows
    ]


def withdrawn_count(session: Session) -> int:
    count = session.scalar(
        select(func.count(IssuedDocument.id)).where(IssuedDocument.status != "valid")
    )
    return int(count or 0)


def revocation_list(
    session: Session, material: SigningMaterial, *, now: dt.datetime | None = None
) -> bytes:
    """Our signed revocation list, in the file format counterparts import.

    A withdrawal is never undone, so the number of entries only grows and
    serves as the list's sequence number: a counterpart keeps the highest.
    """
    entries = own_revocations(session)
    return sign_revocation_list(material, len(entries), entries, now=now)
