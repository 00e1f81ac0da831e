"""WTForms forms generated from questionnaire sections, and answers read from them.

Each question becomes one field named ``q_<question id>`` (plus, for typed
answers, ``q_<id>_special`` for "don't know" / "prefer not to say" and, for
money, ``q_<id>_currency``). Reading a posted form gives, per question, the
answer in its stored form or a problem code the page translates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from screening.config import LOCAL_TIME
from screening.i18n import BUDDHIST_ERA_OFFSET
from screening.questionnaire import (
    DECLINED,
    DONT_KNOW,
    SPECIAL_ANSWERS,
    AnswerError,
    Combined,
    Condition,
    Question,
    Questionnaire,
    Section,
    Test,
    validate_answer,
)

CHOICE_TYPES = frozenset({"yes_no", "single_choice"})


class SectionForm(FlaskForm):
    """Base of the generated forms; the fields are added per section."""


@dataclass(frozen=True)
class Problem:
    """Why a posted answer was not accepted: a code and its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


def value_name(question: Question) -> str:
    return f"q_{question.id}"


def special_name(question: Question) -> str:
    return f"q_{question.id}_special"


def currency_name(question: Question) -> str:
    return f"q_{question.id}_currency"


def answer_options(question: Question) -> list[str]:
    """The values a choice question's radio buttons or boxes post."""
    if question.type == "yes_no":
        return ["yes", "no", *SPECIAL_ANSWERS]
    return [choice.id for choice in question.choices] + list(SPECIAL_ANSWERS)


def _pairs(values: list[str]) -> list[SelectChoice]:
    # Labels come from the questionnaire when the page is drawn, not from here.
    return [SelectChoice(value) for value in values]


def _fields_for(question: Question) -> dict[str, Field]:
    # Choices are validated against the questionnaire when read, so the
    # fields do not validate them again.
    if question.type in CHOICE_TYPES:
        return {
            value_name(question): RadioField(
                choices=_pairs(answer_options(question)), validate_choice=False
            )
        }
    if question.type == "multiple_choice":
        return {
            value_name(question): SelectMultipleField(
                choices=_pairs(answer_options(question)), validate_choice=False
            )
        }
    fields: dict[str, Any] = {
        special_name(question): SelectMultipleField(
            choices=_pairs(list(SPECIAL_ANSWERS)), validate_choice=False
        )
    }
    if question.type == "text" and question.multiline:
        fields[value_name(question)] = TextAreaField()
    else:
        fields[value_name(question)] = StringField()
    if question.type == "money":
        fields[currency_name(question)] = SelectField(
            choices=_pairs(list(question.currencies)), validate_choice=False
        )
    return fields


@lru_cache(maxsize=256)
def _form_class(questionnaire: Questionnaire, section_id: str) -> type[SectionForm]:
    section = questionnaire.section(section_id)
    if section is None:
        raise KeyError(section_id)
    attributes: dict[str, Any] = {}
    for question in section.questions:
        attributes.update(_fields_for(question))
    return type(f"SectionForm_{section_id}", (SectionForm,), attributes)


def section_form(
    questionnaire: Questionnaire,
    section: Section,
    answers: Mapping[str, Any] | None = None,
) -> SectionForm:
    """The section's form: filled from saved answers, or (None) bound to the post.

    A posted form is read whole: a question left empty on the page is an
    answer removed, since the page shows every question of its section.
    """
    form_class = _form_class(questionnaire, section.id)
    if answers is None:
        return form_class()
    return form_class(formdata=None, data=form_data(section, answers))


def form_data(section: Section, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Saved answers as form field data, keyed by field name."""
    data: dict[str, Any] = {}
    for question in section.questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        if question.type in CHOICE_TYPES or question.type == "multiple_choice":
            data[value_name(question)] = (
                [answer]
                if question.type == "multiple_choice" and isinstance(answer, str)
                else answer
            )
        elif answer in SPECIAL_ANSWERS:
            data[special_name(question)] = [answer]
        elif question.type == "money":
            data[value_name(question)] = _plain_number(answer.get("amount"))
            data[currency_name(question)] = answer.get("currency")
        elif question.type == "number":
            data[value_name(question)] = _plain_number(answer)
        else:
            data[value_name(question)] = str(answer)
    return data


def _plain_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


# --- reading what was posted ----------------------------------------------


def read_answers(
    form: SectionForm, section: Section
) -> tuple[dict[str, Any], dict[str, Problem]]:
    """Posted answers by question ID (None when left empty), and problems."""
    answers: dict[str, Any] = {}
    problems: dict[str, Problem] = {}
    for question in section.questions:
        try:
            answers[question.id] = _read(form, question)
        except _RejectedError as rejected:
            problems[question.id] = rejected.problem
    return answers, problems


class _RejectedError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.problem = Problem(code, params)


def _read(form: SectionForm, question: Question) -> Any:
    raw = form[value_name(question)].data
    if question.type in CHOICE_TYPES:
        if raw in (None, ""):
            return None
        if raw not in answer_options(question):
            raise _RejectedError("not_a_choice")
        return raw
    if question.type == "multiple_choice":
        chosen = [item for item in raw or () if item]
        special = [item for item in chosen if item in SPECIAL_ANSWERS]
        if not chosen:
            return None
        if special:
            if len(chosen) > 1:
                raise _RejectedError("both")
            return special[0]
        exclusive = [c.id for c in question.choices if c.exclusive and c.id in chosen]
        if exclusive and len(chosen) > 1:
            raise _RejectedError("exclusive")
        return _checked(question, chosen)

    special = [item for item in form[special_name(question)].data or () if item]
    text = (raw or "").strip()
    if len(special) > 1:
        raise _RejectedError("both")
    if special:
        if special[0] not in SPECIAL_ANSWERS:
            raise _RejectedError("not_a_choice")
        if text:
            raise _RejectedError("both")
        return special[0]
    if not text:
        return None
    match question.type:
        case "number":
            return _checked(question, text)
        case "money":
            currency = form[currency_name(question)].data
            return _checked(question, {"amount": text, "currency": currency})
        case "date":
            return _not_after_today(question, _checked(question, gregorian(text)))
        case "text":
            if len(text) > question.max_length:
                raise _RejectedError("too_long", maximum=question.max_length)
            return _checked(question, text)
    raise _RejectedError("invalid")


# The interview and a birth have happened by the day they are recorded: a
# later date is a slip of the keyboard (2062 for 2026).
PAST_DATE_FACTS = frozenset({"interview_date", "date_of_birth"})


def _not_after_today(question: Question, answer: Any) -> Any:
    if question.fact in PAST_DATE_FACTS and isinstance(answer, str):
        today = dt.datetime.now(LOCAL_TIME).date()
        if dt.date.fromisoformat(answer) > today:
            raise _RejectedError("future")
    return answer


def gregorian(text: str) -> str:
    """A date typed with a Buddhist-era year (2400-2700), as Thai users often
    do, in the Gregorian calendar the answers are kept in; others unchanged."""
    year, separator, rest = text.partition("-")
    if separator and year.isdigit() and 2400 <= int(year) <= 2700:
        return f"{int(year) - BUDDHIST_ERA_OFFSET:04d}-{rest}"
    return text


def _checked(question: Question, value: Any) -> Any:
    """The questionnaire's own check parses the answer and has the last word."""
    try:
        return validate_answer(question, value)
    except AnswerError as error:
        raise _RejectedError(error.code, **error.params) from None


# --- conditions for the browser ----------------------------------------------


def condition_json(condition: Condition | None) -> str | None:
    """A condition as compact JSON for the page's script to evaluate."""
    if condition is None:
        return None
    return json.dumps(_condition_data(condition), separators=(",", ":"))


def _condition_data(condition: Condition) -> Any:
    if isinstance(condition, Test):
        return {
            "q": condition.question,
            "op": condition.operator,
            "v": condition.operand,
        }
    if not isinstance(condition, Combined):
        raise TypeError(f"not a condition: {condition!r}")
    return {condition.operator: [_condition_data(item) for item in condition.items]}


def outside_references(
    questionnaire: Questionnaire, section: Section, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Counted answers from other sections that this section's conditions read."""
    own = {question.id for question in section.questions}
    wanted: set[str] = set()
    for question in section.questions:
        if question.show_if is not None:
            wanted.update(_references(question.show_if))
    counted = questionnaire.visible_answers(answers)
    return {key: counted[key] for key in sorted(wanted - own) if key in counted}


def _references(condition: Condition) -> set[str]:
    if isinstance(condition, Test):
        return {condition.question}
    found: set[str] = set()
    for item in condition.items:
        found |= _references(item)
    return found


__all__ = [
    "DECLINED",
    "DONT_KNOW",
    "Problem",
    "SectionForm",
    "condition_json",
    "outside_references",
    "read_answers",
    "section_form",
]
