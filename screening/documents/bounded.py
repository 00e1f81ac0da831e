"""Verify an untrusted PDF in a child process with hard limits on memory and time.

pyHanko reads a whole object before anything can judge it: a 118 KB file
whose catalog unpacks to millions of names, or 9 MB of bare numbers, costs
it gigabytes and half a minute before the first signature check, and no
cheap look at the bytes can tell such a file from an honest one. So each
PDF is verified in a child process that cannot take more than its share:

- an address-space limit (``RLIMIT_AS``): past it, allocations fail and the
  child stops;
- a processor-time limit (``RLIMIT_CPU``): past it, the kernel kills the
  child, even if the process that asked is gone;
- a wall-clock limit kept by the caller, which kills the child when no
  report has come in time (a child can also wait without using processor
  time, or be starved of it on a busy machine).

Whatever stops the child, the answer is a verdict, ``unreadable`` with the
problem ``input.too_complex``; nothing raises.

How the child is made. The web server runs gunicorn workers with threads.
``fork()`` in a threaded process copies only the calling thread: a lock
another thread held at that moment (in logging, the allocator, a database
pool, OpenSSL) stays locked for ever in the child, which may then hang or
corrupt state. So no child is forked from the caller. multiprocessing's
"forkserver" start method starts, once per calling process and by
fork-and-exec (safe in a threaded process, as ``subprocess`` is), a fresh,
single-threaded Python that imports the verifier and pyHanko; every child
is then forked from that clean server. A document so costs some 30 ms
more than in process (a fork, its arguments copied, pages copied on
write, the child's exit), where "spawn" would start an interpreter and
import pyHanko for every document (about a second). The server is started
again if it dies, and it ends with its caller.

The trust context crosses as plain data (``TrustContext.as_plain``), the
standards and the document by pickling, from the caller to the child. The
report comes back as JSON, not as a pickle: what a child sends is read as
data only, never as instructions to build objects.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import resource
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from screening.config import Settings
from screening.documents.trust import TrustContext
from screening.documents.verify import Check, Report, verify_document
from screening.standard import StandardRegistry

log = logging.getLogger(__name__)

TOO_COMPLEX = "input.too_complex"
MEGABYTE = 1024 * 1024
# Imported once by the fork server, so that no child imports them again:
# the verifier, and the parts of pyHanko it imports when first used. Each
# child also runs the caller's main script again (multiprocessing prepares
# a child so, and Python 3.11's fork server cannot preload "__main__"): the
# modules of the product's entry points, the command and gunicorn, make
# that cheap. A module that cannot be imported is skipped.
PRELOAD = (
    "screening.documents.bounded",
    "cryptography.hazmat.backends.openssl",
    "pyhanko.pdf_utils.filters",
    "pyhanko.pdf_utils.reader",
    "pyhanko.sign.fields",
    "pyhanko.sign.validation.generic_cms",
    "pyhanko.sign.validation.status",
    "pyhanko_certvalidator",
    "multiprocessing.popen_forkserver",
    "runpy",
    "pkgutil",
    "screening.cli",
    "gunicorn.app.wsgiapp",
)
# A report is a few kilobytes; anything much larger is not one.
MAX_REPORT_BYTES = 4 * MEGABYTE
# After its report, a child only has to exit.
EXIT_GRACE_SECONDS = 5.0


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


_context_lock = threading.Lock()
_context: Any = None


def _forkserver() -> Any:
    """multiprocessing's forkserver context, its server preloading the verifier."""
    global _context  # noqa: PLW0603 - one context per process, made once
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(PRELOAD))
            _context = context
        return _context


def verify_bounded(
    data: bytes,
    trust: TrustContext,
    standards: StandardRegistry,
    *,
    limits: Limits | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """``verify_document`` in a child process held to ``limits``; never raises.

    The report is the child's; a child that hits a limit, dies, or cannot
    be started gives ``unreadable`` with ``input.too_complex``.
    """
    limits = limits or Limits()
    try:
        context = _forkserver()
        receiver, sender = context.Pipe(duplex=False)
    except Exception:
        log.exception("cannot prepare a verification process")
        return Report("unreadable", problem=TOO_COMPLEX)
    job = _Job(data, trust.as_plain(), standards, now, limits)
    process = context.Process(
        target=_child,
        args=(sender, job),
        name="screening-verify",
        daemon=True,
    )
    try:
        process.start()
    except Exception:
        log.exception("cannot start a verification process")
        receiver.close()
        sender.close()
        return Report("unreadable", problem=TOO_COMPLEX)
    sender.close()  # the child holds the only writing end: its exit is seen
    payload = None
    try:
        payload = _receive(receiver, limits.wall_seconds)
    finally:
        receiver.close()
        exit_code = _end(process, wait=payload is not None)
    if payload is None:
        payload = Report("unreadable", problem=TOO_COMPLEX)
    if payload.problem == TOO_COMPLEX:
        log.warning("a PDF was too complex to verify (child exit code %s)", exit_code)
    return payload


def _receive(receiver: Connection, seconds: float) -> Report | None:
    """The child's report, or None when none came in time or it was not one."""
    try:
        if not receiver.poll(seconds):
            return None
        return report_from_plain(json.loads(receiver.recv_bytes(MAX_REPORT_BYTES)))
    except (EOFError, OSError, ValueError, KeyError, TypeError, RecursionError):
        return None  # the child died, or sent something that is not a report


def _end(process: Any, *, wait: bool) -> int:
    """Make sure the child is gone and reaped; its exit code (negative: a signal).

    ``wait``: the child has sent its report, let it exit on its own first.
    """
    if wait:
        process.join(EXIT_GRACE_SECONDS)
    if process.exitcode is None:
        process.kill()
        process.join()
    exit_code: int = process.exitcode
    process.close()
    return exit_code


@dataclass(frozen=True)
class _Job:
    """What the child is given (pickled by multiprocessing on the way)."""

    data: bytes
    plain_trust: dict[str, Any]
    standards: StandardRegistry
    now: dt.datetime | None
    limits: Limits


def _child(sender: Connection, job: _Job) -> None:
    """In the child: take on the limits, verify, send the report as JSON."""
    limits = job.limits
    _limit(resource.RLIMIT_AS, limits.memory_bytes)
    _limit(resource.RLIMIT_CPU, limits.cpu_seconds, slack=1)
    start = _peak_bytes()
    trust = TrustContext.from_plain(job.plain_trust)
    report = verify_document(job.data, trust, job.standards, now=job.now)
    if not report.ok and (_peak_bytes() - start) * 2 >= limits.memory_bytes - start:
        # Half the memory left was used, and the verdict is not "valid":
        # memory ran out on the way, and pyHanko may have turned the failed
        # allocation into another error (even a SystemError) that reads as
        # damage.
        report = Report("unreadable", problem=TOO_COMPLEX)
    sender.send_bytes(json.dumps(report_as_plain(report), default=str).encode())
    sender.close()


def _peak_bytes() -> int:
    """The most address space this process has held (0 where it cannot be read)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _limit(which: int, value: int, *, slack: int = 0) -> None:
    """Lower a limit to ``value`` (the hard limit ``slack`` above it).

    The kernel sends SIGXCPU at the soft processor-time limit and kills at
    the hard one, so a second more than the soft limit is enough.
    """
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value, slack = min(value, hard), min(slack, max(hard - value, 0))
    resource.setrlimit(which, (value, value + slack))


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
