"""Steps of an interview through the test client, shared by the web tests."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from tests.conftest import Browser


def start(browser: Browser, language: str = "en", second: str = "") -> str:
    """Start a mini screening; return its reference."""
    page = browser.get("/screenings/new").get_data(as_text=True)
    value = page.split('<option value="', 1)[1].split('"', 1)[0]
    response = browser.post(
        "/screenings/new",
        {
            "questionnaire": value,
            "interview_language": language,
            "respondent_language": second,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].split("/")[2]


def save(
    browser: Browser,
    reference: str,
    section: str,
    answers: dict[str, Any],
    action: str = "next",
    **extra: Any,
) -> Any:
    data: dict[str, Any] = {"action": action, "section": section}
    asked = []
    for key, value in answers.items():
        data[key if key.startswith("q_") else f"q_{key}"] = value
        asked.append(
            key.removeprefix("q_").removesuffix("_currency").removesuffix("_special")
        )
    # the page lists the questions it showed, as the section template does
    data["asked"] = " ".join(dict.fromkeys(asked))
    data.update(extra)
    return browser.post(f"/screenings/{reference}/sections/{section}", data)


def consent(browser: Browser, reference: str) -> None:
    response = save(
        browser,
        reference,
        "interview",
        {"interview_date": "2026-12-01", "consent_screening": "yes"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def stored_answers(app, reference: str) -> dict[str, Any]:
    from sqlalchemy import select

    from screening import db, interviews
    from screening.extensions import cipher
    from screening.models import Screening

    with app.app_context():
        session = db.session()
        screening = session.scalars(
            select(Screening).where(Screening.reference == reference)
        ).one()
        return interviews.load_answers(session, cipher(), screening)


LIKELY_WORK = {
    "job_found": "online",
    "job_different": "yes",
    "work_kinds": "scam",
    "hours_per_day": "16",
    "could_leave": "no",
    "passport_taken": "yes",
    "exit_fee": "30000",
    "exit_fee_currency": "THB",
}


def complete_mini(browser: Browser, work: dict[str, Any] | None = None) -> str:
    """A completed mini screening (a likely child result by default)."""
    reference = start(browser)
    consent(browser, reference)
    save(browser, reference, "person", {"age_at_departure": "15"})
    save(browser, reference, "work", work or LIKELY_WORK, _js="1")
    response = browser.post(f"/screenings/{reference}/complete")
    assert response.status_code == 302, response.get_data(as_text=True)
    return reference


def completed_from_answers(app, username: str, request: dict[str, Any]) -> str:
    """A completed screening holding an answers file's answers, saved as pages do."""
    from sqlalchemy import select

    from screening import db, interviews
    from screening.extensions import cipher, questionnaires, standard
    from screening.models import QuestionnaireVersion, User

    with app.app_context():
        session = db.session()
        user = session.scalars(select(User).where(User.username == username)).one()
        version = session.scalars(
            select(QuestionnaireVersion).where(
                QuestionnaireVersion.questionnaire_id == request["questionnaire"]["id"]
            )
        ).one()
        questionnaire = questionnaires().get(version)
        answers = questionnaire.check_answers(request["answers"])
        screening = interviews.start_screening(
            session,
            user,
            version,
            questionnaire,
            interview_language=request["language"],
            respondent_language=None,
        )
        for section in questionnaire.sections:
            posted = {q.id: answers[q.id] for q in section.questions if q.id in answers}
            interviews.save_answers(
                session,
                cipher(),
                screening,
                questionnaire,
                section=section,
                posted=posted,
                user=user,
            )
        saved = interviews.load_answers(session, cipher(), screening)
        interviews.complete_screening(
            session, screening, questionnaire, standard(questionnaire.standard), saved
        )
        session.commit()
        return screening.reference


DOCUMENT_ID = re.compile(r'data-document-id="([0-9a-f-]{36})"')


def issue(browser, reference: str, second: str = "lo"):
    return browser.post(
        f"/screenings/{reference}/documents", {"second_language": second}
    )


def result_page(browser, reference: str) -> str:
    return html.unescape(
        browser.get(f"/screenings/{reference}/result").get_data(as_text=True)
    )


def document_ids(browser, reference: str) -> list[str]:
    return DOCUMENT_ID.findall(result_page(browser, reference))


def signed(band: str = "likely", pdf: bytes = b"%PDF-1.7 signed") -> Any:
    """A stand-in for a document just signed (no rendering needed here)."""
    import datetime as dt
    import uuid

    from screening.documents.issue import IssuedDocument

    return IssuedDocument(
        document_id=str(uuid.uuid4()),
        pdf=pdf,
        record={"band": band, "issuer": {"certificate_sha256": "ab" * 32}},
        record_bytes=b"{}",
        token="GMS1:",
        languages=("th", "lo", "en"),
        issued_at=dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC),
    )


HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
CONFIRM_FIELDS = {"certificates", "expected", "destination"}


def trust_bundle(browser: Browser, bundle: bytes) -> tuple[str, Any]:
    """Import a trust bundle as an administrator does: upload, check, confirm.

    Returns the page that lists the certificates for checking, and the
    response to the confirmation (the trust screen, redirects followed).
    """
    check = browser.post(
        "/admin/trust/bundle",
        {"bundle": (io.BytesIO(bundle), "bundle.pem")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    fields = {
        name: html.unescape(value)
        for name, value in HIDDEN.findall(check)
        if name in CONFIRM_FIELDS
    }
    assert set(fields) == CONFIRM_FIELDS, check
    return check, browser.post(
        "/admin/trust/bundle/confirm", fields, follow_redirects=True
    )
