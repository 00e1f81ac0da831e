"""Loading questionnaires, reporting broken files precisely, and reading answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.questionnaire import (
    AnswerError,
    Questionnaire,
    load_questionnaire,
    validate_answer,
)
from screening.sourcefile import DefinitionError

from .conftest import DATA

MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mini(standards) -> Questionnaire:
    return load_questionnaire(DATA / "mini.yaml", standards)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing needle."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return found[occurrence - 1]


def load_text(tmp_path: Path, standards, text: str, name: str = "broken.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_questionnaire(path, standards)


def problems_of(
    tmp_path: Path, standards, text: str
) -> list[tuple[int | None, str, str]]:
    with pytest.raises(DefinitionError) as raised:
        load_text(tmp_path, standards, text)
    for problem in raised.value.problems:
        assert problem.file.endswith("broken.yaml")
    return [(p.line, p.path, p.message) for p in raised.value.problems]


# --- identity ---------------------------------------------------------------------


def test_a_questionnaire_is_identified_by_id_version_and_content_hash(mini):
    assert (mini.id, mini.version, mini.key) == ("mini", "0.1.0", "mini@0.1.0")
    assert mini.digest.startswith("sha256:") and len(mini.digest) == 71


def test_the_hash_ignores_layout_and_comments_but_not_words(tmp_path, standards, mini):
    reflowed = "# a comment\n" + MINI.replace(
        "languages: [en, th]", "languages:\n  - en\n  - th"
    )
    reworded = MINI.replace("How did you find the job?", "How was the job found?")

    assert load_text(tmp_path, standards, reflowed, "a.yaml").digest == mini.digest
    assert load_text(tmp_path, standards, reworded, "b.yaml").digest != mini.digest


def test_the_hash_is_the_same_for_composed_and_decomposed_unicode(tmp_path, standards):
    composed = MINI.replace("Mini screening", "Mini sàng lọc")
    decomposed = MINI.replace("Mini screening", "Mini sa\u0300ng lo\u0323c")

    first = load_text(tmp_path, standards, composed, "a.yaml")
    second = load_text(tmp_path, standards, decomposed, "b.yaml")

    assert first.digest == second.digest


def test_yes_and_no_stay_words_not_booleans(mini):
    question = mini.question("could_leave")
    assert question is not None
    assert question.on_no == ("CD3",)


# --- broken files: the file, the line, the path and what is wrong ---------------

BROKEN = [
    pytest.param(
        lambda t: t.replace(
            "prompt: {en: Hours worked per day", "prompt: {en: Hours: [worked"
        ),
        "Hours: [worked",
        "(syntax)",
        "expected",
        id="YAML syntax error",
    ),
    pytest.param(
        lambda t: t.replace(
            "        type: yes_no\n", "        type: yes_no\n        type: text\n", 1
        ),
        "        type: text",
        "sections[0].questions[1]",
        "duplicate key 'type'",
        id="duplicate key",
    ),
    pytest.param(
        lambda t: t.replace("[PU3, CD5]", "[PU3, XX5]"),
        "[PU3, XX5]",
        "sections[2].questions[2].choices[0].indicators[1]",
        "unknown indicator ID 'XX5' (not in gms-common@1)",
        id="unknown indicator ID",
    ),
    pytest.param(
        lambda t: t.replace(", th: ทำความสะอาด}", "}"),
        "{id: cleaning",
        "sections[2].questions[2].choices[1].label",
        "missing translation 'th'",
        id="missing translation",
    ),
    pytest.param(
        lambda t: t.replace("id: passport_taken", "id: could_leave"),
        ("      - id: could_leave", 2),
        "sections[2].questions[6].id",
        "duplicate question ID 'could_leave' (first at sections[2].questions[5])",
        id="duplicate question ID",
    ),
    pytest.param(
        lambda t: t.replace(
            "show_if: {question: work_kinds, includes: scam}",
            "show_if: {question: could_leave, equals: 'no'}",
        ),
        "show_if: {question: could_leave",
        "sections[2].questions[3].show_if.question",
        "refers to 'could_leave', which comes later",
        id="condition on a later question",
    ),
    pytest.param(
        lambda t: t.replace(
            "{question: work_kinds, includes: scam}",
            "{question: work_type, includes: scam}",
        ),
        "{question: work_type",
        "sections[2].questions[3].show_if.question",
        "refers to a missing question 'work_type'",
        id="condition on a missing question",
    ),
    pytest.param(
        lambda t: t.replace(
            "show_if: {question: work_kinds, includes: scam}",
            "show_if: {question: scam_platform, answered: true}",
        ),
        "show_if: {question: scam_platform",
        "sections[2].questions[3].show_if",
        "condition cycle: scam_platform -> scam_platform",
        id="condition cycle",
    ),
    pytest.param(
        lambda t: t.replace("standard: gms-common@1", "standard: gms-common@7"),
        "standard: gms-common@7",
        "standard",
        "unknown standard 'gms-common@7' (known: gms-common@1)",
        id="unknown standard",
    ),
    pytest.param(
        lambda t: t.replace(
            "        type: single_choice\n", "        type: dropdown\n", 1
        ),
        "type: dropdown",
        "sections[2].questions[0].type",
        "'dropdown' is not one of",
        id="unknown question type",
    ),
    pytest.param(
        lambda t: t.replace("        prompt: {en: Name, th: ชื่อ}\n", ""),
        "      - id: full_name",
        "sections[1].questions[0]",
        "'prompt' is a required property",
        id="missing prompt",
    ),
    pytest.param(
        lambda t: t.replace("{id: myself,", "{id: dont_know,"),
        "{id: dont_know,",
        "sections[2].questions[0].choices[1].id",
        "'dont_know' is reserved",
        id="reserved choice ID",
    ),
    pytest.param(
        lambda t: t.replace(
            '{question: consent_screening, equals: "yes"}',
            '{question: consent_screening, equals: "maybe"}',
            1,
        ),
        'equals: "maybe"',
        "sections[1].show_if.equals",
        "'maybe' is not a possible answer to 'consent_screening'",
        id="impossible answer in a condition",
    ),
    pytest.param(
        lambda t: t.replace("Mini screening, th:", "Mini screening, lo: ແບບ, th:"),
        "Mini screening",
        "title.lo",
        "language 'lo' is not declared in languages",
        id="undeclared language",
    ),
    pytest.param(
        lambda t: t.replace(
            "      - id: full_name\n        fact: full_name",
            "      - id: full_name\n        fact: interview_date",
        ),
        ("fact: interview_date", 2),
        "sections[1].questions[0].fact",
        "fact 'interview_date' is already at sections[0].questions[0]",
        id="duplicate fact",
    ),
    pytest.param(
        lambda t: t.replace(
            "        indicators: {yes: [DR1]}",
            "        indicators: {yes: [DR1]}\n"
            "        choices: [{id: a, label: {en: A, th: A}},"
            " {id: b, label: {en: B, th: B}}]",
        ),
        "        choices: [{id: a",
        "sections[2].questions[1].choices",
        "'choices' is not allowed here",
        id="choices on a yes/no question",
    ),
    pytest.param(
        lambda t: t.replace("{id: myself,", "{id: myself, exclusive: true,"),
        "{id: myself, exclusive: true,",
        "sections[2].questions[0].choices[1].exclusive",
        "'exclusive' is only for multiple_choice questions",
        id="exclusive choice on a single choice question",
    ),
    pytest.param(
        lambda t: t.replace(
            "        type: date\n", "        type: date\n        promt: {en: x}\n", 1
        ),
        "promt: {en: x}",
        "sections[0].questions[0].promt",
        "'promt' is not allowed here",
        id="misspelt key",
    ),
    pytest.param(
        lambda t: t.replace("        max: 24\n", "        max: .nan\n"),
        "max: .nan",
        "sections[2].questions[4].max",
        "must be a finite number",
        id="a bound that is not a number",
    ),
    pytest.param(
        lambda t: t.replace(
            "{at_least: 12, set: [EX1]}", "{at_least: 1" + "0" * 40 + ", set: [EX1]}"
        ),
        "{at_least: 1000",
        "sections[2].questions[4].indicators[0].at_least",
        "number too long",
        id="a number too long",
    ),
    pytest.param(
        lambda t: t.replace("Hours worked per day", "Hours worked \u202eper day"),
        "Hours worked",
        "sections[2].questions[4].prompt.en",
        "invisible control character U+202E",
        id="a hidden direction control",
    ),
    pytest.param(
        lambda t: t.replace(
            "show_if: {question: work_kinds, includes: scam}",
            "show_if: "
            + "{not: " * 60
            + "{question: work_kinds, includes: scam}"
            + "}" * 60,
        ),
        "show_if: {not:",
        "sections[2].questions[3].show_if" + ".not" * 36,
        "nested more than 40 levels deep",
        id="conditions nested too deep",
    ),
    pytest.param(
        lambda t: t.replace("version: 0.1.0", "version: '1.0'"),
        "version: '1.0'",
        "version",
        "does not match",
        id="version that is not semantic",
    ),
    pytest.param(
        lambda t: t.replace(
            "{question: work_kinds, includes: scam}",
            "{question: work_kinds, at_least: 3}",
        ),
        "{question: work_kinds, at_least: 3}",
        "sections[2].questions[3].show_if.at_least",
        "'at_least' cannot test a multiple_choice question",
        id="test that does not fit the question type",
    ),
]


@pytest.mark.parametrize(("mutate", "line_text", "path", "message"), BROKEN)
def test_a_broken_questionnaire_names_file_line_path_and_problem(
    tmp_path, standards, mutate, line_text, path, message
):
    broken = mutate(MINI)
    assert broken != MINI, "the mutation did not apply"

    problems = problems_of(tmp_path, standards, broken)

    needle, occurrence = line_text if isinstance(line_text, tuple) else (line_text, 1)
    expected_line = line_of(broken, needle, occurrence)
    matching = [p for p in problems if p[1] == path and message in p[2]]
    assert matching, problems
    assert matching[0][0] == expected_line, (matching, expected_line)


def test_every_problem_is_reported_at_once(tmp_path, standards):
    broken = MINI.replace("[PU3, CD5]", "[PU3, XX5]").replace(", th: ทำความสะอาด}", "}")

    problems = problems_of(tmp_path, standards, broken)

    assert len(problems) == 2


def test_a_mutual_dependency_is_reported_as_a_cycle(tmp_path, standards):
    broken = MINI.replace(
        "        prompt: {en: Name, th: ชื่อ}\n",
        "        prompt: {en: Name, th: ชื่อ}\n"
        "        show_if: {question: may_be_child, answered: true}\n",
    ).replace(
        "show_if: {question: age_at_departure, answered: false}",
        "show_if: {question: full_name, answered: true}",
    )

    problems = problems_of(tmp_path, standards, broken)

    messages = [message for _, _, message in problems]
    assert any(
        m.startswith("condition cycle: full_name -> may_be_child") for m in messages
    )


def test_an_error_message_reads_file_line_path_message(tmp_path, standards):
    broken = MINI.replace("[PU3, CD5]", "[PU3, XX5]")
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")

    with pytest.raises(DefinitionError) as raised:
        load_questionnaire(path, standards)

    line = line_of(broken, "[PU3, XX5]")
    assert str(raised.value) == (
        f"{path}:{line}: sections[2].questions[2].choices[0].indicators[1]: "
        "unknown indicator ID 'XX5' (not in gms-common@1)"
    )


def test_a_file_that_is_not_utf8_is_refused_plainly(tmp_path, standards):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINI.encode("utf-8").replace("แบบ".encode(), b"\xe9\xe9"))

    with pytest.raises(DefinitionError, match="not UTF-8 text"):
        load_questionnaire(path, standards)


def test_a_file_name_that_contradicts_the_version_is_refused(tmp_path, standards):
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "0.2.0.yaml").write_text(MINI, encoding="utf-8")

    with pytest.raises(DefinitionError, match=r"file name says version 0\.2\.0"):
        load_questionnaire(folder / "0.2.0.yaml", standards)


# --- answers -------------------------------------------------------------------


SCAM_ANSWERS = {
    "interview_date": "2026-11-30",
    "consent_screening": "yes",
    "age_at_departure": 24,
    "job_found": "online",
    "job_different": "yes",
    "work_kinds": ["scam"],
    "scam_platform": "Telegram",
    "hours_per_day": 14,
    "could_leave": "no",
    "passport_taken": "yes",
    "exit_fee": {"amount": 30000, "currency": "THB"},
}


def test_answers_become_indicator_states(mini):
    states = mini.indicator_states(SCAM_ANSWERS)

    assert states == {
        "ACT1": "yes",
        "DR1": "yes",
        "PU3": "yes",
        "CD5": "yes",
        "EX1": "yes",
        "CD3": "yes",
        "CD1": "yes",
        "CD2": "yes",
    }


def test_an_answer_that_does_not_set_an_indicator_makes_it_no(mini):
    answers = {
        **SCAM_ANSWERS,
        "hours_per_day": 8,
        "could_leave": "yes",
        "work_kinds": ["cleaning"],
    }

    states = mini.indicator_states(answers)

    assert states["EX1"] == "no"
    assert states["CD3"] == "no"
    assert states["PU3"] == "no" and states["CD5"] == "no"


def test_dont_know_and_declined_become_unknown_and_declined(mini):
    answers = {**SCAM_ANSWERS, "could_leave": "declined", "work_kinds": "dont_know"}

    states = mini.indicator_states(answers)

    assert states["CD3"] == "declined"
    assert states["PU3"] == "unknown" and states["CD5"] == "unknown"


def test_any_yes_wins_then_declined_and_unknown_beat_no(standards, tmp_path):
    text = MINI.replace(
        "indicators: {yes: [CD1]}", "indicators: {yes: [CD1, CD3]}"
    )  # passport_taken now also feeds CD3, like could_leave
    questionnaire = load_text(tmp_path, standards, text)
    base = {"consent_screening": "yes"}

    def cd3(could_leave: str, passport_taken: str) -> str:
        answers = {**base, "could_leave": could_leave, "passport_taken": passport_taken}
        return questionnaire.indicator_states(answers)["CD3"]

    assert cd3("no", "no") == "yes"  # could_leave "no" sets CD3
    assert cd3("yes", "yes") == "yes"
    assert cd3("yes", "dont_know") == "unknown"
    assert cd3("declined", "no") == "declined"
    assert cd3("yes", "no") == "no"


def test_an_answer_to_a_hidden_question_is_ignored(mini):
    answers = {**SCAM_ANSWERS, "work_kinds": ["cleaning"], "scam_platform": "Telegram"}

    assert "scam_platform" not in mini.visible_answers(answers)


def test_withdrawn_consent_hides_everything_after_the_interview_section(mini):
    answers = {**SCAM_ANSWERS, "consent_screening": "no"}

    assert set(mini.visible_answers(answers)) == {"interview_date", "consent_screening"}
    assert mini.indicator_states(answers) == {}


@pytest.mark.parametrize(
    ("answers", "profile"),
    [
        ({"age_at_departure": 16}, "child"),
        ({"age_at_departure": 18}, "adult"),
        ({"age_at_departure": "dont_know", "may_be_child": "yes"}, "child"),
        ({"age_at_departure": "declined", "may_be_child": "no"}, "adult"),
        ({"may_be_child": "yes"}, "child"),
        ({"age_at_departure": 30, "may_be_child": "yes"}, "adult"),  # question hidden
    ],
)
def test_the_profile_gives_the_benefit_of_the_doubt_on_age(mini, answers, profile):
    assert mini.profile({"consent_screening": "yes", **answers}) == profile


def test_indicator_sources_name_the_questions_behind_each_indicator(mini):
    sources = mini.indicator_sources({**SCAM_ANSWERS, "passport_taken": "dont_know"})

    assert sources["CD1"] == ["passport_taken"]
    assert sources["PU3"] == ["work_kinds"]
    assert "EX1" in sources


@pytest.mark.parametrize(
    ("question_id", "value", "stored"),
    [
        ("hours_per_day", "12", 12),
        ("hours_per_day", 10.5, 10.5),
        ("age_at_departure", "1,7", 17),
        ("interview_date", "2026-02-28", "2026-02-28"),
        ("work_kinds", ["scam", "cleaning", "scam"], ["scam", "cleaning"]),
        (
            "exit_fee",
            {"amount": "5000", "currency": "USDT"},
            {"amount": 5000, "currency": "USDT"},
        ),
        ("full_name", "  Somchai  ", "Somchai"),
        ("job_different", "declined", "declined"),
    ],
)
def test_answers_are_stored_in_a_plain_form(mini, question_id, value, stored):
    question = mini.question(question_id)
    assert validate_answer(question, value) == stored


@pytest.mark.parametrize(
    ("question_id", "value", "message"),
    [
        ("hours_per_day", "many", "not a number"),
        ("hours_per_day", 25, "at most 24"),
        ("hours_per_day", float("nan"), "not a number"),
        ("age_at_departure", 17.5, "whole number"),
        ("interview_date", "2026-02-30", "not a real date"),
        ("interview_date", "30/11/2026", "YYYY-MM-DD"),
        ("job_found", "agent", "not one of the choices"),
        ("work_kinds", "scam", "list of choices"),
        ("exit_fee", {"amount": 10, "currency": "EUR"}, "currency must be one of"),
        ("exit_fee", {"amount": -5, "currency": "THB"}, "at least 0"),
        ("job_different", True, "expected yes, no"),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message(
    mini, question_id, value, message
):
    with pytest.raises(AnswerError, match=message):
        validate_answer(mini.question(question_id), value)


def test_an_exclusive_choice_cannot_be_combined(standards, tmp_path):
    text = MINI.replace(
        "{id: cleaning, label: {en: Cleaning, th: ทำความสะอาด}}",
        "{id: cleaning, label: {en: Cleaning, th: ทำความสะอาด}}\n"
        "          - {id: none, exclusive: true, label: {en: None, th: ไม่มี}}",
    )
    questionnaire = load_text(tmp_path, standards, text)
    question = questionnaire.question("work_kinds")

    assert validate_answer(question, ["none"]) == ["none"]
    with pytest.raises(
        AnswerError, match="'none' cannot be combined with other choices"
    ):
        validate_answer(question, ["scam", "none"])
    states = questionnaire.indicator_states(
        {"consent_screening": "yes", "work_kinds": ["none"]}
    )
    assert states == {"PU3": "no", "CD5": "no"}


def test_check_answers_refuses_a_question_that_does_not_exist(mini):
    with pytest.raises(AnswerError, match=r"no_such: no such question in mini@0\.1\.0"):
        mini.check_answers({"no_such": "yes"})


def test_translations_never_change_the_indicator_states(standards, tmp_path, mini):
    swapped = (
        MINI.replace("{en:", "{xx:").replace(", th:", ", en:").replace("{xx:", "{th:")
    )
    translated = load_text(tmp_path, standards, swapped)

    assert translated.digest != mini.digest
    assert translated.indicator_states(SCAM_ANSWERS) == mini.indicator_states(
        SCAM_ANSWERS
    )


def test_the_readme_example_questionnaire_loads(tmp_path, standards):
    readme = (DATA.parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]

    questionnaire = load_text(tmp_path, standards, example)

    assert questionnaire.key == "example@1.0.0"
    answers = {"could_leave": "no", "work_kinds": ["scam"]}
    assert questionnaire.indicator_states(answers) == {
        "CD3": "yes",
        "CD5": "yes",
        "PU3": "yes",
    }


def test_yaml_aliases_are_refused_before_they_can_expand(tmp_path, standards):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += (
            f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}]\n"
        )

    with pytest.raises(DefinitionError, match="anchors and aliases"):
        load_text(tmp_path, standards, bomb)


def test_deeply_nested_yaml_gets_a_plain_error(tmp_path, standards):
    with pytest.raises(DefinitionError) as raised:
        load_text(tmp_path, standards, "a: " + "[" * 5000 + "]" * 5000 + "\n")

    assert raised.value.problems[0].path in {"(syntax)", "(top level)"}


def test_a_path_that_is_not_a_regular_file_is_refused_plainly(tmp_path, standards):
    with pytest.raises(DefinitionError, match="not a regular file"):
        load_questionnaire(tmp_path, standards)


def test_an_empty_file_is_refused_plainly(tmp_path, standards):
    with pytest.raises(DefinitionError, match="a questionnaire is a mapping"):
        load_text(tmp_path, standards, "# nothing here\n")
