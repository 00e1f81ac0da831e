from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from screening import db
from screening.models import Answer, AuditEvent, Screening
from tests.helpers import LIKELY_WORK, consent, save, start, stored_answers


def test_starting_a_screening_opens_the_interview_section(signed_in):
    nok = signed_in("nok")
    reference = start(nok)

    page = nok.get(f"/screenings/{reference}/sections/interview")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Date of the interview" in text
    assert "Don&#39;t know" in text or "Don't know" in text
    assert "Prefer not to say" in text


def test_every_question_offers_dont_know_and_prefer_not_to_say(signed_in):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    text = nok.get(f"/screenings/{reference}/sections/work").get_data(as_text=True)

    for question in ("job_found", "work_kinds", "hours_per_day", "exit_fee"):
        assert text.count(f'name="q_{question}') >= 1
        block = text.split(f'id="question-{question}"', 1)[1].split("</fieldset>", 1)[0]
        assert 'value="dont_know"' in block
        assert 'value="declined"' in block


def test_without_consent_to_screening_the_screening_stops_politely(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)

    response = save(nok, reference, "interview", {"consent_screening": "no"})

    assert response.headers["Location"].endswith(f"/screenings/{reference}/stopped")
    page = nok.get(f"/screenings/{reference}/stopped").get_data(as_text=True)
    assert "did not agree" in page
    assert nok.get(f"/screenings/{reference}/sections/work").status_code == 302
    with app.app_context():
        row = db.session().scalars(select(Screening)).one()
        assert row.status == "stopped"


def test_consent_must_be_recorded_before_going_on(signed_in):
    nok = signed_in("nok")
    reference = start(nok)

    response = save(nok, reference, "interview", {"interview_date": "2026-12-01"})

    assert response.status_code == 422
    assert "Record whether the person agrees" in response.get_data(as_text=True)


def test_a_posted_answer_to_a_hidden_question_is_ignored(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    # scam_platform is shown only when the work included scams.
    save(
        nok,
        reference,
        "work",
        {"work_kinds": "cleaning", "scam_platform": "Telegram", "job_different": "yes"},
    )

    answers = stored_answers(app, reference)
    assert answers["work_kinds"] == ["cleaning"]
    assert answers["job_different"] == "yes"
    assert "scam_platform" not in answers


def test_an_answer_to_a_question_of_another_section_is_ignored(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    save(nok, reference, "work", {"full_name": "Somebody", "job_different": "no"})

    answers = stored_answers(app, reference)
    assert "full_name" not in answers
    assert answers["job_different"] == "no"


def test_a_question_revealed_by_an_answer_is_asked_before_moving_on(signed_in):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    response = save(nok, reference, "work", {"work_kinds": "scam"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "opened more questions" in page
    block = page.split('id="question-scam_platform"', 1)[1].split(">", 1)[0]
    assert "hidden" not in block


def test_with_javascript_the_revealed_question_was_already_visible(signed_in):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    response = save(nok, reference, "work", {"work_kinds": "scam"}, _js="1")

    assert response.status_code == 302


def test_answers_are_stored_encrypted(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)
    save(nok, reference, "person", {"full_name": "Khamphoui Sisavath"})

    with app.app_context():
        values = db.session().scalars(select(Answer.value)).all()
    assert values
    assert not any("Khamphoui" in value for value in values)
    assert stored_answers(app, reference)["full_name"] == "Khamphoui Sisavath"


def test_invalid_answers_are_explained_and_the_valid_ones_kept(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    response = save(
        nok,
        reference,
        "work",
        {
            "hours_per_day": "forty",
            "could_leave": "no",
            "exit_fee": "100",
            "exit_fee_special": "declined",
        },
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a number." in page
    assert "not both" in page
    summary = page.split('role="alert"')[1].split("</div>")[0]
    assert summary.count('<a href="#question-') == 2  # each leads to its question
    assert 'href="#question-hours_per_day"' in summary
    assert 'href="#question-exit_fee"' in summary
    answers = stored_answers(app, reference)
    assert answers["could_leave"] == "no"
    assert "hours_per_day" not in answers
    assert "exit_fee" not in answers


def test_special_answers_and_every_type_are_stored_in_their_own_form(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    save(
        nok,
        reference,
        "person",
        {"age_at_departure": "", "age_at_departure_special": "dont_know"},
        _js="1",
    )
    save(
        nok,
        reference,
        "work",
        {
            "job_found": "dont_know",
            "work_kinds": ["scam", "cleaning"],
            "scam_platform": "Telegram",
            "hours_per_day": "๑๒",
            "passport_taken": "declined",
            "exit_fee": "1,500",
            "exit_fee_currency": "USDT",
        },
    )

    answers = stored_answers(app, reference)
    assert answers["age_at_departure"] == "dont_know"
    assert answers["job_found"] == "dont_know"
    assert answers["work_kinds"] == ["scam", "cleaning"]
    assert answers["scam_platform"] == "Telegram"
    assert answers["hours_per_day"] == 12
    assert answers["passport_taken"] == "declined"
    assert answers["exit_fee"] == {"amount": 1500, "currency": "USDT"}


def test_clearing_a_field_removes_the_saved_answer(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)
    save(nok, reference, "person", {"full_name": "Somebody"})

    save(nok, reference, "person", {"full_name": ""})

    assert "full_name" not in stored_answers(app, reference)


def test_a_post_without_the_questions_it_showed_clears_nothing(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)
    save(nok, reference, "person", {"full_name": "Somebody", "age_at_departure": "30"})

    response = nok.post(f"/screenings/{reference}/autosave", {"section": "person"})

    assert response.status_code == 200
    stored = stored_answers(app, reference)
    assert (stored["full_name"], stored["age_at_departure"]) == ("Somebody", 30)


def test_pause_returns_to_the_list_and_resume_opens_the_last_section(signed_in):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    paused = save(nok, reference, "person", {"full_name": "X"}, action="pause")
    assert paused.headers["Location"].endswith("/screenings")
    listing = nok.get("/screenings").get_data(as_text=True)
    assert reference in listing
    assert "saved and paused" in listing
    assert "Resume" in listing

    resumed = nok.get(f"/screenings/{reference}")
    assert resumed.headers["Location"].endswith(f"/{reference}/sections/person")


def test_progress_is_shown_on_every_section(signed_in):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    page = nok.get(f"/screenings/{reference}/sections/person").get_data(as_text=True)

    assert "Section 2 of 3" in page
    assert "2 of 12 questions answered" in page
    assert "<progress" in page


def test_autosave_keeps_what_was_typed_and_answers_in_json(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    response = nok.client.post(
        f"/screenings/{reference}/autosave",
        data={"section": "person", "q_full_name": "Noy", "q_age_at_departure": "2x"},
        headers={"X-CSRFToken": nok.token, "Accept": "application/json"},
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["saved"] == ["full_name"]
    assert "age_at_departure" in body["problems"]
    assert stored_answers(app, reference)["full_name"] == "Noy"


def test_autosave_without_the_csrf_header_or_field_is_refused(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    response = nok.client.post(
        f"/screenings/{reference}/autosave",
        data={"section": "person", "q_full_name": "Noy"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert "full_name" not in stored_answers(app, reference)


def test_review_then_complete_shows_the_result_and_locks_the_answers(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)
    save(nok, reference, "person", {"age_at_departure": "25"})
    save(nok, reference, "work", LIKELY_WORK, _js="1")

    review = nok.get(f"/screenings/{reference}/review").get_data(as_text=True)
    assert "Review the answers" in review
    assert "30,000 THB" in review
    assert "Complete the screening" in review

    done = nok.post(f"/screenings/{reference}/complete")
    assert done.headers["Location"].endswith(f"/screenings/{reference}/result")
    result = nok.get(f"/screenings/{reference}/result").get_data(as_text=True)
    assert 'data-band="possible"' in result or 'data-band="likely"' in result

    again = save(nok, reference, "work", {"could_leave": "yes"})
    assert again.status_code == 403
    assert stored_answers(app, reference)["could_leave"] == "no"


def test_every_view_and_change_of_a_screening_writes_an_audit_row(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)
    nok.get(f"/screenings/{reference}/sections/person")
    nok.get(f"/screenings/{reference}/review")

    with app.app_context():
        session = db.session()
        screening_id = session.scalars(select(Screening.id)).one()
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.record_type == "screening")
            .where(AuditEvent.record_id == str(screening_id))
            .order_by(AuditEvent.id)
        ).all()
        details = " ".join(
            session.scalars(select(func.coalesce(AuditEvent.detail, ""))).all()
        )
    assert actions == [
        "screening.start",
        "screening.save",
        "screening.view",
        "screening.view",
    ]
    assert "2026" not in details  # audit rows name questions, never answers


def test_a_second_language_can_be_shown_beside_the_interview_language(signed_in):
    nok = signed_in("nok")
    reference = start(nok, "en", "th")

    page = nok.get(f"/screenings/{reference}/sections/interview").get_data(as_text=True)

    assert "Date of the interview" in page
    assert 'lang="th">วันที่สัมภาษณ์' in page
    consent(nok, reference)
    person = nok.get(f"/screenings/{reference}/sections/person").get_data(as_text=True)
    assert 'years <small lang="th">ปี</small>' in person  # units too

    save(
        nok,
        reference,
        "interview",
        {"consent_screening": "yes"},
        action="language",
        respondent_language="",
    )
    page = nok.get(f"/screenings/{reference}/sections/interview").get_data(as_text=True)
    assert "วันที่สัมภาษณ์" not in page


@pytest.mark.parametrize(
    ("section", "fields"),
    [
        ("person", {"age_at_departure": "1e300000"}),
        ("person", {"age_at_departure": "1e10000000"}),
        ("person", {"age_at_departure": "sNaN"}),
        ("work", {"exit_fee": "1e400", "exit_fee_currency": "THB"}),
        ("work", {"hours_per_day": "9" * 5000}),
    ],
)
def test_absurd_numbers_are_refused_at_once(signed_in, section, fields):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)
    began = time.monotonic()

    response = save(nok, reference, section, fields)

    assert response.status_code == 422
    assert time.monotonic() - began < 2


def test_completing_twice_completes_once(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    first = nok.post(f"/screenings/{reference}/complete", {})
    second = nok.post(f"/screenings/{reference}/complete", {})

    assert first.status_code == 302
    assert second.status_code in (302, 403)
    with app.app_context():
        completions = (
            db.session()
            .scalars(
                select(AuditEvent).where(AuditEvent.action == "screening.complete")
            )
            .all()
        )
    assert len(completions) == 1


def test_progress_counts_nothing_before_anything_is_answered(catalog):
    from screening.interviews import progress

    returnee = catalog.get("gms-returnee")

    fresh = progress(returnee, {}, "interview")
    declined_consent = progress(returnee, {"consent_screening": "no"}, "interview")

    assert fresh.answered == 0
    assert fresh.total > 50  # the whole interview is announced, as if consent came
    assert declined_consent.answered == 1


def test_a_buddhist_era_year_is_read_as_the_year_it_means(signed_in, app):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    response = save(nok, reference, "interview", {"interview_date": "2569-12-02"})

    assert response.status_code == 302
    assert stored_answers(app, reference)["interview_date"] == "2026-12-02"


def test_a_year_far_outside_a_life_is_refused(signed_in):
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    response = save(nok, reference, "interview", {"interview_date": "3112-12-02"})

    assert response.status_code == 422


def test_an_interview_date_after_today_is_refused_with_a_reason(signed_in, app):
    import datetime as dt

    from screening.config import LOCAL_TIME

    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)
    today = dt.datetime.now(LOCAL_TIME).date()
    tomorrow = today + dt.timedelta(days=1)

    refused = save(nok, reference, "interview", {"interview_date": str(tomorrow)})
    kept = save(nok, reference, "interview", {"interview_date": str(today)})

    assert refused.status_code == 422
    assert "This date is after today" in refused.get_data(as_text=True)
    assert kept.status_code == 302
    assert stored_answers(app, reference)["interview_date"] == str(today)


def test_a_section_not_asked_yet_sends_the_interviewer_back(signed_in):
    nok = signed_in("nok")
    reference = start(nok)

    before_consent = nok.get(f"/screenings/{reference}/sections/work")

    assert before_consent.status_code == 302
    assert before_consent.headers["Location"].endswith("/sections/interview")


@pytest.mark.parametrize(("country", "offered"), [("TH", "THB"), ("LA", "LAK")])
def test_a_money_question_offers_the_agencys_currency_until_one_is_saved(
    signed_in, app, people, country, offered
):
    from screening.models import Agency

    with app.app_context():
        session = db.session()
        session.get(Agency, people.agency.id).country = country
        session.commit()
    nok = signed_in("nok")
    reference = start(nok)
    consent(nok, reference)

    fresh = nok.get(f"/screenings/{reference}/sections/work").get_data(as_text=True)
    save(nok, reference, "work", {"exit_fee": "900", "exit_fee_currency": "USD"})
    saved = nok.get(f"/screenings/{reference}/sections/work").get_data(as_text=True)

    assert f"<option selected>{offered}</option>" in fresh
    assert "<option selected>USD</option>" in saved
    assert saved.count("<option selected>") == 1
