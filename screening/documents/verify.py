"""Verify result documents and QR tokens: pure functions over bytes and trust.

Each check is reported on its own. The order matters: nothing embedded in
the PDF is read until the signature is known to be intact and to cover the
whole file, because a revision appended after signing can swap an
attachment while the original signature still holds (PDF_NOTES).
Any input, however foreign, damaged or large, gets a plain verdict.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from screening.documents import record as records
from screening.documents.keys import fingerprint
from screening.documents.trust import OWN_GROUP, TrustContext
from screening.documents.wording import verdict
from screening.scoring import ScoringInputError, assess
from screening.standard import StandardRegistry

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel phone photo, once decoded
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")  # what phones and scanners send
# A progressive JPEG has about ten scans; a 2 MB file of thousands of tiny
# ones would keep the decoder busy for minutes. A scan starts with the
# marker FF DA, which never occurs inside coded data (FF is followed by 00).
MAX_JPEG_SCANS = 64
MAX_ATTACHMENT_BYTES = 256 * 1024
MAX_EMBEDDED_FILES = 32
MAX_NAME_TREE_DEPTH = 8
# Our documents have one form field and a name tree of one node; these caps
# leave room for any honest PDF while keeping every walk short.
MAX_FORM_NODES = 64
MAX_NAME_TREE_NODES = 64
# Our signature is about 3,000 hex digits (more with a timestamp). pyHanko
# parses a hex string at some 90 bytes of memory a digit: a 10 MB one would
# take a gigabyte, so a longer run of hex digits is refused unread.
MAX_HEX_STRING = 64 * 1024
LONG_HEX_STRING = re.compile(rb"<[0-9A-Fa-f\s]{%d}" % MAX_HEX_STRING)
CLOCK_SKEW = dt.timedelta(minutes=10)
CHECKS = (
    "signature_intact",
    "covers_whole_file",
    "issuer_trusted",
    "record_readable",
    "not_revoked",
    "standard_known",
    "band_recomputed",
    "qr_token",
)
Status = Literal["pass", "fail", "skipped"]


@dataclass
class Check:
    name: str
    status: Status
    code: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "check": self.name,
            "status": self.status,
            "code": self.code,
            "message": verdict(self.code),
        }
        if self.detail:
            data["detail"] = self.detail
        return data


@dataclass
class Report:
    """The outcome of verifying one document or token."""

    verdict: Literal["valid", "invalid", "unreadable"]
    checks: list[Check] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # input.* code when the input was unreadable
    # Who really signed, from the signing certificate and this instance's
    # trust (never from the record, which only claims an issuer).
    signer: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"

    def check(self, name: str) -> Check | None:
        return next((item for item in self.checks if item.name == name), None)

    def failed(self) -> list[str]:
        return [item.name for item in self.checks if item.status == "fail"]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verdict": self.verdict,
            "message": verdict(f"verdict.{self.verdict}"),
        }
        if self.problem:
            data["problem"] = {"code": self.problem, "message": verdict(self.problem)}
        data["checks"] = [item.as_dict() for item in self.checks]
        if self.signer:
            data["signer"] = self.signer
        if self.document:
            data["document"] = self.document
        return data


def _name_part(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    found = certificate.subject.get_attributes_for_oid(oid)
    return str(found[0].value) if len(found) == 1 else None


def signer_facts(
    certificate: x509.Certificate, trust: TrustContext, *, trusted: bool
) -> dict[str, Any]:
    """Who signed, as the certificate and this instance's trust say.

    ``group`` is the issuer group an administrator established (``own`` for
    this agency) and only when the certificate is trusted: a certificate's
    names alone prove nothing.
    """
    group = trust.group_of(certificate) if trusted else None
    return {
        "group": group,
        "own": group == OWN_GROUP,
        "subject": certificate.subject.rfc4514_string(),
        "organization": _name_part(certificate, NameOID.ORGANIZATION_NAME),
        "country": _name_part(certificate, NameOID.COUNTRY_NAME),
        "certificate_sha256": fingerprint(certificate),
    }


def _unreadable(code: str) -> Report:
    return Report("unreadable", problem=code)


def _finish(report: Report) -> Report:
    ran = {item.name for item in report.checks}
    for name in CHECKS:
        if name not in ran:
            report.checks.append(Check(name, "skipped", "skipped"))
    order = {name: index for index, name in enumerate(CHECKS)}
    report.checks.sort(key=lambda item: order.get(item.name, len(order)))
    passed = all(item.status == "pass" for item in report.checks)
    report.verdict = "valid" if passed else "invalid"
    return report


def _stream_content(stream: Any) -> bytes | None:
    """A stream's content, inflated with a size cap (no decompression bombs)."""
    raw: bytes = stream.encoded_data
    filters = stream.get("/Filter")
    if filters is None:
        return raw if len(raw) <= MAX_ATTACHMENT_BYTES else None
    if str(filters) != "/FlateDecode":
        return None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, MAX_ATTACHMENT_BYTES + 1)
    except zlib.error:
        return None
    return data if len(data) <= MAX_ATTACHMENT_BYTES else None


def _visit_once(item: Any, seen: set[tuple[int, int]]) -> Any:
    """The object behind ``item``, or None when that object was reached before.

    A tree whose nodes list the same child again and again has few objects
    but more paths than any walk can finish: each object is visited once.
    """
    from pyhanko.pdf_utils.generic import IndirectObject

    if isinstance(item, IndirectObject):
        key = (item.idnum, item.generation)
        if key in seen:
            return None
        seen.add(key)
        return item.get_object()
    return item


def _form_is_a_small_tree(reader: Any) -> bool:
    """Do the form fields make a tree of at most MAX_FORM_NODES nodes?

    pyHanko looks for signatures along every path of the field tree, so a
    2 KB file of fields listing each other ten times would keep it busy for
    ever. Fields are a tree; anything else is refused before pyHanko looks.
    """
    from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject

    form = reader.root.get("/AcroForm")
    if form is None:
        return True
    form = form.get_object()
    if not isinstance(form, DictionaryObject) or "/Fields" not in form:
        return True
    seen: set[tuple[int, int]] = set()
    stack = [form.raw_get("/Fields")]
    visited = 0
    while stack:
        node = _visit_once(stack.pop(), seen)
        visited += 1
        if node is None or visited > MAX_FORM_NODES:
            return False
        if isinstance(node, ArrayObject):
            stack.extend(node.raw_get(index) for index in range(len(node)))
        elif isinstance(node, DictionaryObject) and "/Kids" in node:
            stack.append(node.raw_get("/Kids"))
    return True


def _embedded_files(reader: Any) -> Iterator[tuple[str, bytes]]:
    """(name, content) of each embedded file, from the document's name tree."""
    names = reader.root.get("/Names")
    tree = names.raw_get("/EmbeddedFiles") if names is not None else None
    stack = [(tree, 0)] if tree is not None else []
    found = nodes = 0
    seen: set[tuple[int, int]] = set()
    while stack and found < MAX_EMBEDDED_FILES and nodes < MAX_NAME_TREE_NODES:
        item, depth = stack.pop()
        node = _visit_once(item, seen)
        nodes += 1
        if node is None or depth > MAX_NAME_TREE_DEPTH:
            continue
        kids = node.get("/Kids")
        if kids is not None:
            stack.extend((kid, depth + 1) for kid in kids.iterate())  # unresolved
        pairs = list(node.get("/Names", ()))
        for index in range(0, len(pairs) - 1, 2):
            found += 1
            stream = pairs[index + 1].get_object().get("/EF", {}).get("/F")
            data = _stream_content(stream.get_object()) if stream is not None else None
            if data is not None:
                yield str(pairs[index]), data


def _signing_time(embedded: Any, now: dt.datetime) -> dt.datetime | None:
    """When the document was signed, by the signer's own signed claim.

    A signature timestamp is not taken for the time: the agencies keep no
    list of trusted time-stamping authorities, and a timestamp sits in the
    signature's unsigned part, where anyone can put one of their own making
    (to push a genuine document's time outside its certificate's validity,
    or to make the verifier build certificate paths for ever). The signer's
    claim is inside the signed attributes, so it cannot be changed.
    """
    moment: dt.datetime | None = embedded.self_reported_timestamp
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return None if moment > now + CLOCK_SKEW else moment


def verify_document(
    data: bytes,
    trust: TrustContext,
    standards: StandardRegistry,
    *,
    now: dt.datetime | None = None,
) -> Report:
    """Verify a result PDF; every check is reported, nothing raises."""
    try:
        return _verify_document(data, trust, standards, now or dt.datetime.now(dt.UTC))
    except MemoryError:  # past a memory limit (see bounded.py), or out of memory
        log.warning("verification stopped: out of memory")
        return _unreadable("input.too_complex")
    except Exception as error:  # a verdict, never a crash, whatever the input
        log.warning("verification stopped by %s", type(error).__name__)
        return _unreadable("input.damaged")


def _verify_document(
    data: bytes, trust: TrustContext, standards: StandardRegistry, now: dt.datetime
) -> Report:
    if len(data) > MAX_DOCUMENT_BYTES:
        return _unreadable("input.too_large")
    if b"%PDF-" not in data[:1024]:
        return _unreadable("input.not_pdf")
    if LONG_HEX_STRING.search(data):
        return _unreadable("input.damaged")
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            return _unreadable("input.encrypted")
        if not _form_is_a_small_tree(reader):
            return _unreadable("input.damaged")
        signatures = reader.embedded_signatures
    except MemoryError:
        raise
    except Exception:
        return _unreadable("input.damaged")

    report = Report("invalid")
    if not signatures:
        report.checks.append(
            Check("signature_intact", "fail", "signature_intact.unsigned")
        )
        return _finish(report)
    embedded = signatures[0]
    if not _signature_holds(report, embedded, data, reader):
        return _finish(report)

    certificate = x509.load_der_x509_certificate(embedded.signer_cert.dump())
    if not _issuer_trusted(report, embedded, certificate, trust, now):
        # Content signed by someone we do not trust is not parsed any further.
        return _finish(report)
    _check_record(
        report,
        reader,
        certificate=certificate,
        signer_sha256=fingerprint(certificate),
        trust=trust,
        standards=standards,
    )
    return _finish(report)


def _signature_holds(report: Report, embedded: Any, data: bytes, reader: Any) -> bool:
    """Checks 1 and 2: the signed bytes are unchanged, and nothing came after."""
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        embedded.compute_integrity_info(skip_diff=True)
        intact, valid = validate_sig_integrity(
            embedded.signer_info,
            embedded.signer_cert,
            expected_content_type="data",
            actual_digest=embedded.compute_digest(),
        )
    except (SignatureValidationError, ValueError, KeyError, TypeError):
        intact = valid = False
    if not (intact and valid):
        report.checks.append(Check("signature_intact", "fail", "signature_intact.fail"))
        return False
    report.checks.append(Check("signature_intact", "pass", "signature_intact.pass"))

    # pyHanko's ENTIRE_FILE only compares lengths; our own byte-level reading
    # of the signature's placement comes first and decides.
    problem = _uncovered_bytes(embedded, data, reader)
    if problem is None and embedded.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problem = "coverage"
    if problem is not None:
        report.checks.append(
            Check(
                "covers_whole_file",
                "fail",
                "covers_whole_file.fail",
                {"reason": problem},
            )
        )
        return False
    report.checks.append(Check("covers_whole_file", "pass", "covers_whole_file.pass"))
    return True


HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


def _der_length(blob: bytes) -> int | None:
    """The length of the DER element at the start of ``blob`` (tag, length, value)."""
    if len(blob) < 2 or blob[0] != 0x30:  # a CMS ContentInfo is a SEQUENCE
        return None
    first = blob[1]
    if first < 0x80:
        header, size = 2, first
    else:
        count = first & 0x7F
        if not 1 <= count <= 4 or len(blob) < 2 + count:
            return None  # 0x80 is BER's indefinite length: not DER
        header, size = 2 + count, int.from_bytes(blob[2 : 2 + count], "big")
    total = header + size
    return total if total <= len(blob) else None


def _uncovered_bytes(embedded: Any, data: bytes, reader: Any) -> str | None:
    """Why some byte of the file is not vouched for by the signature, or None.

    The signature covers two ranges, /ByteRange [a b c d]: data[a:a+b] and
    data[c:c+d]. What lies between must be the signature itself and nothing
    else: ``<``, hex digits, ``>``, decoding to the CMS that was validated
    followed only by zero padding. The ranges must start at the first byte
    and end at the last, the signed revision must be the file's last, and
    the document must hold one signature field and one signature dictionary
    (a second one could carry another revision's worth of content).
    """
    byte_range = embedded.sig_object.raw_get("/ByteRange")
    try:
        numbers = list(byte_range)
    except TypeError:
        return "byte_range"
    if len(numbers) != 4 or not all(
        isinstance(number, int) and not isinstance(number, bool) and number >= 0
        for number in numbers
    ):
        return "byte_range"
    start, first_length, second_start, second_length = numbers
    if start != 0 or first_length > second_start:
        return "byte_range"
    if second_start + second_length != len(data):
        return "byte_range"

    gap = data[first_length:second_start]
    digits = gap[1:-1]
    if (
        len(gap) < 4
        or gap[:1] != b"<"
        or gap[-1:] != b">"
        or len(digits) % 2
        or not HEX_DIGITS.issuperset(digits)
    ):
        return "gap"
    in_gap = bytes.fromhex(digits.decode("ascii"))
    contents = bytes(embedded.pkcs7_content)
    length = _der_length(contents)
    if length is None:
        return "gap"
    if in_gap[:length] != contents[:length] or in_gap[length:].strip(b"\0"):
        return "gap"

    if embedded.signed_revision != reader.xrefs.total_revisions - 1:
        return "later_revision"
    tail = data[second_start:]
    if (
        tail.count(b"startxref") != 1
        or tail.count(b"%%EOF") != 1
        or not tail.rstrip().endswith(b"%%EOF")
    ):
        return "later_revision"

    if data.count(b"/ByteRange") != 1 or _signature_fields(reader) != 1:
        return "signatures"
    return None


def _signature_fields(reader: Any, limit: int = 2) -> int:
    """How many signature fields the document has, counting up to ``limit``."""
    from pyhanko.sign.fields import enumerate_sig_fields

    found = 0
    for _ in enumerate_sig_fields(reader):
        found += 1
        if found >= limit:
            break
    return found


def _issuer_trusted(
    report: Report,
    embedded: Any,
    certificate: x509.Certificate,
    trust: TrustContext,
    now: dt.datetime,
) -> bool:
    """Check 3: a trusted signer whose certificate was valid when it signed."""
    signed_at = _signing_time(embedded, now)
    if signed_at is None:
        code = "issuer_trusted.no_time"
    else:
        found = trust.check_certificate(certificate, signed_at)
        code = (
            "issuer_trusted.pass" if found == "trusted" else f"issuer_trusted.{found}"
        )
    passed = code == "issuer_trusted.pass"
    detail = {
        "certificate_sha256": fingerprint(certificate),
        "subject": certificate.subject.rfc4514_string(),
        "signed_at": signed_at.isoformat() if signed_at else None,
        "time_from": "signer",  # never a timestamp: see _signing_time
    }
    report.checks.append(
        Check("issuer_trusted", "pass" if passed else "fail", code, detail)
    )
    report.signer = signer_facts(certificate, trust, trusted=passed)
    return passed


def _check_record(
    report: Report,
    reader: Any,
    *,
    certificate: x509.Certificate,
    signer_sha256: str,
    trust: TrustContext,
    standards: StandardRegistry,
) -> None:
    files = dict(_embedded_files(reader))
    record_bytes = files.get(records.RECORD_FILENAME)
    try:
        if record_bytes is None:
            raise ValueError
        record = json.loads(record_bytes)
        if not isinstance(record, dict) or record.get("type") != records.RECORD_TYPE:
            raise ValueError
        document_id = str(record["document_id"])
    except (ValueError, KeyError, TypeError):
        report.checks.append(
            Check("record_readable", "fail", "record_readable.missing")
        )
        return
    report.document = {
        key: record.get(key)
        for key in ("document_id", "band", "standard", "issued_at", "issuer", "profile")
    }
    report.checks.append(_check_record_issuer(record, certificate, signer_sha256))

    revocation = trust.revocation(certificate, document_id)
    if revocation is None:
        report.checks.append(Check("not_revoked", "pass", "not_revoked.pass"))
    else:
        report.checks.append(
            Check(
                "not_revoked",
                "fail",
                f"not_revoked.{revocation.status}",
                revocation.as_dict(),
            )
        )

    _check_band(report, record, standards)
    report.checks.append(
        _check_token(
            files.get(records.TOKEN_FILENAME, b"").decode("ascii", "replace"),
            record,
            record_bytes,
            certificate,
        )
    )


def _check_record_issuer(
    record: dict[str, Any], certificate: x509.Certificate, signer_sha256: str
) -> Check:
    """The record must name the certificate that signed it, and its agency.

    A trusted agency's key must not issue documents whose record names
    another agency: the name and country the record claims must be the
    organization and country of the signing certificate's subject.
    """
    issuer = record.get("issuer")
    if not isinstance(issuer, dict):
        return Check("record_readable", "fail", "record_readable.mismatch")
    if issuer.get("certificate_sha256") != signer_sha256:
        return Check("record_readable", "fail", "record_readable.mismatch")
    name, country = issuer.get("name"), issuer.get("country")
    organization = _name_part(certificate, NameOID.ORGANIZATION_NAME)
    if (
        not isinstance(name, str)
        or organization is None
        or name.strip() != organization
        or country != _name_part(certificate, NameOID.COUNTRY_NAME)
    ):
        return Check("record_readable", "fail", "record_readable.issuer_mismatch")
    return Check("record_readable", "pass", "record_readable.pass")


def _check_band(
    report: Report, record: dict[str, Any], standards: StandardRegistry
) -> None:
    standard = standards.get(str(record.get("standard")))
    if standard is None or standard.digest != record.get("standard_digest"):
        report.checks.append(
            Check(
                "standard_known",
                "fail",
                "standard_known.unknown",
                {"standard": record.get("standard"), "known": standards.keys()},
            )
        )
        return
    report.checks.append(Check("standard_known", "pass", "standard_known.pass"))
    try:
        indicators = record["indicators"]
        if not isinstance(indicators, dict):
            raise ScoringInputError("indicators")
        again = assess(standard, indicators, record["profile"], explain=False)
        same = (
            again.band == record["band"]
            and dict(again.elements) == record["elements"]
            and list(again.flags) == record["flags"]
            and {d.id: d.positive for d in again.dimensions} == record["dimensions"]
        )
        detail = {"recorded": record["band"], "recomputed": again.band}
    except (ScoringInputError, KeyError, TypeError):
        same, detail = False, {}
    report.checks.append(
        Check(
            "band_recomputed",
            "pass" if same else "fail",
            "band_recomputed.pass" if same else "band_recomputed.mismatch",
            detail,
        )
    )


def _check_token(
    token: str,
    record: dict[str, Any],
    record_bytes: bytes,
    certificate: x509.Certificate,
) -> Check:
    public_key = certificate.public_key()
    try:
        claims, payload, signature = records.read_token(token)
    except records.TokenError:
        return Check("qr_token", "fail", "qr_token.fail", {"reason": "unreadable"})
    reasons = []
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not (
        records.check_token_signature(payload, signature, public_key)
    ):
        reasons.append("signature")
    if claims.record_sha256 != records.record_hash(record_bytes):
        reasons.append("record_hash")
    if claims.document_id != record.get("document_id") or claims.band != record.get(
        "band"
    ):
        reasons.append("claims")
    if claims.issuer_key_id != records.key_id(fingerprint(certificate)):
        reasons.append("issuer")
    if reasons:
        return Check("qr_token", "fail", "qr_token.fail", {"reason": ",".join(reasons)})
    return Check("qr_token", "pass", "qr_token.pass")


# --- a token on its own: pasted text or a photo ------------------------------------


def verify_token(
    token: str,
    trust: TrustContext,
    *,
    now: dt.datetime | None = None,
) -> Report:
    """Verify a pasted QR token offline against the trusted certificates."""
    now = now or dt.datetime.now(dt.UTC)
    report = Report("invalid")
    try:
        claims, payload, signature = records.read_token(token)
    except records.TokenError:
        report.checks.append(Check("token_readable", "fail", "token_readable.fail"))
        return report
    report.checks.append(Check("token_readable", "pass", "token_readable.pass"))
    report.document = {
        "document_id": claims.document_id,
        "band": claims.band,
        "standard": claims.standard,
        "issued_at": claims.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "record_sha256": claims.record_sha256.hex(),
    }
    signer = None
    for anchor in trust.anchors.values():
        key = anchor.public_key()
        if (
            records.key_id(fingerprint(anchor)) == claims.issuer_key_id
            and isinstance(key, ec.EllipticCurvePublicKey)
            and records.check_token_signature(payload, signature, key)
        ):
            signer = anchor
            break
    if signer is None:
        report.checks.append(Check("token_signature", "fail", "token_signature.fail"))
        return report
    report.checks.append(Check("token_signature", "pass", "token_signature.pass"))
    found = trust.check_certificate(signer, claims.issued_at)
    code = "issuer_trusted.pass" if found == "trusted" else f"issuer_trusted.{found}"
    if claims.issued_at > now + CLOCK_SKEW:
        code = "issuer_trusted.no_time"
    passed = code.endswith("pass")
    report.checks.append(Check("issuer_trusted", "pass" if passed else "fail", code))
    report.signer = signer_facts(signer, trust, trusted=passed)
    revocation = trust.revocation(signer, claims.document_id)
    report.checks.append(
        Check("not_revoked", "pass", "not_revoked.pass")
        if revocation is None
        else Check(
            "not_revoked",
            "fail",
            f"not_revoked.{revocation.status}",
            revocation.as_dict(),
        )
    )
    report.verdict = (
        "valid" if all(c.status == "pass" for c in report.checks) else "invalid"
    )
    return report


def decode_qr_image(image: bytes) -> list[str]:
    """Every QR code text found in a photo or scan (PNG, JPEG...)."""
    if len(image) > MAX_IMAGE_BYTES:
        return []
    import zxingcpp
    from PIL import Image

    if image.startswith(b"\xff\xd8") and image.count(b"\xff\xda") > MAX_JPEG_SCANS:
        return []  # each progressive scan decodes the whole picture again
    try:
        with Image.open(io.BytesIO(image), formats=IMAGE_FORMATS) as opened:
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                return []  # a small file can unpack to gigabytes of pixels
            opened.draft("L", (2400, 2400))  # JPEG decodes at a reduced size
            picture = opened.convert("L")
            picture.thumbnail((2400, 2400))
    except Exception:  # any undecodable image is simply "no QR code found"
        return []
    results = zxingcpp.read_barcodes(picture)
    return [result.text for result in results if result.valid]


def verify_token_image(
    image: bytes, trust: TrustContext, *, now: dt.datetime | None = None
) -> Report:
    """Verify the first screening token found in a photo of the QR code."""
    for text in decode_qr_image(image):
        if text.startswith(records.TOKEN_PREFIX):
            return verify_token(text, trust, now=now)
    report = Report("invalid")
    report.checks.append(Check("token_readable", "fail", "token_readable.fail"))
    return report
