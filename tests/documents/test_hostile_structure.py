"""PDFs built to exhaust the verifier: few bytes, endless walks or huge parses.

Each gets a plain verdict after a short, bounded amount of work.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from screening.documents import render
from screening.documents.verify import MAX_HEX_STRING, verify_document


def tiny_pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF of the given numbered objects (1 is the catalog), with its xref."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets.get(number, 0)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        xref,
    )
    return bytes(out)


def fields_listing_each_other(levels: int, width: int) -> bytes:
    """Form fields where each level lists the next one ``width`` times."""
    first = 2
    objects = {1: b"<< /Type /Catalog /AcroForm << /Fields [%d 0 R] >> >>" % first}
    for level in range(first, first + levels):
        kids = b" ".join([b"%d 0 R" % (level + 1)] * width)
        objects[level] = b"<< /T (f%d) /Kids [%s] >>" % (level, kids)
    objects[first + levels] = b"<< /T (leaf) /FT /Sig >>"
    return tiny_pdf(objects)


@pytest.fixture
def counted_lookups(monkeypatch):
    """How many indirect objects the verifier resolves."""
    calls = {"count": 0}
    original = generic.IndirectObject.get_object

    def counting(self):
        calls["count"] += 1
        return original(self)

    monkeypatch.setattr(generic.IndirectObject, "get_object", counting)
    return calls


def test_a_field_tree_with_more_paths_than_objects_is_refused_unwalked(
    thai_agency, catalog, counted_lookups
):
    pdf = fields_listing_each_other(levels=5, width=10)  # 100,000 paths

    report = verify_document(pdf, thai_agency.trust(), catalog.standards)

    assert len(pdf) < 2_000
    assert (report.verdict, report.problem) == ("unreadable", "input.damaged")
    assert counted_lookups["count"] < 200


def test_a_field_that_is_its_own_kid_is_refused(thai_agency, catalog):
    pdf = tiny_pdf(
        {
            1: b"<< /Type /Catalog /AcroForm << /Fields [2 0 R] >> >>",
            2: b"<< /T (loop) /Kids [2 0 R] >>",
        }
    )

    report = verify_document(pdf, thai_agency.trust(), catalog.standards)

    assert (report.verdict, report.problem) == ("unreadable", "input.damaged")


def test_a_huge_hex_string_is_refused_before_it_is_parsed(thai_agency, catalog):
    contents = b"<" + b"0" * (MAX_HEX_STRING + 2) + b">"
    pdf = tiny_pdf(
        {
            1: b"<< /Type /Catalog /AcroForm << /Fields [2 0 R] >> >>",
            2: b"<< /FT /Sig /T (s) /V << /Type /Sig /Contents %s "
            b"/ByteRange [0 1 2 3] >> >>" % contents,
        }
    )

    report = verify_document(pdf, thai_agency.trust(), catalog.standards)

    assert (report.verdict, report.problem) == ("unreadable", "input.damaged")


def test_a_trusted_signers_name_tree_of_repeated_kids_is_walked_once(
    thai_agency, catalog, counted_lookups
):
    """Signed by a trusted key, so the verifier reads its embedded files."""
    writer = IncrementalPdfFileWriter(io.BytesIO(render.render_pdf("<p>tree</p>")))
    node = writer.add_object(generic.DictionaryObject({}))
    for _ in range(6):  # 10**6 paths down to the bottom node
        node = writer.add_object(
            generic.DictionaryObject(
                {generic.NameObject("/Kids"): generic.ArrayObject([node] * 10)}
            )
        )
    writer.root[generic.NameObject("/Names")] = generic.DictionaryObject(
        {generic.NameObject("/EmbeddedFiles"): node}
    )
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    signed = thai_agency.issuer.signer.sign(output.getvalue())
    counted_lookups["count"] = 0

    report = verify_document(signed, thai_agency.trust(), catalog.standards)

    assert report.failed() == ["record_readable"]
    assert counted_lookups["count"] < 2_000


def test_a_photo_that_unpacks_to_too_many_pixels_is_not_decoded(monkeypatch):
    from PIL import Image

    from screening.documents.verify import MAX_IMAGE_PIXELS, decode_qr_image

    side = int(MAX_IMAGE_PIXELS**0.5) + 10
    picture = io.BytesIO()
    Image.new("1", (side, side)).save(picture, "PNG")  # ~7,000 px square, 1 bit
    decoded = []
    original = Image.Image.load

    def load(self):
        decoded.append(self.size)
        return original(self)

    monkeypatch.setattr(Image.Image, "load", load)

    assert decode_qr_image(picture.getvalue()) == []
    assert len(picture.getvalue()) < 1_000_000
    assert decoded == []


def small_progressive_jpeg() -> bytes:
    from PIL import Image

    picture = io.BytesIO()
    Image.new("L", (64, 64), 200).save(picture, "JPEG", progressive=True)
    return picture.getvalue()


def decoded_sizes(monkeypatch) -> list[tuple[int, int]]:
    """The size of every picture Pillow decodes from now on."""
    from PIL import Image

    decoded: list[tuple[int, int]] = []
    original = Image.Image.load

    def load(self):
        decoded.append(self.size)
        return original(self)

    monkeypatch.setattr(Image.Image, "load", load)
    return decoded


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_jpeg_claiming_a_huge_size_is_not_decoded_even_at_a_draft_size(
    monkeypatch,
):
    """JPEG drafts decode at a reduced size, but a progressive one still
    keeps every coefficient of the full size: the header's size decides."""
    from screening.documents.verify import decode_qr_image

    jpeg = bytearray(small_progressive_jpeg())
    frame = jpeg.index(b"\xff\xc2")  # progressive frame: length, precision, H, W
    jpeg[frame + 5 : frame + 9] = (13_000).to_bytes(2, "big") * 2
    decoded = decoded_sizes(monkeypatch)

    assert decode_qr_image(bytes(jpeg)) == []
    assert decoded == []


def test_a_jpeg_of_very_many_scans_is_not_decoded(monkeypatch):
    from screening.documents.verify import MAX_JPEG_SCANS, decode_qr_image

    jpeg = small_progressive_jpeg()
    scan = jpeg.index(b"\xff\xda")
    many = jpeg[:scan] + jpeg[scan:-2] * (MAX_JPEG_SCANS + 1) + jpeg[-2:]
    decoded = decoded_sizes(monkeypatch)

    assert decode_qr_image(many) == []
    assert decoded == []
    assert decode_qr_image(jpeg) == []  # an honest one is read (no QR in it)
    assert set(decoded) == {(64, 64)}
