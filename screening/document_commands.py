"""`screening` commands for keys, trust, revocation, issuing and verifying.

They run inside the application, like the web screens: the instance folder
is the application's (``SCREENING_INSTANCE_PATH``, default ``./instance``),
the agency is the database's own agency, and trust, revocations and the
register of issued documents are the database's. Every change writes an
audit row, as it would from the web.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from screening import accounts, audit, db, issued, trust_store
from screening.cli import cli
from screening.documents import keys, trust
from screening.extensions import issuers, services, settings
from screening.issuance import agency_identity
from screening.models import Agency

if TYPE_CHECKING:
    from screening.documents.verify import Report

MAX_JOBS = 32
MAX_ANSWERS_BYTES = 2 * 1024 * 1024
BY_COMMAND = "by the command line"


def _instance() -> Path:
    return settings().instance_path


def _agency(session: Session) -> Agency:
    agency = accounts.own_agency(session)
    if agency is None:
        raise click.ClickException("no agency yet: run `screening init` first")
    return agency


def _material() -> keys.SigningMaterial:
    try:
        return keys.load_signing_material(_instance())
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None


def _audit(
    session: Session,
    action: str,
    agency: Agency,
    record_id: str | None = None,
    detail: str = BY_COMMAND,
) -> None:
    audit.record(
        session,
        action,
        record_type="document" if record_id else None,
        record_id=record_id,
        agency_id=agency.id,
        detail=detail,
    )


def _read_regular_file(path: str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file; raise OSError otherwise.

    The file is opened without blocking and checked before it is read: a
    FIFO or a device named like a document must not hang the command, and
    a folder or a broken link gets an error like any unreadable file.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        return stream.read(limit + 1)


def _read_input(path: str, limit: int) -> bytes:
    """A file named on the command line (``-`` for standard input), or a message."""
    if path == "-":
        return sys.stdin.buffer.read(limit + 1)
    try:
        return _read_regular_file(path, limit)
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror or error}") from None


def _check_output(output: str | None) -> None:
    """Refuse an output path that cannot be a new file, before any work is done."""
    if output in (None, "-"):
        return
    path = Path(output)
    if path.is_dir():
        raise click.ClickException(f"{output} is a folder: give a file name")
    if not path.parent.is_dir():
        raise click.ClickException(f"{output}: the folder {path.parent} does not exist")


def _write(data: bytes, output: str | None, *, private: bool = False) -> None:
    """Write to a file or standard output; ``private``: readable by the owner only."""
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
        return
    try:
        if private:
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
        else:
            Path(output).write_bytes(data)
    except OSError as error:
        raise click.ClickException(
            f"cannot write {output}: {error.strerror or error}"
        ) from None
    click.echo(f"wrote {output}", err=True)


def _echo_json(data: Any) -> None:
    # A file name that is not UTF-8 reaches Python as lone surrogates; they
    # are printed as JSON escapes rather than stop the command after its work.
    text = json.dumps(data, ensure_ascii=False, indent=1)
    click.echo(text.encode("utf-8", "backslashreplace").decode("utf-8"))


def _trust_context(session: Session) -> trust.TrustContext:
    return trust_store.load_trust_context(session, _instance())


# --- keys ------------------------------------------------------------------------


@click.group("keys", cls=AppGroup)
def keys_group() -> None:
    """The agency's signing key and certificates (`screening init` makes the first)."""


@keys_group.command("create")
@click.option(
    "--days",
    default=keys.DEFAULT_DAYS,
    show_default=True,
    help=f"Validity in days ({keys.MIN_DAYS} to {keys.MAX_DAYS}).",
)
def keys_create(days: int) -> None:
    """Create a key and self-signed certificate, rotating any current one."""
    session = db.session()
    agency = _agency(session)
    try:
        certificate = keys.create_signing_key(
            _instance(), agency_identity(agency), days=days
        )
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    _audit(session, "key.create", agency)
    session.commit()
    click.echo(f"certificate {keys.fingerprint(certificate)}")
    click.echo(f"valid until {certificate.not_valid_after_utc:%Y-%m-%d}")


@keys_group.command("request")
@click.option("-o", "--output", help="Where to write the request (default: stdout).")
def keys_request(output: str | None) -> None:
    """Create a pending key and a certificate request for a national CA."""
    _check_output(output)
    session = db.session()
    agency = _agency(session)
    try:
        pem = keys.create_certificate_request(_instance(), agency_identity(agency))
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    _write(pem, output)
    _audit(session, "key.request", agency)
    session.commit()


@keys_group.command("import-cert")
@click.argument("file")
def keys_import_cert(file: str) -> None:
    """Install the certificate (and chain) a CA issued for the pending key."""
    session = db.session()
    agency = _agency(session)
    data = _read_input(file, trust.MAX_IMPORT_BYTES)
    try:
        certificate = keys.import_issued_certificate(_instance(), data)
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    _audit(session, "key.import_certificate", agency)
    session.commit()
    click.echo(f"certificate {keys.fingerprint(certificate)} installed")


@keys_group.command("show")
def keys_show() -> None:
    """List the current and past signing certificates."""
    current = _material().fingerprint
    rows = [
        {
            "sha256": keys.fingerprint(c),
            "subject": c.subject.rfc4514_string(),
            "not_before": c.not_valid_before_utc.isoformat(),
            "not_after": c.not_valid_after_utc.isoformat(),
            "current": keys.fingerprint(c) == current,
            "authority": not trust.signs_documents(c),
        }
        for c in keys.own_certificates(_instance())
    ]
    _echo_json(rows)


cli.add_command(keys_group)


# --- trust -----------------------------------------------------------------------


@click.group("trust", cls=AppGroup)
def trust_group() -> None:
    """Trust bundles: export ours, import a counterpart's."""


@trust_group.command("export")
@click.option("-o", "--output", help="Where to write the bundle (default: stdout).")
def trust_export(output: str | None) -> None:
    """Write our certificates, current and past, as one PEM bundle."""
    _check_output(output)
    session = db.session()
    agency = _agency(session)
    try:
        bundle = trust.export_trust_bundle(_instance())
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None
    _write(bundle, output)
    _audit(session, "trust.export", agency)
    session.commit()


@trust_group.command("import")
@click.argument("file")
@click.option(
    "--yes",
    is_flag=True,
    help="Trust the new certificates without asking (after checking them).",
)
def trust_import(file: str, yes: bool) -> None:
    """Trust the signing certificates in a counterpart's bundle (all, or none).

    The bundle forms a new issuer group, or joins the group that holds one
    of its certificates already. Each certificate is listed with its
    fingerprint first: compare the new ones with the fingerprints the
    agency reads to you, then answer yes (or pass --yes).
    """
    session = db.session()
    agency = _agency(session)
    data = _read_input(file, trust.MAX_IMPORT_BYTES)
    try:
        plan = trust_store.plan_trust_bundle(session, data, _instance())
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None
    if plan.joined:
        click.echo(f"joins issuer group {plan.group_id}: {_shown(plan.group_name)}")
    else:
        click.echo(f"forms a new issuer group: {_shown(plan.group_name)}")
    for item in plan.certificates:
        # The fingerprint first, on a line of its own: nothing the bundle
        # says can move the cursor back over it.
        click.echo(f"  {'new  ' if item.new else 'known'} {item.sha256}")
        click.echo(f"        {_shown(item.subject)}")
    if plan.left_out:
        click.echo(
            f"{plan.left_out} CA certificate(s) left out: only signing "
            "certificates are trusted, never a CA that vouches for others"
        )
    if not plan.added:
        click.echo("every certificate is trusted already: nothing changed")
        return
    if not yes and not _confirmed(f"Trust the {len(plan.added)} new certificate(s)?"):
        raise click.ClickException(
            "nothing imported: answer yes, or pass --yes once the fingerprints match"
        )
    try:
        imported = trust_store.import_trust_bundle(
            session, data, _instance(), expect=frozenset(plan.added)
        )
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None
    _audit(
        session,
        "trust.import",
        agency,
        detail=f"{imported.audit_detail()}, {BY_COMMAND}"[:500],
    )
    session.commit()
    click.echo(
        f"{len(imported.added)} new certificate(s) trusted in issuer group "
        f"{imported.group_id}"
    )


def _shown(text: str) -> str:
    """Untrusted text for the terminal: control and direction characters escaped.

    A certificate subject may hold escape sequences, carriage returns or
    right-to-left overrides that would redraw what the administrator reads.
    """
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c)[0] == "C" else c for c in text
    )


def _confirmed(question: str) -> bool:
    try:
        return click.confirm(question)
    except click.Abort:  # no terminal to answer from
        return False


@trust_group.command("list")
def trust_list() -> None:
    """Show every trusted certificate, ours and imported, with its issuer group."""
    rows: list[dict[str, Any]] = [
        {
            "sha256": keys.fingerprint(certificate),
            "subject": certificate.subject.rfc4514_string(),
            "group": trust.OWN_GROUP,
            "own": True,
            "authority": not trust.signs_documents(certificate),
            "not_after": certificate.not_valid_after_utc.isoformat(),
        }
        for certificate in keys.own_certificates(_instance())
    ]
    rows += [
        {
            "sha256": row.sha256,
            "subject": row.subject,
            "group": str(row.group_id),  # as verify names it; ours is "own"
            "group_name": row.group.name,
            "own": False,
            "authority": False,
            "not_after": row.not_after.isoformat(),
        }
        for row in trust_store.trusted_issuers(db.session())
    ]
    _echo_json(rows)


@trust_group.command("remove")
@click.argument("sha256")
def trust_remove(sha256: str) -> None:
    """Stop trusting an imported certificate (by its SHA-256)."""
    session = db.session()
    agency = _agency(session)
    if not trust_store.remove_trusted(session, sha256):
        raise click.ClickException("no imported certificate has that SHA-256")
    _audit(session, "trust.remove", agency)
    session.commit()
    click.echo(f"{sha256} is no longer trusted")
    click.echo(
        "its agency's revocations are kept: trusted again, its revoked documents "
        "stay revoked"
    )


cli.add_command(trust_group)


# --- revocation --------------------------------------------------------------------


def _withdraw(document_id: str, reason: str, replaced_by: str | None) -> None:
    session = db.session()
    agency = _agency(session)
    try:
        row = issued.withdraw(
            session,
            document_id,
            reason,
            status="superseded" if replaced_by else "revoked",
            replaced_by=replaced_by,
        )
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None
    action = "document.supersede" if replaced_by else "document.revoke"
    _audit(session, action, agency, row.document_id)
    session.commit()


@cli.command("revoke")
@click.argument("document_id")
@click.option("--reason", required=True, help="Why (no personal details).")
def revoke_command(document_id: str, reason: str) -> None:
    """Revoke one of our documents."""
    _withdraw(document_id, reason, None)
    click.echo(f"{document_id} revoked; export the revocation list to tell others")


@cli.command("supersede")
@click.argument("document_id")
@click.option("--by", "replaced_by", required=True, help="ID of the new document.")
@click.option("--reason", required=True, help="Why (no personal details).")
def supersede_command(document_id: str, replaced_by: str, reason: str) -> None:
    """Mark one of our documents as replaced by a newer one of ours."""
    _withdraw(document_id, reason, replaced_by)
    click.echo(f"{document_id} superseded by {replaced_by}")


@click.group("revocations", cls=AppGroup)
def revocations_group() -> None:
    """Signed revocation lists: export ours, import a counterpart's."""


@revocations_group.command("export")
@click.option("-o", "--output", help="Where to write the list (default: stdout).")
def revocations_export(output: str | None) -> None:
    """Write our revocations as a signed list."""
    _check_output(output)
    session = db.session()
    agency = _agency(session)
    signed_list = issued.revocation_list(session, _material())
    _write(signed_list, output)
    _audit(session, "revocations.export", agency)
    session.commit()


@revocations_group.command("import")
@click.argument("file")
def revocations_import(file: str) -> None:
    """Check a counterpart's signed list and keep it (never an older one).

    Its entries count only for the documents of the issuer group whose
    certificate signed it.
    """
    session = db.session()
    agency = _agency(session)
    data = _read_input(file, trust.MAX_IMPORT_BYTES)
    try:
        imported = trust_store.import_revocation_list(
            session, data, _trust_context(session)
        )
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None
    _audit(session, "revocations.import", agency)
    session.commit()
    click.echo(
        f"revocation list number {imported.sequence} of issuer group "
        f"{imported.group} imported ({len(imported.entries)} entries)"
    )


cli.add_command(revocations_group)


# --- issue -----------------------------------------------------------------------


def _answers_request(path: str) -> Any:
    data = _read_input(path, MAX_ANSWERS_BYTES)
    if len(data) > MAX_ANSWERS_BYTES:
        raise click.ClickException(
            f"{path}: larger than {MAX_ANSWERS_BYTES // (1024 * 1024)} MB"
        )
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{path}: not UTF-8 text (byte {error.start + 1})"
        ) from None
    except RecursionError:
        raise click.ClickException(f"{path}: JSON nested too deep") from None
    except ValueError as error:
        raise click.ClickException(f"{path}: {error}") from None


@cli.command("issue")
@click.argument("answers")
@click.option("-o", "--output", required=True, help="The signed PDF to write.")
@click.option(
    "--second-language",
    type=click.Choice(["en", "th", "lo"]),
    help="A second language for the document (English is always included).",
)
@click.option("--interviewer", help="Interviewer name (overrides the answers file).")
@click.option(
    "--supersedes",
    help="ID of an earlier document of ours, from an answers file, that this one "
    "replaces: it is marked superseded (needs --reason).",
)
@click.option("--reason", help="With --supersedes: why (no personal details).")
def issue_command(
    answers: str,
    output: str,
    *,
    second_language: str | None,
    interviewer: str | None,
    supersedes: str | None,
    reason: str | None,
) -> None:
    """Issue a signed result document from a completed ANSWERS file."""
    from screening import batch
    from screening.documents.issue import IssueError, IssueOptions
    from screening.documents.signing import TimestampUnavailableError

    _check_issue_options(interviewer, supersedes, reason)
    _check_output(output)
    session = db.session()
    agency = _agency(session)
    if supersedes is not None:
        _check_replaceable(session, supersedes)
    catalog = services().catalog
    request = _answers_request(answers)
    try:
        scored = batch.assess_answers(request, catalog)
        options = IssueOptions(
            second_language=second_language,
            interviewer=request.get("interviewer", "")
            if interviewer is None
            else interviewer,
            reference=request.get("reference"),
            supersedes=supersedes,
        )
    except ValueError as error:  # input errors and refused options alike
        raise click.ClickException(f"{answers}: {error}") from None
    standard = catalog.standard(scored.questionnaire.standard)
    if standard is None:  # the catalog checks this on loading; kept for the type
        raise click.ClickException(f"unknown standard {scored.questionnaire.standard}")
    try:
        document = issuers().get(agency).issue(scored, standard, options)
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    except IssueError as error:
        raise click.ClickException(f"{answers}: {error}") from None
    except TimestampUnavailableError as error:
        raise click.ClickException(
            f"{error} from SCREENING_TIMESTAMP_URL: the document was not issued"
        ) from None
    issued.record_issue(session, document)
    _audit(session, "document.issue", agency, document.document_id)
    if options.supersedes is not None:
        try:
            issued.withdraw(
                session,
                options.supersedes,
                reason or "",
                status="superseded",
                replaced_by=document.document_id,
            )
        except trust.TrustError as error:
            raise click.ClickException(f"nothing was issued: {error}") from None
        _audit(session, "document.supersede", agency, options.supersedes)
    _write(document.pdf, output, private=True)  # may name the person
    session.commit()
    _echo_json(
        {
            "document_id": document.document_id,
            "band": document.record["band"],
            "output": output,
        }
    )


def _check_issue_options(
    interviewer: str | None, supersedes: str | None, reason: str | None
) -> None:
    """Refuse odd options by their own names, before the answers file is read."""
    from screening.documents.issue import IssueOptions

    for option, value in (("--interviewer", interviewer), ("--supersedes", supersedes)):
        if value is None:
            continue
        try:
            IssueOptions(**{option[2:]: value})
        except ValueError as error:
            message = str(error).removeprefix(f"'{option[2:]}' ")
            raise click.BadParameter(message, param_hint=option) from None
    if (supersedes is None) != (reason is None):
        raise click.UsageError("--supersedes and --reason go together")
    if reason is not None:
        try:
            trust.withdrawal(str(uuid.uuid4()), reason)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--reason") from None


def _check_replaceable(session: Session, document_id: str) -> None:
    """The document --supersedes names must be a valid one of ours, from a file."""
    row = issued.find(session, document_id)
    if row is None:
        raise click.ClickException("--supersedes: this instance did not issue that")
    if row.status != "valid":
        raise click.ClickException(f"--supersedes: that document is {row.status}")
    if row.screening_id is not None:
        raise click.ClickException(
            "--supersedes: that document is a screening's result: issue its "
            "replacement from the screening's result page"
        )


# --- verify ----------------------------------------------------------------------


def _verify_path(path: str, check: Callable[[bytes], Report]) -> dict[str, Any]:
    """The report on one file; a file that cannot be read gets a verdict too."""
    from screening.documents.verify import MAX_DOCUMENT_BYTES, Report

    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        else:
            data = _read_regular_file(path, MAX_DOCUMENT_BYTES)
    except OSError as error:
        report = Report("unreadable", problem="input.not_a_file")
        return {"file": path, **report.as_dict(), "error": error.strerror}
    return {"file": path, **check(data).as_dict()}


def _pdf_files(targets: Iterable[str]) -> list[str]:
    """The files named, and every entry named *.pdf in the folders named."""
    found: list[str] = []
    for target in targets:
        if Path(target).is_dir():
            found += sorted(_pdf_entries(target))
        else:
            found.append(target)
    return found


def _pdf_entries(folder: str) -> Iterator[str]:
    # os.walk follows no links to folders (no loops) and skips unreadable
    # folders; an entry that is not a folder is listed whatever it is, and
    # _verify_path gives it a verdict.
    for parent, _, names in os.walk(folder):
        for name in names:
            if name.lower().endswith(".pdf"):
                yield os.path.join(parent, name)


def _verify_files(files: list[str], jobs: int) -> list[dict[str, Any]]:
    """Each file verified in a bounded worker process, held to the instance's limits.

    The threads only wait for those processes: ``jobs`` of them run at once.
    """
    from screening.documents.bounded import limits_for, verify_bounded

    context = _trust_context(db.session())
    standards = services().catalog.standards
    limits = limits_for(settings())

    def check(data: bytes) -> Report:
        return verify_bounded(data, context, standards, limits=limits)

    if jobs > 1:
        with ThreadPoolExecutor(jobs) as pool:
            return list(pool.map(lambda path: _verify_path(path, check), files))
    return [_verify_path(path, check) for path in files]


def _audit_verifications(results: list[dict[str, Any]]) -> None:
    """One audit row per document: its ID and the verdict, nothing it says."""
    session = db.session()
    agency = accounts.own_agency(session)
    for result in results:
        document_id = result.get("document", {}).get("document_id")
        audit.record(
            session,
            "document.verify",
            record_type="document",
            record_id=str(document_id)[:64] if document_id else None,
            agency_id=agency.id if agency is not None else None,
            detail=f"{result['verdict']}, {BY_COMMAND}",
        )
    session.commit()


@cli.command("verify")
@click.argument(
    "targets", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True)
)
@click.option(
    "--jobs",
    type=click.IntRange(1, MAX_JOBS),
    help="Documents verified at once, each in a bounded worker process "
    "(default: up to 4, by processor count).",
)
def verify_command(targets: tuple[str, ...], jobs: int | None) -> None:
    """Verify result PDFs (files or folders, or - for one on standard input).

    Exit 0 only if every check passes.
    """
    if "-" in targets and len(targets) > 1:
        raise click.UsageError("- (standard input) must be the only document")
    files = _pdf_files(targets)
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 4)
    results = _verify_files(files, min(jobs, max(len(files), 1)))
    _audit_verifications(results)
    valid = sum(1 for result in results if result["verdict"] == "valid")
    if len(targets) == 1 and len(files) == 1 and not Path(targets[0]).is_dir():
        _echo_json(results[0])
    else:
        _echo_json(
            {
                "documents": results,
                "summary": {"total": len(results), "valid": valid},
            }
        )
    if valid != len(results) or not results:
        sys.exit(1)


@cli.command("verify-token")
@click.argument("token", required=False)
@click.option("--image", help="A photo or scan of the QR code.")
def verify_token_command(token: str | None, image: str | None) -> None:
    """Verify a QR token (pasted text or a photo) offline; exit 0 if valid."""
    from screening.documents.verify import (
        MAX_IMAGE_BYTES,
        verify_token,
        verify_token_image,
    )

    context = _trust_context(db.session())
    if image is not None:
        report = verify_token_image(_read_input(image, MAX_IMAGE_BYTES), context)
    elif token:
        report = verify_token(token, context)
    else:
        raise click.UsageError("give a TOKEN or --image")
    _echo_json(report.as_dict())
    if not report.ok:
        sys.exit(1)
