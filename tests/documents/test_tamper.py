"""A tamper matrix: each attack fails the check it should, and `verify` exits 1."""

from __future__ import annotations

import io
import json
import subprocess

import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from screening import issued
from screening.catalog import Catalog
from screening.documents import record as records
from screening.documents.issue import IssueOptions, Issuer
from screening.documents.verify import verify_document

from .conftest import (
    LAO_AGENCY,
    THAI_AGENCY,
    copy_catalog,
    issued_at_past,
    load_answers,
    make_agency,
)


def flip_bit_in_a_stream(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    position = data.index(b"stream\n", len(data) // 4) + 50
    data[position] ^= 0x01
    return bytes(data)


def edit_title(pdf: bytes) -> bytes:
    """Change one letter of the document title in place (ผ becomes ฝ)."""
    start = pdf.index(b"/Title (")
    end = pdf.index(b")", start)
    title = pdf[start:end]
    edited = title.replace(b"\\016\\034", b"\\016\\035", 1)
    assert edited != title
    return pdf[:start] + edited + pdf[end:]


def swap_record_in_an_incremental_update(pdf: bytes) -> tuple[bytes, bytes]:
    """Append a revision that replaces the embedded record; return both."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    index = [str(item) for item in names].index(records.RECORD_FILENAME)
    spec = names[index + 1].get_object()
    original = spec["/EF"]["/F"].get_object().data
    forged_record = json.loads(original)
    forged_record["band"] = "not_established"
    forged_record["indicators"] = {}
    forged = records.canonical_json(forged_record)
    spec["/EF"]["/F"] = writer.add_object(generic.StreamObject(stream_data=forged))
    writer.update_container(spec)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), forged


class LiteralString(generic.ByteStringObject):
    """A byte string written as a PDF literal (one file byte per byte, not two)."""

    def write_to_stream(self, stream, handler=None, container_ref=None):
        escaped = bytes(self)
        for special in (b"\\", b"(", b")"):
            escaped = escaped.replace(special, b"\\" + special)
        stream.write(b"(" + escaped + b")")


def _shadow_revision(pdf: bytes, padding: int) -> bytes:
    """Blank the first page and re-declare the signature with padded /Contents."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"q Q"))
    writer.update_container(page)
    embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    reference = embedded.sig_field.raw_get("/V")
    signature = generic.IndirectObject(reference.idnum, reference.generation, writer)
    signature.get_object()["/Contents"] = LiteralString(
        bytes(embedded.pkcs7_content) + b"\0" * padding
    )
    writer.mark_update(signature)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def shadow_update_pyhanko_calls_entire_file(pdf: bytes) -> bytes:
    """A revision appended after signing that pyHanko still calls ENTIRE_FILE.

    pyHanko compares the file's length with the two signed ranges plus the
    hex /Contents; the appended revision re-declares the signature object
    with a longer /Contents (a literal string, padded with zeros) so the
    lengths add up again, while it blanks the page everyone reads.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    padding = 0
    for _ in range(10):
        forged = _shadow_revision(pdf, padding)
        embedded = PdfFileReader(io.BytesIO(forged)).embedded_signatures[0]
        _, first, _, second = embedded.byte_range
        missing = len(forged) - first - second - 2 - 2 * len(embedded.pkcs7_content)
        if missing == 0:
            embedded.compute_integrity_info(skip_diff=True)
            assert embedded.coverage == SignatureCoverageLevel.ENTIRE_FILE
            return forged
        padding += missing
    raise AssertionError("no padding makes the lengths add up")


def _gap_end(pdf: bytes) -> int:
    """Where the signature's hex string ends (the offset of its ``>``)."""
    start = pdf.index(b"/ByteRange [")
    numbers = pdf[start + 12 : pdf.index(b"]", start)].split()
    return int(numbers[2]) - 1


def bytes_hidden_in_the_signature_gap(pdf: bytes) -> bytes:
    """Write other bytes into the zero padding after the CMS: never signed."""
    hidden = b"2f4a617661536372697074"  # /JavaScript in hex, after the CMS
    end = _gap_end(pdf)
    return pdf[: end - len(hidden)] + hidden + pdf[end:]


def whitespace_in_the_signature_gap(pdf: bytes) -> bytes:
    """Replace two padding digits with spaces: still a PDF hex string."""
    end = _gap_end(pdf)
    return pdf[: end - 2] + b"  " + pdf[end:]


@pytest.fixture(scope="session")
def tampered(documents, thai_agency, thai_instance, score, standard, tmp_path_factory):
    """Name -> (PDF bytes, trust context, standards, the check that must fail)."""
    standards = Catalog.load().standards
    cases = {}
    original = documents["th"].pdf
    cases["bit flip in the signed range"] = (
        flip_bit_in_a_stream(original),
        "signature_intact",
    )
    cases["edited title"] = (edit_title(original), "signature_intact")
    swapped, _ = swap_record_in_an_incremental_update(original)
    cases["record swapped in an update after signing"] = (swapped, "covers_whole_file")
    cases["shadow revision pyHanko calls entire file"] = (
        shadow_update_pyhanko_calls_entire_file(original),
        "covers_whole_file",
    )
    cases["bytes hidden in the signature gap"] = (
        bytes_hidden_in_the_signature_gap(original),
        "covers_whole_file",
    )
    cases["whitespace in the signature gap"] = (
        whitespace_in_the_signature_gap(original),
        "covers_whole_file",
    )

    answers = load_answers("th-scam-compound.json")
    outsider = make_agency(tmp_path_factory.mktemp("outsider"), THAI_AGENCY)
    cases["signed by an untrusted key"] = (
        outsider.issuer.issue(score(answers), standard).pdf,
        "issuer_trusted",
    )

    revoked = thai_agency.issuer.issue(score(answers), standard)
    thai_agency.revoke(revoked.document_id, "issued in error")
    with thai_instance.session() as session:  # what `screening verify` reads
        issued.record_issue(session, revoked)
        issued.withdraw(session, revoked.document_id, "issued in error")
        session.commit()
    cases["revoked document"] = (revoked.pdf, "not_revoked")

    expired_folder = tmp_path_factory.mktemp("expired")
    expired = make_agency(expired_folder, THAI_AGENCY, now=issued_at_past(3), days=365)
    cases["expired certificate"] = (
        expired.issuer.issue(score(answers), standard).pdf,
        "issuer_trusted",
    )

    attacker_key = ec.generate_private_key(ec.SECP256R1())
    honest_make_token = records.make_token
    records.make_token = lambda claims, key: honest_make_token(claims, attacker_key)
    try:
        forged_token = thai_agency.issuer.issue(score(answers), standard)
    finally:
        records.make_token = honest_make_token
    cases["forged QR token"] = (forged_token.pdf, "qr_token")

    in_another_name = Issuer(LAO_AGENCY, thai_agency.issuer.material)
    cases["issued by a trusted agency in another agency's name"] = (
        in_another_name.issue(score(answers), standard).pdf,
        "record_readable",
    )

    future_catalog = copy_catalog(tmp_path_factory.mktemp("future"))
    text = (future_catalog / "standards" / "gms-common@1.yaml").read_text()
    (future_catalog / "standards" / "gms-common@1.yaml").unlink()
    (future_catalog / "standards" / "gms-common@9.yaml").write_text(
        text.replace("\nversion: 1\n", "\nversion: 9\n")
    )
    questionnaire = future_catalog / "gms-returnee" / "1.0.0.yaml"
    questionnaire.write_text(
        questionnaire.read_text().replace("gms-common@1", "gms-common@9")
    )
    future = Catalog.load(future_catalog)
    from screening.batch import assess_answers

    cases["unknown standard version"] = (
        thai_agency.issuer.issue(
            assess_answers(answers, future), future.standard("gms-common@9")
        ).pdf,
        "standard_known",
    )
    return {
        name: (
            data,
            expected,
            thai_agency.trust(),
            standards,
        )
        for name, (data, expected) in cases.items()
    }


TAMPER_CASES = [
    "bit flip in the signed range",
    "edited title",
    "record swapped in an update after signing",
    "shadow revision pyHanko calls entire file",
    "bytes hidden in the signature gap",
    "whitespace in the signature gap",
    "signed by an untrusted key",
    "revoked document",
    "expired certificate",
    "forged QR token",
    "issued by a trusted agency in another agency's name",
    "unknown standard version",
]


@pytest.mark.parametrize("case", TAMPER_CASES)
def test_each_tampered_document_fails_exactly_the_expected_check(case, tampered):
    data, expected, context, standards = tampered[case]

    report = verify_document(data, context, standards)

    assert report.verdict == "invalid"
    assert report.failed() == [expected], report.as_dict()


@pytest.mark.parametrize("case", TAMPER_CASES)
def test_screening_verify_exits_non_zero_for_each_tampered_document(
    case, tampered, thai_instance, tmp_path
):
    data = tampered[case][0]
    path = tmp_path / "tampered.pdf"
    path.write_bytes(data)

    result = thai_instance.run("verify", path)

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["verdict"] == "invalid"
    assert tampered[case][1] in [
        check["check"] for check in report["checks"] if check["status"] == "fail"
    ]


def test_the_swapped_record_fools_pypdf_and_pdfsig_but_not_the_verifier(
    documents, tmp_path
):
    swapped, forged = swap_record_in_an_incremental_update(documents["th"].pdf)
    path = tmp_path / "swapped.pdf"
    path.write_bytes(swapped)

    read_back = pypdf.PdfReader(io.BytesIO(swapped)).attachments
    pdfsig = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout

    assert read_back[records.RECORD_FILENAME] == [forged]
    assert "Signature is Valid" in pdfsig
    assert "Total document signed" not in pdfsig


def test_an_expired_certificate_still_verifies_documents_signed_while_valid(
    tmp_path, score, standard
):
    """Rotation: old documents stay valid after the old certificate expires."""
    agency = make_agency(tmp_path, THAI_AGENCY)
    answers = load_answers("en-factory.json")
    old = agency.issuer.issue(score(answers), standard, IssueOptions())
    new_agency = make_agency(tmp_path, THAI_AGENCY)  # rotates the key

    report = verify_document(
        old.pdf,
        new_agency.trust(),
        Catalog.load().standards,
    )

    assert report.verdict == "valid", report.as_dict()
    assert len(new_agency.trust().own) == 2


def test_a_record_that_inflates_past_the_limit_is_not_read(thai_agency, catalog):
    """A trusted signer's PDF with a compressed bomb as its record."""
    from screening.documents import render

    bomb = b" " * (8 * 1024 * 1024)
    pdf = render.render_pdf(
        "<p>bomb</p>", attachments=[(records.RECORD_FILENAME, bomb, "record")]
    )
    signed = thai_agency.issuer.signer.sign(pdf)

    report = verify_document(signed, thai_agency.trust(), catalog.standards)

    assert len(signed) < 200_000
    assert report.failed() == ["record_readable"]


def test_the_report_names_the_real_signer_not_the_records_claim(
    thai_agency, score, standard, catalog
):
    answers = load_answers("en-factory.json")
    document = Issuer(LAO_AGENCY, thai_agency.issuer.material).issue(
        score(answers), standard
    )
    certificate = thai_agency.issuer.material.certificate

    report = verify_document(document.pdf, thai_agency.trust(), catalog.standards)

    assert report.check("record_readable").code == "record_readable.issuer_mismatch"
    assert report.document["issuer"]["name"] == LAO_AGENCY.name
    assert report.as_dict()["signer"] == {
        "group": "own",
        "own": True,
        "subject": certificate.subject.rfc4514_string(),
        "organization": THAI_AGENCY.name,
        "country": "TH",
        "certificate_sha256": thai_agency.issuer.material.fingerprint,
    }
