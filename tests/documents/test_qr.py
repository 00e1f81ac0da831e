"""The printed QR code: decoded from a raster of page 1, verified offline."""

from __future__ import annotations

import io
import subprocess
import zlib

import cbor2
import pytest
from PIL import Image, ImageFilter

from screening.documents import record as records
from screening.documents.verify import decode_qr_image, verify_token, verify_token_image


def page_one_png(path, dpi: int) -> bytes:
    return subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", str(path)],
        capture_output=True,
        check=True,
    ).stdout


@pytest.fixture(scope="session")
def page_one(document_files) -> bytes:
    return page_one_png(document_files["th"], 150)


def test_the_qr_on_a_150_dpi_raster_of_page_one_decodes_to_the_embedded_token(
    page_one, documents
):
    assert decode_qr_image(page_one) == [documents["th"].token]


def test_the_decoded_qr_token_verifies_against_the_trusted_issuer(
    page_one, thai_agency, documents
):
    report = verify_token_image(page_one, thai_agency.trust())

    assert report.verdict == "valid", report.as_dict()
    assert report.document["band"] == "likely"
    assert report.document["record_sha256"] == (
        records.record_hash(documents["th"].record_bytes).hex()
    )


def test_a_blurred_rotated_jpeg_photo_of_the_qr_still_verifies(
    document_files, thai_agency
):
    page = Image.open(io.BytesIO(page_one_png(document_files["th"], 300)))
    photo = page.convert("RGB").rotate(7, expand=True, fillcolor="white")
    photo = photo.filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=55)

    report = verify_token_image(buffer.getvalue(), thai_agency.trust())

    assert report.verdict == "valid"


def test_the_qr_is_printed_at_least_30_mm_wide(document_files):
    png = Image.open(io.BytesIO(page_one_png(document_files["th"], 100)))
    gray = png.convert("L")
    width, height = gray.size
    right_quarter = gray.crop((width * 3 // 4, 0, width, height // 4))
    dark = right_quarter.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert dark is not None
    printed_mm = (dark[2] - dark[0]) / 100 * 25.4

    assert printed_mm >= 28  # 32 mm box less the quiet zone of two modules


def test_a_token_carries_no_names_and_is_small(documents):
    token = documents["lo"].token
    claims, _, _ = records.read_token(token)

    assert len(token) < 400
    assert "ບົວພັນ" not in token
    assert set(vars(claims)) == {
        "document_id",
        "issued_at",
        "band",
        "standard",
        "record_sha256",
        "issuer_key_id",
    }


def test_a_pasted_token_from_an_untrusted_or_unknown_issuer_is_refused(
    documents, lao_agency
):
    report = verify_token(documents["th"].token, lao_agency.trust())

    assert report.verdict == "invalid"
    assert report.failed() == ["token_signature"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "GMS1:",
        "GMS1:%%%%",
        "GMS1:" + "A" * 3000,
        "GMS1:" + records.base45_encode(b"\x78\x9c" + b"\x00" * 40),
    ],
)
def test_garbage_tokens_get_a_plain_verdict(text, thai_agency):
    report = verify_token(text, thai_agency.trust())

    assert report.verdict == "invalid"
    assert report.failed() == ["token_readable"]


def test_a_token_whose_signature_bytes_were_changed_is_refused(documents, thai_agency):
    _claims, payload, signature = records.read_token(documents["en"].token)
    bad = bytes([signature[0] ^ 1]) + signature[1:]
    token = records.TOKEN_PREFIX + records.base45_encode(
        zlib.compress(cbor2.dumps([payload, bad]))
    )

    assert verify_token(token, thai_agency.trust()).failed() == ["token_signature"]


def test_an_image_without_a_qr_code_is_a_plain_verdict(thai_agency):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buffer, "PNG")

    for image in (buffer.getvalue(), b"not an image at all"):
        report = verify_token_image(image, thai_agency.trust())
        assert report.failed() == ["token_readable"]
