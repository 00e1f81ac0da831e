"""The bundled questionnaire, gms-returnee 1.0.0: complete, reachable, scored right."""

from __future__ import annotations

import re

import pytest

from screening.questionnaire import Questionnaire
from screening.scoring import assess

THAI = re.compile(r"[\u0E00-\u0E7F]")
LAO = re.compile(r"[\u0E80-\u0EFF]")
SCRIPTS = {"th": THAI, "lo": LAO}

SECTION_ORDER = [
    "interview",
    "person",
    "recruitment",
    "journey",
    "work",
    "scam_compound",
    "control",
    "exit",
]


@pytest.fixture(scope="module")
def returnee(catalog) -> Questionnaire:
    questionnaire = catalog.get("gms-returnee", "1.0.0")
    assert questionnaire is not None
    return questionnaire


def all_texts(questionnaire: Questionnaire):
    """(where, text object) for every text a person or interviewer can read."""
    yield "title", questionnaire.title
    yield "description", questionnaire.description
    for section in questionnaire.sections:
        yield f"{section.id}.title", section.title
        if section.intro:
            yield f"{section.id}.intro", section.intro
        for question in section.questions:
            yield f"{question.id}.prompt", question.prompt
            if question.help:
                yield f"{question.id}.help", question.help
            if question.unit:
                yield f"{question.id}.unit", question.unit
            for choice in question.choices:
                yield f"{question.id}.{choice.id}", choice.label


def test_every_indicator_of_the_standard_is_reachable(returnee, standards):
    standard = standards.get(returnee.standard)

    unreachable = set(standard.indicators) - set(returnee.coverage())

    assert unreachable == set()


def test_every_text_exists_in_english_thai_and_lao(returnee):
    assert returnee.languages == ("en", "th", "lo")
    missing = [
        (where, language)
        for where, text in all_texts(returnee)
        for language in ("en", "th", "lo")
        if not text.get(language, "").strip()
    ]
    assert missing == []


def test_thai_and_lao_texts_are_written_in_their_own_script(returnee):
    wrong = []
    for where, text in all_texts(returnee):
        for language, script in SCRIPTS.items():
            other = LAO if language == "th" else THAI
            # A proper noun (Facebook, LINE) may stay as in English.
            if not script.search(text[language]) and text[language] != text["en"]:
                wrong.append((where, language, "no letters of its script"))
            if other.search(text[language]):
                wrong.append((where, language, "letters of the other script"))
    assert wrong == []


def test_a_repetition_mark_is_shown_joined_to_the_word_it_repeats(returnee):
    shown = {
        language: [returnee.text(text, language) for _, text in all_texts(returnee)]
        for language in ("th", "lo")
    }

    thai = [text for text in shown["th"] if "ๆ" in text]
    lao = [text for text in shown["lo"] if "ໆ" in text]
    assert thai and lao  # the bundled text has both
    assert all(" ๆ" not in text and "\u00a0ๆ" in text for text in thai)
    assert all("\u2060ໆ" in text for text in lao)
    assert all(text.count("ໆ") == text.count("\u2060ໆ") for text in lao)


def test_sections_follow_the_interview(returnee):
    assert [section.id for section in returnee.sections] == SECTION_ORDER


def test_nothing_is_asked_before_consent_to_screening(returnee):
    for section in returnee.sections[1:]:
        answers_without_consent = {"consent_screening": "no"}
        assert not returnee.section_shown(section, answers_without_consent), section.id


def test_the_interview_facts_and_consents_are_in_the_first_section(returnee):
    facts = {question.fact for question in returnee.sections[0].questions}

    assert facts >= {
        "interview_date",
        "interview_place",
        "interpreter_used",
        "interpreter_language",
        "consent_screening",
        "consent_sharing",
        "consent_referral",
    }


def test_questions_never_ask_whether_the_person_is_a_victim(returnee):
    prompts = [question.prompt["en"].lower() for question in returnee.questions()]

    assert not [prompt for prompt in prompts if "victim" in prompt]
    assert not [prompt for prompt in prompts if prompt.startswith("why did you")]


SCAM_COMPOUND_RETURNEE = {
    "interview_date": "2026-11-28",
    "interview_place": "Chiang Saen border point",
    "interpreter_used": "no",
    "consent_screening": "yes",
    "consent_sharing": "yes",
    "consent_referral": "yes",
    "age_now": 24,
    "age_at_departure": 23,
    "nationality": "thai",
    "recruit_channel": "social_media",
    "what_different": ["kind_of_work", "pay"],
    "journey_arranged_by": "recruiter",
    "handed_over": "yes",
    "work_actual": ["online_scams"],
    "hours_per_day": 16,
    "has_target": "yes",
    "target_punished": "yes",
    "scam_could_refuse": "no",
    "scam_fines_ate_salary": "yes",
    "documents_taken": "yes",
    "could_go_out": "no",
    "security": ["walls", "guards"],
    "exit_fee": "yes",
    "violence": "yes",
}


def test_a_scam_compound_returnee_is_likely(returnee, standards):
    answers = returnee.check_answers(SCAM_COMPOUND_RETURNEE)

    result = assess(
        standards.get(returnee.standard),
        returnee.indicator_states(answers),
        returnee.profile(answers),
    )

    assert result.profile == "adult"
    assert result.band == "likely"
    assert set(result.positive_dimensions) >= {"D1", "D4", "D5"}
    yes = {key for key, state in result.states.items() if state == "yes"}
    # The scam-compound facts of DOMAIN.md, mapped as it says.
    assert yes >= {
        "DR1",
        "DR8",
        "EX8",
        "CD1",
        "CD3",
        "CD6",
        "EX1",
        "CD4",
        "CD2",
        "CD5",
        "PU3",
    }


def test_the_same_returnee_declining_the_control_questions_is_possible(
    returnee, standards
):
    declined = {
        **SCAM_COMPOUND_RETURNEE,
        "documents_taken": "declined",
        "could_go_out": "declined",
        "security": "declined",
        "exit_fee": "declined",
        "violence": "declined",
        "target_punished": "declined",
        "scam_could_refuse": "declined",
    }
    answers = returnee.check_answers(declined)

    result = assess(
        standards.get(returnee.standard),
        returnee.indicator_states(answers),
        returnee.profile(answers),
    )

    assert result.band == "possible"
    inconclusive = next(r for r in result.reasons if r.code == "inconclusive")
    assert {state for _, state in inconclusive.uncertain} == {"declined"}


def test_a_person_whose_age_is_unknown_but_may_be_a_child_is_scored_as_a_child(
    returnee,
):
    answers = {
        "consent_screening": "yes",
        "age_now": "dont_know",
        "age_at_departure": "dont_know",
        "may_be_child": "yes",
    }

    assert returnee.profile(answers) == "child"
