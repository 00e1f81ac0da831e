"""Odd files, paths and values given to the documents commands get plain messages.

Every command that reads a file is given a folder, a FIFO, a broken link,
bytes that are not text, JSON nested too deep and a file too large; every
command that writes one is given a missing folder and a folder. None may
hang or end in a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from screening.documents import trust
from tests.conftest import Database

from .conftest import EXAMPLES, THAI_AGENCY, Instance, load_answers, make_instance


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Iterator[Instance]:
    folder = tmp_path_factory.mktemp("inputs")
    database = Database.create(folder, "inputs")
    yield make_instance(folder / "instance", database, THAI_AGENCY)
    database.drop()


@contextmanager
def never_hanging(fifo: Path, seconds: float = 10) -> Iterator[None]:
    """Fail rather than hang: if a reader still waits, a writer opens and closes."""
    released = threading.Event()

    def release() -> None:
        with contextlib.suppress(OSError):  # nobody is waiting on it
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            released.set()

    timer = threading.Timer(seconds, release)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
    assert not released.is_set(), f"the command waited on {fifo.name}"


def plainly_refused(result, *words: str) -> None:
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    for word in words:
        assert word in result.output


def odd_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"odd-{kind.replace(' ', '-')}"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "broken link":
        path.symlink_to(tmp_path / "nowhere")
    elif kind == "not utf-8":
        path.write_bytes(b"\xff\xfe\x00garbage\x80")
    elif kind == "deep json":
        path.write_bytes(b"[" * 200_000)
    elif kind == "too large":
        path.write_bytes(b" " * (3 * 1024 * 1024))
    return path


ODD_FILES = ["folder", "fifo", "broken link", "not utf-8", "deep json", "too large"]
READING_COMMANDS = {
    "trust import": ("trust", "import"),
    "revocations import": ("revocations", "import"),
    "keys import-cert": ("keys", "import-cert"),
    "issue": ("issue", "-o", "out.pdf"),
    "verify-token --image": ("verify-token", "--image"),
}


@pytest.mark.parametrize("kind", ODD_FILES)
@pytest.mark.parametrize("command", READING_COMMANDS)
def test_every_command_reading_a_file_refuses_an_odd_one_plainly(
    instance, tmp_path, command, kind
):
    path = odd_file(tmp_path, kind)
    arguments = [*READING_COMMANDS[command], path]
    if command == "issue":
        arguments = ["issue", path, "-o", tmp_path / "out.pdf"]

    with never_hanging(path):
        result = instance.run(*arguments)

    plainly_refused(result)
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (("trust", "export", "-o", "{missing}/bundle.pem"), "does not exist"),
        (("trust", "export", "-o", "{folder}"), "is a folder"),
        (("revocations", "export", "-o", "{missing}/list.json"), "does not exist"),
        (("revocations", "export", "-o", "{folder}"), "is a folder"),
        (("keys", "request", "-o", "{missing}/agency.csr"), "does not exist"),
        (("issue", str(EXAMPLES / "en-factory.json"), "-o", "{missing}/x.pdf"), ""),
        (("issue", str(EXAMPLES / "en-factory.json"), "-o", "{folder}"), "folder"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else None,
)
def test_every_command_writing_a_file_refuses_a_path_it_cannot_write(
    instance, tmp_path, arguments, words
):
    places = {"missing": tmp_path / "no" / "such", "folder": tmp_path}

    result = instance.run(*(argument.format(**places) for argument in arguments))

    plainly_refused(result, words)
    assert "document_id" not in result.output  # nothing was issued
    assert not (instance.folder / "keys" / "pending-key.pem").exists()


@pytest.mark.parametrize("days", ["-5", "0", "3651", "99999999"])
def test_a_certificate_valid_for_no_time_or_for_ages_is_refused(instance, days):
    history = instance.folder / "keys" / "certificates"
    before = sorted(history.iterdir())

    result = instance.run("keys", "create", "--days", days)

    plainly_refused(result, "valid for 1 to 3650 days")
    assert sorted(history.iterdir()) == before


def test_verify_gives_every_odd_entry_of_a_folder_its_own_verdict(instance, tmp_path):
    folder = tmp_path / "received"
    (folder / "folder.pdf").mkdir(parents=True)
    (folder / "gone.pdf").symlink_to(tmp_path / "nowhere")
    os.mkfifo(folder / "pipe.pdf")
    (folder / "text.pdf").write_bytes(b"not a pdf")
    (folder / "loop").symlink_to(folder)

    with never_hanging(folder / "pipe.pdf"):
        result = instance.run("verify", folder)

    plainly_refused(result)
    verdicts = {
        Path(item["file"]).name: item.get("problem", {}).get("code")
        for item in json.loads(result.stdout)["documents"]
    }
    assert verdicts == {
        "gone.pdf": "input.not_a_file",
        "pipe.pdf": "input.not_a_file",
        "text.pdf": "input.not_pdf",
    }


def test_verify_of_a_fifo_named_on_its_own_is_a_verdict(instance, tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)

    with never_hanging(fifo):
        result = instance.run("verify", fifo)

    plainly_refused(result)
    report = json.loads(result.stdout)
    assert (report["verdict"], report["problem"]["code"]) == (
        "unreadable",
        "input.not_a_file",
    )


@pytest.mark.parametrize("jobs", ["0", "-1", "1000"])
def test_verify_takes_a_sensible_number_of_workers(instance, tmp_path, jobs):
    (tmp_path / "a.pdf").write_bytes(b"not a pdf")

    result = instance.run("verify", "--jobs", jobs, tmp_path)

    plainly_refused(result, "--jobs")


@pytest.mark.parametrize("token", ["GMS1:!!!!", "GMS1:" + "A" * 100_000, "\x00"])
def test_verify_token_of_odd_text_is_a_verdict(instance, token):
    result = instance.run("verify-token", token)

    plainly_refused(result)
    assert json.loads(result.stdout)["verdict"] == "invalid"


def answers_file(tmp_path: Path, **changes) -> Path:
    answers = load_answers("en-factory.json")
    for key, value in changes.items():
        if key.startswith("answer_"):
            if value is None:
                answers["answers"].pop(key.removeprefix("answer_"), None)
            else:
                answers["answers"][key.removeprefix("answer_")] = value
        else:
            answers[key] = value
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "changes",
    [
        {"answer_consent_screening": "no"},
        {"answer_consent_screening": None},
        {"answers": {}},
    ],
    ids=["refused", "not asked", "no answers"],
)
def test_issue_refuses_answers_without_consent_to_screening(
    instance, tmp_path, changes
):
    output = tmp_path / "x.pdf"

    result = instance.run("issue", answers_file(tmp_path, **changes), "-o", output)

    plainly_refused(result, "no consent to screening")
    assert not output.exists()


@pytest.mark.parametrize(
    ("changes", "options", "words"),
    [
        ({"reference": {"case": "CR-1"}}, (), "'reference' must be text"),
        ({"reference": ["CR", 1]}, (), "'reference' must be text"),
        ({"reference": "CR-" + "9" * 30_000}, (), "longer than 200 characters"),
        ({"reference": "CR-1\nsecond line"}, (), "one line of plain text"),
        ({"reference": "CR-\u202e1"}, (), "one line of plain text"),
        ({"interviewer": {"name": "x"}}, (), "'interviewer' must be text"),
        ({}, ("--interviewer", "x" * 201), "for --interviewer: is longer than 200"),
        (
            {},
            ("--supersedes", "../../etc", "--reason", "x"),
            "for --supersedes: must be a document ID",
        ),
        ({}, ("--supersedes", str(uuid.uuid4())), "--supersedes and --reason go"),
    ],
    ids=[
        "reference object",
        "reference list",
        "reference too long",
        "reference two lines",
        "reference reversed",
        "interviewer object",
        "interviewer too long",
        "supersedes not an ID",
        "supersedes without a reason",
    ],
)
def test_issue_refuses_an_odd_reference_or_interviewer(
    instance, tmp_path, changes, options, words
):
    output = tmp_path / "x.pdf"

    result = instance.run(
        "issue", answers_file(tmp_path, **changes), "-o", output, *options
    )

    plainly_refused(result, words)
    assert "{'case'" not in result.output and "9" * 300 not in result.output
    assert not output.exists()


def test_issue_keeps_a_reference_of_two_hundred_characters(instance, tmp_path):
    output = tmp_path / "x.pdf"

    result = instance.run(
        "issue", answers_file(tmp_path, reference="R" * 200), "-o", output
    )

    assert result.exit_code == 0, result.output
    assert output.exists()


@pytest.mark.parametrize(
    "content",
    [b"[" * 200_000, b"\x00\xff garbage", b'{"list": {"entries": []}}', b"[1, 2]"],
    ids=["deep", "garbage", "no signature", "an array"],
)
def test_revocations_import_of_garbage_is_a_plain_message(instance, tmp_path, content):
    path = tmp_path / "list.json"
    path.write_bytes(content)

    result = instance.run("revocations", "import", path)

    plainly_refused(result, "not a revocation list")
    assert trust.MAX_IMPORT_BYTES  # the limit a larger file meets


def test_text_that_is_not_utf8_on_the_command_line_is_refused(instance, tmp_path):
    """Bytes that are not UTF-8 in an argument reach Python as lone surrogates."""
    issued = instance.run(
        "issue", EXAMPLES / "en-factory.json", "-o", tmp_path / "a.pdf"
    )
    document_id = json.loads(issued.stdout)["document_id"]

    reason = instance.run("revoke", document_id, "--reason", "typo \udcff")
    interviewer = instance.run(
        "issue",
        EXAMPLES / "en-factory.json",
        "-o",
        tmp_path / "b.pdf",
        "--interviewer",
        "Nok \udcff",
    )
    missing = instance.run("trust", "import", tmp_path / "gone-\udcff.pem")

    plainly_refused(reason, "not UTF-8")
    plainly_refused(interviewer, "not UTF-8")
    plainly_refused(missing, "No such file")


def test_file_names_that_are_not_utf8_are_reported_as_json_escapes(instance, tmp_path):
    folder = tmp_path / "received"
    folder.mkdir()
    output = folder / "r\udcff.pdf"

    issued = instance.run("issue", EXAMPLES / "en-factory.json", "-o", output)
    verified = instance.run("verify", folder)

    assert issued.exit_code == 0, issued.output
    assert json.loads(issued.stdout)["output"] == str(output)
    assert verified.exit_code == 0, verified.output
    [report] = json.loads(verified.stdout)["documents"]
    assert (report["file"], report["verdict"]) == (str(output), "valid")
