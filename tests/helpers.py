"""Steps of an interview through the test client, shared by the web tests."""

from __future__ import annotations

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
