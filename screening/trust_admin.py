"""Administrators' screens for trust: certificates and revocation lists as files.

Export our trust bundle and our signed revocation list for the counterpart
agency; import theirs; see and remove trusted issuers; see every document
this instance issued and revoke one. Each export, import, removal and
withdrawal writes an audit row.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

from cryptography import x509
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from screening import audit, db, issued, trust_store
from screening.documents import keys, trust
from screening.extensions import settings
from screening.forms import WithdrawDocumentForm
from screening.labels import trust_problem
from screening.security import client_address, require_role, upload_limit

bp = Blueprint("trust", __name__, url_prefix="/admin")
log = logging.getLogger(__name__)

# A trust file, plus room for the form around it.
IMPORT_LIMIT = trust.MAX_IMPORT_BYTES + 64 * 1024
# The checked certificates come back as a form field, percent-encoded: a
# PEM file grows by a tenth that way (a third at the very most).
CONFIRM_LIMIT = 2 * trust.MAX_IMPORT_BYTES + 64 * 1024


@dataclass(frozen=True)
class OwnCertificate:
    sha256: str
    subject: str
    not_before: dt.datetime
    not_after: dt.datetime
    current: bool
    authority: bool = False  # a CA above ours, from chain.pem: it signs nothing


@bp.app_template_filter("agency_of")
def agency_of(subject: str) -> str:
    """A certificate subject as people name the agency: "Name (Province, TH)"."""
    from cryptography.x509.oid import NameOID

    try:
        name = x509.Name.from_rfc4514_string(subject)
    except ValueError:
        return subject

    def first(oid: x509.ObjectIdentifier) -> str:
        found = name.get_attributes_for_oid(oid)
        return str(found[0].value) if found else ""

    agency = first(NameOID.ORGANIZATION_NAME) or first(NameOID.COMMON_NAME)
    place = ", ".join(
        part
        for part in (first(NameOID.STATE_OR_PROVINCE_NAME), first(NameOID.COUNTRY_NAME))
        if part
    )
    return f"{agency} ({place})" if agency and place else agency or subject


def _audit(
    action: str, record_id: str | None = None, detail: str | None = None
) -> None:
    audit.record(
        db.session(),
        action,
        user=current_user,
        record_type="document" if record_id else None,
        record_id=record_id,
        address=client_address(),
        detail=detail,
    )


def own_certificates() -> list[OwnCertificate]:
    """Our signing certificates, current first, then past ones, then our CA chain."""
    instance = settings().instance_path
    try:
        current = keys.load_signing_material(instance).fingerprint
    except keys.AgencyKeyError:
        current = None
    found = [
        OwnCertificate(
            keys.fingerprint(certificate),
            certificate.subject.rfc4514_string(),
            certificate.not_valid_before_utc,
            certificate.not_valid_after_utc,
            keys.fingerprint(certificate) == current,
            authority=not trust.signs_documents(certificate),
        )
        for certificate in keys.own_certificates(instance)
    ]
    return sorted(
        found, key=lambda item: (item.authority, not item.current, item.not_before)
    )


@bp.get("/trust")
@require_role("administrator")
def overview() -> ResponseReturnValue:
    session = db.session()
    return render_template(
        "admin/trust.html",
        own=own_certificates(),
        issuers=trust_store.trusted_issuers(session),
        lists=trust_store.revocation_lists(session),
        withdrawn=issued.withdrawn_count(session),
        max_mb=trust.MAX_IMPORT_BYTES // (1024 * 1024),
    )


def _back() -> ResponseReturnValue:
    return redirect(url_for("trust.overview"))


def _uploaded(field: str) -> bytes | None:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        flash(gettext("Choose a file to import."), "error")
        return None
    return upload.stream.read(trust.MAX_IMPORT_BYTES + 1)


@bp.get("/trust/bundle.pem")
@require_role("administrator")
def export_bundle() -> ResponseReturnValue:
    try:
        bundle = trust.export_trust_bundle(settings().instance_path)
    except trust.TrustError as error:
        flash(trust_problem(error), "error")
        return _back()
    _audit("trust.export", detail=f"{len(x509.load_pem_x509_certificates(bundle))}")
    db.session().commit()
    return send_file(
        io.BytesIO(bundle),
        mimetype="application/x-pem-file",
        as_attachment=True,
        download_name="trust-bundle.pem",
    )


@bp.post("/trust/bundle")
@require_role("administrator")
@upload_limit(IMPORT_LIMIT)
def import_bundle() -> ResponseReturnValue:
    """Show what a bundle would trust; nothing is trusted before confirmation."""
    data = _uploaded("bundle")
    if data is None:
        return _back()
    try:
        plan = trust_store.plan_trust_bundle(
            db.session(), data, settings().instance_path
        )
    except trust.TrustError as error:
        flash(trust_problem(error), "error")
        return _back()
    if not plan.added:
        flash(gettext("Every certificate in this bundle is trusted already."), "info")
        return _back()
    return render_template(
        "admin/trust_bundle.html",
        plan=plan,
        certificates="".join(item.pem for item in plan.certificates),
        expected=",".join(sorted(plan.added)),
        destination=plan.destination,
    )


@bp.post("/trust/bundle/confirm")
@require_role("administrator")
@upload_limit(CONFIRM_LIMIT)
def confirm_bundle() -> ResponseReturnValue:
    """Trust the certificates the administrator checked, and only those."""
    data = request.form.get("certificates", "").encode("utf-8", "replace")
    expected = frozenset(request.form.get("expected", "").split(","))
    destination = request.form.get("destination", "")
    session = db.session()
    try:
        imported = trust_store.import_trust_bundle(
            session,
            data,
            settings().instance_path,
            user=current_user,
            expect=expected,
            expect_group=destination,
        )
    except trust.TrustError as error:
        session.rollback()
        flash(trust_problem(error), "error")
        return _back()
    _audit("trust.import", detail=imported.audit_detail())
    session.commit()
    _announce_bundle(imported)
    return _back()


def _announce_bundle(imported: trust_store.BundleImport) -> None:
    """What the import did: new certificates, and the agency they belong to."""
    flash(
        gettext("New certificates trusted: %(count)d.", count=len(imported.added)),
        "success",
    )
    if imported.joined:
        message = gettext(
            "The bundle holds a certificate of agency %(number)d below, so its "
            "certificates join that agency.",
            number=imported.group_id,
        )
    else:
        message = gettext(
            "The bundle formed agency %(number)d below.", number=imported.group_id
        )
    flash(message, "info")


@bp.post("/trust/issuers/<sha256>/remove")
@require_role("administrator")
def remove_issuer(sha256: str) -> ResponseReturnValue:
    session = db.session()
    if not trust_store.remove_trusted(session, sha256):
        abort(404)
    _audit("trust.remove", detail=sha256.lower()[:64])
    session.commit()
    flash(gettext("The certificate is no longer trusted."), "success")
    flash(
        gettext(
            "Its agency's revocations are kept: if you trust this certificate "
            "again, the documents the agency revoked stay revoked."
        ),
        "info",
    )
    return _back()


@bp.get("/trust/revocations.json")
@require_role("administrator")
def export_revocations() -> ResponseReturnValue:
    session = db.session()
    try:
        material = keys.load_signing_material(settings().instance_path)
    except keys.AgencyKeyError:
        flash(gettext("This instance has no signing certificate yet."), "error")
        return _back()
    signed_list = issued.revocation_list(session, material)
    _audit("revocations.export", detail=f"{issued.withdrawn_count(session)} entries")
    session.commit()
    return send_file(
        io.BytesIO(signed_list),
        mimetype="application/json",
        as_attachment=True,
        download_name="revocation-list.json",
    )


@bp.post("/trust/revocations")
@require_role("administrator")
@upload_limit(IMPORT_LIMIT)
def import_revocations() -> ResponseReturnValue:
    data = _uploaded("revocations")
    if data is None:
        return _back()
    session = db.session()
    context = trust_store.load_trust_context(session, settings().instance_path)
    try:
        imported = trust_store.import_revocation_list(
            session, data, context, user=current_user
        )
    except trust.TrustError as error:
        session.rollback()
        flash(trust_problem(error), "error")
        return _back()
    _audit(
        "revocations.import",
        detail=f"group {imported.group}, number {imported.sequence}, "
        f"{len(imported.entries)} entries",
    )
    session.commit()
    flash(
        gettext(
            "Revocation list number %(number)d imported, with %(count)d entries.",
            number=imported.sequence,
            count=len(imported.entries),
        ),
        "success",
    )
    return _back()


# --- the register of issued documents ------------------------------------------------


@bp.get("/documents")
@require_role("administrator")
def documents() -> ResponseReturnValue:
    return render_template(
        "admin/documents.html",
        documents=issued.register(db.session()),
        form=WithdrawDocumentForm(),
    )


@bp.post("/documents/<document_id>/revoke")
@require_role("administrator")
def revoke(document_id: str) -> ResponseReturnValue:
    form = WithdrawDocumentForm()
    session = db.session()
    replaced_by = (request.form.get("replaced_by") or "").strip() or None
    if not form.validate_on_submit():
        flash(form.problem(), "error")
        return redirect(url_for("trust.documents"))
    try:
        row = issued.withdraw(
            session,
            document_id,
            form.reason.data or "",
            status="superseded" if replaced_by else "revoked",
            replaced_by=replaced_by,
            user=current_user,
        )
    except trust.TrustError as error:
        session.rollback()
        flash(trust_problem(error), "error")
        return redirect(url_for("trust.documents"))
    action = "document.supersede" if replaced_by else "document.revoke"
    _audit(action, record_id=row.document_id)
    session.commit()
    flash(gettext("The document is revoked."), "success")
    return redirect(url_for("trust.documents"))
