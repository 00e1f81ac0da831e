"""Benchmark signed result documents: issuing, verifying, and a batch of 80.

Prints, from one run on this machine:
- issuance (record, QR token, render, attachments, PAdES signature) over a
  bare WeasyPrint render of the same HTML with the same fonts, each the
  median of several runs in this process (target: at most 1.15);
- the product's verification of one document (all eight checks, in
  process) over `pdfsig` on the same file with the issuer in an NSS
  database (target: at most 1.5), and `screening verify FILE` as a command;
- the time for `screening verify FOLDER` on 80 documents, as one command.

Usage: .venv/bin/python bench/documents.py [--repeat 7] [--batch 80]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.batch import assess_answers  # noqa: E402
from screening.catalog import Catalog  # noqa: E402
from screening.documents import keys, render, trust  # noqa: E402
from screening.documents.bounded import verify_bounded  # noqa: E402
from screening.documents.issue import IssueOptions, Issuer  # noqa: E402
from screening.documents.verify import verify_document  # noqa: E402

AGENCY = keys.AgencyIdentity("Benchmark Provincial Office", "TH", "Chiang Rai")
EXAMPLES = ("th-scam-compound.json", "lo-declined.json", "en-factory.json")


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bare_render(html: str) -> bytes:
    """WeasyPrint as anyone would call it: default fetcher, fonts loaded each time."""
    from weasyprint import CSS, HTML

    fonts = CSS(filename=str(render.PACKAGE_FOLDER / "static" / "fonts.css"))
    return HTML(string=html, base_url=render.BASE_URL).write_pdf(stylesheets=[fonts])


def issue_batch(args: tuple[str, str, int]) -> list[str]:
    instance, folder, count = args
    catalog = Catalog.load()
    material = keys.load_signing_material(Path(instance))
    issuer = Issuer(AGENCY, material)
    written = []
    for index in range(count):
        answers = json.loads((ROOT / "examples" / EXAMPLES[index % 3]).read_text())
        scored = assess_answers(answers, catalog)
        document = issuer.issue(scored, catalog.standard(scored.questionnaire.standard))
        path = Path(folder) / f"{document.document_id}.pdf"
        path.write_bytes(document.pdf)
        written.append(str(path))
    return written


def nss_database(folder: Path, certificate_pem: bytes) -> Path:
    database = folder / "nss"
    database.mkdir()
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{database}", "--empty-password"], check=True
    )
    (folder / "agency.pem").write_bytes(certificate_pem)
    subprocess.run(
        [
            *("certutil", "-A", "-d", f"sql:{database}", "-n", "agency"),
            *("-t", "C,C,C", "-i", str(folder / "agency.pem")),
        ],
        check=True,
    )
    return database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--batch", type=int, default=80)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    try:
        run(work, options.repeat, options.batch)
    finally:
        shutil.rmtree(work)


def measure_issuing(issuer: Issuer, repeat: int) -> tuple[bytes, dict[str, float]]:
    catalog = Catalog.load()
    answers = json.loads((ROOT / "examples" / "th-scam-compound.json").read_text())
    scored = assess_answers(answers, catalog)
    standard = catalog.standard("gms-common@1")
    options = IssueOptions(second_language="lo")
    context, _, _ = issuer.prepare(scored, standard, options)
    html = render.render_html(context)
    document = issuer.issue(scored, standard, options)  # warm up both paths
    bare_render(html)
    unsigned = render.render_pdf(html)
    return document.pdf, {
        "issue": median_seconds(
            lambda: issuer.issue(scored, standard, options), repeat
        ),
        "bare": median_seconds(lambda: bare_render(html), repeat),
        "cached": median_seconds(lambda: render.render_pdf(html), repeat),
        "sign": median_seconds(lambda: issuer.signer.sign(unsigned), repeat),
    }


def measure_verifying(
    work: Path, instance: Path, pdf: bytes, repeat: int
) -> dict[str, float]:
    path = work / "one.pdf"
    path.write_bytes(pdf)
    context = trust.build_trust_context(keys.own_certificates(instance))
    standards = Catalog.load().standards
    material = keys.load_signing_material(instance)
    database = nss_database(work, keys.certificate_pem(material.certificate))
    pdfsig = ["pdfsig", "-nssdir", str(database), str(path)]
    command = [str(Path(sys.executable).parent / "screening"), "verify", str(path)]
    environment = instance_environment(instance)
    verify_bounded(pdf, context, standards)  # its worker process starts once
    return {
        "verify": median_seconds(
            lambda: verify_document(pdf, context, standards), repeat * 3
        ),
        "bounded": median_seconds(
            lambda: verify_bounded(pdf, context, standards), repeat * 3
        ),
        "pdfsig": median_seconds(
            lambda: subprocess.run(pdfsig, capture_output=True, check=True), repeat
        ),
        "command": median_seconds(
            lambda: subprocess.run(
                command, capture_output=True, env=environment, check=True
            ),
            3,
        ),
    }


def measure_batch(work: Path, instance: Path, batch: int) -> dict[str, Any]:
    folder = work / "batch"
    folder.mkdir()
    workers = os.cpu_count() or 1
    shares = [batch // workers + (i < batch % workers) for i in range(workers)]
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(issue_batch, [(str(instance), str(folder), n) for n in shares]))
    figures: dict[str, Any] = {"issue": time.perf_counter() - start, "workers": workers}
    environment = instance_environment(instance)
    screening = str(Path(sys.executable).parent / "screening")
    for label, extra in (("verify", []), ("verify_serial", ["--jobs", "1"])):
        start = time.perf_counter()
        result = subprocess.run(
            [screening, "verify", *extra, str(folder)],
            capture_output=True,
            env=environment,
            check=False,
        )
        figures[label] = time.perf_counter() - start
        figures[f"{label}_summary"] = json.loads(result.stdout)["summary"]
        figures[f"{label}_exit"] = result.returncode
    return figures


def instance_environment(instance: Path) -> dict[str, str]:
    """Commands work in this instance folder and its own SQLite database."""
    return {
        **os.environ,
        "SCREENING_INSTANCE_PATH": str(instance),
        "SCREENING_DATABASE_URL": "",
    }


def set_up(instance: Path) -> None:
    """A fresh instance, as `screening init` makes one: database, agency, key."""
    subprocess.run(
        [
            str(Path(sys.executable).parent / "screening"),
            *("init", "--agency-name", AGENCY.name, "--country", AGENCY.country),
            *("--province", AGENCY.province),
        ],
        env=instance_environment(instance),
        capture_output=True,
        check=True,
    )


def run(work: Path, repeat: int, batch: int) -> None:
    instance = work / "instance"
    set_up(instance)
    issuer = Issuer(AGENCY, keys.load_signing_material(instance))
    pdf, issuing = measure_issuing(issuer, repeat)
    verifying = measure_verifying(work, instance, pdf, repeat)
    batched = measure_batch(work, instance, batch)

    ratio = issuing["issue"] / issuing["bare"]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"issue one document (record, token, render, sign): {issuing['issue']:.3f} s")
    print(f"bare WeasyPrint render of the same HTML:          {issuing['bare']:.3f} s")
    print(f"  ratio issue / bare render: {ratio:.2f} (target <= 1.15)")
    print(
        f"  render with the fonts loaded once: {issuing['cached']:.3f} s; "
        f"issue / that render: {issuing['issue'] / issuing['cached']:.2f}"
    )
    print(f"  signing alone: {issuing['sign'] * 1000:.0f} ms")
    print(f"verify one document in process (8 checks): {verifying['verify']:.4f} s")
    print(f"verify it in a bounded worker (the product): {verifying['bounded']:.4f} s")
    print(f"pdfsig on the same file (NSS database):    {verifying['pdfsig']:.4f} s")
    print(
        f"  ratio bounded verify / pdfsig: "
        f"{verifying['bounded'] / verifying['pdfsig']:.2f} (target <= 1.5); "
        f"in process / pdfsig: {verifying['verify'] / verifying['pdfsig']:.2f}"
    )
    print(f"  'screening verify FILE' with start-up: {verifying['command']:.2f} s")
    print(
        f"issue {batch} documents on {batched['workers']} worker processes: "
        f"{batched['issue']:.1f} s"
    )
    for label, name in (("verify", "default"), ("verify_serial", "--jobs 1")):
        summary = batched[f"{label}_summary"]
        print(
            f"'screening verify FOLDER' ({name}) on {summary['total']} documents: "
            f"{batched[label]:.2f} s ({summary['valid']} valid, "
            f"exit {batched[f'{label}_exit']})"
        )


if __name__ == "__main__":
    main()
