"""`screening` commands for keys, trust, revocation, issuing and verifying.

They work on an instance folder (``$SCREENING_INSTANCE_PATH``, default
``./instance``) and need no web application or database.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO, Any

import click

from screening.cli import cli
from screening.documents import instance as instances
from screening.documents import keys, trust

PARALLEL_FROM = 24  # below this many files, worker start-up costs more than it saves


def _instance() -> Path:
    return instances.instance_path()


def _settings(folder: Path) -> instances.AgencySettings:
    try:
        return instances.load_settings(folder)
    except instances.SettingsError as error:
        raise click.ClickException(str(error)) from None


def _catalog(questionnaires: str | None) -> Any:
    from screening.catalog import Catalog
    from screening.sourcefile import DefinitionError

    try:
        return Catalog.load(Path(questionnaires) if questionnaires else None)
    except DefinitionError as error:
        raise click.ClickException(
            f"cannot load the questionnaires:\n{error}"
        ) from None


def _write(data: bytes, output: str | None) -> None:
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
    else:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output}", err=True)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))


questionnaires_option = click.option(
    "--questionnaires",
    type=click.Path(file_okay=False, exists=True),
    help="Folder of standards and questionnaires (default: the bundled one).",
)


# --- keys ------------------------------------------------------------------------


@click.group("keys")
def keys_group() -> None:
    """The agency's signing key and certificates."""


def _identity_from(
    folder: Path, name: str | None, country: str | None, province: str | None
) -> instances.AgencySettings:
    if name or country:
        if not (name and country):
            raise click.UsageError("give both --name and --country")
        current = None
        if (folder / instances.SETTINGS_FILE).exists():
            current = _settings(folder)
        settings = instances.AgencySettings(
            keys.AgencyIdentity(name, country.upper(), province or ""),
            current.timestamp_url if current else None,
        )
        instances.save_settings(folder, settings)
        return settings
    return _settings(folder)


identity_options = [
    click.option("--name", help="Agency name (Latin letters read best in the stamp)."),
    click.option("--country", help="TH, LA, MM, KH, VN or CN."),
    click.option("--province", help="Province of the agency."),
]


def _with_identity(function: Any) -> Any:
    for option in reversed(identity_options):
        function = option(function)
    return function


@keys_group.command("create")
@_with_identity
@click.option("--days", default=5 * 365, show_default=True, help="Validity in days.")
def keys_create(
    name: str | None, country: str | None, province: str | None, days: int
) -> None:
    """Create a key and self-signed certificate (rotating any current one)."""
    folder = _instance()
    settings = _identity_from(folder, name, country, province)
    try:
        certificate = keys.create_signing_key(folder, settings.identity, days=days)
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"certificate {keys.fingerprint(certificate)}")
    click.echo(f"valid until {certificate.not_valid_after_utc:%Y-%m-%d}")


@keys_group.command("request")
@_with_identity
@click.option("-o", "--output", help="Where to write the request (default: stdout).")
def keys_request(
    name: str | None, country: str | None, province: str | None, output: str | None
) -> None:
    """Create a pending key and a certificate request for a national CA."""
    folder = _instance()
    settings = _identity_from(folder, name, country, province)
    try:
        pem = keys.create_certificate_request(folder, settings.identity)
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    _write(pem, output)


@keys_group.command("import-cert")
@click.argument("file", type=click.File("rb"))
def keys_import_cert(file: IO[bytes]) -> None:
    """Install the certificate (and chain) a CA issued for the pending key."""
    try:
        certificate = keys.import_issued_certificate(_instance(), file.read())
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"certificate {keys.fingerprint(certificate)} installed")


@keys_group.command("show")
def keys_show() -> None:
    """List the current and past signing certificates."""
    folder = _instance()
    try:
        current = keys.load_signing_material(folder).fingerprint
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    rows = [
        {
            "sha256": keys.fingerprint(c),
            "subject": c.subject.rfc4514_string(),
            "not_before": c.not_valid_before_utc.isoformat(),
            "not_after": c.not_valid_after_utc.isoformat(),
            "current": keys.fingerprint(c) == current,
        }
        for c in keys.own_certificates(folder)
    ]
    _echo_json(rows)


cli.add_command(keys_group)


# --- trust -----------------------------------------------------------------------


@click.group("trust")
def trust_group() -> None:
    """Trust bundles: export ours, import a counterpart's."""


@trust_group.command("export")
@click.option("-o", "--output", help="Where to write the bundle (default: stdout).")
def trust_export(output: str | None) -> None:
    """Write our certificates, current and past, as one PEM bundle."""
    try:
        _write(trust.export_trust_bundle(_instance()), output)
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None


@trust_group.command("import")
@click.argument("file", type=click.File("rb"))
def trust_import(file: IO[bytes]) -> None:
    """Trust the certificates in a counterpart's bundle."""
    try:
        added = trust.import_trust_bundle(
            _instance(), file.read(trust.MAX_IMPORT_BYTES + 1)
        )
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{len(added)} new certificate(s) trusted")


@trust_group.command("list")
def trust_list() -> None:
    """Show every trusted certificate (ours and imported)."""
    context = trust.load_trust_context(_instance())
    _echo_json(
        [
            {
                "sha256": print_,
                "subject": c.subject.rfc4514_string(),
                "own": print_ in context.own,
                "not_after": c.not_valid_after_utc.isoformat(),
            }
            for print_, c in sorted(context.anchors.items())
        ]
    )


@trust_group.command("remove")
@click.argument("sha256")
def trust_remove(sha256: str) -> None:
    """Stop trusting an imported certificate (by its SHA-256)."""
    if not trust.remove_trusted(_instance(), sha256):
        raise click.ClickException("no imported certificate has that SHA-256")
    click.echo(f"{sha256} is no longer trusted")


cli.add_command(trust_group)


# --- revocation --------------------------------------------------------------------


@cli.command("revoke", with_appcontext=False)
@click.argument("document_id")
@click.option("--reason", required=True, help="Why (no personal details).")
def revoke_command(document_id: str, reason: str) -> None:
    """Revoke one of our documents."""
    try:
        trust.revoke(_instance(), document_id, reason)
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{document_id} revoked; export the revocation list to tell others")


@cli.command("supersede", with_appcontext=False)
@click.argument("document_id")
@click.option("--by", "replaced_by", required=True, help="ID of the new document.")
@click.option("--reason", required=True, help="Why (no personal details).")
def supersede_command(document_id: str, replaced_by: str, reason: str) -> None:
    """Mark one of our documents as replaced by a newer one."""
    try:
        trust.revoke(
            _instance(),
            document_id,
            reason,
            status="superseded",
            replaced_by=replaced_by,
        )
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{document_id} superseded by {replaced_by}")


@click.group("revocations")
def revocations_group() -> None:
    """Signed revocation lists: export ours, import a counterpart's."""


@revocations_group.command("export")
@click.option("-o", "--output", help="Where to write the list (default: stdout).")
def revocations_export(output: str | None) -> None:
    """Write our revocations as a signed list."""
    folder = _instance()
    try:
        material = keys.load_signing_material(folder)
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    _write(trust.export_revocation_list(folder, material), output)


@revocations_group.command("import")
@click.argument("file", type=click.File("rb"))
def revocations_import(file: IO[bytes]) -> None:
    """Check a counterpart's signed list and keep it (never an older one)."""
    folder = _instance()
    try:
        sequence, count = trust.import_revocation_list(
            folder,
            file.read(trust.MAX_IMPORT_BYTES + 1),
            trust.load_trust_context(folder),
        )
    except trust.TrustError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"revocation list number {sequence} imported ({count} entries)")


cli.add_command(revocations_group)


# --- issue -----------------------------------------------------------------------


@cli.command("issue", with_appcontext=False)
@click.argument("answers", type=click.File("r", encoding="utf-8"))
@click.option("-o", "--output", required=True, help="The signed PDF to write.")
@click.option(
    "--second-language",
    type=click.Choice(["en", "th", "lo"]),
    help="A second language for the document (English is always included).",
)
@click.option("--interviewer", help="Interviewer name (overrides the answers file).")
@click.option("--supersedes", help="ID of an earlier document this one replaces.")
@questionnaires_option
def issue_command(
    answers: IO[str],
    output: str,
    *,
    second_language: str | None,
    interviewer: str | None,
    supersedes: str | None,
    questionnaires: str | None,
) -> None:
    """Issue a signed result document from a completed ANSWERS file."""
    from screening import batch
    from screening.documents.issue import IssueOptions, Issuer

    folder = _instance()
    settings = _settings(folder)
    catalog = _catalog(questionnaires)
    try:
        request = json.load(answers)
        scored = batch.assess_answers(request, catalog)
    except ValueError as error:  # JSON and input errors alike
        raise click.ClickException(f"{answers.name}: {error}") from None
    try:
        material = keys.load_signing_material(folder)
    except keys.AgencyKeyError as error:
        raise click.ClickException(str(error)) from None
    issuer = Issuer(
        settings.identity,
        material,
        timestamp_url=settings.timestamp_url,
        instance=folder,
    )
    standard = catalog.standard(scored.questionnaire.standard)
    options = IssueOptions(
        second_language=second_language,
        interviewer=interviewer or str(request.get("interviewer") or ""),
        reference=request.get("reference"),
        supersedes=supersedes,
    )
    document = issuer.issue(scored, standard, options)
    Path(output).write_bytes(document.pdf)
    _echo_json(
        {
            "document_id": document.document_id,
            "band": document.record["band"],
            "output": output,
        }
    )


# --- verify ----------------------------------------------------------------------

_worker_state: dict[str, Any] = {}


def _prepare_worker(instance_folder: str, questionnaires: str | None) -> None:
    _worker_state["trust"] = trust.load_trust_context(Path(instance_folder))
    _worker_state["standards"] = _catalog(questionnaires).standards


def _verify_path(path: str) -> dict[str, Any]:
    from screening.documents.verify import MAX_DOCUMENT_BYTES, verify_document

    with open(path, "rb") as stream:
        data = stream.read(MAX_DOCUMENT_BYTES + 1)
    report = verify_document(data, _worker_state["trust"], _worker_state["standards"])
    return {"file": path, **report.as_dict()}


def _pdf_files(targets: Iterable[str]) -> list[str]:
    found: list[str] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            found += sorted(
                str(p) for p in path.rglob("*") if p.suffix.lower() == ".pdf"
            )
        else:
            found.append(str(path))
    return found


@cli.command("verify", with_appcontext=False)
@click.argument("targets", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--jobs", type=int, help="Worker processes (default: by file count).")
@questionnaires_option
def verify_command(
    targets: tuple[str, ...], jobs: int | None, questionnaires: str | None
) -> None:
    """Verify result PDFs (files or folders); exit 0 only if every check passes."""
    folder = str(_instance())
    files = _pdf_files(targets)
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 4) if len(files) >= PARALLEL_FROM else 1
    if jobs > 1:
        with ProcessPoolExecutor(
            jobs, initializer=_prepare_worker, initargs=(folder, questionnaires)
        ) as pool:
            results = list(pool.map(_verify_path, files, chunksize=4))
    else:
        _prepare_worker(folder, questionnaires)
        results = [_verify_path(path) for path in files]
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


@cli.command("verify-token", with_appcontext=False)
@click.argument("token", required=False)
@click.option("--image", type=click.File("rb"), help="A photo or scan of the QR code.")
def verify_token_command(token: str | None, image: IO[bytes] | None) -> None:
    """Verify a QR token (pasted text or a photo) offline; exit 0 if valid."""
    from screening.documents.verify import (
        MAX_IMAGE_BYTES,
        verify_token,
        verify_token_image,
    )

    context = trust.load_trust_context(_instance())
    if image is not None:
        report = verify_token_image(image.read(MAX_IMAGE_BYTES + 1), context)
    elif token:
        report = verify_token(token, context)
    else:
        raise click.UsageError("give a TOKEN or --image")
    _echo_json(report.as_dict())
    if not report.ok:
        sys.exit(1)
