"""Saves of one screening that arrive together (autosave and a page save)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import PASSWORD
from tests.helpers import stored_answers
from tests.livesite import WebClient


def test_simultaneous_saves_of_one_screening_all_succeed(live_server, people, app):
    client = WebClient(live_server)
    client.login("nok", PASSWORD)
    _, page, _ = client.get("/screenings/new")
    version = page.split('<option value="', 1)[1].split('"', 1)[0]
    _, _, headers = client.post(
        "/screenings/new",
        {
            "questionnaire": version,
            "interview_language": "en",
            "respondent_language": "",
        },
    )
    reference = headers["Location"].split("/")[2]
    client.post(
        f"/screenings/{reference}/sections/interview",
        {"section": "interview", "q_consent_screening": "yes", "action": "next"},
    )

    def autosave(hours: int) -> int:
        status, _, _ = client.post(
            f"/screenings/{reference}/autosave",
            {
                "section": "work",
                "q_hours_per_day": str(hours),
                "q_job_found": "online",
                "q_could_leave": "no",
            },
            **{"X-CSRFToken": client.token, "Accept": "application/json"},
        )
        return status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(autosave, [10 + i % 12 for i in range(36)]))

    assert statuses == [200] * 36
    answers = stored_answers(app, reference)
    assert answers["job_found"] == "online"
    assert 10 <= answers["hours_per_day"] <= 21
