"""What a section page shows: each question with its options in one or two languages.

The answer options of a question are the same on every request for a given
questionnaire version and pair of languages; only which are ticked changes.
Their markup is therefore built once, escaped once, and kept: a section of
twenty questions has about a hundred options, and drawing each through the
template engine on every request was most of the page's cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask_babel import gettext
from markupsafe import Markup, escape

from screening.answer_display import option_label
from screening.answer_forms import (
    CHOICE_TYPES,
    Problem,
    answer_options,
    condition_json,
    currency_name,
    special_name,
    value_name,
)
from screening.questionnaire import SPECIAL_ANSWERS, Question, Questionnaire, Section

# (value, markup before " checked", markup after it)
Fragment = tuple[str, str, str]


@dataclass(frozen=True)
class QuestionView:
    question: Question
    prompt: str
    prompt_second: str | None
    help: str | None
    help_second: str | None
    unit: str | None
    unit_second: str | None
    shown: bool
    show_if: str | None
    field: str
    currency_field: str | None
    options: Markup  # the boxes to tick: choices, then the special answers
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
        case "exclusive":
            return gettext(
                "“None of these” cannot be chosen together with other answers."
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
        case "future":
            return gettext("This date is after today. Check the year.")
        case "too_long":
            return gettext(
                "Shorten this answer to %(maximum)d characters.",
                maximum=params["maximum"],
            )
        case "consent_needed":
            return gettext(
                "Record whether the person agrees to the screening before going on."
            )
        case "not_a_choice":
            return gettext("Choose one of the answers shown.")
    return gettext("This answer cannot be saved as it is.")


def _fragment(
    questionnaire: Questionnaire,
    question: Question,
    value: str,
    *,
    kind: str,
    name: str,
    language: str,
    second: str | None,
) -> Fragment:
    choice = question.choice(value)
    exclusive = bool(choice and choice.exclusive)
    label = escape(option_label(questionnaire, question, value, language))
    if second:
        other = escape(option_label(questionnaire, question, value, second))
        label += Markup(f'<small lang="{escape(second)}">{other}</small>')  # noqa: S704 - escaped parts
    # no class on the label: ".options > label" styles it, saving bytes on
    # every one of the hundred or so options of a long section
    head = f'<label><input type="{kind}" name="{name}" value="{escape(value)}"'
    tail = f"{' data-exclusive' if exclusive else ''}><span>{label}</span></label>"
    return value, head, tail


@lru_cache(maxsize=512)
def _option_groups(
    questionnaire: Questionnaire, question_id: str, language: str, second: str | None
) -> tuple[tuple[str, tuple[Fragment, ...]], ...]:
    """(CSS class, option fragments) for each group of boxes of a question."""
    question = questionnaire.question(question_id)
    if question is None:
        raise KeyError(question_id)
    kind = "radio" if question.type in CHOICE_TYPES else "checkbox"
    has_choices = question.type in CHOICE_TYPES or question.type == "multiple_choice"
    name = value_name(question) if has_choices else special_name(question)

    def fragments(values: list[str]) -> tuple[Fragment, ...]:
        return tuple(
            _fragment(
                questionnaire,
                question,
                value,
                kind=kind,
                name=name,
                language=language,
                second=second,
            )
            for value in values
        )

    specials = ("options specials", fragments(list(SPECIAL_ANSWERS)))
    if not has_choices:
        return (specials,)
    choices = [
        value for value in answer_options(question) if value not in SPECIAL_ANSWERS
    ]
    css = "options row" if question.type == "yes_no" else "options"
    return ((css, fragments(choices)), specials)


def _options_markup(
    questionnaire: Questionnaire,
    question: Question,
    selected: set[str],
    language: str,
    second: str | None,
) -> Markup:
    groups = _option_groups(questionnaire, question.id, language, second)
    parts = []
    for css, fragments in groups:
        boxes = "".join(
            head + (" checked" if value in selected else "") + tail
            for value, head, tail in fragments
        )
        parts.append(f'<div class="{css}">{boxes}</div>')
    html = "".join(parts)
    if question.type in CHOICE_TYPES:
        html = f'<div class="choices">{html}</div>'
    return Markup(html)  # noqa: S704 - every piece was escaped in _fragment


def _text(
    questionnaire: Questionnaire, text: Mapping[str, str], language: str | None
) -> str | None:
    if not text or language is None:
        return None
    return questionnaire.text(text, language)


def _selected(question: Question, values: Mapping[str, Any]) -> set[str]:
    if question.type in CHOICE_TYPES or question.type == "multiple_choice":
        data = values.get(value_name(question))
    else:
        data = values.get(special_name(question))
    if not data:
        return set()
    return set(data) if isinstance(data, list | tuple) else {data}


# The currency people are paid in at home, by agency country.
HOME_CURRENCY = {"TH": "THB", "LA": "LAK"}


def question_views(
    questionnaire: Questionnaire,
    section: Section,
    values: Mapping[str, Any],
    *,
    shown_ids: set[str],
    problems: Mapping[str, Problem],
    language: str,
    second: str | None,
    home_currency: str | None = None,
) -> list[QuestionView]:
    """The questions of a section; ``values`` maps form field names to their data.

    A money question with no saved currency offers ``home_currency`` (the
    agency's country's) first choice, when the question lists it: a Lao
    interviewer must not record kip as baht by leaving the default.
    """
    views = []
    for question in section.questions:
        problem = problems.get(question.id)
        views.append(
            QuestionView(
                question=question,
                prompt=questionnaire.text(question.prompt, language),
                prompt_second=_text(questionnaire, question.prompt, second),
                help=_text(questionnaire, question.help, language),
                help_second=_text(questionnaire, question.help, second),
                unit=_text(questionnaire, question.unit, language),
                unit_second=_text(questionnaire, question.unit, second),
                shown=question.id in shown_ids,
                show_if=condition_json(question.show_if),
                field=value_name(question),
                currency_field=currency_name(question)
                if question.type == "money"
                else None,
                options=_options_markup(
                    questionnaire,
                    question,
                    _selected(question, values),
                    language,
                    second,
                ),
                value=str(values.get(value_name(question)) or "")
                if question.type not in CHOICE_TYPES
                and question.type != "multiple_choice"
                else "",
                currency=values.get(currency_name(question))
                or (home_currency if home_currency in question.currencies else None),
                error=problem_message(problem) if problem else None,
            )
        )
    return views
