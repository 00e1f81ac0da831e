"""Answers as text, in the language of the interview or of the reader."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.numbers import format_decimal

from screening.i18n import format_day
from screening.labels import ANSWERS, label
from screening.questionnaire import SPECIAL_ANSWERS, Question, Questionnaire


def question_text(
    questionnaire: Questionnaire, question: Question, language: str
) -> str:
    return questionnaire.text(question.prompt, language)


def option_label(
    questionnaire: Questionnaire, question: Question, option: str, language: str
) -> str:
    """The label of a radio button or box: a choice, yes/no, or a special answer."""
    if option in ANSWERS and (option in SPECIAL_ANSWERS or question.type == "yes_no"):
        return label(ANSWERS, option, _interface(language))
    choice = question.choice(option)
    if choice is None:
        return option
    return questionnaire.text(choice.label, language)


def _interface(language: str) -> str:
    # Answer words come from the interface catalogs; a questionnaire language
    # without one (for example Burmese, later) falls back to English.
    return language if language in ("en", "th", "lo") else "en"


def _number(value: Any, language: str) -> str:
    return format_decimal(value, locale=_interface(language))


def display_answer(
    questionnaire: Questionnaire, question: Question, answer: Any, language: str
) -> str:
    """An answer as a reader sees it; empty when unanswered."""
    if answer is None:
        return ""
    if isinstance(answer, str) and (
        answer in SPECIAL_ANSWERS or question.type == "yes_no"
    ):
        return option_label(questionnaire, question, answer, language)
    match question.type:
        case "single_choice":
            return option_label(questionnaire, question, answer, language)
        case "multiple_choice":
            return ", ".join(
                option_label(questionnaire, question, item, language) for item in answer
            )
        case "number":
            unit = questionnaire.text(question.unit, language) if question.unit else ""
            return f"{_number(answer, language)} {unit}".strip()
        case "money":
            return f"{_number(answer['amount'], language)} {answer['currency']}"
        case "date":
            return format_day(dt.date.fromisoformat(answer), _interface(language))
    return str(answer)
