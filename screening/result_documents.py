"""Signed result documents from the result page: issue, download, revoke, replace.

Whoever may see a completed screening (its interviewer, the agency's
supervisors and coordinators) may issue and download its signed PDF;
supervisors, coordinators and administrators may revoke a document or
replace it with a new one. Each of these writes an audit row.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from flask import Blueprint, abort, flash, redirect, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from screening import accounts, audit, db, interviews, issuance, issued
from screening.documents.issue import IssueError, consents_to_sharing
from screening.documents.keys import AgencyKeyError
from screening.documents.signing import TimestampUnavailableError
from screening.documents.trust import TrustError
from screening.extensions import cipher, issuers, standard
from screening.forms import IssueDocumentForm, WithdrawDocumentForm, second_languages
from screening.labels import trust_problem
from screening.models import IssuedDocument, Screening
from screening.results import find_result
from screening.security import client_address

bp = Blueprint("documents", __name__, url_prefix="/screenings")
log = logging.getLogger(__name__)

WITHDRAW_ROLES = frozenset({"supervisor", "coordinator", "administrator"})


def may_withdraw(user: Any) -> bool:
    return bool(user.roles & WITHDRAW_ROLES)


def document_panel(
    screening: Screening, result: interviews.ScreeningResult
) -> dict[str, Any]:
    """What the result page needs to show and offer the screening's documents."""
    session = db.session()
    agency = accounts.own_agency(session) or screening.agency
    issue_form = IssueDocumentForm().offer_for(screening.interview_language)
    issue_form.second_language.data = issuance.default_second_language(
        agency.country, screening.interview_language
    )
    return {
        "documents": issued.documents_of(session, screening),
        "issue_form": issue_form,
        "withdraw_form": WithdrawDocumentForm(),
        "replacement_languages": second_languages(screening.interview_language),
        "may_withdraw": may_withdraw(current_user),
        "shares_identity": consents_to_sharing(result.questionnaire, result.answers),
    }


def _back(screening: Screening) -> ResponseReturnValue:
    return redirect(
        url_for("results.result", reference=screening.reference) + "#document-actions"
    )


def _audit(action: str, row: IssuedDocument, screening: Screening) -> None:
    audit.record(
        db.session(),
        action,
        user=current_user,
        record_type="document",
        record_id=row.document_id,
        address=client_address(),
        detail=f"screening {screening.id}",
    )


def _issue(
    screening: Screening,
    result: interviews.ScreeningResult,
    second_language: str,
    supersedes: str | None = None,
) -> IssuedDocument | None:
    """Sign and register a document; None, with a message, when it cannot be."""
    session = db.session()
    agency = accounts.own_agency(session) or screening.agency
    try:
        issuer = issuers().get(agency)
    except AgencyKeyError:
        log.warning("no signing key: a document could not be issued")
        flash(
            gettext(
                "This instance has no signing key yet. An administrator can "
                "create one with `screening init`."
            ),
            "error",
        )
        return None
    try:
        return issuance.issue_for_screening(
            session,
            issuer,
            cipher(),
            screening=screening,
            result=result,
            standard=standard(result.questionnaire.standard),
            user=current_user,
            second_language=second_language,
            supersedes=supersedes,
        )
    except TimestampUnavailableError:
        flash(
            gettext(
                "The time-stamping server did not answer, so the document was not "
                "issued. Try again later; if it goes on, tell an administrator."
            ),
            "error",
        )
    except IssueError:
        log.warning("screening %s: a document could not be issued", screening.id)
        flash(
            gettext(
                "The document cannot be issued: the interviewer's name and the "
                "reference must be one line of at most 200 characters."
            ),
            "error",
        )
    return None


@bp.post("/<reference>/documents")
@login_required
def issue(reference: str) -> ResponseReturnValue:
    screening, result = find_result(reference)
    form = IssueDocumentForm()
    if not form.validate_on_submit():
        abort(400)
    row = _issue(screening, result, form.second_language.data or "en")
    if row is None:
        return _back(screening)
    _audit("document.issue", row, screening)
    db.session().commit()
    flash(gettext("The signed PDF is issued. Download it below."), "success")
    return _back(screening)


def _screening_document(reference: str, document_id: str) -> tuple[Screening, Any]:
    """A completed screening the user may see and one of its documents (or 404)."""
    session = db.session()
    screening = interviews.find_screening(session, current_user, reference)
    if screening is None or screening.status != "completed":
        abort(404)
    row = issued.find(session, document_id)
    if row is None or row.screening_id != screening.id:
        abort(404)
    return screening, row


@bp.get("/<reference>/documents/<document_id>.pdf")
@login_required
def download(reference: str, document_id: str) -> ResponseReturnValue:
    screening, row = _screening_document(reference, document_id)
    if row.status != "valid":
        flash(_withdrawn_message(row), "error")
        return _back(screening)
    pdf = issued.stored_pdf(row, cipher())
    if pdf is None:
        abort(404)
    _audit("document.download", row, screening)
    db.session().commit()
    return send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"result-{screening.reference}-{row.document_id[:8]}.pdf",
    )


def _withdrawn_message(row: IssuedDocument) -> str:
    """Why a withdrawn document no longer downloads, and what replaced it."""
    if row.status == "superseded" and row.superseded_by:
        return gettext(
            "This document was replaced by document %(replacement)s and can no "
            "longer be downloaded: download the replacement below.",
            replacement=row.superseded_by,
        )
    return gettext(
        "This document was revoked and can no longer be downloaded. Any copy of "
        "it now fails verification."
    )


def _second_language_of(row: IssuedDocument) -> str:
    """The language a document added to the interview language and English."""
    languages = row.language_list
    return languages[1] if len(languages) > 1 else languages[0]


@bp.post("/<reference>/documents/<document_id>/withdraw")
@login_required
def withdraw(reference: str, document_id: str) -> ResponseReturnValue:
    if not may_withdraw(current_user):
        abort(403)
    screening, row = _screening_document(reference, document_id)
    form = WithdrawDocumentForm()
    if not form.validate_on_submit():
        flash(form.problem(), "error")
        return _back(screening)
    reason = form.reason.data or ""
    replacement = None
    if form.action.data == "supersede":
        _, result = find_result(reference)
        second = form.second_language.data or _second_language_of(row)
        replacement = _issue(screening, result, second, row.document_id)
        if replacement is None:
            return _back(screening)
    session = db.session()
    try:
        issued.withdraw(
            session,
            row.document_id,
            reason,
            status="superseded" if replacement else "revoked",
            replaced_by=replacement.document_id if replacement else None,
            user=current_user,
        )
    except TrustError as error:
        session.rollback()
        flash(trust_problem(error), "error")
        return _back(screening)
    _announce(screening, row, replacement)
    session.commit()
    return _back(screening)


def _announce(
    screening: Screening, row: IssuedDocument, replacement: IssuedDocument | None
) -> None:
    """The audit rows and messages of a revocation or a replacement."""
    if replacement is not None:
        _audit("document.issue", replacement, screening)
        _audit("document.supersede", row, screening)
        flash(gettext("The document is replaced by a new one."), "success")
    else:
        _audit("document.revoke", row, screening)
        flash(gettext("The document is revoked."), "success")
    flash(
        gettext(
            "Tell the counterpart agency: an administrator exports the revocation "
            "list for them to import."
        ),
        "info",
    )
