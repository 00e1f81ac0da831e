"""Verifying a result document: the page (PDF, pasted QR token, photo) and the API.

Everything is checked here, against the certificates and revocation lists
this instance imported; nothing is ever sent to the issuing agency. Any
upload, however foreign or damaged, gets a plain verdict. Each verification
writes an audit row with the document ID and the verdict only.

The JSON API (``POST /api/verify``) serves a signed-in session: the same
login, timeouts and roles as the page, with the CSRF token in an
``X-CSRFToken`` header. It takes the PDF as the request body
(``application/pdf``), a multipart form with ``document``, ``image`` or
``token``, or JSON ``{"token": "GMS1:..."}``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from screening import audit, db, labels, trust_store
from screening.documents import bounded, verify
from screening.documents.trust import TrustError, normalized_document_id
from screening.extensions import services, settings
from screening.i18n import current_language, format_moment
from screening.security import client_address, require_role, upload_limit

bp = Blueprint("verify", __name__)
log = logging.getLogger(__name__)

VERIFY_ROLES = frozenset(
    {"verifier", "interviewer", "supervisor", "coordinator", "administrator"}
)
# The largest upload (a photo) plus room for the form around it.
UPLOAD_LIMIT = verify.MAX_IMAGE_BYTES + 256 * 1024
MAX_TOKEN_CHARACTERS = 4096


def can_verify(user: Any) -> bool:
    return bool(user.is_authenticated and user.roles & VERIFY_ROLES)


def _read(upload: FileStorage, limit: int) -> bytes:
    """An uploaded file's bytes, one more than the limit at most."""
    return upload.stream.read(limit + 1)


def verify_upload(kind: str, data: bytes) -> verify.Report:
    """Verify one PDF, photo or token (as UTF-8) against this instance's trust."""
    context = trust_store.load_trust_context(db.session(), settings().instance_path)
    if kind == "pdf":
        # pyHanko's parse of a hostile PDF is unbounded: a worker process with
        # limits does it, never this (threaded) server process.
        return bounded.verify_bounded(
            data,
            context,
            services().catalog.standards,
            limits=bounded.limits_for(settings()),
        )
    if kind == "image":
        if len(data) > verify.MAX_IMAGE_BYTES:
            return verify.Report("unreadable", problem="input.too_large")
        return verify.verify_token_image(data, context)
    token = data[:MAX_TOKEN_CHARACTERS].decode("utf-8", "replace")
    return verify.verify_token(token, context)


def _audit(report: verify.Report, kind: str) -> None:
    """One row: the document's ID when it could be read, and the verdict."""
    try:
        document_id: str | None = normalized_document_id(
            str(report.document.get("document_id", ""))
        )
    except TrustError:
        document_id = None
    audit.record(
        db.session(),
        "document.verify",
        user=current_user,
        record_type="document",
        record_id=document_id,
        address=client_address(),
        detail=f"{report.verdict} ({kind})",
    )
    db.session().commit()


# --- the page -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckLine:
    name: str
    status: str
    message: str


@dataclass(frozen=True)
class ReportView:
    """A report in the reader's language."""

    verdict: str
    message: str
    problem: str | None
    checks: list[CheckLine]
    facts: list[tuple[str, str]]


def _in_language(messages: dict[str, str], language: str) -> str:
    return messages.get(language) or messages["en"]


def _signed_by(signer: dict[str, Any]) -> str:
    """Who signed, as this instance's trust says: never the record's own claim."""
    from screening.trust_admin import agency_of

    agency = agency_of(str(signer.get("subject", "")))
    if signer.get("own"):
        return gettext("This agency: %(agency)s", agency=agency)
    if signer.get("group"):
        return gettext(
            "Trusted agency %(number)s: %(agency)s",
            number=signer["group"],
            agency=agency,
        )
    return gettext("Not trusted here: %(agency)s", agency=agency)


def _withdrawal_facts(checks: list[verify.Check]) -> list[tuple[str, str]]:
    """When and why the issuer withdrew the document, and what replaced it."""
    for check in checks:
        if check.name != "not_revoked" or check.status != "fail":
            continue
        detail = check.detail
        facts = []
        if detail.get("at"):
            facts.append(
                (gettext("Withdrawn by the issuer"), _moment(str(detail["at"])))
            )
        if detail.get("reason"):
            facts.append((gettext("The issuer's reason"), str(detail["reason"])))
        if detail.get("replaced_by"):
            facts.append((gettext("Replaced by document"), str(detail["replaced_by"])))
        return facts
    return []


def _facts(
    document: dict[str, Any], signer: dict[str, Any], language: str
) -> list[tuple[str, str]]:
    facts = []
    if document.get("band") in labels.BAND_HEADINGS:
        facts.append(
            (
                gettext("Result"),
                labels.label(labels.BAND_HEADINGS, document["band"], language),
            )
        )
    if signer:
        facts.append((gettext("Signed by"), _signed_by(signer)))
        facts.append(
            (
                gettext("Signing certificate (SHA-256)"),
                str(signer.get("certificate_sha256", "")),
            )
        )
    if document.get("issued_at"):
        facts.append((gettext("Issued"), _moment(str(document["issued_at"]))))
    if document.get("standard"):
        facts.append((gettext("Standard"), str(document["standard"])))
    if document.get("document_id"):
        facts.append((gettext("Document ID"), str(document["document_id"])))
    return facts


def _moment(text: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return format_moment(moment) if moment.tzinfo else text


def present(report: verify.Report) -> ReportView:
    """The report's verdict, each check and the document's facts, in words."""
    language = current_language()
    data = report.as_dict()
    return ReportView(
        verdict=report.verdict,
        message=_in_language(data["message"], language),
        problem=(
            _in_language(data["problem"]["message"], language)
            if "problem" in data
            else None
        ),
        checks=[
            CheckLine(
                check["check"],
                check["status"],
                _in_language(check["message"], language),
            )
            for check in data["checks"]
        ],
        facts=_withdrawal_facts(report.checks)
        + _facts(report.document, report.signer, language),
    )


def _page(
    report: verify.Report | None = None, error: str | None = None, status: int = 200
) -> ResponseReturnValue:
    return (
        render_template(
            "verify/verify.html",
            report=present(report) if report is not None else None,
            error=error,
            max_pdf_mb=verify.MAX_DOCUMENT_BYTES // (1024 * 1024),
            max_image_mb=verify.MAX_IMAGE_BYTES // (1024 * 1024),
        ),
        status,
    )


@bp.get("/verify")
@require_role(*VERIFY_ROLES)
def page() -> ResponseReturnValue:
    return _page()


@bp.post("/verify")
@require_role(*VERIFY_ROLES)
@upload_limit(UPLOAD_LIMIT)
def check() -> ResponseReturnValue:
    kind = request.form.get("kind", "")
    data: bytes | None = None
    if kind == "pdf" and request.files.get("document"):
        data = _read(request.files["document"], verify.MAX_DOCUMENT_BYTES)
    elif kind == "image" and request.files.get("image"):
        data = _read(request.files["image"], verify.MAX_IMAGE_BYTES)
    elif kind == "token" and request.form.get("token", "").strip():
        data = request.form["token"].encode("utf-8")
    if data is None:
        message = gettext("Choose a PDF file or a photo, or paste a QR token.")
        return _page(error=message, status=400)
    report = verify_upload(kind, data)
    _audit(report, kind)
    return _page(report)


# --- the JSON API -----------------------------------------------------------------


def _api_input() -> tuple[str, bytes] | None:
    """What the API request carries: (kind, data), or None."""
    if request.mimetype in ("application/pdf", "application/octet-stream"):
        return "pdf", request.get_data(cache=False)
    if request.mimetype == "application/json":
        token = _json_token(request.get_data(cache=False))
        return None if token is None else ("token", token)
    if request.files.get("document"):
        return "pdf", _read(request.files["document"], verify.MAX_DOCUMENT_BYTES)
    if request.files.get("image"):
        return "image", _read(request.files["image"], verify.MAX_IMAGE_BYTES)
    if request.form.get("token", "").strip():
        return "token", request.form["token"].encode("utf-8")
    return None


def _json_token(data: bytes) -> bytes | None:
    """The token of a JSON body {"token": "..."}, or None for anything else.

    Hostile bodies (nesting deep enough to exhaust the parser, a lone
    surrogate that cannot be encoded) are refused like any other bad input.
    """
    try:
        body = json.loads(data)
        token = body.get("token") if isinstance(body, dict) else None
        if isinstance(token, str) and token.strip():
            return token.encode("utf-8")
    except (ValueError, RecursionError):  # UnicodeError is a ValueError
        pass
    return None


@bp.post("/api/verify")
@upload_limit(UPLOAD_LIMIT)
def api() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        abort(401)
    if not can_verify(current_user):
        abort(403)
    found = _api_input()
    if found is None:
        return {
            "error": 400,
            "message": gettext(
                "Send a PDF (application/pdf), a multipart form with a document, "
                'image or token field, or JSON {"token": "..."}.'
            ),
        }, 400
    kind, data = found
    report = verify_upload(kind, data)
    _audit(report, kind)
    return {"kind": kind, **report.as_dict()}
