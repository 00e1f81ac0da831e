"""Trust and revocation as files: who we trust, and which documents are withdrawn.

Layout inside the instance folder::

    trust/issuers/<sha256>.pem        counterpart certificates we trust
    trust/revocations/<issuer>.json   the latest signed revocation list of each
    revocations/register.json         our own revoked or superseded documents
    revocations/issued.jsonl          IDs of documents we issued (no personal data)

A trust bundle is a PEM file of an agency's certificates, current and past.
A revocation list is JSON signed with the issuer's key; importing it checks
the signature against a trusted certificate and refuses a lower sequence
number, so an old list cannot undo a revocation. Verifying never contacts
the issuer.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Iterable, Mapping
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

log = logging.getLogger(__name__)

LIST_TYPE = "gms-revocation-list"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
RevocationStatus = Literal["revoked", "superseded"]
TrustCode = Literal["trusted", "untrusted", "not_valid_then"]


class TrustError(ValueError):
    """A trust bundle or revocation list cannot be imported."""


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


# --- trust bundles --------------------------------------------------------------


def export_trust_bundle(instance: Path) -> bytes:
    """PEM of every certificate this agency signs or signed with (and its CAs)."""
    certificates = own_certificates(instance)
    if not certificates:
        raise TrustError("this instance has no signing certificate yet")
    return b"".join(certificate_pem(c) for c in certificates)


def import_trust_bundle(instance: Path, data: bytes) -> list[str]:
    """Trust a counterpart's certificates; return the fingerprints added."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TrustError("the trust bundle is too large")
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise TrustError("not a PEM certificate bundle") from None
    folder = instance / "trust" / "issuers"
    folder.mkdir(parents=True, exist_ok=True)
    added = []
    for certificate in certificates:
        if not isinstance(certificate.public_key(), ec.EllipticCurvePublicKey):
            raise TrustError("only ECDSA certificates are accepted")
        print_ = fingerprint(certificate)
        path = folder / f"{print_}.pem"
        if not path.exists():
            path.write_bytes(certificate_pem(certificate))
            added.append(print_)
    log.info("trust bundle imported: %d new certificate(s)", len(added))
    return added


def remove_trusted(instance: Path, certificate_sha256: str) -> bool:
    """Stop trusting one imported certificate."""
    name = certificate_sha256.lower()
    if len(name) != 64 or any(char not in "0123456789abcdef" for char in name):
        return False
    path = instance / "trust" / "issuers" / f"{name}.pem"
    if not path.exists():
        return False
    path.unlink()
    return True


# --- our own revocations ----------------------------------------------------------


def _revocation_folder(instance: Path) -> Path:
    folder = instance / "revocations"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def record_issued(instance: Path, document_id: str, certificate_sha256: str) -> None:
    """Remember that we issued a document (its ID and signing certificate only)."""
    line = json.dumps({"document_id": document_id, "certificate": certificate_sha256})
    with (_revocation_folder(instance) / "issued.jsonl").open("a") as stream:
        stream.write(line + "\n")


def issued_ids(instance: Path) -> set[str]:
    """IDs of every document this instance issued."""
    path = _revocation_folder(instance) / "issued.jsonl"
    if not path.exists():
        return set()
    return {json.loads(line)["document_id"] for line in path.read_text().splitlines()}


def _read_register(instance: Path) -> dict[str, Any]:
    path = _revocation_folder(instance) / "register.json"
    if not path.exists():
        return {"sequence": 0, "entries": []}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def own_revocations(instance: Path) -> list[Revocation]:
    """Our own revoked and superseded documents."""
    return [Revocation(**entry) for entry in _read_register(instance)["entries"]]


def revoke(
    instance: Path,
    document_id: str,
    reason: str,
    *,
    status: RevocationStatus = "revoked",
    replaced_by: str | None = None,
    now: dt.datetime | None = None,
) -> Revocation:
    """Revoke or supersede one of our documents, with a reason."""
    try:
        document_id = str(uuid.UUID(document_id))
    except ValueError:
        raise TrustError("a document ID looks like a UUID") from None
    if document_id not in issued_ids(instance):
        raise TrustError("this instance did not issue that document")
    if status == "superseded" and not replaced_by:
        raise TrustError("a superseded document names the one that replaces it")
    if not reason.strip():
        raise TrustError("give a reason")
    register = _read_register(instance)
    if any(entry["document_id"] == document_id for entry in register["entries"]):
        raise TrustError("that document is already withdrawn")
    entry = Revocation(
        document_id,
        status,
        reason.strip()[:500],
        _utc(now or dt.datetime.now(dt.UTC)),
        replaced_by,
    )
    register["entries"].append(entry.as_dict())
    register["sequence"] += 1
    path = _revocation_folder(instance) / "register.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(register, indent=1))
    os.replace(temporary, path)
    log.info("document %s %s", document_id, status)
    return entry


# --- signed revocation lists -----------------------------------------------------


def export_revocation_list(
    instance: Path, material: SigningMaterial, *, now: dt.datetime | None = None
) -> bytes:
    """Our revocations as a signed JSON document for counterparts to import."""
    register = _read_register(instance)
    body = {
        "type": LIST_TYPE,
        "format": 1,
        "issuer": material.certificate.subject.rfc4514_string(),
        "sequence": register["sequence"],
        "issued_at": _utc(now or dt.datetime.now(dt.UTC)),
        "entries": register["entries"],
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


def _parse_list(data: bytes) -> tuple[dict[str, Any], x509.Certificate, bytes]:
    if len(data) > MAX_IMPORT_BYTES:
        raise TrustError("the revocation list is too large")
    try:
        signed = json.loads(data)
        body = signed["list"]
        certificate = x509.load_pem_x509_certificate(
            signed["signature"]["certificate"].encode()
        )
        signature = base64.b64decode(signed["signature"]["value"], validate=True)
        if body["type"] != LIST_TYPE or not isinstance(body["sequence"], int):
            raise ValueError
        entries = [Revocation(**entry) for entry in body["entries"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise TrustError("not a revocation list") from None
    if any(entry.status not in ("revoked", "superseded") for entry in entries):
        raise TrustError("not a revocation list")
    return body, certificate, signature


def import_revocation_list(
    instance: Path, data: bytes, trust: TrustContext
) -> tuple[int, int]:
    """Check and store a counterpart's list; return (sequence, entry count)."""
    body, certificate, signature = _parse_list(data)
    signed_at = dt.datetime.now(dt.UTC)
    if trust.check_certificate(certificate, signed_at) != "trusted":
        raise TrustError("the list is not signed by a trusted, valid certificate")
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise TrustError("the list is not signed with an ECDSA key")
    try:
        public_key.verify(signature, canonical_json(body), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise TrustError("the signature of the list does not hold") from None
    folder = instance / "trust" / "revocations"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{issuer_key(certificate)}.json"
    if path.exists():
        stored, _, _ = _parse_list(path.read_bytes())
        if body["sequence"] < stored["sequence"]:
            raise TrustError(
                f"this list (number {body['sequence']}) is older than the one "
                f"already imported (number {stored['sequence']})"
            )
    path.write_bytes(data)
    log.info("revocation list imported: sequence %d", body["sequence"])
    return body["sequence"], len(body["entries"])


def load_trust_context(instance: Path) -> TrustContext:
    """Read own and imported certificates and every revocation, once."""
    context = TrustContext()
    own = own_certificates(instance) if (instance / "keys").exists() else []
    for certificate in own:
        context.add_anchor(certificate)
    context.own = frozenset(fingerprint(c) for c in own)
    for path in sorted((instance / "trust" / "issuers").glob("*.pem")):
        context.add_anchor(x509.load_pem_x509_certificate(path.read_bytes()))
    if own:
        _add_revocations(context, own, own_revocations(instance))
    for path in sorted((instance / "trust" / "revocations").glob("*.json")):
        body, certificate, _ = _parse_list(path.read_bytes())
        entries = [Revocation(**entry) for entry in body["entries"]]
        _add_revocations(context, [certificate], entries)
    return context


def _add_revocations(
    context: TrustContext,
    certificates: Iterable[x509.Certificate],
    entries: Iterable[Revocation],
) -> None:
    by_id: Mapping[str, Revocation] = {entry.document_id: entry for entry in entries}
    for certificate in certificates:
        context.revocations.setdefault(issuer_key(certificate), {}).update(by_id)
