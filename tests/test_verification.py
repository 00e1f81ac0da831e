"""The verify page and the JSON API: plain verdicts for anything uploaded."""

from __future__ import annotations

import io
import json
import re
import shutil
import socket
import subprocess
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from screening import db
from screening.batch import assess_answers
from screening.catalog import Catalog
from screening.documents import bounded, keys, render
from screening.documents.issue import IssueOptions, Issuer
from screening.documents.signing import DocumentSigner
from screening.documents.verify import MAX_DOCUMENT_BYTES, verify_document
from screening.extensions import services
from screening.models import AuditEvent
from tests.conftest import csrf_token, make_user

pytestmark = pytest.mark.slow

AGENCY = keys.AgencyIdentity("Chiang Rai PSDHS", "TH", "Chiang Rai")
STRANGER = keys.AgencyIdentity("Somewhere Else", "KH", "")
ANSWERS = {
    "questionnaire": {"id": "mini", "version": "0.1.0"},
    "language": "en",
    "answers": {
        "consent_screening": "yes",
        "age_at_departure": 15,
        "job_found": "online",
        "work_kinds": ["scam"],
    },
}
CHECK = re.compile(r'<li class="check (pass|fail|skipped)" data-check="(\w+)">')


@pytest.fixture(scope="session")
def signed(tmp_path_factory, catalog_folder):
    """A key folder and a document it signed, made once for the whole module."""
    folder = tmp_path_factory.mktemp("verify-keys")
    keys.create_signing_key(folder, AGENCY)
    catalog = Catalog.load(catalog_folder)
    scored = assess_answers(ANSWERS, catalog)
    document = Issuer(AGENCY, keys.load_signing_material(folder)).issue(
        scored, catalog.standard("gms-common@1"), IssueOptions(second_language="th")
    )
    return folder, document


@pytest.fixture
def trusting(app, signed, people):
    """The app signs with the same key, so it trusts the document as its own."""
    folder, document = signed
    shutil.copytree(folder / "keys", Path(app.instance_path) / "keys")
    return document


@pytest.fixture(scope="session")
def foreign_pdf(tmp_path_factory) -> bytes:
    """A PDF signed properly, by an agency nobody here trusts."""
    folder = tmp_path_factory.mktemp("foreign")
    keys.create_signing_key(folder, STRANGER)
    signer = DocumentSigner(keys.load_signing_material(folder), None)
    return signer.sign(render.render_pdf("<p>A result from elsewhere</p>"))


def encrypted(pdf: bytes) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(browser, data: bytes, name: str = "result.pdf", kind: str = "pdf"):
    field = "document" if kind == "pdf" else "image"
    return browser.post(
        "/verify",
        {"kind": kind, field: (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def checks(page: str) -> dict[str, str]:
    return {name: status for status, name in CHECK.findall(page)}


def test_a_verifier_sees_a_plain_verdict_and_every_check_on_its_own_line(
    app, trusting, signed_in
):
    verifier = signed_in("verifier")
    start = verifier.get("/", follow_redirects=True).get_data(as_text=True)

    response = upload(verifier, trusting.pdf)
    page = response.get_data(as_text=True)

    assert 'id="verify-pdf"' in start  # a verifier lands on the verify page
    assert response.status_code == 200
    assert 'data-verdict="valid"' in page
    assert "Genuine: every check passed." in page
    assert checks(page) == {
        name: "pass"
        for name in (
            "signature_intact",
            "covers_whole_file",
            "issuer_trusted",
            "record_readable",
            "not_revoked",
            "standard_known",
            "band_recomputed",
            "qr_token",
        )
    }
    assert "Likely victim of trafficking" in page
    assert trusting.document_id in page
    assert "This agency: Chiang Rai PSDHS (Chiang Rai, TH)" in page
    assert (
        keys.fingerprint(
            keys.load_signing_material(Path(app.instance_path)).certificate
        )
        in page
    )
    with app.app_context():
        [row] = db.session().scalars(
            select(AuditEvent).where(AuditEvent.action == "document.verify")
        )
        assert (row.record_id, row.detail) == (trusting.document_id, "valid (pdf)")


@pytest.mark.parametrize(
    ("language", "verdict", "check"),
    [
        ("th", "เอกสารถูกต้อง: ผ่านการตรวจสอบทุกข้อ", "ลายมือชื่อครอบคลุมทั้งไฟล์"),
        ("lo", "ເອກະສານຖືກຕ້ອງ: ຜ່ານການກວດສອບທຸກຂໍ້.", "ລາຍເຊັນຄອບຄຸມທັງໄຟລ໌."),
    ],
)
def test_the_verdict_reads_in_the_interface_language(
    trusting, signed_in, language, verdict, check
):
    verifier = signed_in("verifier")
    verifier.post("/language", {"language": language, "next": "/verify"})

    page = upload(verifier, trusting.pdf).get_data(as_text=True)

    assert f'<html lang="{language}">' in page
    assert verdict in page and check in page
    assert "Genuine" not in page


def test_a_pasted_qr_token_and_a_photo_of_the_qr_verify(trusting, signed_in, tmp_path):
    verifier = signed_in("verifier")
    path = tmp_path / "result.pdf"
    path.write_bytes(trusting.pdf)
    photo = subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(path)],
        capture_output=True,
        check=True,
    ).stdout

    pasted = verifier.post("/verify", {"kind": "token", "token": trusting.token})
    pictured = upload(verifier, photo, "photo.png", kind="image")
    forged = verifier.post("/verify", {"kind": "token", "token": "GMS1:FORGED"})

    for response in (pasted, pictured):
        page = response.get_data(as_text=True)
        assert 'data-verdict="valid"' in page
        assert set(checks(page)) == {
            "token_readable",
            "token_signature",
            "issuer_trusted",
            "not_revoked",
        }
    assert 'data-verdict="invalid"' in forged.get_data(as_text=True)


def bad_uploads(trusting, foreign_pdf) -> dict[str, tuple[bytes, str]]:
    pdf = trusting.pdf
    return {
        "foreign": (foreign_pdf, "The signer is not in the trust list."),
        "damaged": (pdf[: len(pdf) // 2], "This file cannot be verified."),
        "encrypted": (encrypted(pdf), "The PDF is encrypted"),
        "empty": (b"", "The file is not a PDF document."),
        "not a pdf": (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not a PDF document"),
        "huge": (
            b"%PDF-1.7\n" + b" " * (MAX_DOCUMENT_BYTES + 1),
            "larger than the verifier accepts",
        ),
    }


@pytest.mark.parametrize(
    "case", ["foreign", "damaged", "encrypted", "empty", "not a pdf", "huge"]
)
def test_a_bad_upload_gets_a_plain_verdict(trusting, foreign_pdf, signed_in, case):
    data, words = bad_uploads(trusting, foreign_pdf)[case]

    response = upload(signed_in("verifier"), data)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert re.search(r'data-verdict="(invalid|unreadable)"', page)
    assert words in page
    assert "Traceback" not in page


def test_an_upload_over_the_request_limit_gets_a_friendly_page(signed_in):
    too_large = b"%PDF-1.7\n" + b" " * (16 * 1024 * 1024)

    response = upload(signed_in("verifier"), too_large)
    page = response.get_data(as_text=True)

    assert response.status_code == 413
    assert "too large to verify" in page
    assert 'href="/verify"' in page


def test_a_form_sent_without_a_file_asks_for_one(signed_in):
    response = signed_in("verifier").post("/verify", {"kind": "pdf"})

    assert response.status_code == 400
    assert "Choose a PDF file" in response.get_data(as_text=True)


def in_process(data, trust, standards, **_limits):
    return verify_document(data, trust, standards)


def test_verifying_never_contacts_the_issuer(trusting, signed_in, monkeypatch):
    verifier = signed_in("verifier")
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network during verification")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    # The page verifies a PDF in a worker process, out of reach of these
    # patches: here the same verifier runs in this process instead.
    monkeypatch.setattr(bounded, "verify_bounded", in_process)
    page = upload(verifier, trusting.pdf).get_data(as_text=True)

    assert 'data-verdict="valid"' in page
    assert attempts == []


def test_only_roles_that_verify_open_the_page(app, people, signed_in):
    from screening import db as database

    with app.app_context():
        make_user(database.session(), people.agency, "trainer", {"trainer"})
        database.session().commit()

    assert signed_in("trainer").get("/verify").status_code == 403
    for name in ("verifier", "nok", "malee", "anan", "admin"):
        assert signed_in(name).get("/verify").status_code == 200, name


# --- the JSON API -------------------------------------------------------------------


def api(browser, data, content_type: str, csrf: bool = True):
    headers = {"X-CSRFToken": browser.token} if csrf else {}
    return browser.client.post(
        "/api/verify", data=data, content_type=content_type, headers=headers
    )


def test_the_api_takes_a_pdf_body_a_form_or_a_json_token(trusting, signed_in, app):
    verifier = signed_in("verifier")

    body = api(verifier, trusting.pdf, "application/pdf")
    form = api(
        verifier,
        {"document": (io.BytesIO(trusting.pdf), "r.pdf")},
        "multipart/form-data",
    )
    token = api(verifier, json.dumps({"token": trusting.token}), "application/json")
    foreign = api(verifier, b"not a pdf", "application/pdf")

    assert body.status_code == form.status_code == token.status_code == 200
    assert body.json["verdict"] == form.json["verdict"] == "valid"
    assert body.json["kind"] == "pdf" and token.json["kind"] == "token"
    assert token.json["verdict"] == "valid"
    assert body.json["checks"][0]["check"] == "signature_intact"
    assert body.json["checks"][0]["message"]["lo"]
    assert foreign.json["verdict"] == "unreadable"
    assert foreign.json["problem"]["code"] == "input.not_pdf"
    with app.app_context():
        verdicts = [
            row.detail
            for row in db.session().scalars(
                select(AuditEvent).where(AuditEvent.action == "document.verify")
            )
        ]
    assert sorted(verdicts) == [
        "unreadable (pdf)",
        "valid (pdf)",
        "valid (pdf)",
        "valid (token)",
    ]


def test_the_api_gives_a_plain_verdict_on_a_pdf_too_complex_to_check(
    app, signed_in, monkeypatch
):
    from tests.documents.test_bounded import names_in_an_object_stream

    # A smaller memory limit than the default, so that the child meets it soon.
    small = replace(services(app).settings, verify_memory_mb=256)
    monkeypatch.setattr(services(app), "settings", small)
    verifier = signed_in("verifier")

    response = api(verifier, names_in_an_object_stream(5_000_000), "application/pdf")

    assert response.status_code == 200
    assert response.json["verdict"] == "unreadable"
    assert response.json["problem"]["code"] == "input.too_complex"
    assert response.json["problem"]["message"]["th"].startswith("ไฟล์นี้ซับซ้อน")
    with app.app_context():
        [row] = db.session().scalars(
            select(AuditEvent).where(AuditEvent.action == "document.verify")
        )
    assert row.detail == "unreadable (pdf)"


def test_the_api_refuses_hostile_json_with_a_plain_400(signed_in):
    verifier = signed_in("verifier")
    bodies = {
        "deep": b"[" * 100_000 + b"]" * 100_000,
        "deep token": b'{"token": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "lone surrogate": b'{"token": "GMS1:\\ud800"}',
        "not utf-8": b'{"token": "\xff\xfe"}',
        "a list": b'["GMS1:"]',
    }

    responses = {
        name: api(verifier, body, "application/json") for name, body in bodies.items()
    }

    for name, response in responses.items():
        assert response.status_code == 400, name
        assert response.json["error"] == 400, name


def test_the_api_needs_a_session_a_csrf_header_and_a_role(
    app, people, trusting, signed_in
):
    stranger = app.test_client()
    anonymous = stranger.post(
        "/api/verify",
        data=trusting.pdf,
        content_type="application/pdf",
        headers={"X-CSRFToken": csrf_token(stranger)},  # a token, but no login
    )
    verifier = signed_in("verifier")
    without_csrf = api(verifier, trusting.pdf, "application/pdf", csrf=False)
    empty = api(verifier, b"{}", "application/json")
    too_large = api(verifier, b"%PDF" + b" " * (16 * 1024 * 1024), "application/pdf")

    assert anonymous.status_code == 401 and anonymous.json["error"] == 401
    assert without_csrf.status_code == 400 and without_csrf.json["error"] == 400
    assert empty.status_code == 400
    assert too_large.status_code == 413 and too_large.json["error"] == 413


def test_the_page_names_who_signed_not_the_agency_the_record_claims(
    app, trusting, signed_in, catalog_folder
):
    """A trusted key cannot issue documents that read as another agency's."""
    material = keys.load_signing_material(Path(app.instance_path))
    catalog = Catalog.load(catalog_folder)
    document = Issuer(STRANGER, material).issue(
        assess_answers(ANSWERS, catalog), catalog.standard("gms-common@1")
    )
    verifier = signed_in("verifier")

    page = upload(verifier, document.pdf).get_data(as_text=True)
    answer = api(verifier, document.pdf, "application/pdf").json

    assert 'data-verdict="invalid"' in page
    assert checks(page)["record_readable"] == "fail"
    assert "Somewhere Else" not in page
    assert "This agency: Chiang Rai PSDHS (Chiang Rai, TH)" in page
    assert answer["signer"]["organization"] == "Chiang Rai PSDHS"
    assert answer["signer"]["certificate_sha256"] == material.fingerprint
