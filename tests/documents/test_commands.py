"""The command line: keys, trust, issue, verify, revocation, and odd inputs."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pypdf
import pytest

from screening.documents import render
from screening.documents.verify import MAX_DOCUMENT_BYTES, verify_document
from tests.conftest import Database

from .conftest import EXAMPLES, LAO_AGENCY, THAI_AGENCY, Instance, make_instance


@pytest.fixture(scope="module")
def lao_instance(tmp_path_factory) -> Iterator[Instance]:
    folder = tmp_path_factory.mktemp("lao-cli")
    database = Database.create(folder, "lao_cli")
    yield make_instance(folder / "instance", database, LAO_AGENCY)
    database.drop()


@pytest.fixture(scope="module")
def thai_cli(tmp_path_factory) -> Iterator[Instance]:
    folder = tmp_path_factory.mktemp("thai-cli")
    database = Database.create(folder, "thai_cli")
    yield make_instance(folder / "instance", database, THAI_AGENCY)
    database.drop()


def test_init_gives_the_agency_a_signing_key_and_keys_create_rotates_it(
    lao_instance, tmp_path_factory
):
    folder = tmp_path_factory.mktemp("rotation")
    database = Database.create(folder, "rotation")
    instance = make_instance(folder / "instance", database, LAO_AGENCY)
    first = json.loads(instance.run("keys", "show").stdout)
    again = instance.run("init")
    rotated = instance.run("keys", "create", "--days", "30")
    after = json.loads(instance.run("keys", "show").stdout)
    database.drop()

    assert len(first) == 1 and first[0]["current"]
    assert "C=LA" in first[0]["subject"]
    assert "ST=Bokeo" in first[0]["subject"]
    assert "Signing key" not in again.output
    assert rotated.exit_code == 0, rotated.output
    assert len(after) == 2
    assert [row["current"] for row in after].count(True) == 1
    assert not (folder / "instance" / "agency.json").exists()


def test_issue_then_verify_with_the_cli(lao_instance, tmp_path):
    output = tmp_path / "result.pdf"

    issued = lao_instance.run(
        "issue", EXAMPLES / "lo-declined.json", "-o", output, "--second-language", "th"
    )
    verified = lao_instance.run("verify", output)

    from_stdin = lao_instance.run("verify", "-", input=output.read_bytes())
    two = lao_instance.run("verify", "-", output)

    assert issued.exit_code == 0, issued.output
    assert json.loads(issued.stdout)["band"] == "possible"
    assert output.stat().st_mode & 0o777 == 0o600  # it may name the person
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["verdict"] == "valid"
    assert from_stdin.exit_code == 0, from_stdin.output
    assert json.loads(from_stdin.stdout)["verdict"] == "valid"
    assert two.exit_code == 2
    assert "must be the only document" in two.output


def test_issuing_and_verifying_from_the_cli_leave_audit_rows(lao_instance, tmp_path):
    from sqlalchemy import select

    from screening.models import AuditEvent, IssuedDocument

    output = tmp_path / "result.pdf"
    issued = json.loads(
        lao_instance.run("issue", EXAMPLES / "en-factory.json", "-o", output).stdout
    )
    lao_instance.run("verify", output)

    with lao_instance.session() as session:
        row = session.scalars(
            select(IssuedDocument).where(
                IssuedDocument.document_id == issued["document_id"]
            )
        ).one()
        kept = (row.screening_id, row.status, row.pdf, row.band)
        actions = [
            (event.action, event.detail)
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.record_id == issued["document_id"])
            )
        ]
    assert kept == (None, "valid", None, issued["band"])
    assert actions == [
        ("document.issue", "by the command line"),
        ("document.verify", "valid, by the command line"),
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"questionnaire": {"id": "gms-returnee"}, "answers": {"x": 1}}', "no such"),
        (b"\xff\xfe not text", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
        (b'{"questionnaire": ', "Expecting value"),
    ],
    ids=["unknown question", "not utf-8", "deep nesting", "broken json"],
)
def test_issue_reports_a_bad_answers_file_plainly(
    lao_instance, tmp_path, content, words
):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)

    result = lao_instance.run("issue", bad, "-o", tmp_path / "x.pdf")

    assert result.exit_code == 1
    assert words in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_verify_a_folder_exits_zero_only_when_every_document_passes(
    thai_instance, document_files, tmp_path
):
    folder = document_files["th"].parent

    good = thai_instance.run("verify", folder)
    (tmp_path / "ok.pdf").write_bytes(document_files["en"].read_bytes())
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7 not really")
    mixed = thai_instance.run("verify", tmp_path)

    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["summary"] == {"total": 3, "valid": 3}
    assert mixed.exit_code == 1
    verdicts = {
        doc["file"].rsplit("/", 1)[1]: doc["verdict"]
        for doc in json.loads(mixed.stdout)["documents"]
    }
    assert verdicts == {"bad.pdf": "unreadable", "ok.pdf": "valid"}


def test_verify_in_worker_processes_gives_the_same_report(
    thai_instance, document_files
):
    folder = document_files["th"].parent

    result = thai_instance.run("verify", "--jobs", "2", folder)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["valid"] == 3


def test_verify_token_from_text_and_from_a_photo(thai_instance, documents, tmp_path):
    from .test_qr import page_one_png

    path = tmp_path / "doc.pdf"
    path.write_bytes(documents["en"].pdf)
    (tmp_path / "photo.png").write_bytes(page_one_png(path, 150))

    pasted = thai_instance.run("verify-token", documents["en"].token)
    photo = thai_instance.run("verify-token", "--image", tmp_path / "photo.png")
    forged = thai_instance.run("verify-token", "GMS1:NOPE")

    assert pasted.exit_code == 0 and photo.exit_code == 0
    assert json.loads(photo.stdout)["document"]["document_id"] == (
        documents["en"].document_id
    )
    assert forged.exit_code == 1


def test_trust_and_revocation_files_travel_through_the_cli(
    lao_instance, thai_cli, tmp_path
):
    pdf = tmp_path / "thai.pdf"
    issued = thai_cli.run("issue", EXAMPLES / "th-scam-compound.json", "-o", pdf)
    document_id = json.loads(issued.stdout)["document_id"]
    bundle, revocations = tmp_path / "thai.pem", tmp_path / "thai-revoked.json"
    older = tmp_path / "thai-revoked-before.json"

    assert thai_cli.run("trust", "export", "-o", bundle).exit_code == 0
    assert lao_instance.run("trust", "import", "--yes", bundle).exit_code == 0
    assert lao_instance.run("verify", pdf).exit_code == 0
    assert thai_cli.run("revocations", "export", "-o", older).exit_code == 0
    assert thai_cli.run("revoke", document_id, "--reason", "duplicate").exit_code == 0
    again = thai_cli.run("revoke", document_id, "--reason", "duplicate")
    assert thai_cli.run("revocations", "export", "-o", revocations).exit_code == 0
    assert lao_instance.run("revocations", "import", revocations).exit_code == 0
    rollback = lao_instance.run("revocations", "import", older)
    after = lao_instance.run("verify", pdf)

    assert again.exit_code == 1 and "already withdrawn" in again.output
    assert rollback.exit_code == 1 and "older" in rollback.output
    assert after.exit_code == 1
    failed = [
        c["code"] for c in json.loads(after.stdout)["checks"] if c["status"] == "fail"
    ]
    assert failed == ["not_revoked.revoked"]


def test_a_document_is_superseded_only_by_a_later_one(thai_cli, tmp_path):
    ids = [
        json.loads(
            thai_cli.run(
                "issue", EXAMPLES / "th-scam-compound.json", "-o", tmp_path / f"{n}.pdf"
            ).stdout
        )["document_id"]
        for n in range(2)
    ]

    backwards = thai_cli.run("supersede", ids[1], "--by", ids[0], "--reason", "x")
    forwards = thai_cli.run("supersede", ids[0], "--by", ids[1], "--reason", "date")

    assert backwards.exit_code == 1 and "later result" in backwards.output
    assert forwards.exit_code == 0, forwards.output


def test_issue_supersedes_an_earlier_document_of_ours_in_one_step(thai_cli, tmp_path):
    from screening import issued

    example = EXAMPLES / "th-scam-compound.json"
    first = json.loads(thai_cli.run("issue", example, "-o", tmp_path / "1.pdf").stdout)
    replacing = ("--supersedes", first["document_id"], "--reason", "date corrected")

    second = thai_cli.run("issue", example, "-o", tmp_path / "2.pdf", *replacing)
    again = thai_cli.run("issue", example, "-o", tmp_path / "3.pdf", *replacing)
    unknown = thai_cli.run(
        "issue", example, "-o", tmp_path / "4.pdf",
        "--supersedes", "0" * 32, "--reason", "x",
    )  # fmt: skip

    assert second.exit_code == 0, second.output
    new_id = json.loads(second.stdout)["document_id"]
    with thai_cli.session() as session:
        old = issued.find(session, first["document_id"])
        assert (old.status, old.superseded_by, old.reason) == (
            "superseded",
            new_id,
            "date corrected",
        )
    verified = json.loads(thai_cli.run("verify", tmp_path / "1.pdf").stdout)
    assert verified["verdict"] != "valid"
    assert again.exit_code == 1 and "that document is superseded" in again.output
    assert unknown.exit_code == 1 and "did not issue" in unknown.output
    assert not (tmp_path / "3.pdf").exists() and not (tmp_path / "4.pdf").exists()


def test_only_documents_this_instance_issued_can_be_revoked(thai_cli, lao_instance):
    stranger = "6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"

    refused = thai_cli.run("revoke", stranger, "--reason", "x")
    odd = thai_cli.run("revoke", "../../etc", "--reason", "x")

    assert refused.exit_code == 1 and "did not issue" in refused.output
    assert odd.exit_code == 1 and "UUID" in odd.output


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


def test_a_trusted_certificate_can_be_listed_and_removed(
    lao_instance, thai_cli, tmp_path
):
    bundle = tmp_path / "bundle.pem"
    thai_cli.run("trust", "export", "-o", bundle)
    lao_instance.run("trust", "import", "--yes", bundle)

    listed = json.loads(lao_instance.run("trust", "list").stdout)
    imported = [entry["sha256"] for entry in listed if not entry["own"]]
    removed = lao_instance.run("trust", "remove", imported[0])
    again = lao_instance.run("trust", "remove", imported[0])
    odd = lao_instance.run("trust", "remove", "../../keys/signing-key")

    assert len(imported) == 1
    assert removed.exit_code == 0
    assert again.exit_code == 1 and odd.exit_code == 1
    assert all(
        entry["own"] for entry in json.loads(lao_instance.run("trust", "list").stdout)
    )


def test_trust_import_names_each_certificate_and_its_agency_group(
    tmp_path_factory, tmp_path
):
    """Two agencies of one name stay two groups; each list counts for its own."""
    import datetime as dt
    import uuid

    from cryptography.hazmat.primitives.asymmetric import rsa

    from screening import trust_store
    from screening.documents import keys, trust

    from .conftest import self_signed

    folder = tmp_path_factory.mktemp("groups")
    database = Database.create(folder, "groups")
    instance = make_instance(folder / "instance", database, THAI_AGENCY)
    bokeo, impostor = (
        keys.create_signing_key(tmp_path / name, LAO_AGENCY)
        for name in ("bokeo", "impostor")
    )
    revoked = str(uuid.uuid4())
    files = {
        "bokeo.pem": trust.export_trust_bundle(tmp_path / "bokeo"),
        "impostor.pem": trust.export_trust_bundle(tmp_path / "impostor"),
        "both.pem": keys.certificate_pem(bokeo) + keys.certificate_pem(impostor),
        "with-rsa.pem": keys.certificate_pem(keys.create_signing_key(
            tmp_path / "third", LAO_AGENCY
        )) + keys.certificate_pem(self_signed(
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "rsa", dt.datetime.now(dt.UTC), 1,
        )),
        "bokeo.json": trust.sign_revocation_list(
            keys.load_signing_material(tmp_path / "bokeo"),
            1,
            [trust.withdrawal(revoked, "duplicate")],
        ),
        "impostor.json": trust.sign_revocation_list(
            keys.load_signing_material(tmp_path / "impostor"), 2, []
        ),
    }  # fmt: skip
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    first = instance.run("trust", "import", "--yes", tmp_path / "bokeo.pem")
    second = instance.run("trust", "import", "--yes", tmp_path / "impostor.pem")
    spanning = instance.run("trust", "import", "--yes", tmp_path / "both.pem")
    with_rsa = instance.run("trust", "import", "--yes", tmp_path / "with-rsa.pem")
    lists = [
        instance.run("revocations", "import", tmp_path / name)
        for name in ("bokeo.json", "impostor.json")
    ]
    listed = json.loads(instance.run("trust", "list").stdout)
    with instance.session() as session:
        context = trust_store.load_trust_context(session, instance.folder)
        still_revoked = context.revocation(bokeo, revoked)
    database.drop()

    assert first.exit_code == 0 and second.exit_code == 0
    assert keys.fingerprint(bokeo) in first.output
    assert "O=Bokeo Provincial Anti-Trafficking Unit" in first.output
    assert "forms a new issuer group" in first.output
    assert "forms a new issuer group" in second.output
    assert spanning.exit_code == 1 and "different agencies" in spanning.output
    assert with_rsa.exit_code == 1 and "only ECDSA" in with_rsa.output
    assert [result.exit_code for result in lists] == [0, 0]
    groups = {row["sha256"]: row["group"] for row in listed}
    assert len(listed) == 3  # ours, Bokeo's and the namesake's: nothing of with-rsa
    assert groups[keys.fingerprint(bokeo)] != groups[keys.fingerprint(impostor)]
    assert still_revoked is not None


def test_a_national_ca_above_our_certificate_is_listed_as_signing_nothing(
    tmp_path_factory,
):
    from cryptography import x509

    from screening.documents import keys

    from .test_trust import SIGNING_USAGE, issue_by_ca, make_test_ca

    folder = tmp_path_factory.mktemp("national-ca")
    database = Database.create(folder, "national_ca")
    instance = make_instance(folder / "instance", database, THAI_AGENCY)
    request = instance.run("keys", "request", "-o", folder / "agency.csr")
    csr = x509.load_pem_x509_csr((folder / "agency.csr").read_bytes())
    ca_key, ca_certificate = make_test_ca()
    certificate = issue_by_ca(
        ca_key,
        ca_certificate,
        csr.subject,
        csr.public_key(),
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (SIGNING_USAGE, True),
    )
    (folder / "issued.pem").write_bytes(
        keys.certificate_pem(certificate) + keys.certificate_pem(ca_certificate)
    )
    imported = instance.run("keys", "import-cert", folder / "issued.pem")
    shown = json.loads(instance.run("keys", "show").stdout)
    listed = json.loads(instance.run("trust", "list").stdout)
    database.drop()

    assert request.exit_code == 0 and imported.exit_code == 0, imported.output
    by_sha = {row["sha256"]: row for row in shown}
    ca_row = by_sha[keys.fingerprint(ca_certificate)]
    assert ca_row["authority"] and not ca_row["current"]
    assert by_sha[keys.fingerprint(certificate)]["current"]
    assert [row["authority"] for row in shown].count(True) == 1
    assert {row["group"] for row in listed} == {"own"}
    assert [row["authority"] for row in listed].count(True) == 1


def test_trust_import_asks_before_a_bundle_adds_a_certificate_to_an_agency(
    tmp_path_factory, tmp_path
):
    """A genuine certificate beside a stranger's: the stranger is shown first."""
    from screening.documents import keys

    folder = tmp_path_factory.mktemp("confirm")
    database = Database.create(folder, "confirm")
    instance = make_instance(folder / "instance", database, THAI_AGENCY)
    bokeo = keys.create_signing_key(tmp_path / "bokeo", LAO_AGENCY)
    stranger = keys.create_signing_key(tmp_path / "stranger", LAO_AGENCY)
    (tmp_path / "bokeo.pem").write_bytes(keys.certificate_pem(bokeo))
    mixed = tmp_path / "mixed.pem"
    mixed.write_bytes(keys.certificate_pem(bokeo) + keys.certificate_pem(stranger))

    first = instance.run("trust", "import", "--yes", tmp_path / "bokeo.pem")
    unanswered = instance.run("trust", "import", mixed)
    declined = instance.run("trust", "import", mixed, input=b"n\n")
    listed_before = json.loads(instance.run("trust", "list").stdout)
    accepted = instance.run("trust", "import", mixed, input=b"y\n")
    listed_after = json.loads(instance.run("trust", "list").stdout)
    nothing_new = instance.run("trust", "import", mixed)
    database.drop()

    stranger_sha = keys.fingerprint(stranger)
    assert first.exit_code == 0
    assert "joins issuer group" in unanswered.output
    assert f"new   {stranger_sha}" in unanswered.output
    assert f"known {keys.fingerprint(bokeo)}" in unanswered.output
    assert unanswered.exit_code == 1 and "nothing imported" in unanswered.output
    assert declined.exit_code == 1
    assert stranger_sha not in {row["sha256"] for row in listed_before}
    assert accepted.exit_code == 0
    assert stranger_sha in {row["sha256"] for row in listed_after}
    assert nothing_new.exit_code == 0 and "nothing changed" in nothing_new.output


def test_trust_import_shows_a_subject_that_would_redraw_the_terminal_escaped(
    tmp_path_factory, tmp_path
):
    """Escape codes in a subject cannot paint a genuine fingerprint over a fake."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    from screening.documents import keys

    from .conftest import self_signed

    folder = tmp_path_factory.mktemp("escape")
    database = Database.create(folder, "escape")
    instance = make_instance(folder / "instance", database, THAI_AGENCY)
    usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    hostile = self_signed(
        ec.generate_private_key(ec.SECP256R1()),
        "B\x1b[2K\r  new   " + "0" * 40 + "\u202e",
        dt.datetime.now(dt.UTC),
        30,
        (usage, True),
    )
    bundle = tmp_path / "hostile.pem"
    bundle.write_bytes(keys.certificate_pem(hostile))

    shown = instance.run("trust", "import", bundle, input=b"n\n")
    database.drop()

    assert f"new   {keys.fingerprint(hostile)}\n" in shown.output
    assert "\x1b" not in shown.output and "\r" not in shown.output
    assert "\u202e" not in shown.output
    assert "\\u001b[2K\\u000d" in shown.output
