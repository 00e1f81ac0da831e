"""Trust and revocation files: who we trust, and which documents are withdrawn.

Pure functions over bytes and certificates; where the results are kept (the
application's database) is the caller's business.

A trust bundle is a PEM file of an agency's certificates, current and past.
Every trusted certificate belongs to one issuer group: our own certificates
form ``OWN_GROUP``, and each counterpart's form the group its bundles made
when an administrator imported them (``bundle_group``). Names in
certificates prove nothing, since anyone can put any name in a certificate
of their own; the group is what the administrator established.

A revocation list is JSON signed with the issuer's key; reading one checks
every entry and the signature against a trusted certificate. Its entries
count only for documents signed within the signer's own group. The caller
keeps the newest list of each group and refuses a lower sequence number, so
an old list cannot undo a revocation. Verifying never contacts the issuer.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import logging
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
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
LIST_FORMAT = 1
LIST_KEYS = frozenset({"type", "format", "issuer", "sequence", "issued_at", "entries"})
ENTRY_KEYS = frozenset({"document_id", "status", "reason", "at", "replaced_by"})
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_LIST_ENTRIES = 20_000
MAX_SEQUENCE = 2**31 - 1  # the database keeps it in a 32-bit integer
MAX_REASON = 500
MAX_TIME_TEXT = 40
MAX_ISSUER_TEXT = 1000
OWN_GROUP = "own"
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


@dataclass(frozen=True)
class Counterpart:
    """A counterpart agency as an administrator established it: an issuer group.

    ``certificates`` came in its trust bundles; ``revocations`` are the
    entries of the newest list it signed, and count for its documents only.
    """

    group: str
    certificates: Sequence[x509.Certificate]
    revocations: Sequence[Revocation] = ()


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _valid_at(certificate: x509.Certificate, moment: dt.datetime) -> bool:
    return certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc


def signs_documents(certificate: x509.Certificate) -> bool:
    """May this certificate be pinned as a document signer's?

    It must carry the digitalSignature or contentCommitment key usage, and be
    an end-entity certificate or a self-signed agency certificate (those are
    marked as CAs so NSS accepts them as anchors, and carry the signing
    usages too). A CA certificate issued by someone else, or one that only
    signs certificates, is never a signer: trusting it would trust every
    certificate it issued.
    """
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    if not (usage.digital_signature or usage.content_commitment):
        return False
    try:
        constraints = certificate.extensions.get_extension_for_class(
            x509.BasicConstraints
        ).value
    except x509.ExtensionNotFound:
        return True
    except ValueError:
        return False
    if not constraints.ca:
        return True
    if certificate.issuer != certificate.subject:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


@dataclass
class TrustContext:
    """Everything verification needs, loaded once: anchors, groups, revocations.

    Anchors are pinned signing certificates: a document verifies only when the
    very certificate that signed it is an anchor. A CA certificate never
    vouches for the certificates it issued, so a bundle's CA certificates
    are left out. ``groups`` maps each anchor's fingerprint to its issuer
    group, and ``revocations`` each group to the documents it withdrew.
    """

    anchors: dict[str, x509.Certificate] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    revocations: dict[str, dict[str, Revocation]] = field(default_factory=dict)

    @property
    def own(self) -> frozenset[str]:
        """The fingerprints of our own certificates."""
        return frozenset(
            sha256 for sha256, group in self.groups.items() if group == OWN_GROUP
        )

    def add_anchor(self, certificate: x509.Certificate, group: str) -> bool:
        """Pin a signing certificate as one of a group's; the first group stays.

        A certificate that does not sign documents (a CA's) is not pinned:
        False.
        """
        if not signs_documents(certificate):
            return False
        sha256 = fingerprint(certificate)
        self.anchors.setdefault(sha256, certificate)
        self.groups.setdefault(sha256, group)
        return True

    def _anchor_for(self, certificate: x509.Certificate) -> str | None:
        """The certificate itself when pinned, or None: none vouches for another."""
        sha256 = fingerprint(certificate)
        if sha256 in self.anchors and signs_documents(certificate):
            return sha256
        return None

    def check_certificate(
        self, certificate: x509.Certificate, moment: dt.datetime
    ) -> TrustCode:
        """Is the certificate trusted, and valid at the given moment?"""
        anchor = self._anchor_for(certificate)
        if anchor is None:
            return "untrusted"
        valid = _valid_at(certificate, moment) and _valid_at(
            self.anchors[anchor], moment
        )
        return "trusted" if valid else "not_valid_then"

    def group_of(self, certificate: x509.Certificate) -> str | None:
        """The issuer group of a trusted certificate (its anchor's), or None."""
        anchor = self._anchor_for(certificate)
        return None if anchor is None else self.groups[anchor]

    def revocation(
        self, certificate: x509.Certificate, document_id: str
    ) -> Revocation | None:
        """The revocation of a document by the group of the agency that signed it."""
        group = self.group_of(certificate)
        if group is None:
            return None
        return self.revocations.get(group, {}).get(document_id)

    def as_plain(self) -> dict[str, Any]:
        """Picklable plain data, to hand the context to worker processes."""
        return {
            "anchors": [
                (self.groups[sha256], certificate_pem(certificate))
                for sha256, certificate in self.anchors.items()
            ],
            "revocations": {
                group: [entry.as_dict() for entry in entries.values()]
                for group, entries in self.revocations.items()
            },
        }

    @classmethod
    def from_plain(cls, data: Mapping[str, Any]) -> TrustContext:
        context = cls()
        for group, pem in data["anchors"]:
            context.add_anchor(x509.load_pem_x509_certificate(pem), group)
        for group, entries in data["revocations"].items():
            context.revocations[group] = {
                entry["document_id"]: Revocation(**entry) for entry in entries
            }
        return context


# --- trust bundles --------------------------------------------------------------


def export_trust_bundle(instance: Path) -> bytes:
    """PEM of every certificate this agency signs or signed with (and its CAs).

    The counterpart pins the signing certificates; CA certificates travel
    along for information only and are never trusted there.
    """
    certificates = own_certificates(instance)
    if not certificates:
        raise TrustError(
            "this instance has no signing certificate yet", "no_certificate"
        )
    return b"".join(certificate_pem(c) for c in certificates)


def read_trust_bundle(data: bytes) -> list[x509.Certificate]:
    """The certificates of a counterpart's bundle, all checked; raise TrustError."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TrustError("the trust bundle is too large", "too_large")
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise TrustError("not a PEM certificate bundle", "not_bundle") from None
    for certificate in certificates:
        _read_whole(certificate)
    return certificates


def _read_whole(certificate: x509.Certificate) -> None:
    """Read every part of a certificate that trust decisions look at.

    The library decodes parts lazily, so a certificate with a subject that is
    not text, an unknown curve or a repeated extension would fail later, in
    the middle of an import. It fails here instead, as a plain TrustError.
    """
    try:
        key = certificate.public_key()
        certificate.subject.rfc4514_string()
        certificate.issuer.rfc4514_string()
        list(certificate.extensions)
        backwards = certificate.not_valid_before_utc > certificate.not_valid_after_utc
    except Exception:  # any decoding failure of untrusted input
        backwards = True
    if backwards:
        raise TrustError("a certificate in the bundle cannot be read", "not_bundle")
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TrustError("only ECDSA certificates are accepted", "not_ecdsa")


def bundle_group(
    certificates: Iterable[x509.Certificate],
    known: Mapping[str, str],
    own: Collection[str],
) -> str | None:
    """The issuer group a bundle joins, or None when it forms a new one.

    ``known`` maps the fingerprints of trusted counterpart certificates to
    their groups. A bundle that shares a signing certificate with a group
    (the agency rotated its key and sent its certificates, old and new)
    joins that group. Only signing certificates count: two agencies under
    the same national CA both send its certificate, and it must neither
    merge them nor form a group of its own. Raise TrustError when the bundle
    holds no signing certificate, one of our own, or certificates of two
    different groups: an administrator must not merge agencies by accident,
    or let a bundle speak for us.
    """
    signing = [c for c in certificates if signs_documents(c)]
    if not signing:
        raise TrustError(
            "the bundle holds no document-signing certificate (CA certificates "
            "are never trusted on their own): ask the agency for its bundle",
            "no_signing_certificate",
        )
    fingerprints = [fingerprint(certificate) for certificate in signing]
    if any(sha256 in own for sha256 in fingerprints):
        raise TrustError(
            "the bundle holds a certificate of this instance: import only a "
            "counterpart agency's bundle",
            "own_certificate",
        )
    groups = sorted({known[sha256] for sha256 in fingerprints if sha256 in known})
    if len(groups) > 1:
        raise TrustError(
            "the bundle holds certificates of different agencies trusted here "
            f"(groups {', '.join(groups)}); it was not imported: ask the agency "
            "for a bundle of its own certificates",
            "two_agencies",
        )
    return groups[0] if groups else None


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
    if not _is_text(reason):
        raise TrustError("the reason is not UTF-8 text", "bad_reason")
    return Revocation(
        document_id,
        status,
        reason.strip()[:MAX_REASON],
        _utc(now or dt.datetime.now(dt.UTC)),
        replaced_by if status == "superseded" else None,
    )


def _is_text(value: str) -> bool:
    """Can it be stored and sent? Bytes that were not UTF-8 arrive as surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normalized_document_id(document_id: str) -> str:
    """A document ID in its canonical UUID form; raise TrustError."""
    try:
        return str(uuid.UUID(document_id.strip()))
    except (ValueError, AttributeError):
        raise TrustError("a document ID looks like a UUID", "bad_document_id") from None


# --- signed revocation lists -----------------------------------------------------


@dataclass(frozen=True)
class RevocationList:
    """A counterpart's signed list, as read: who signed it, its number, entries.

    ``group`` is the signer's issuer group, once the list has been checked
    against the trust of this instance.
    """

    sequence: int
    issued_at: str
    certificate: x509.Certificate
    entries: tuple[Revocation, ...]
    data: bytes
    group: str | None = None


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
        "format": LIST_FORMAT,
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


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    if len(value) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    if not _is_text(value):
        raise ValueError(f"{name} is not UTF-8 text")
    return value


def _uuid(value: Any, name: str) -> str:
    try:
        return str(uuid.UUID(_text(value, name, 45)))
    except ValueError:
        raise ValueError(f"{name} is not a document ID (a UUID)") from None


def revocation_entry(item: Any) -> Revocation:
    """One entry of a revocation list, checked field by field; raise ValueError."""
    if not isinstance(item, dict):
        raise ValueError("not an object")
    unexpected = sorted(str(key)[:40] for key in set(item) - ENTRY_KEYS)
    if unexpected:
        raise ValueError(f"unexpected key {unexpected[0]!r}")
    missing = sorted(ENTRY_KEYS - {"replaced_by"} - set(item))
    if missing:
        raise ValueError(f"no {missing[0]}")
    status = item["status"]
    if status not in ("revoked", "superseded"):
        raise ValueError("status is neither revoked nor superseded")
    replaced_by = item.get("replaced_by")
    return Revocation(
        _uuid(item["document_id"], "document_id"),
        status,
        _text(item["reason"], "reason", MAX_REASON),
        _text(item["at"], "at", MAX_TIME_TEXT),
        None if "replaced_by" not in item else _uuid(replaced_by, "replaced_by"),
    )


def _list_entries(items: Any) -> tuple[Revocation, ...]:
    if not isinstance(items, list):
        raise TrustError("not a revocation list: no entries", "not_list")
    if len(items) > MAX_LIST_ENTRIES:
        raise TrustError(
            f"the list has more than {MAX_LIST_ENTRIES} entries",
            "too_many_entries",
            limit=MAX_LIST_ENTRIES,
        )
    entries = []
    for number, item in enumerate(items, start=1):
        try:
            entries.append(revocation_entry(item))
        except ValueError as problem:
            raise TrustError(
                f"entry {number} of the list: {problem}", "bad_entry", entry=number
            ) from None
    return tuple(entries)


def _check_body(body: Any) -> None:
    """The list's own fields: type, format, number, times; raise TrustError."""
    if not isinstance(body, dict) or body.get("type") != LIST_TYPE:
        raise TrustError("not a revocation list", "not_list")
    unexpected = sorted(str(key)[:40] for key in set(body) - LIST_KEYS)
    if unexpected:
        raise TrustError(
            f"not a revocation list: unexpected key {unexpected[0]!r}", "not_list"
        )
    if type(body.get("format")) is not int or body["format"] != LIST_FORMAT:
        raise TrustError(
            f"a revocation list of a format this version does not read "
            f"(it reads format {LIST_FORMAT})",
            "not_list",
        )
    sequence = body.get("sequence")
    if type(sequence) is not int or not 0 <= sequence <= MAX_SEQUENCE:
        raise TrustError("not a revocation list: a bad list number", "not_list")
    for name, limit in (("issued_at", MAX_TIME_TEXT), ("issuer", MAX_ISSUER_TEXT)):
        try:
            _text(body.get(name, ""), name, limit)
        except ValueError as problem:
            raise TrustError(f"not a revocation list: {problem}", "not_list") from None


def _parse_list(data: bytes) -> tuple[dict[str, Any], RevocationList, bytes]:
    if len(data) > MAX_IMPORT_BYTES:
        raise TrustError("the revocation list is too large", "too_large")
    try:
        signed = json.loads(data)
        body = signed["list"]
        seal = signed["signature"]
        if seal["algorithm"] != "ecdsa-sha256":
            raise ValueError
        certificate = x509.load_pem_x509_certificate(seal["certificate"].encode())
        signature = base64.b64decode(seal["value"], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise TrustError("not a revocation list", "not_list") from None
    _check_body(body)
    entries = _list_entries(body.get("entries"))
    parsed = RevocationList(
        body["sequence"], body.get("issued_at", ""), certificate, entries, data
    )
    return body, parsed, signature


def check_revocation_list(
    data: bytes, trust: TrustContext, *, now: dt.datetime | None = None
) -> RevocationList:
    """Read a counterpart's list, check its entries, signer and signature.

    The list returned names the signer's issuer group: its entries count for
    the documents of that group only.
    """
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
    return dataclasses.replace(parsed, group=trust.group_of(certificate))


def stored_revocations(data: bytes) -> tuple[Revocation, ...]:
    """The entries of a list kept earlier; never raises.

    Lists are checked entry by entry when imported, but one kept by an
    earlier version may hold entries it never checked: those are left out,
    and logged, rather than break every verification that follows.
    """
    try:
        items = json.loads(data)["list"]["entries"]
        if not isinstance(items, list):
            raise TypeError
    except (ValueError, KeyError, TypeError, RecursionError):
        log.warning("a stored revocation list cannot be read; it is left out")
        return ()
    entries = []
    for item in items[:MAX_LIST_ENTRIES]:
        try:
            entries.append(revocation_entry(item))
        except ValueError:
            continue
    if len(entries) != len(items):
        log.warning(
            "a stored revocation list: %d of %d entries left out",
            len(items) - len(entries),
            len(items),
        )
    return tuple(entries)


def build_trust_context(
    own: Sequence[x509.Certificate],
    counterparts: Iterable[Counterpart] = (),
    own_revocations: Iterable[Revocation] = (),
) -> TrustContext:
    """Everything verification needs, from certificates and revocations in hand."""
    context = TrustContext()
    for certificate in own:
        context.add_anchor(certificate, OWN_GROUP)
    context.revocations[OWN_GROUP] = _by_document(own_revocations)
    for counterpart in counterparts:
        if counterpart.group == OWN_GROUP:
            raise ValueError("a counterpart cannot take our own group")
        for certificate in counterpart.certificates:
            context.add_anchor(certificate, counterpart.group)
        context.revocations[counterpart.group] = _by_document(counterpart.revocations)
    return context


def _by_document(entries: Iterable[Revocation]) -> dict[str, Revocation]:
    return {entry.document_id: entry for entry in entries}
