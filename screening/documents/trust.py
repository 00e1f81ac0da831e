"""Trust and revocation files: who we trust, and which documents are withdrawn.

Pure functions over bytes and certificates; where the results are kept (the
application's database) is the caller's business.

A trust bundle is a PEM file of an agency's certificates, current and past.
A revocation list is JSON signed with the issuer's key; reading one checks
the signature against a trusted certificate. The caller keeps the newest
list of each issuer and refuses a lower sequence number, so an old list
cannot undo a revocation. Verifying never contacts the issuer.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from screening.documents.keys import (
    SigningMaterial,
    certificate_pem,
    fingerprint,
    own_certificates,
)
from screening.documents.record import canonical_json

LIST_TYPE = "gms-revocation-list"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
RevocationStatus = Literal["revoked", "superseded"]
TrustCode = Literal["trusted", "untrusted", "not_valid_then"]


class TrustError(ValueError):
    """A trust bundle, revocation list or withdrawal cannot be accepted.

    ``code`` names the problem for callers that word it in other languages;
    ``values`` holds the numbers a message may quote.
    """

    def __init__(self, message: str, code: str, **values: int) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Revocation:
    document_id: str
    status: RevocationStatus
    reason: str
    at: str
    replaced_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {
            "document_id": self.document_id,
            "status": self.status,
            "reason": self.reason,
            "at": self.at,
        }
        if self.replaced_by:
            data["replaced_by"] = self.replaced_by
        return data


def issuer_key(certificate: x509.Certificate) -> str:
    """A file-safe name for an issuing agency: the hash of its subject."""
    return hashlib.sha256(certificate.subject.public_bytes()).hexdigest()[:32]


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _valid_at(certificate: x509.Certificate, moment: dt.datetime) -> bool:
    return certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc


def _may_issue(certificate: x509.Certificate) -> bool:
    """A CA that signs certificates, not an agency's own signing certificate.

    Self-signed agency certificates are marked as CAs so NSS accepts them as
    anchors, but they also carry the document-signing key usages; such a
    certificate is trusted for its own signatures only, so one agency cannot
    mint certificates that look like another's.
    """
    try:
        constraints = certificate.extensions.get_extension_for_class(
            x509.BasicConstraints
        )
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    signs_documents = usage.digital_signature or usage.content_commitment
    return constraints.value.ca and usage.key_cert_sign and not signs_documents


@dataclass
class TrustContext:
    """Everything verification needs, loaded once: anchors and revocations."""

    anchors: dict[str, x509.Certificate] = field(default_factory=dict)
    own: frozenset[str] = frozenset()
    revocations: dict[str, dict[str, Revocation]] = field(default_factory=dict)

    def add_anchor(self, certificate: x509.Certificate) -> None:
        self.anchors[fingerprint(certificate)] = certificate

    def check_certificate(
        self, certificate: x509.Certificate, moment: dt.datetime
    ) -> TrustCode:
        """Is the certificate trusted, and valid at the given moment?"""
        direct = self.anchors.get(fingerprint(certificate))
        if direct is not None:
            return "trusted" if _valid_at(certificate, moment) else "not_valid_then"
        for anchor in self.anchors.values():
            if anchor.subject != certificate.issuer or not _may_issue(anchor):
                continue
            try:
                certificate.verify_directly_issued_by(anchor)
            except (ValueError, TypeError, InvalidSignature):
                continue
            if _valid_at(certificate, moment) and _valid_at(anchor, moment):
                return "trusted"
            return "not_valid_then"
        return "untrusted"

    def revocation(
        self, certificate: x509.Certificate, document_id: str
    ) -> Revocation | None:
        """The revocation of a document by the agency that signed it, if any."""
        return self.revocations.get(issuer_key(certificate), {}).get(document_id)

    def as_plain(self) -> dict[str, Any]:
        """Picklable plain data, to hand the context to worker processes."""
        return {
            "anchors": [certificate_pem(c) for c in self.anchors.values()],
            "own": sorted(self.own),
            "revocations": {
                key: [entry.as_dict() for entry in entries.values()]
                for key, entries in self.revocations.items()
            },
        }

    @classmethod
    def from_plain(cls, data: Mapping[str, Any]) -> TrustContext:
        context = cls(own=frozenset(data["own"]))
        for pem in data["anchors"]:
            context.add_anchor(x509.load_pem_x509_certificate(pem))
        for key, entries in data["revocations"].items():
            context.revocations[key] = {
                entry["document_id"]: Revocation(**entry) for entry in entries
            }
        return context


# --- trust bundles --------------------------------------------------------------


def export_trust_bundle(instance: Path) -> bytes:
    """PEM of every certificate this agency signs or signed with (and its CAs)."""
    certificates = own_certificates(instance)
    if not certificates:
        raise TrustError(
            "this instance has no signing certificate yet", "no_certificate"
        )
    return b"".join(certificate_pem(c) for c in certificates)


def read_trust_bundle(data: bytes) -> list[x509.Certificate]:
    """The certificates of a counterpart's bundle, checked; raise TrustError."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TrustError("the trust bundle is too large", "too_large")
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise TrustError("not a PEM certificate bundle", "not_bundle") from None
    for certificate in certificates:
        if not isinstance(certificate.public_key(), ec.EllipticCurvePublicKey):
            raise TrustError("only ECDSA certificates are accepted", "not_ecdsa")
    return certificates


def is_fingerprint(text: str) -> bool:
    """Is this a SHA-256 fingerprint in lower-case hex?"""
    return len(text) == 64 and all(char in "0123456789abcdef" for char in text)


# --- withdrawing our own documents -------------------------------------------------


def withdrawal(
    document_id: str,
    reason: str,
    *,
    status: RevocationStatus = "revoked",
    replaced_by: str | None = None,
    now: dt.datetime | None = None,
) -> Revocation:
    """A checked revocation or supersession entry; raise TrustError."""
    document_id = normalized_document_id(document_id)
    if status not in ("revoked", "superseded"):
        raise TrustError("a document is revoked or superseded", "bad_status")
    if status == "superseded":
        if not replaced_by:
            raise TrustError(
                "a superseded document names the one that replaces it",
                "no_replacement",
            )
        replaced_by = normalized_document_id(replaced_by)
        if replaced_by == document_id:
            raise TrustError("a document cannot replace itself", "replaces_itself")
    if not reason.strip():
        raise TrustError("give a reason", "no_reason")
    return Revocation(
        document_id,
        status,
        reason.strip()[:500],
        _utc(now or dt.datetime.now(dt.UTC)),
        replaced_by if status == "superseded" else None,
    )


def normalized_document_id(document_id: str) -> str:
    """A document ID in its canonical UUID form; raise TrustError."""
    try:
        return str(uuid.UUID(document_id.strip()))
    except (ValueError, AttributeError):
        raise TrustError("a document ID looks like a UUID", "bad_document_id") from None


# --- signed revocation lists -----------------------------------------------------


@dataclass(frozen=True)
class RevocationList:
    """A counterpart's signed list, as read: who signed it, its number, entries."""

    sequence: int
    issued_at: str
    certificate: x509.Certificate
    entries: tuple[Revocation, ...]
    data: bytes

    @property
    def issuer_key(self) -> str:
        return issuer_key(self.certificate)


def sign_revocation_list(
    material: SigningMaterial,
    sequence: int,
    entries: Iterable[Revocation],
    *,
    now: dt.datetime | None = None,
) -> bytes:
    """Our revocations as a signed JSON document for counterparts to import."""
    body = {
        "type": LIST_TYPE,
        "format": 1,
        "issuer": material.certificate.subject.rfc4514_string(),
        "sequence": sequence,
        "issued_at": _utc(now or dt.datetime.now(dt.UTC)),
        "entries": [entry.as_dict() for entry in entries],
    }
    signature = material.private_key.sign(
        canonical_json(body), ec.ECDSA(hashes.SHA256())
    )
    signed = {
        "list": body,
        "signature": {
            "algorithm": "ecdsa-sha256",
            "certificate": certificate_pem(material.certificate).decode(),
            "value": base64.b64encode(signature).decode(),
        },
    }
    return json.dumps(signed, indent=1, ensure_ascii=False).encode()


def _parse_list(data: bytes) -> tuple[dict[str, Any], RevocationList, bytes]:
    if len(data) > MAX_IMPORT_BYTES:
        raise TrustError("the revocation list is too large", "too_large")
    try:
        signed = json.loads(data)
        body = signed["list"]
        certificate = x509.load_pem_x509_certificate(
            signed["signature"]["certificate"].encode()
        )
        signature = base64.b64decode(signed["signature"]["value"], validate=True)
        if body["type"] != LIST_TYPE or not isinstance(body["sequence"], int):
            raise ValueError
        entries = tuple(Revocation(**entry) for entry in body["entries"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise TrustError("not a revocation list", "not_list") from None
    if any(entry.status not in ("revoked", "superseded") for entry in entries):
        raise TrustError("not a revocation list", "not_list")
    parsed = RevocationList(
        body["sequence"], str(body.get("issued_at", "")), certificate, entries, data
    )
    return body, parsed, signature


def read_revocation_list(data: bytes) -> RevocationList:
    """A list kept earlier (already checked when it was imported)."""
    return _parse_list(data)[1]


def check_revocation_list(
    data: bytes, trust: TrustContext, *, now: dt.datetime | None = None
) -> RevocationList:
    """Read a counterpart's list and check its signer and signature."""
    body, parsed, signature = _parse_list(data)
    certificate = parsed.certificate
    moment = now or dt.datetime.now(dt.UTC)
    if trust.check_certificate(certificate, moment) != "trusted":
        raise TrustError(
            "the list is not signed by a trusted, valid certificate", "list_untrusted"
        )
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise TrustError("the list is not signed with an ECDSA key", "not_ecdsa")
    try:
        public_key.verify(signature, canonical_json(body), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise TrustError(
            "the signature of the list does not hold", "list_signature"
        ) from None
    return parsed


def build_trust_context(
    own: Sequence[x509.Certificate],
    trusted: Iterable[x509.Certificate] = (),
    own_revocations: Iterable[Revocation] = (),
    imported_lists: Iterable[RevocationList] = (),
) -> TrustContext:
    """Everything verification needs, from certificates and revocations in hand."""
    context = TrustContext()
    for certificate in own:
        context.add_anchor(certificate)
    context.own = frozenset(fingerprint(c) for c in own)
    for certificate in trusted:
        context.add_anchor(certificate)
    if own:
        _add_revocations(context, own, own_revocations)
    for revocation_list in imported_lists:
        _add_revocations(
            context, [revocation_list.certificate], revocation_list.entries
        )
    return context


def _add_revocations(
    context: TrustContext,
    certificates: Iterable[x509.Certificate],
    entries: Iterable[Revocation],
) -> None:
    by_id: Mapping[str, Revocation] = {entry.document_id: entry for entry in entries}
    for certificate in certificates:
        context.revocations.setdefault(issuer_key(certificate), {}).update(by_id)
