"""The command line: keys, trust, issue, verify, revocation, and odd inputs."""

from __future__ import annotations

import io
import json

import pypdf
import pytest
from click.testing import CliRunner

from screening.cli import cli
from screening.documents import render
from screening.documents.verify import MAX_DOCUMENT_BYTES, verify_document

from .conftest import EXAMPLES

DEMO: list[str] = []  # the bundled questionnaires


def run(instance, *arguments, input_bytes=None):
    result = CliRunner().invoke(
        cli,
        [str(argument) for argument in arguments],
        env={"SCREENING_INSTANCE_PATH": str(instance)},
        input=input_bytes,
    )
    return result


@pytest.fixture(scope="module")
def lao_instance(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lao-cli")
    result = run(
        folder, "keys", "create", "--name", "Bokeo Anti-Trafficking Unit",
        "--country", "LA", "--province", "Bokeo",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder


def test_keys_create_writes_the_agency_settings_and_a_certificate(lao_instance):
    settings = json.loads((lao_instance / "agency.json").read_text())
    shown = json.loads(run(lao_instance, "keys", "show").stdout)

    assert settings["country"] == "LA"
    assert len(shown) == 1 and shown[0]["current"]


def test_issue_then_verify_with_the_cli(lao_instance, tmp_path):
    output = tmp_path / "result.pdf"

    issued = run(
        lao_instance, "issue", EXAMPLES / "lo-declined.json", "-o", output,
        "--second-language", "th", *DEMO,
    )  # fmt: skip
    verified = run(lao_instance, "verify", output, *DEMO)

    assert issued.exit_code == 0, issued.output
    assert json.loads(issued.stdout)["band"] == "possible"
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["verdict"] == "valid"


def test_issue_reports_a_bad_answers_file_plainly(lao_instance, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"questionnaire": {"id": "gms-returnee"}, "answers": {"x": 1}}')

    result = run(lao_instance, "issue", bad, "-o", tmp_path / "x.pdf", *DEMO)

    assert result.exit_code == 1
    assert "no such question" in result.output
    assert "Traceback" not in result.output


def test_verify_a_folder_exits_zero_only_when_every_document_passes(
    thai_agency, document_files, tmp_path
):
    folder = document_files["th"].parent

    good = run(thai_agency.instance, "verify", folder, *DEMO)
    (tmp_path / "ok.pdf").write_bytes(document_files["en"].read_bytes())
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7 not really")
    mixed = run(thai_agency.instance, "verify", tmp_path, *DEMO)

    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["summary"] == {"total": 3, "valid": 3}
    assert mixed.exit_code == 1
    verdicts = {
        doc["file"].rsplit("/", 1)[1]: doc["verdict"]
        for doc in json.loads(mixed.stdout)["documents"]
    }
    assert verdicts == {"bad.pdf": "unreadable", "ok.pdf": "valid"}


def test_verify_in_worker_processes_gives_the_same_report(thai_agency, document_files):
    folder = document_files["th"].parent

    result = run(thai_agency.instance, "verify", "--jobs", "2", folder, *DEMO)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["valid"] == 3


def test_verify_token_from_text_and_from_a_photo(thai_agency, documents, tmp_path):
    from .test_qr import page_one_png

    path = tmp_path / "doc.pdf"
    path.write_bytes(documents["en"].pdf)
    (tmp_path / "photo.png").write_bytes(page_one_png(path, 150))

    pasted = run(thai_agency.instance, "verify-token", documents["en"].token)
    photo = run(thai_agency.instance, "verify-token", "--image", tmp_path / "photo.png")
    forged = run(thai_agency.instance, "verify-token", "GMS1:NOPE")

    assert pasted.exit_code == 0 and photo.exit_code == 0
    assert json.loads(photo.stdout)["document"]["document_id"] == (
        documents["en"].document_id
    )
    assert forged.exit_code == 1


def test_trust_and_revocation_files_travel_through_the_cli(
    lao_instance, tmp_path_factory, tmp_path
):
    thai = tmp_path_factory.mktemp("thai-cli")
    run(thai, "keys", "create", "--name", "Thai Office", "--country", "TH")
    pdf = tmp_path / "thai.pdf"
    issued = run(thai, "issue", EXAMPLES / "th-scam-compound.json", "-o", pdf, *DEMO)
    document_id = json.loads(issued.stdout)["document_id"]
    bundle, revocations = tmp_path / "thai.pem", tmp_path / "thai-revoked.json"

    assert run(thai, "trust", "export", "-o", bundle).exit_code == 0
    assert run(lao_instance, "trust", "import", bundle).exit_code == 0
    assert run(lao_instance, "verify", pdf, *DEMO).exit_code == 0
    assert run(thai, "revoke", document_id, "--reason", "duplicate").exit_code == 0
    assert run(thai, "revocations", "export", "-o", revocations).exit_code == 0
    assert run(lao_instance, "revocations", "import", revocations).exit_code == 0
    after = run(lao_instance, "verify", pdf, *DEMO)

    assert after.exit_code == 1
    failed = [
        c["code"] for c in json.loads(after.stdout)["checks"] if c["status"] == "fail"
    ]
    assert failed == ["not_revoked.revoked"]


def encrypted_copy(pdf: bytes) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def odd_inputs(documents):
    signed = documents["en"].pdf
    unsigned = render.render_pdf("<p>Some other PDF</p>")
    return {
        "empty": (b"", "input.not_pdf"),
        "text": (b"hello, this is not a PDF", "input.not_pdf"),
        "png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "input.not_pdf"),
        "truncated": (signed[: len(signed) // 2], None),
        "huge": (b"%PDF-1.7\n" + b" " * (MAX_DOCUMENT_BYTES + 1), "input.too_large"),
        "encrypted": (encrypted_copy(signed), "input.encrypted"),
        "garbage after header": (b"%PDF-1.7\n" + bytes(range(256)) * 40, None),
        "unsigned foreign pdf": (unsigned, "signature_intact.unsigned"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "empty",
        "text",
        "png",
        "truncated",
        "huge",
        "encrypted",
        "garbage after header",
        "unsigned foreign pdf",
    ],
)
def test_odd_inputs_get_a_plain_verdict_and_never_an_exception(
    name, odd_inputs, thai_agency, catalog
):
    data, expected = odd_inputs[name]

    report = verify_document(data, thai_agency.trust(), catalog.standards)

    assert report.verdict in ("unreadable", "invalid")
    codes = [report.problem] + [c.code for c in report.checks if c.status == "fail"]
    if expected:
        assert expected in codes
    json.dumps(report.as_dict(), ensure_ascii=False)


def test_a_trusted_certificate_can_be_listed_and_removed(tmp_path_factory):
    lao = tmp_path_factory.mktemp("lao-remove")
    thai = tmp_path_factory.mktemp("thai-remove")
    run(lao, "keys", "create", "--name", "Lao Unit", "--country", "LA")
    run(thai, "keys", "create", "--name", "Thai Office", "--country", "TH")
    bundle = thai / "bundle.pem"
    run(thai, "trust", "export", "-o", bundle)
    run(lao, "trust", "import", bundle)

    listed = json.loads(run(lao, "trust", "list").stdout)
    imported = [entry["sha256"] for entry in listed if not entry["own"]]
    removed = run(lao, "trust", "remove", imported[0])
    again = run(lao, "trust", "remove", imported[0])
    odd = run(lao, "trust", "remove", "../../keys/signing-key")

    assert len(imported) == 1
    assert removed.exit_code == 0
    assert again.exit_code == 1 and odd.exit_code == 1
    assert all(entry["own"] for entry in json.loads(run(lao, "trust", "list").stdout))
