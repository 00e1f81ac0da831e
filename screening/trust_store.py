"""Whom this instance trusts: counterparts' certificates and revocation lists.

They live in the database, not in files, so every worker process (and every
server of a PostgreSQL deployment) sees an import or a removal at once, an
import is stored in the same transaction as its audit row, and a rollback
check cannot race with another import. Our own certificates stay in the
instance folder beside the signing key; our own revocations are the
withdrawn rows of the document register (``screening.issued``).

Each imported bundle forms an issuer group, or joins the group that already
holds one of its certificates (``trust.bundle_group``); a revocation list
is kept per group, and counts only for the documents of its group.

No Flask here: functions take the database session and the instance folder.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from screening import issued
from screening.db import utcnow
from screening.documents import trust
from screening.documents.keys import certificate_pem, fingerprint, own_certificates
from screening.models import (
    ImportedRevocationList,
    IssuerGroup,
    TrustedCertificate,
    User,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportedCertificate:
    sha256: str
    subject: str
    new: bool
    pem: str  # what the administrator confirms, sent back unchanged


@dataclass(frozen=True)
class BundleImport:
    """What importing a bundle does: the group it forms or joins, its certificates.

    Before the import (``plan_trust_bundle``) a bundle that forms a new group
    has no ``group_id`` yet.
    """

    group_id: int | None
    group_name: str
    joined: bool
    certificates: tuple[ImportedCertificate, ...]
    left_out: int = 0  # CA certificates of the bundle: never trusted, not kept

    @property
    def added(self) -> list[str]:
        return [item.sha256 for item in self.certificates if item.new]

    @property
    def destination(self) -> str:
        """The group joined, by number, or "new": what the administrator saw."""
        return str(self.group_id) if self.joined else "new"

    def audit_detail(self) -> str:
        """The group and the fingerprint of each new certificate, for the audit."""
        detail = f"group {self.group_id}, {len(self.added)} new"
        for index, sha256 in enumerate(self.added):
            if len(detail) + len(sha256) + 40 > AUDIT_DETAIL_CHARS:
                return f"{detail} and {len(self.added) - index} more"
            detail += f"{':' if index == 0 else ','} {sha256}"
        return detail


AUDIT_DETAIL_CHARS = 500


def trusted_issuers(session: Session) -> list[TrustedCertificate]:
    """Trusted counterpart certificates, by issuer group, oldest first."""
    return list(
        session.scalars(
            select(TrustedCertificate)
            .where(TrustedCertificate.removed_at.is_(None))
            .options(joinedload(TrustedCertificate.group))
            .order_by(TrustedCertificate.group_id, TrustedCertificate.not_before)
        )
    )


def plan_trust_bundle(session: Session, data: bytes, instance: Path) -> BundleImport:
    """What importing the bundle would do, writing nothing. Raise TrustError.

    The administrator sees this first and compares each new fingerprint
    with the agency before trusting it: a bundle that holds a trusted
    certificate joins that agency's group, so a stranger's certificate
    placed beside a genuine one must not slip in unseen.
    """
    certificates = trust.read_trust_bundle(data)
    return _plan(session, certificates, _own(instance))


def import_trust_bundle(
    session: Session,
    data: bytes,
    instance: Path,
    *,
    user: User | None = None,
    expect: frozenset[str] | None = None,
    expect_group: str | None = None,
) -> BundleImport:
    """Pin every signing certificate of a counterpart's bundle, or none.

    The whole bundle is checked before anything is written, and written in
    one savepoint: a refused bundle trusts none of its certificates. CA
    certificates in it are left out: they would vouch for every certificate
    they issued (``trust.signs_documents``). With ``expect``, the
    fingerprints the administrator saw as new and confirmed, and
    ``expect_group``, the group they saw it join (``BundleImport.destination``),
    a bundle that would now add another set or go elsewhere is refused.
    Raise TrustError.
    """
    certificates = trust.read_trust_bundle(data)
    own = _own(instance)
    # A second try, when another worker stored a certificate of it a moment
    # ago: then it joins that certificate's group.
    for _attempt in range(2):
        try:
            return _store_bundle(
                session,
                certificates,
                own,
                user=user,
                expect=expect,
                expect_group=expect_group,
            )
        except IntegrityError:
            continue
    raise trust.TrustError(
        "another import changed the trust at the same moment: try again", "busy"
    )


def _own(instance: Path) -> set[str]:
    return {fingerprint(certificate) for certificate in own_certificates(instance)}


def _plan(
    session: Session, certificates: list[x509.Certificate], own: set[str]
) -> BundleImport:
    signing = [c for c in certificates if trust.signs_documents(c)]
    by_fingerprint = {fingerprint(c): c for c in signing}
    # Certificates trusted once and removed since count too: trusting one
    # again brings back its agency, and the list that agency signed.
    known: dict[str, int] = {}
    active: set[str] = set()
    for sha256, group_id, removed_at in session.execute(
        select(
            TrustedCertificate.sha256,
            TrustedCertificate.group_id,
            TrustedCertificate.removed_at,
        ).where(TrustedCertificate.sha256.in_(list(by_fingerprint)))
    ):
        known[sha256] = group_id
        if removed_at is None:
            active.add(sha256)
    joined = trust.bundle_group(
        signing, {sha256: str(group) for sha256, group in known.items()}, own
    )
    group = session.get(IssuerGroup, int(joined)) if joined else None
    return BundleImport(
        group.id if group is not None else None,
        group.name if group is not None else _group_name(signing[0]),
        group is not None,
        tuple(
            ImportedCertificate(
                sha256,
                certificate.subject.rfc4514_string(),
                sha256 not in active,
                certificate_pem(certificate).decode("ascii"),
            )
            for sha256, certificate in by_fingerprint.items()
        ),
        left_out=len(certificates) - len(signing),
    )


def _group_name(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()[:500]


def _store_bundle(
    session: Session,
    certificates: list[x509.Certificate],
    own: set[str],
    *,
    user: User | None,
    expect: frozenset[str] | None,
    expect_group: str | None,
) -> BundleImport:
    plan = _plan(session, certificates, own)
    if (expect is not None and set(plan.added) != expect) or (
        expect_group is not None and plan.destination != expect_group
    ):
        raise trust.TrustError(
            "the bundle would now trust other certificates than the ones "
            "confirmed: look at it again",
            "changed",
        )
    by_fingerprint = {fingerprint(c): c for c in certificates}
    with session.begin_nested():
        group = session.get(IssuerGroup, plan.group_id) if plan.group_id else None
        if group is None:
            group = IssuerGroup(
                name=plan.group_name,
                created_at=utcnow(),
                created_by_id=user.id if user is not None else None,
            )
            session.add(group)
            session.flush()
        removed = {
            row.sha256: row
            for row in session.scalars(
                select(TrustedCertificate).where(
                    TrustedCertificate.sha256.in_(plan.added)
                )
            )
        }
        for sha256 in plan.added:
            if sha256 in removed:  # trusted again, in the agency it had
                removed[sha256].removed_at = None
                removed[sha256].imported_at = utcnow()
                removed[sha256].imported_by_id = user.id if user is not None else None
            else:
                session.add(_certificate_row(by_fingerprint[sha256], group, user))
        session.flush()
    imported = replace(plan, group_id=group.id, group_name=group.name)
    log.info(
        "trust bundle imported into issuer group %d: %d new certificate(s)",
        group.id,
        len(imported.added),
    )
    return imported


def _certificate_row(
    certificate: x509.Certificate, group: IssuerGroup, user: User | None
) -> TrustedCertificate:
    return TrustedCertificate(
        sha256=fingerprint(certificate),
        group_id=group.id,
        subject=certificate.subject.rfc4514_string()[:500],
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        pem=certificate_pem(certificate).decode("ascii"),
        imported_at=utcnow(),
        imported_by_id=user.id if user is not None else None,
    )


def remove_trusted(session: Session, sha256: str) -> bool:
    """Stop trusting one imported certificate; False when there is none such.

    The row stays, marked removed: the certificate vouches for nothing, a
    revocation list it signed counts for nothing, and an agency left with
    no trusted certificate is not shown. Trusting the same certificate
    again brings all of it back, so no revocation is lost on the way.
    """
    sha256 = sha256.strip().lower()
    if not trust.is_fingerprint(sha256):
        return False
    removed = session.execute(
        update(TrustedCertificate)
        .where(
            TrustedCertificate.sha256 == sha256,
            TrustedCertificate.removed_at.is_(None),
        )
        .values(removed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if removed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    log.info("certificate %s no longer trusted", sha256[:16])
    return True


def revocation_lists(session: Session) -> list[ImportedRevocationList]:
    """The kept lists that count: each signed by a certificate trusted now."""
    return list(
        session.scalars(
            select(ImportedRevocationList)
            .join(
                TrustedCertificate,
                TrustedCertificate.sha256 == ImportedRevocationList.signer_sha256,
            )
            .where(TrustedCertificate.removed_at.is_(None))
            .order_by(ImportedRevocationList.group_id)
        )
    )


def import_revocation_list(
    session: Session,
    data: bytes,
    context: trust.TrustContext,
    *,
    user: User | None = None,
) -> trust.RevocationList:
    """Check a counterpart's signed list and keep it for its group, unless older.

    Raises TrustError, with code ``list_older`` when the list's number is
    lower than the one kept for the signer's group: an old list cannot
    bring back a revoked document.
    """
    checked = trust.check_revocation_list(data, context)
    if checked.group is None or checked.group == trust.OWN_GROUP:
        raise trust.TrustError(
            "this is our own revocation list: counterparts import it, we do not",
            "own_list",
        )
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        raise trust.TrustError("not a revocation list", "not_list") from None
    group_id = int(checked.group)
    values = {
        "signer_sha256": fingerprint(checked.certificate),
        "issuer_subject": checked.certificate.subject.rfc4514_string()[:500],
        "sequence": checked.sequence,
        "entry_count": len(checked.entries),
        "content": content,
        "imported_at": utcnow(),
        "imported_by_id": user.id if user is not None else None,
    }
    if not _insert_first_list(session, group_id, values):
        _keep_every_earlier_entry(session, group_id, checked)
        _replace_kept_list(session, group_id, checked.sequence, values)
    log.info(
        "revocation list of issuer group %d imported: sequence %d",
        group_id,
        checked.sequence,
    )
    return checked


def _keep_every_earlier_entry(
    session: Session, group_id: int, checked: trust.RevocationList
) -> None:
    """A list only grows: refuse one that drops an entry of the kept list.

    A withdrawal is never undone, so a newer list that leaves out a revoked
    document (or changes its status) would bring it back.
    """
    kept = session.execute(
        select(ImportedRevocationList.sequence, ImportedRevocationList.content).where(
            ImportedRevocationList.group_id == group_id
        )
    ).first()
    if kept is None or kept.sequence > checked.sequence:
        return  # gone, or older: _replace_kept_list says so
    content = kept.content
    now = {(entry.document_id, entry.status) for entry in checked.entries}
    earlier = trust.stored_revocations(content.encode("utf-8"))
    if any((entry.document_id, entry.status) not in now for entry in earlier):
        raise trust.TrustError(
            "this list leaves out a document the list already imported "
            "revoked or replaced: it was not imported",
            "list_shrinks",
        )


def _replace_kept_list(
    session: Session, group_id: int, sequence: int, values: dict[str, Any]
) -> None:
    """Replace the kept list of a group, unless the new one is numbered lower.

    The database checks the number in the update itself, so concurrent
    imports cannot race.
    """
    replaced = session.execute(
        update(ImportedRevocationList)
        .where(
            ImportedRevocationList.group_id == group_id,
            ImportedRevocationList.sequence <= sequence,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if replaced.rowcount == 1:  # type: ignore[attr-defined]
        return
    kept = session.scalar(
        select(ImportedRevocationList.sequence).where(
            ImportedRevocationList.group_id == group_id
        )
    )
    if kept is None:  # the group was removed since the trust was read
        raise trust.TrustError(
            "the list is not signed by a trusted, valid certificate", "list_untrusted"
        )
    raise trust.TrustError(
        f"this list (number {sequence}) is older than the one "
        f"already imported (number {kept})",
        "list_older",
        sequence=sequence,
        kept=int(kept),
    )


def _insert_first_list(session: Session, group_id: int, values: dict[str, Any]) -> bool:
    exists = session.scalar(
        select(ImportedRevocationList.id).where(
            ImportedRevocationList.group_id == group_id
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ImportedRevocationList(group_id=group_id, **values))
    except IntegrityError:
        return False
    log.info("first revocation list of issuer group %d imported", group_id)
    return True


def load_trust_context(session: Session, instance: Path) -> trust.TrustContext:
    """Own and trusted certificates, by group, with every revocation, read afresh."""
    own = own_certificates(instance) if (instance / "keys").exists() else []
    certificates: dict[int, list[x509.Certificate]] = {}
    for row in trusted_issuers(session):
        certificates.setdefault(row.group_id, []).append(
            x509.load_pem_x509_certificate(row.pem.encode("ascii"))
        )
    revocations = {
        row.group_id: trust.stored_revocations(row.content.encode("utf-8"))
        for row in revocation_lists(session)
    }
    counterparts = [
        trust.Counterpart(str(group_id), group, revocations.get(group_id, ()))
        for group_id, group in certificates.items()
    ]
    return trust.build_trust_context(own, counterparts, issued.own_revocations(session))
