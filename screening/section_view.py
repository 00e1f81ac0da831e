"""What a section page shows: each question with its options in one or two languages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext

from screening.answer_display import option_label
from screening.answer_forms import (
    CHOICE_TYPES,
    Problem,
    SectionForm,
    answer_options,
    condition_json,
    currency_name,
    special_name,
    value_name,
)
from screening.questionnaire import SPECIAL_ANSWERS, Question, Questionnaire, Section


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    second: str | None
    special: bool
    exclusive: bool = False


@dataclass(frozen=True)
class QuestionView:
    question: Question
    prompt: str
    prompt_second: str | None
    help: str | None
    help_second: str | None
    unit: str | None
    shown: bool
    show_if: str | None
    field: str
    special_field: str | None
    currency_field: str | None
    options: tuple[Option, ...]
    specials: tuple[Option, ...]
    selected: tuple[str, ...]
    value: str
    currency: str | None
    error: str | None


def problem_message(problem: Problem) -> str:
    params = dict(problem.params)
    match problem.code:
        case "both":
            return gettext(
                "Give an answer, or choose “Don't know” or “Prefer not to say”, "
                "not both."
            )
        case "number":
            return gettext("Enter a number.")
        case "whole_number":
            return gettext("Enter a whole number.")
        case "range" if params.get("maximum") is not None:
            return gettext(
                "Enter a number from %(minimum)s to %(maximum)s.",
                minimum=f"{params['minimum']:g}",
                maximum=f"{params['maximum']:g}",
            )
        case "range":
            return gettext(
                "Enter a number of at least %(minimum)s.",
                minimum=f"{params.get('minimum') or 0:g}",
            )
        case "currency":
            return gettext("Choose the currency.")
        case "date":
            return gettext("Enter a real date (year-month-day).")
        case "too_long":
            return gettext(
                "Shorten this answer to %(maximum)d characters.",
                maximum=params["maximum"],
            )
        case "exclusive":
            return gettext(
                "“None of these” cannot be chosen together with other answers."
            )
        case "consent_needed":
            return gettext(
                "Record whether the person agrees to the screening before going on."
            )
        case "not_a_choice":
            return gettext("Choose one of the answers shown.")
    return gettext("This answer cannot be saved as it is.")


def _options(
    questionnaire: Questionnaire,
    question: Question,
    values: list[str],
    language: str,
    second: str | None,
) -> tuple[Option, ...]:
    return tuple(
        Option(
            value,
            option_label(questionnaire, question, value, language),
            option_label(questionnaire, question, value, second) if second else None,
            value in SPECIAL_ANSWERS,
            bool((choice := question.choice(value)) and choice.exclusive),
        )
        for value in values
    )


def _text(
    questionnaire: Questionnaire, text: Mapping[str, str], language: str | None
) -> str | None:
    if not text or language is None:
        return None
    return questionnaire.text(text, language)


def question_views(
    questionnaire: Questionnaire,
    section: Section,
    form: SectionForm,
    *,
    shown_ids: set[str],
    problems: Mapping[str, Problem],
    language: str,
    second: str | None,
) -> list[QuestionView]:
    views = []
    for question in section.questions:
        values = answer_options(question) if question.type != "text" else []
        has_choices = (
            question.type in CHOICE_TYPES or question.type == "multiple_choice"
        )
        options = _options(
            questionnaire,
            question,
            [value for value in values if value not in SPECIAL_ANSWERS],
            language,
            second,
        )
        specials = _options(
            questionnaire, question, list(SPECIAL_ANSWERS), language, second
        )
        value_field = form[value_name(question)]
        if has_choices:
            data = value_field.data
            selected = tuple(data if isinstance(data, list) else [data] if data else [])
            value = ""
        else:
            selected = tuple(form[special_name(question)].data or ())
            value = value_field.data or ""
        currency = None
        if question.type == "money":
            currency = form[currency_name(question)].data
        problem = problems.get(question.id)
        views.append(
            QuestionView(
                question=question,
                prompt=questionnaire.text(question.prompt, language),
                prompt_second=_text(questionnaire, question.prompt, second),
                help=_text(questionnaire, question.help, language),
                help_second=_text(questionnaire, question.help, second),
                unit=_text(questionnaire, question.unit, language),
                shown=question.id in shown_ids,
                show_if=condition_json(question.show_if),
                field=value_name(question),
                special_field=None if has_choices else special_name(question),
                currency_field=currency_name(question)
                if question.type == "money"
                else None,
                options=options,
                specials=specials,
                selected=selected,
                value=str(value),
                currency=currency,
                error=problem_message(problem) if problem else None,
            )
        )
    return views
