"""Verification in a worker process held to limits on memory and time.

The hostile file here is small, but pyHanko unpacks it into gigabytes: each
test gives the child a limit it must hit, and the verdict must say so.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import signal
import struct
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.cli import cli
from screening.config import load_settings
from screening.documents.bounded import (
    Limits,
    limits_for,
    report_as_plain,
    report_from_plain,
    verify_bounded,
)
from screening.documents.verify import verify_document
from tests.conftest import TEST_DATA_KEY, TEST_SECRET_KEY

MEGABYTE = 1024 * 1024


def names_in_an_object_stream(count: int) -> bytes:
    """A PDF whose catalog, packed in a compressed object stream, lists ``count`` names.

    Five million names make a file of some 118 KB that pyHanko unpacks into
    about 2.4 GB. Random bytes in a string beside the names keep the packed
    stream within pyHanko's limits on how far a stream may inflate.
    """
    filler = re.sub(rb"[()\\]", rb"\\\g<0>", os.urandom(count // 45))
    catalog = (
        b"<< /Type /Catalog /Pages 2 0 R /Filler ("
        + filler
        + b") /Many ["
        + b"/n" * count
        + b"] >>"
    )
    pages = b"<< /Type /Pages /Kids [] /Count 0 >>"
    index = b"1 0 2 %d " % (len(catalog) + 1)
    packed = zlib.compress(index + catalog + b" " + pages, 9)
    out = bytearray(b"%PDF-1.7\n%\xb5\xb5\xb5\xb5\n")
    stream_at = len(out)
    out += b"3 0 obj\n<< /Type /ObjStm /N 2 /First %d /Filter /FlateDecode " % len(
        index
    )
    out += b"/Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(packed), packed)
    xref_at = len(out)
    # Object 0 free, objects 1 and 2 in stream 3, objects 3 and 4 in the file.
    rows = [(0, 0, 65535), (2, 3, 0), (2, 3, 1), (1, stream_at, 0), (1, xref_at, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += b"4 0 obj\n<< /Type /XRef /Size 5 /Root 1 0 R /W [1 4 2] "
    out += b"/Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(table), table)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


@pytest.fixture(scope="session")
def names_bomb() -> bytes:
    return names_in_an_object_stream(5_000_000)


def descendants() -> set[int]:
    """The processes below this one (children, their children...), from /proc."""
    parent_of = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended while listed
        parent_of[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    level = {os.getpid()}
    while level:
        level = {pid for pid, parent in parent_of.items() if parent in level} - found
        found |= level
    return found


def test_the_instance_settings_give_the_limits(tmp_path):
    settings = load_settings(
        environ={"SCREENING_VERIFY_SECONDS": "20"},
        overrides={
            "instance_path": tmp_path,
            "secret_key": TEST_SECRET_KEY,
            "data_keys": (TEST_DATA_KEY,),
        },
    )

    assert limits_for(settings) == Limits(
        memory_bytes=512 * MEGABYTE, cpu_seconds=20, wall_seconds=20.0
    )


def test_the_names_bomb_is_small(names_bomb):
    assert len(names_bomb) < 130_000


def test_a_pdf_that_unpacks_to_millions_of_names_is_too_complex(
    names_bomb, thai_agency, standards
):
    limits = Limits(memory_bytes=192 * MEGABYTE, cpu_seconds=60, wall_seconds=60)

    started = time.monotonic()
    report = verify_bounded(names_bomb, thai_agency.trust(), standards, limits=limits)
    elapsed = time.monotonic() - started

    assert (report.verdict, report.problem) == ("unreadable", "input.too_complex")
    assert elapsed < 20  # the memory limit stopped it, not the clocks (60 s)
    problem = report.as_dict()["problem"]
    assert problem["code"] == "input.too_complex"
    assert problem["message"]["en"].startswith("The file is too complex to check")
    assert problem["message"]["th"] and problem["message"]["lo"]


def test_a_genuine_document_verifies_valid_in_its_bounded_process(
    documents, thai_agency, standards
):
    trust = thai_agency.trust()

    for document in documents.values():
        report = verify_bounded(document.pdf, trust, standards)

        assert report.ok, report.failed()
        assert (
            report.as_dict()
            == verify_document(document.pdf, trust, standards).as_dict()
        )
        assert report.signer["own"] is True


def test_the_report_crosses_as_plain_data_unchanged(documents, thai_agency, standards):
    report = verify_document(documents["th"].pdf, thai_agency.trust(), standards)

    again = report_from_plain(json.loads(json.dumps(report_as_plain(report))))

    assert again == report


def test_after_the_wall_clock_limit_the_child_is_killed_and_gone(
    names_bomb, thai_agency, standards, caplog
):
    trust = thai_agency.trust()
    verify_bounded(b"not a pdf", trust, standards)  # an idle worker waits
    before = descendants()
    limits = Limits(memory_bytes=4096 * MEGABYTE, cpu_seconds=60, wall_seconds=0.5)

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "screening.documents.bounded"):
        report = verify_bounded(names_bomb, trust, standards, limits=limits)
    elapsed = time.monotonic() - started

    assert (report.verdict, report.problem) == ("unreadable", "input.too_complex")
    assert f"exit code {-signal.SIGKILL}" in caplog.text
    assert elapsed < 10
    assert descendants() == before
    assert multiprocessing.active_children() == []


def test_the_processor_time_limit_stops_the_child_on_its_own(
    names_bomb, thai_agency, standards, caplog
):
    limits = Limits(memory_bytes=4096 * MEGABYTE, cpu_seconds=1, wall_seconds=60)

    with caplog.at_level(logging.WARNING, "screening.documents.bounded"):
        report = verify_bounded(
            names_bomb, thai_agency.trust(), standards, limits=limits
        )

    assert (report.verdict, report.problem) == ("unreadable", "input.too_complex")
    assert f"exit code {-signal.SIGXCPU}" in caplog.text


def test_the_command_verifies_each_file_within_the_instance_limits(
    thai_instance, document_files, names_bomb, tmp_path
):
    (tmp_path / "genuine.pdf").write_bytes(document_files["th"].read_bytes())
    (tmp_path / "bomb.pdf").write_bytes(names_bomb)
    environment = {**thai_instance.environment, "SCREENING_VERIFY_MEMORY_MB": "256"}

    folder = CliRunner().invoke(cli, ["verify", str(tmp_path)], env=environment)
    single = CliRunner().invoke(
        cli, ["verify", str(tmp_path / "bomb.pdf")], env=environment
    )

    assert folder.exit_code == single.exit_code == 1
    verdicts = {
        Path(item["file"]).name: (item["verdict"], item.get("problem", {}).get("code"))
        for item in json.loads(folder.stdout)["documents"]
    }
    assert verdicts == {
        "genuine.pdf": ("valid", None),
        "bomb.pdf": ("unreadable", "input.too_complex"),
    }
    assert json.loads(single.stdout)["problem"]["code"] == "input.too_complex"


def test_a_worker_is_reused_and_one_that_read_a_bomb_is_replaced(
    documents, names_bomb, thai_agency, standards
):
    trust = thai_agency.trust()
    genuine = documents["th"].pdf
    small = Limits(memory_bytes=192 * MEGABYTE, cpu_seconds=60, wall_seconds=60)
    before = descendants()

    verify_bounded(genuine, trust, standards, limits=small)
    worker = descendants() - before
    again = verify_bounded(genuine, trust, standards, limits=small)
    still = descendants() - before
    bomb = verify_bounded(names_bomb, trust, standards, limits=small)
    after_bomb = descendants()
    last = verify_bounded(genuine, trust, standards, limits=small)

    assert len(worker) == 1
    assert again.ok and last.ok
    assert still == worker  # the same process verified the second document
    assert bomb.problem == "input.too_complex"
    assert not after_bomb & worker  # the worker that read the bomb is gone


def test_a_module_beside_the_documents_cannot_stand_in_for_one_of_the_worker(
    thai_instance, document_files, tmp_path, monkeypatch
):
    """`screening verify .` in a folder received from elsewhere."""
    (tmp_path / "genuine.pdf").write_bytes(document_files["th"].read_bytes())
    (tmp_path / "forged.pdf").write_bytes(b"%PDF-1.7 nothing signed here")
    (tmp_path / "resource.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('RAN').touch()\n"
    )
    (tmp_path / "screening.py").write_text("raise SystemExit('shadowed')\n")
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["verify", "."], env=thai_instance.environment)

    verdicts = {
        Path(item["file"]).name: item["verdict"]
        for item in json.loads(result.stdout)["documents"]
    }
    assert verdicts == {"genuine.pdf": "valid", "forged.pdf": "unreadable"}
    assert not (tmp_path / "RAN").exists()


def test_a_worker_that_cannot_start_is_not_blamed_on_the_document(
    documents, thai_agency, standards, monkeypatch, tmp_path
):
    from screening.documents import bounded

    # Limits of their own: no idle worker of another test can be reused.
    odd = Limits(memory_bytes=321 * MEGABYTE, cpu_seconds=10, wall_seconds=10)
    pdf, trust = documents["th"].pdf, thai_agency.trust()
    monkeypatch.setattr(bounded.sys, "executable", str(tmp_path / "no-python"))
    missing = verify_bounded(pdf, trust, standards, limits=odd)
    quitter = tmp_path / "quits"
    quitter.write_text("#!/bin/sh\nexit 3\n")
    quitter.chmod(0o755)
    monkeypatch.setattr(bounded.sys, "executable", str(quitter))
    quits = verify_bounded(pdf, trust, standards, limits=odd)

    assert (missing.verdict, missing.problem) == ("unreadable", "input.not_checked")
    assert (quits.verdict, quits.problem) == ("unreadable", "input.not_checked")
    message = missing.as_dict()["problem"]["message"]
    assert message["en"].startswith("The verifier could not start")
    assert message["th"] and message["lo"]
