"""Verify an untrusted PDF in a worker process held to limits on memory and time.

pyHanko reads a whole object before anything can judge it: a 118 KB file
whose catalog unpacks to millions of names, or 9 MB of bare numbers, costs
it gigabytes and half a minute before the first signature check, and no
cheap look at the bytes can tell such a file from an honest one. So every
PDF is verified in a worker process that cannot take more than its share:

- an address-space limit (``RLIMIT_AS``), set by the worker once it has
  imported pyHanko: past it, allocations fail;
- a processor-time limit for each document (``RLIMIT_CPU``, raised by the
  worker before each one to what it has used plus the allowance): past
  it, the kernel kills the worker, even if the caller is gone;
- a wall-clock limit kept by the caller, which kills the worker when no
  report comes in time (a worker can wait without using processor time,
  or be starved of it on a busy machine).

Whatever stops a worker, the answer is a verdict, ``unreadable`` with the
problem ``input.too_complex``; nothing raises. A worker that was stopped,
or that came near its memory limit, is never used again.

How workers are made. The web server runs gunicorn workers with threads,
and ``fork()`` in a threaded process copies only the calling thread: a lock
another thread held at that moment (logging, the allocator, the database
pool, OpenSSL) would stay locked for ever in the child. So a worker is a
new interpreter started with ``subprocess`` (``python -m
screening.documents.bounded``), which is safe in a threaded process and
does not depend on how the caller was started. Starting one costs some
half a second (importing pyHanko), so workers are kept and reused: a
document then costs the copying of its bytes and of the trust list, a
millisecond or two beside the ten of verifying it. Idle workers end when
their caller does (their input closes).

The job travels to the worker pickled (from the caller, whom the worker
trusts); the report comes back as JSON, never as a pickle: a worker that a
hostile file managed to subvert can send wrong words, but cannot make the
caller build objects or run code.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import IO, Any

from screening.config import Settings
from screening.documents.trust import TrustContext
from screening.documents.verify import Check, Report, verify_document
from screening.standard import StandardRegistry

log = logging.getLogger(__name__)

TOO_COMPLEX = "input.too_complex"
NOT_CHECKED = "input.not_checked"  # no worker could be started
MEGABYTE = 1024 * 1024
# A report is a few kilobytes; anything much larger is not one.
MAX_REPORT_BYTES = 4 * MEGABYTE
# How long a new worker may take to import pyHanko, beyond the document's
# own allowance (a loaded machine can be slow to start one).
START_SECONDS = 30.0
# Workers kept waiting for work, per memory limit; and how many documents
# one worker verifies before it is replaced (anything it kept goes with it).
MAX_IDLE_WORKERS = 4
MAX_DOCUMENTS_PER_WORKER = 500
FRAME = struct.Struct(">Q")  # the length of each message, before it
# A worker that still holds this much more than when it started, after a
# document, is replaced rather than kept idle with it.
KEPT_MEMORY_BYTES = 64 * MEGABYTE
# Workers run from the folder holding the screening package.
PACKAGE_ROOT = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)


@dataclass(frozen=True)
class Limits:
    """What the verification of one document may take.

    Measured on Linux with Python 3.11: a child starts with some 80-90 MB of
    address space (the interpreter, pyHanko, the document); an issued
    document adds next to nothing and takes about 10 ms, and the largest
    honest inputs tried (10 MB; 33,600 pages; 80,000 objects in object
    streams) peak at 120 MB and take under a second. A hostile file fills
    1 GB in about ten seconds of processor time.
    """

    memory_bytes: int = 512 * MEGABYTE
    cpu_seconds: int = 15
    wall_seconds: float = 15.0

    def __post_init__(self) -> None:
        if self.memory_bytes <= 0 or self.cpu_seconds < 1 or self.wall_seconds <= 0:
            raise ValueError("limits must be positive (and at least 1 CPU second)")


def limits_for(settings: Settings) -> Limits:
    """The limits an instance's settings give (the same seconds for both clocks)."""
    return Limits(
        memory_bytes=settings.verify_memory_mb * MEGABYTE,
        cpu_seconds=settings.verify_seconds,
        wall_seconds=float(settings.verify_seconds),
    )


def verify_bounded(
    data: bytes,
    trust: TrustContext,
    standards: StandardRegistry,
    *,
    limits: Limits | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """``verify_document`` in a worker process held to ``limits``; never raises.

    The report is the worker's; a worker that hits a limit or dies gives
    ``unreadable`` with ``input.too_complex``, and one that cannot start
    ``input.not_checked`` (nothing is known against the document then).
    """
    limits = limits or Limits()
    ticket = os.urandom(8).hex()  # the answer must carry it back
    job = pickle.dumps(
        (ticket, data, trust.as_plain(), standards, now, limits.cpu_seconds),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    try:
        worker = _POOL.take(limits.memory_bytes)
    except Exception:  # no interpreter, no process left, no pipe...
        log.exception("cannot start a verification process")
        return Report("unreadable", problem=NOT_CHECKED)
    answer = worker.ask(job, ticket, limits.wall_seconds)
    if answer is None:
        exit_code = worker.stop()
        if not worker.started:
            log.error("a verification process did not start (exit code %s)", exit_code)
            return Report("unreadable", problem=NOT_CHECKED)
        log.warning("a PDF was too complex to verify (worker exit code %s)", exit_code)
        return Report("unreadable", problem=TOO_COMPLEX)
    report, worn = answer
    if worn:
        worker.stop()
    else:
        _POOL.give_back(worker)
    if report.problem == TOO_COMPLEX:
        log.warning("a PDF was too complex to verify (near the memory limit)")
    return report


class _Worker:
    """One worker process and the two pipes to it."""

    def __init__(self, memory_bytes: int) -> None:
        self.memory_bytes = memory_bytes
        # -P: the current folder is not put on the module path, so a file
        # such as resource.py beside the documents being verified cannot
        # stand in for a module; the folder is the package's own anyway.
        # Its error output is dropped: a hostile file can make pyHanko log
        # a warning per repeated key, with bytes of the file in it.
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [_interpreter(), "-P", "-m", __name__, str(memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=PACKAGE_ROOT,
            close_fds=True,
        )
        self.started = False  # until it says pyHanko is imported
        self.documents = 0

    def ask(
        self, job: bytes, ticket: str, seconds: float
    ) -> tuple[Report, bool] | None:
        """The report on one job and whether the worker is worn out, or None."""
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None:
            return None
        self.documents += 1
        try:
            if not self.started:
                started = time.monotonic() + START_SECONDS
                ready = _read_exactly(stdout, FRAME.size, started)
                if FRAME.unpack(ready) != (0,):
                    return None
                self.started = True
            deadline = time.monotonic() + seconds
            stdin.write(FRAME.pack(len(job)) + job)
            stdin.flush()
            head = _read_exactly(stdout, FRAME.size, deadline)
            (length,) = FRAME.unpack(head)
            if length > MAX_REPORT_BYTES:
                return None
            answer = json.loads(_read_exactly(stdout, length, deadline))
            if answer["ticket"] != ticket:
                return None  # never another job's report
            report = report_from_plain(answer["report"])
            worn = bool(answer["worn"]) or self.documents >= MAX_DOCUMENTS_PER_WORKER
        except (
            OSError,
            EOFError,
            TimeoutError,
            ValueError,
            KeyError,
            TypeError,
            RecursionError,
        ):
            return None  # it died, took too long, or sent something else
        return report, worn

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> int:
        """End the worker now and reap it; its exit code (negative: a signal)."""
        if self.process.poll() is None:
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        return self.process.wait()


def _read_exactly(stream: IO[bytes], size: int, deadline: float) -> bytes:
    """``size`` bytes from a worker's output, before the deadline."""
    chunks: list[bytes] = []
    wanted = size
    waiting = select.poll()  # unlike select(), any file number will do
    waiting.register(stream.fileno(), select.POLLIN)
    while wanted:
        left = deadline - time.monotonic()
        if left <= 0 or not waiting.poll(max(1, int(left * 1000))):
            raise TimeoutError
        chunk = os.read(stream.fileno(), min(wanted, 1024 * 1024))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def _interpreter() -> str:
    """This Python, to run a worker; OSError when there is none to run."""
    if not sys.executable:
        raise OSError("no Python interpreter to start a verification process")
    return sys.executable


class _Pool:
    """Idle workers by memory limit, shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[int, list[_Worker]] = {}
        self._owner = os.getpid()

    def take(self, memory_bytes: int) -> _Worker:
        with self._lock:
            if self._owner != os.getpid():  # a forked copy: not our workers
                self._idle, self._owner = {}, os.getpid()
            idle = self._idle.setdefault(memory_bytes, [])
            while idle:
                worker = idle.pop()
                if worker.alive():
                    return worker
                worker.stop()
        return _Worker(memory_bytes)

    def give_back(self, worker: _Worker) -> None:
        with self._lock:
            idle = self._idle.setdefault(worker.memory_bytes, [])
            if len(idle) < MAX_IDLE_WORKERS and self._owner == os.getpid():
                idle.append(worker)
                return
        worker.stop()


_POOL = _Pool()


# In the worker process.


def _serve(memory_bytes: int) -> None:
    """Verify one job after another from standard input, until it closes."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not mix into the answers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's
    logging.disable(logging.CRITICAL)  # nothing a file says reaches a log
    _warm_up()
    _limit(resource.RLIMIT_AS, memory_bytes)
    baseline = _peak_bytes()
    resident = _resident_bytes()
    sink.write(FRAME.pack(0))  # ready
    sink.flush()
    while True:
        head = source.read(FRAME.size)
        if len(head) < FRAME.size:
            return
        (length,) = FRAME.unpack(head)
        # The job comes from the process that started this one: trusted.
        ticket, data, plain_trust, standards, now, cpu_seconds = pickle.loads(  # noqa: S301
            source.read(length)
        )
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(used.ru_utime + used.ru_stime) + 1
        _limit(resource.RLIMIT_CPU, spent + cpu_seconds)
        report = verify_document(
            data, TrustContext.from_plain(plain_trust), standards, now=now
        )
        del data, plain_trust
        # Half the memory left was used: the worker goes after this answer.
        # If the verdict is not "valid", memory ran out on the way, and
        # pyHanko may have turned the failed allocation into another error
        # (even a SystemError) that reads as damage.
        near_limit = (_peak_bytes() - baseline) * 2 >= memory_bytes - baseline
        if near_limit and not report.ok:
            report = Report("unreadable", problem=TOO_COMPLEX)
        # A worker left holding much more than it started with goes too: an
        # idle worker must not keep memory a file chose for it.
        worn = near_limit or _holds_too_much(resident)
        answer = json.dumps(
            {"ticket": ticket, "report": report_as_plain(report), "worn": worn},
            default=str,
        ).encode()
        try:
            sink.write(FRAME.pack(len(answer)) + answer)
            sink.flush()
        except BrokenPipeError:  # the caller is gone
            return
        if worn:
            return


# The parts of pyHanko the verifier imports when first used: imported before
# the limits, so that no document pays for them.
WARM_UP = (
    "pyhanko.pdf_utils.reader",
    "pyhanko.pdf_utils.filters",
    "pyhanko.sign.fields",
    "pyhanko.sign.validation.generic_cms",
    "pyhanko.sign.validation.status",
    "pyhanko_certvalidator",
)


def _warm_up() -> None:
    import importlib

    for name in WARM_UP:
        try:
            importlib.import_module(name)
        except ImportError:  # a later pyHanko may have moved it: imported on use
            log.debug("no module %s to import ahead", name)


def _holds_too_much(resident: int) -> bool:
    """Is this process still holding much more memory than it started with?

    A full collection costs some 30 ms, so it runs only when the memory
    held has grown: an honest document leaves next to nothing behind.
    """
    if _resident_bytes() - resident <= KEPT_MEMORY_BYTES:
        return False
    gc.collect()
    return _resident_bytes() - resident > KEPT_MEMORY_BYTES


def _peak_bytes() -> int:
    """The most address space this process has held (0 where it cannot be read)."""
    return _status_bytes(b"VmPeak:")


def _resident_bytes() -> int:
    """The memory this process holds now (0 where it cannot be read)."""
    return _status_bytes(b"VmRSS:")


def _status_bytes(field: bytes) -> int:
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _limit(which: int, value: int) -> None:
    """Set the soft limit to ``value``, below the hard limit (left as it is).

    The kernel sends SIGXCPU at the soft processor-time limit, whose
    default action ends the process; the soft limit may be raised again
    later, up to the hard one, for the next document.
    """
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def report_as_plain(report: Report) -> dict[str, Any]:
    """A report as JSON-ready data, every field kept (unlike ``as_dict``)."""
    return {
        "verdict": report.verdict,
        "problem": report.problem,
        "document": report.document,
        "signer": report.signer,
        "checks": [
            {
                "name": item.name,
                "status": item.status,
                "code": item.code,
                "detail": item.detail,
            }
            for item in report.checks
        ],
    }


def report_from_plain(data: dict[str, Any]) -> Report:
    """The report ``report_as_plain`` described; KeyError or ValueError if none."""
    if data["verdict"] not in ("valid", "invalid", "unreadable"):
        raise ValueError("verdict")
    checks = []
    for item in data["checks"]:
        if item["status"] not in ("pass", "fail", "skipped"):
            raise ValueError("status")
        checks.append(
            Check(
                str(item["name"]),
                item["status"],
                str(item["code"]),
                dict(item["detail"]),
            )
        )
    return Report(
        data["verdict"],
        checks,
        dict(data["document"]),
        None if data["problem"] is None else str(data["problem"]),
        dict(data["signer"]),
    )


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
