"""Killing the server (SIGKILL, a real gunicorn) loses nothing already saved."""

from __future__ import annotations

import pytest

from screening import accounts, create_app, db, migrate
from screening.published import publish_catalog
from tests.conftest import PASSWORD, TEST_DATA_KEY, TEST_SECRET_KEY, make_user
from tests.helpers import stored_answers
from tests.livesite import Server, WebClient


@pytest.fixture
def site(tmp_path, empty_database, catalog_folder):
    environment = {
        "SCREENING_INSTANCE_PATH": str(tmp_path / "instance"),
        "SCREENING_DATABASE_URL": empty_database.url,
        "SCREENING_QUESTIONNAIRES": str(catalog_folder),
        "SCREENING_SECRET_KEY": TEST_SECRET_KEY,
        "SCREENING_DATA_KEYS": TEST_DATA_KEY,
    }
    app = create_app(
        {
            "instance_path": tmp_path / "instance",
            "database_url": empty_database.url,
            "secret_key": TEST_SECRET_KEY,
            "data_keys": (TEST_DATA_KEY,),
            "questionnaires_folder": catalog_folder,
        }
    )
    migrate.upgrade(db.engine_of(app))
    with app.app_context():
        session = db.session()
        publish_catalog(session, app.extensions["screening"].catalog)
        agency = accounts.create_agency(session, "Agency", "TH", "Nong Khai", own=True)
        make_user(session, agency, "nok", {"interviewer"})
        session.commit()
    yield app, environment
    db.engine_of(app).dispose()


def _start(client: WebClient) -> str:
    status, page, _ = client.get("/screenings/new")
    assert status == 200
    version = page.split('<option value="', 1)[1].split('"', 1)[0]
    status, _, headers = client.post(
        "/screenings/new",
        {
            "questionnaire": version,
            "interview_language": "en",
            "respondent_language": "",
        },
    )
    assert status == 302
    return headers["Location"].split("/")[2]


def test_killing_the_server_after_a_page_was_saved_loses_nothing(site):
    app, environment = site
    server = Server(environment)
    try:
        client = WebClient(server.url)
        client.login("nok", PASSWORD)
        reference = _start(client)
        base = f"/screenings/{reference}/sections"
        client.get(f"{base}/interview")
        client.post(
            f"{base}/interview",
            {
                "section": "interview",
                "q_interview_date": "2026-11-30",
                "q_consent_screening": "yes",
                "action": "next",
            },
        )
        page = {
            "section": "work",
            "q_job_found": "online",
            "q_job_different": "yes",
            "q_work_kinds": ["scam", "cleaning"],
            "q_scam_platform": "Telegram",
            "q_hours_per_day": "15",
            "q_could_leave": "no",
            "q_passport_taken": "declined",
            "q_exit_fee": "2000",
            "q_exit_fee_currency": "USD",
            "_js": "1",
            "action": "pause",
        }
        status, _, _ = client.post(f"{base}/work", page)
        assert status == 302
        # The person page is only autosaved, as while typing, then the kill.
        status, body, _ = client.post(
            f"/screenings/{reference}/autosave",
            {
                "section": "person",
                "q_full_name": "Vilayphone",
                "q_age_at_departure": "19",
            },
            **{"X-CSRFToken": client.token, "Accept": "application/json"},
        )
        assert status == 200, body
    finally:
        server.kill()

    expected = {
        "interview_date": "2026-11-30",
        "consent_screening": "yes",
        "job_found": "online",
        "job_different": "yes",
        "work_kinds": ["scam", "cleaning"],
        "scam_platform": "Telegram",
        "hours_per_day": 15,
        "could_leave": "no",
        "passport_taken": "declined",
        "exit_fee": {"amount": 2000, "currency": "USD"},
        "full_name": "Vilayphone",
        "age_at_departure": 19,
    }
    assert stored_answers(app, reference) == expected

    restarted = Server(environment)
    try:
        client = WebClient(restarted.url)
        client.login("nok", PASSWORD)
        status, review, _ = client.get(f"/screenings/{reference}/review")
        assert status == 200
        for shown in ("Telegram", "Vilayphone", "2,000 USD", "Prefer not to say"):
            assert shown in review
    finally:
        restarted.stop()
