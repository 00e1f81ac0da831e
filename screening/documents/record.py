"""The machine-readable record of a result, and the compact token in its QR code.

The record is canonical JSON embedded in the PDF as an attachment: what a
counterpart needs to recompute the band (STANDARD.md section 6) and nothing
that names the person. The QR token is CBOR, compressed with zlib and
encoded in base45 (the QR alphanumeric alphabet); it carries the hash of the
record and is signed with the agency key, so a printed copy can be checked
offline against the issuer's public key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from screening.scoring import Assessment

RECORD_TYPE = "gms-screening-result"
RECORD_FORMAT = 1
RECORD_FILENAME = "screening-record.json"
TOKEN_FILENAME = "screening-qr-token.txt"  # noqa: S105 - a file name, not a secret
TOKEN_PREFIX = "GMS1:"  # noqa: S105 - a format marker, not a secret
MAX_TOKEN_LENGTH = 2000
BAND_CODES = {"not_established": 0, "possible": 1, "likely": 2}
_P256_HALF = 32


class TokenError(ValueError):
    """A QR token cannot be read, or its signature does not hold."""


def new_document_id() -> str:
    """A random document ID (UUID 4), unrelated to the person."""
    return str(uuid.uuid4())


def canonical_json(data: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes that are embedded and hashed."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def record_hash(record_bytes: bytes) -> bytes:
    """SHA-256 of the embedded record, as bound by the QR token."""
    return hashlib.sha256(record_bytes).digest()


def build_record(
    assessment: Assessment,
    *,
    document_id: str,
    issued_at: dt.datetime,
    questionnaire: Mapping[str, str],
    language: str,
    issuer_name: str,
    issuer_country: str,
    issuer_certificate_sha256: str,
    supersedes: str | None = None,
) -> dict[str, Any]:
    """The record of one result; indicators that are `no` or absent are left out."""
    record: dict[str, Any] = {
        "type": RECORD_TYPE,
        "format": RECORD_FORMAT,
        "document_id": document_id,
        "issued_at": issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "issuer": {
            "name": issuer_name,
            "country": issuer_country,
            "certificate_sha256": issuer_certificate_sha256,
        },
        "questionnaire": dict(questionnaire),
        "language": language,
        "standard": assessment.standard,
        "standard_digest": assessment.standard_digest,
        "profile": assessment.profile,
        "indicators": {
            key: state for key, state in assessment.states.items() if state != "no"
        },
        "band": assessment.band,
        "elements": dict(assessment.elements),
        "dimensions": {result.id: result.positive for result in assessment.dimensions},
        "flags": list(assessment.flags),
    }
    if supersedes:
        record["supersedes"] = supersedes
    return record


# --- base45 (RFC 9285) --------------------------------------------------------

_BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_VALUE = {char: index for index, char in enumerate(_BASE45)}


def base45_encode(data: bytes) -> str:
    """Encode bytes with the 45 characters of QR alphanumeric mode."""
    out = []
    for index in range(0, len(data) - 1, 2):
        number = data[index] * 256 + data[index + 1]
        number, low = divmod(number, 45)
        high, middle = divmod(number, 45)
        out += [_BASE45[low], _BASE45[middle], _BASE45[high]]
    if len(data) % 2:
        high, low = divmod(data[-1], 45)
        out += [_BASE45[low], _BASE45[high]]
    return "".join(out)


def base45_decode(text: str) -> bytes:
    """Decode base45; raise TokenError on a character or length it cannot hold."""
    try:
        values = [_BASE45_VALUE[char] for char in text]
    except KeyError:
        raise TokenError("not base45") from None
    out = bytearray()
    for index in range(0, len(values), 3):
        chunk = values[index : index + 3]
        if len(chunk) == 1:
            raise TokenError("base45 length is wrong")
        number = sum(value * 45**power for power, value in enumerate(chunk))
        if len(chunk) == 3:
            if number > 0xFFFF:
                raise TokenError("base45 value out of range")
            out += number.to_bytes(2, "big")
        else:
            if number > 0xFF:
                raise TokenError("base45 value out of range")
            out.append(number)
    return bytes(out)


# --- the token ------------------------------------------------------------------


@dataclass(frozen=True)
class TokenClaims:
    """What a QR token says about a document."""

    document_id: str
    issued_at: dt.datetime
    band: str
    standard: str
    record_sha256: bytes
    issuer_key_id: bytes  # first 8 bytes of the issuer certificate's SHA-256


def key_id(certificate_sha256_hex: str) -> bytes:
    """The short issuer key ID carried by tokens."""
    return bytes.fromhex(certificate_sha256_hex)[:8]


def make_token(claims: TokenClaims, private_key: ec.EllipticCurvePrivateKey) -> str:
    """Sign claims with the agency key and encode them for a QR code."""
    payload = cbor2.dumps(
        {
            1: uuid.UUID(claims.document_id).bytes,
            2: int(claims.issued_at.timestamp()),
            3: BAND_CODES[claims.band],
            4: claims.standard,
            5: claims.record_sha256,
            6: claims.issuer_key_id,
        }
    )
    der = private_key.sign(payload, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(_P256_HALF, "big") + s.to_bytes(_P256_HALF, "big")
    packed = zlib.compress(cbor2.dumps([payload, raw]), 9)
    return TOKEN_PREFIX + base45_encode(packed)


def read_token(token: str) -> tuple[TokenClaims, bytes, bytes]:
    """Decode a token without checking it: claims, signed payload, signature."""
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH or not token.startswith(TOKEN_PREFIX):
        raise TokenError("not a screening token")
    packed = base45_decode(token[len(TOKEN_PREFIX) :])
    try:
        inflater = zlib.decompressobj()
        unpacked = inflater.decompress(packed, 4 * MAX_TOKEN_LENGTH)
        if inflater.unconsumed_tail:
            raise TokenError("token too large")
        outer = cbor2.loads(unpacked)
        payload, signature = outer
        fields = cbor2.loads(payload)
        band = {code: name for name, code in BAND_CODES.items()}[fields[3]]
        claims = TokenClaims(
            document_id=str(uuid.UUID(bytes=fields[1])),
            issued_at=dt.datetime.fromtimestamp(fields[2], dt.UTC),
            band=band,
            standard=str(fields[4]),
            record_sha256=bytes(fields[5]),
            issuer_key_id=bytes(fields[6]),
        )
    except TokenError:
        raise
    except Exception:  # any malformed content is the same verdict
        raise TokenError("token content is damaged") from None
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise TokenError("token content is damaged")
    return claims, payload, signature


def check_token_signature(
    payload: bytes, signature: bytes, public_key: ec.EllipticCurvePublicKey
) -> bool:
    """True when the raw P-256 signature over payload holds for public_key."""
    if len(signature) != 2 * _P256_HALF:
        return False
    r = int.from_bytes(signature[:_P256_HALF], "big")
    s = int.from_bytes(signature[_P256_HALF:], "big")
    try:
        public_key.verify(
            encode_dss_signature(r, s), payload, ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        return False
    return True
