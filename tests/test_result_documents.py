"""Issuing, downloading, revoking and replacing signed PDFs from the result page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import undefer

from screening import db, issued, trust_store
from screening.documents.verify import verify_document
from screening.issuance import default_second_language
from screening.models import AuditEvent, IssuedDocument
from tests.helpers import (
    DOCUMENT_ID,
    complete_mini,
    document_ids,
    issue,
    result_page,
)

pytestmark = pytest.mark.slow


def rows(app, model, **where):
    with app.app_context():
        query = select(model).filter_by(**where).options(undefer("*"))
        return db.session().scalars(query).all()


def verify(app, pdf: bytes):
    with app.app_context():
        context = trust_store.load_trust_context(db.session(), Path(app.instance_path))
        return verify_document(
            pdf, context, app.extensions["screening"].catalog.standards
        )


@pytest.fixture
def completed(signed_in, agency_key):
    nok = signed_in("nok")
    return nok, complete_mini(nok)


def test_the_interviewer_issues_a_signed_pdf_that_downloads_and_verifies(
    app, completed
):
    nok, reference = completed
    before = result_page(nok, reference)

    response = issue(nok, reference, "en")
    page = result_page(nok, reference)
    [document_id] = DOCUMENT_ID.findall(page)
    download = nok.get(f"/screenings/{reference}/documents/{document_id}.pdf")

    assert 'name="second_language"' in before and "Issue signed PDF" in before
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/result#document-actions")
    assert "The signed PDF is issued" in page
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert (
        f"result-{reference}-{document_id[:8]}.pdf"
        in (download.headers["Content-Disposition"])
    )
    assert download.headers["Cache-Control"] == "no-store"
    report = verify(app, download.data)
    assert report.verdict == "valid", report.as_dict()
    assert report.document["band"] == "likely"
    [row] = rows(app, IssuedDocument, document_id=document_id)
    assert (row.band, row.languages, row.status) == ("likely", "en", "valid")
    assert "%PDF" not in row.pdf  # kept encrypted
    actions = [event.action for event in rows(app, AuditEvent, record_id=document_id)]
    assert actions == ["document.issue", "document.download"]


def test_the_second_language_defaults_to_the_counterparts():
    assert default_second_language("TH", "th") == "lo"
    assert default_second_language("TH", "en") == "lo"
    assert default_second_language("TH", "lo") == "th"
    assert default_second_language("LA", "lo") == "th"
    assert default_second_language("LA", "th") == "lo"


def test_the_result_page_offers_the_counterparts_language_first(completed):
    nok, reference = completed

    page = result_page(nok, reference)
    form = page.split('class="issue-document"', 1)[1].split("</form>", 1)[0]

    assert re.search(r'<option selected value="lo">|<option value="lo" selected', form)


def test_supervisors_and_coordinators_issue_but_others_cannot(completed, signed_in):
    nok, reference = completed

    outcomes = {
        name: issue(signed_in(name), reference).status_code
        for name in ("malee", "anan", "somchai", "khamla", "verifier", "admin")
    }

    # The colleague, the other agency and roles that see no screenings: 404.
    assert outcomes == {
        "malee": 302,
        "anan": 302,
        "somchai": 404,
        "khamla": 404,
        "verifier": 404,
        "admin": 404,
    }
    assert len(document_ids(nok, reference)) == 2


def test_a_screening_still_in_progress_has_no_document(signed_in, agency_key):
    from tests.helpers import consent, start

    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    assert issue(nok, reference).status_code == 404


def test_without_a_signing_key_issuing_says_so_plainly(signed_in):
    nok = signed_in("nok")
    reference = complete_mini(nok)

    response = issue(nok, reference)
    page = result_page(nok, reference)

    assert response.status_code == 302
    assert "no signing key" in page
    assert DOCUMENT_ID.findall(page) == []


def test_an_interviewer_cannot_revoke_but_a_supervisor_can(app, completed, signed_in):
    nok, reference = completed
    issue(nok, reference)
    [document_id] = document_ids(nok, reference)
    path = f"/screenings/{reference}/documents/{document_id}"
    malee = signed_in("malee")

    refused = nok.post(f"{path}/withdraw", {"reason": "typo", "action": "revoke"})
    revoked = malee.post(f"{path}/withdraw", {"reason": "typo", "action": "revoke"})
    again = malee.post(f"{path}/withdraw", {"reason": "typo", "action": "revoke"})
    page = result_page(malee, reference)
    download = nok.get(f"{path}.pdf")

    assert refused.status_code == 403
    assert revoked.status_code == again.status_code == 302
    assert "The document is revoked" in page
    assert "already revoked or replaced" in page
    row_html = page.split(f'data-document-id="{document_id}"', 1)[1].split("</tr>")[0]
    assert ">Revoked<" in row_html and ": typo" in row_html
    assert "Download PDF" not in row_html
    assert download.status_code == 302
    assert "was revoked and can no longer be downloaded" in result_page(nok, reference)
    [row] = rows(app, IssuedDocument, document_id=document_id)
    assert (row.status, row.reason) == ("revoked", "typo")
    actions = [e.action for e in rows(app, AuditEvent, record_id=document_id)]
    assert actions.count("document.revoke") == 1
    with app.app_context():
        material_list = issued.own_revocations(db.session())
    assert [entry.document_id for entry in material_list] == [document_id]


def test_a_reason_is_needed_to_revoke(app, completed, signed_in):
    nok, reference = completed
    issue(nok, reference)
    [document_id] = document_ids(nok, reference)

    anan = signed_in("anan")
    response = anan.post(
        f"/screenings/{reference}/documents/{document_id}/withdraw",
        {"reason": "", "action": "revoke"},
    )

    assert response.status_code == 302
    assert "Give a reason" in result_page(anan, reference)
    assert rows(app, IssuedDocument, document_id=document_id)[0].status == "valid"


def test_a_replacement_supersedes_the_earlier_document(app, completed, signed_in):
    nok, reference = completed
    issue(nok, reference, "lo")
    [old_id] = document_ids(nok, reference)
    anan = signed_in("anan")
    offered = result_page(anan, reference).split(
        f'id="replacement-language-{old_id[:8]}"'
    )
    assert '<option value="lo" selected>' in offered[1].split("</select>")[0]

    response = anan.post(
        f"/screenings/{reference}/documents/{old_id}/withdraw",
        {"reason": "second language", "action": "supersede", "second_language": "en"},
    )
    ids = document_ids(nok, reference)
    new_id = next(found for found in ids if found != old_id)
    download = nok.get(f"/screenings/{reference}/documents/{new_id}.pdf")
    old_download = nok.get(f"/screenings/{reference}/documents/{old_id}.pdf")

    assert response.status_code == old_download.status_code == 302
    assert f"replaced by document {new_id}" in result_page(nok, reference)
    assert len(ids) == 2
    [old] = rows(app, IssuedDocument, document_id=old_id)
    assert (old.status, old.superseded_by) == ("superseded", new_id)
    report = verify(app, download.data)
    assert report.verdict == "valid"
    import pypdf

    reader = pypdf.PdfReader(__import__("io").BytesIO(download.data))
    record = json.loads(reader.attachments["screening-record.json"][0])
    assert record["supersedes"] == old_id
    actions = {
        (event.action, event.record_id)
        for event in rows(app, AuditEvent)
        if event.record_type == "document"
    }
    assert ("document.supersede", old_id) in actions
    assert ("document.issue", new_id) in actions


def test_a_document_of_another_screening_is_not_found(app, completed, signed_in):
    nok, reference = completed
    other = complete_mini(nok)
    issue(nok, reference)
    [document_id] = document_ids(nok, reference)

    response = nok.get(f"/screenings/{other}/documents/{document_id}.pdf")
    stranger = signed_in("khamla").get(
        f"/screenings/{reference}/documents/{document_id}.pdf"
    )

    assert response.status_code == stranger.status_code == 404


def test_with_the_time_stamping_server_down_no_document_is_issued(app, completed):
    import socket

    nok, reference = completed
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.extensions["screening"].issuers.timestamp_url = f"http://127.0.0.1:{port}/"

    response = issue(nok, reference, "en")
    page = result_page(nok, reference)

    assert response.status_code == 302
    assert "The time-stamping server did not answer" in page
    assert document_ids(nok, reference) == []
    assert rows(app, IssuedDocument) == []


def test_an_interviewer_name_that_cannot_be_printed_is_a_message(app, completed):
    from screening.models import User

    nok, reference = completed
    with app.app_context():
        session = db.session()
        user = session.scalars(select(User).where(User.username == "nok")).one()
        user.display_name = "Nok \u202eTab"  # reads backwards from there
        session.commit()

    issue(nok, reference, "en")
    page = result_page(nok, reference)

    assert "The document cannot be issued" in page
    assert rows(app, IssuedDocument) == []


def test_a_result_is_replaced_only_by_a_later_result_of_the_same_screening(
    app, completed, signed_in
):
    nok, reference = completed
    other = complete_mini(nok)
    issue(nok, reference)
    issue(nok, other)
    [ours] = document_ids(nok, reference)
    [theirs] = document_ids(nok, other)
    admin = signed_in("admin")

    from_admin = admin.post(
        f"/admin/documents/{ours}/revoke",
        {"reason": "mix-up", "action": "revoke", "replaced_by": theirs},
        follow_redirects=True,
    )

    assert "later result of the same screening" in from_admin.get_data(as_text=True)
    [row] = rows(app, IssuedDocument, document_id=ours)
    assert (row.status, row.superseded_by) == ("valid", None)


def test_the_interview_language_is_not_offered_as_the_second_language(
    completed, signed_in
):
    nok, reference = completed  # interviewed in English
    issue(nok, reference, "lo")
    page = result_page(signed_in("anan"), reference)  # who may also replace

    issue_form = page.split('class="issue-document"')[1].split("</select>")[0]
    replacement = page.split('id="replacement-language-')[1].split("</select>")[0]
    for offered in (issue_form, replacement):
        assert 'value="th"' in offered and 'value="lo"' in offered
        assert 'value="en"' not in offered


def test_a_replacement_in_an_unknown_language_says_so(app, completed, signed_in):
    nok, reference = completed
    issue(nok, reference)
    [old_id] = document_ids(nok, reference)

    response = signed_in("anan").post(
        f"/screenings/{reference}/documents/{old_id}/withdraw",
        {"reason": "typo", "action": "supersede", "second_language": "xx"},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "Choose a second language from the list." in page
    assert "Give a reason." not in page
    [row] = rows(app, IssuedDocument, document_id=old_id)
    assert row.status == "valid"
