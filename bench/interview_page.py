"""Interview-page latency under 16 connections, next to a bare page; page weight.

In one run on this machine:
1. sets up a throw-away instance (SQLite in its instance folder, the
   embedded default), an interviewer and a screening of the bundled
   gms-returnee questionnaire in Thai with Lao shown beside it, part answered;
2. serves it with gunicorn exactly as `make run` does, plus a bare Flask
   template page on the same server (bench/bench_app.py);
3. signs in, then drives each page with wrk (16 connections, 2 threads) and
   prints p50 and p95 latency for both and the ratio of the p95s (target:
   interview page no worse than 3x the bare page);
4. prints the first-load weight of the interview page: the HTML of the first
   section and of the largest section, and the CSS, scripts and fonts they
   load (target: 60 KB at most, nothing from another site).

Usage: .venv/bin/python bench/interview_page.py [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

USERNAME = "bench"
PASSWORD = "a password only for this benchmark"  # noqa: S105
GUNICORN_ARGS = ["--workers", "2", "--threads", "4", "--no-control-socket"]  # make run
SECTIONS = ["interview", "person", "recruitment", "journey", "work", "control", "exit"]


def prepare(instance: Path) -> str:
    """A fresh instance with one interviewer and one half-done screening."""
    os.environ["SCREENING_INSTANCE_PATH"] = str(instance)
    os.environ.pop("SCREENING_DATABASE_URL", None)
    from screening import accounts, create_app, db, interviews, migrate
    from screening.commands import prepare_instance
    from screening.extensions import cipher, questionnaires
    from screening.published import current_versions, publish_catalog

    prepare_instance(instance)
    app = create_app()
    migrate.upgrade(db.engine_of(app))
    with app.app_context():
        session = db.session()
        publish_catalog(session, app.extensions["screening"].catalog)
        agency = accounts.create_agency(session, "Bench", "TH", "Chiang Rai", own=True)
        user, _ = accounts.create_user(
            session, agency, USERNAME, "Bench", {"interviewer"}
        )
        user.password_hash = accounts.hash_password(PASSWORD)
        user.must_change_password = False
        version = next(
            v for v in current_versions(session) if v.questionnaire_id == "gms-returnee"
        )
        questionnaire = questionnaires().get(version)
        screening = interviews.start_screening(
            session,
            user,
            version,
            questionnaire,
            interview_language="th",
            respondent_language="lo",
        )
        answers = {
            "interview_date": "2026-12-01",
            "interview_place": "ศูนย์คุ้มครอง",
            "interpreter_used": "no",
            "consent_screening": "yes",
            "consent_sharing": "yes",
            "consent_referral": "yes",
            "age_now": 24,
            "age_at_departure": 23,
            "sex": "female",
            "work_actual": ["online_scams"],
            "hours_per_day": 15,
            "fines": "yes",
        }
        for section in questionnaire.sections:
            posted = {q.id: answers[q.id] for q in section.questions if q.id in answers}
            if posted:
                interviews.save_answers(
                    session,
                    cipher(),
                    screening,
                    questionnaire,
                    section=section,
                    posted=posted,
                    user=user,
                )
        session.commit()
        reference = screening.reference
    db.engine_of(app).dispose()
    return reference


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            *GUNICORN_ARGS,
            "--bind",
            f"127.0.0.1:{port}",
            "--pythonpath",
            str(BENCH),
            "bench_app:app",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def sign_in(base: str) -> str:
    """The session cookie of the bench user, as a Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrf_token": token}
    ).encode()
    opener.open(base + "/login", data=data).read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict[str, float]:
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        str(BENCH / "percentiles.lua"),
        "--header",
        f"Cookie: {cookie}",
        url,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(row for row in output.splitlines() if row.startswith("PERCENTILES"))
    figures = dict(item.split("=") for item in line.split()[1:])
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return {
        "p50": int(figures["p50"]) / 1000,
        "p95": int(figures["p95"]) / 1000,
        "p99": int(figures["p99"]) / 1000,
        "errors": int(figures["errors"]),
        "rate": float(rate.group(1)) if rate else 0.0,
    }


def fetch(opener: urllib.request.OpenerDirector, url: str) -> bytes:
    with opener.open(url) as response:
        return response.read()


def page_weight(base: str, cookie: str, reference: str) -> list[tuple[str, int, int]]:
    """(page, HTML bytes, first-load total bytes) for each interview section."""
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", cookie)]
    rows = []
    for section in SECTIONS:
        html = fetch(opener, f"{base}/screenings/{reference}/sections/{section}")
        text = html.decode()
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', text)
        outside = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', text)
        if outside:
            raise SystemExit(f"the page loads from another site: {outside}")
        total = len(html)
        for asset in assets:
            body = fetch(opener, base + asset)
            total += len(body)
            if asset.endswith(".css"):
                fonts = re.findall(r"url\(([^)]+)\)", body.decode())
                for font in fonts:
                    total += len(
                        fetch(opener, urllib.parse.urljoin(base + asset, font))
                    )
        rows.append((section, len(html), total))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    instance = Path(tempfile.mkdtemp(prefix="screening-bench-"))
    reference = prepare(instance)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(port)
    try:
        cookie = sign_in(base)
        work = f"{base}/screenings/{reference}/sections/work"
        pages = {
            "bare template page": f"{base}/_bench/bare",
            "interview page (work, th + lo)": work,
        }
        for url in pages.values():  # warm up both workers
            wrk(url, cookie, 2, options.connections)
        results = {
            name: wrk(url, cookie, options.seconds, options.connections)
            for name, url in pages.items()
        }
        weights = page_weight(base, cookie, reference)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
        shutil.rmtree(instance, ignore_errors=True)

    print(
        f"gunicorn {' '.join(GUNICORN_ARGS)}, SQLite, wrk {options.connections} "
        f"connections for {options.seconds} s each"
    )
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} errors")
    for name, row in results.items():
        print(
            f"{name:34} {row['p50']:8.1f} {row['p95']:8.1f} {row['p99']:8.1f} "
            f"{row['rate']:8.0f} {row['errors']}"
        )
    bare, interview = results.values()
    ratio = interview["p95"] / bare["p95"]
    print(f"p95 ratio interview/bare: {ratio:.2f} (target <= 3)")
    print()
    print("first-load weight (HTML + CSS + JS + fonts; fonts are the system's)")
    for section, html, total in weights:
        print(
            f"  {section:12} HTML {html / 1000:5.1f} KB   total {total / 1000:5.1f} KB"
        )
    largest = max(total for _, _, total in weights)
    print(f"largest first load: {largest / 1000:.1f} KB (target <= 60 KB)")


if __name__ == "__main__":
    main()
