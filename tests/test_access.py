from __future__ import annotations

import pytest

from tests.helpers import LIKELY_WORK, consent, save, start

SCREENING_PAGES = [
    "/screenings/{ref}",
    "/screenings/{ref}/sections/interview",
    "/screenings/{ref}/review",
    "/screenings/{ref}/stopped",
    "/screenings/{ref}/result",
]


@pytest.fixture
def screening(signed_in):
    """A completed screening by nok, and an in-progress one."""
    nok = signed_in("nok")
    done = start(nok)
    consent(nok, done)
    save(nok, done, "work", LIKELY_WORK, _js="1")
    nok.post(f"/screenings/{done}/complete")
    open_one = start(nok)
    return {"done": done, "open": open_one, "nok": nok}


@pytest.mark.parametrize("page", SCREENING_PAGES)
@pytest.mark.parametrize("which", ["done", "open"])
def test_a_user_of_another_agency_gets_404_for_a_screening(
    signed_in, screening, page, which
):
    khamla = signed_in("khamla")  # supervisor and interviewer, other agency

    response = khamla.get(page.format(ref=screening[which]))

    assert response.status_code == 404


@pytest.mark.parametrize("page", SCREENING_PAGES)
@pytest.mark.parametrize("which", ["done", "open"])
def test_an_interviewer_cannot_see_a_colleagues_screening(
    signed_in, screening, page, which
):
    somchai = signed_in("somchai")

    response = somchai.get(page.format(ref=screening[which]))

    assert response.status_code == 404


def test_another_agency_cannot_post_answers_or_complete(signed_in, screening):
    khamla = signed_in("khamla")
    reference = screening["open"]

    saved = save(khamla, reference, "interview", {"consent_screening": "yes"})
    completed = khamla.post(f"/screenings/{reference}/complete")
    autosaved = khamla.post(
        f"/screenings/{reference}/autosave", {"section": "interview"}
    )

    assert saved.status_code == completed.status_code == autosaved.status_code == 404


def test_lists_show_own_screenings_to_interviewers_and_the_agencys_to_supervisors(
    signed_in, screening
):
    somchai = signed_in("somchai")
    malee = signed_in("malee")
    anan = signed_in("anan")
    khamla = signed_in("khamla")

    assert screening["done"] not in somchai.get("/screenings").get_data(as_text=True)
    for supervisor in (malee, anan):
        listing = supervisor.get("/screenings").get_data(as_text=True)
        assert screening["done"] in listing
        assert screening["open"] in listing
    assert screening["done"] not in khamla.get("/screenings").get_data(as_text=True)


def test_a_supervisor_can_read_the_result_but_not_change_the_answers(
    signed_in, screening
):
    malee = signed_in("malee")

    assert malee.get(f"/screenings/{screening['done']}/result").status_code == 200
    assert malee.get(f"/screenings/{screening['open']}/review").status_code == 200
    response = save(malee, screening["open"], "interview", {"consent_screening": "yes"})
    assert response.status_code == 403


def test_roles_without_screenings_cannot_list_or_start_them(signed_in):
    verifier = signed_in("verifier")

    assert verifier.get("/screenings").status_code == 403
    assert verifier.get("/screenings/new").status_code == 403


def test_a_coordinator_sees_but_cannot_start_screenings(signed_in):
    anan = signed_in("anan")

    assert anan.get("/screenings").status_code == 200
    assert anan.get("/screenings/new").status_code == 403


def test_viewing_a_result_writes_an_audit_row_naming_the_viewer(
    signed_in, screening, app, people
):
    from sqlalchemy import select

    from screening import db
    from screening.models import AuditEvent

    malee = signed_in("malee")
    malee.get(f"/screenings/{screening['done']}/result")

    with app.app_context():
        rows = (
            db.session()
            .scalars(
                select(AuditEvent).where(AuditEvent.action == "screening.result_view")
            )
            .all()
        )
    assert [row.user_id for row in rows] == [people.supervisor.id]
    assert rows[0].record_type == "screening"
    assert rows[0].at is not None
