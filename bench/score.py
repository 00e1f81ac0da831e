"""Benchmark `screening score` on 10,000 JSON Lines.

Prints, from one run on this machine:
- the start-up cost: `screening score` on an empty file;
- the time for 10,000 random assessments, and assessments per second once
  started (total minus start-up);
- a baseline measured in the same run: a bare Python process that parses and
  re-serialises the same 10,000 lines with the json module (the floor for any
  Python tool reading JSON Lines), and the ratio of scoring to that floor.

Usage: .venv/bin/python bench/score.py [--lines 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATES = ["yes", "yes", "no", "unknown", "declined"]

JSON_ECHO = """
import json, sys
write = sys.stdout.write
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        write(json.dumps(json.loads(line)) + "\\n")
"""


def indicator_ids() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from screening.standard import load_standard

    standard = load_standard(
        ROOT / "questionnaires" / "standards" / "gms-common@1.yaml"
    )
    return list(standard.indicators)


def write_requests(path: Path, count: int, seed: int = 20261203) -> None:
    rng = random.Random(seed)
    ids = indicator_ids()
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            chosen = rng.sample(ids, rng.randint(0, 24))
            request = {
                "standard": "gms-common@1",
                "child": rng.random() < 0.2,
                "indicators": {key: rng.choice(STATES) for key in chosen},
            }
            out.write(json.dumps(request) + "\n")


def timed(command: list[str], repeat: int) -> float:
    """Median wall time of a command over `repeat` runs (after one warm-up)."""
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    screening = shutil.which("screening", path=str(Path(sys.executable).parent))
    if screening is None:
        sys.exit("the screening command is not installed in this environment")

    with tempfile.TemporaryDirectory() as folder:
        requests = Path(folder) / "requests.jsonl"
        empty = Path(folder) / "empty.jsonl"
        write_requests(requests, options.lines)
        empty.write_text("")

        startup = timed([screening, "score", str(empty)], options.repeat)
        total = timed([screening, "score", str(requests)], options.repeat)
        echo_startup = timed(
            [sys.executable, "-c", JSON_ECHO, str(empty)], options.repeat
        )
        echo_total = timed(
            [sys.executable, "-c", JSON_ECHO, str(requests)], options.repeat
        )

    scoring = total - startup
    echo = echo_total - echo_startup
    print(
        f"screening score, {options.lines} JSON Lines (median of {options.repeat} runs)"
    )
    print(f"  start-up on an empty file     {startup * 1000:8.0f} ms")
    print(f"  total                         {total * 1000:8.0f} ms")
    rate = options.lines / scoring
    print(f"  assessments per second        {rate:8.0f}  (after start-up)")
    print("baseline: json parse + dump of the same lines in bare Python")
    print(f"  lines per second              {options.lines / echo:8.0f}")
    print(f"  scoring / baseline time       {scoring / echo:8.2f}x")


if __name__ == "__main__":
    main()
