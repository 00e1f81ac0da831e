"""Questionnaires as versioned, localized data, and what answers to them mean.

A questionnaire is a YAML file checked against a JSON Schema and then for
meaning (known indicator IDs, every text in every declared language, unique
IDs, conditions that look only backwards). Its identity is its id, its
semantic version and the SHA-256 of its canonical form, so the exact words a
person was asked are part of every record.

This module is pure apart from reading the file: answers go in, indicator
states and a profile come out, ready for :mod:`screening.scoring`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from screening.schemas import validate_against_schema
from screening.scoring import State
from screening.sourcefile import (
    DefinitionError,
    PathKey,
    Problem,
    SourceDocument,
    format_path,
    read_yaml,
)
from screening.standard import Profile, StandardRegistry

DONT_KNOW = "dont_know"
DECLINED = "declined"
SPECIAL_ANSWERS = (DONT_KNOW, DECLINED)
YES_NO = ("yes", "no")

QuestionType = Literal[
    "yes_no", "single_choice", "multiple_choice", "number", "date", "text", "money"
]

# Questions the application reads by meaning rather than by question ID.
FACTS = frozenset(
    {
        "interview_date",
        "interview_place",
        "interpreter_used",
        "interpreter_language",
        "consent_screening",
        "consent_sharing",
        "consent_referral",
        "nationality",
        "sex",
        "age_now",
        "age_at_departure",
        "may_be_child",
        "languages_spoken",
        "full_name",
        "date_of_birth",
        "document_number",
    }
)

Text = Mapping[str, str]
Answer = Any  # str | list[str] | int | float | dict, after validate_answer

# Browsers break before ๆ (Thai, written after a space) and ໆ (Lao): a
# no-break space and a word joiner keep the mark with the word it repeats.
REPETITION_MARK = re.compile(r" ?([ๆໆ])")


class AnswerError(ValueError):
    """An answer does not fit its question.

    ``code`` says what is wrong (for example ``number`` or ``range``) so the
    web layer can give a translated message; ``params`` fill it in. The
    message names the question but never repeats the answer.
    """

    def __init__(self, message: str, code: str = "invalid", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


# --- conditions --------------------------------------------------------------


@dataclass(frozen=True)
class Test:
    """A test of one earlier answer, for example ``{question: x, equals: yes}``."""

    question: str
    operator: str
    operand: Any


@dataclass(frozen=True)
class Combined:
    operator: Literal["all", "any", "not"]
    items: tuple[Condition, ...]


Condition = Test | Combined


def _substantive(answer: Answer) -> bool:
    return answer is not None and answer not in SPECIAL_ANSWERS


def _number_of(answer: Answer) -> float | None:
    if isinstance(answer, dict):
        answer = answer.get("amount")
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        return float(answer)
    return None


def condition_holds(condition: Condition, answers: Mapping[str, Answer]) -> bool:
    """Evaluate a condition against the answers given so far."""
    if isinstance(condition, Combined):
        if condition.operator == "all":
            return all(condition_holds(item, answers) for item in condition.items)
        if condition.operator == "any":
            return any(condition_holds(item, answers) for item in condition.items)
        return not condition_holds(condition.items[0], answers)

    answer = answers.get(condition.question)
    operand = condition.operand
    match condition.operator:
        case "answered":
            return _substantive(answer) == operand
        case "equals":
            return answer == operand
        case "in":
            return answer in operand
        case "includes":
            return isinstance(answer, list) and operand in answer
        case "at_least":
            number = _number_of(answer)
            return number is not None and number >= operand
        case "below":
            number = _number_of(answer)
            return number is not None and number < operand
    raise ValueError(f"unknown condition operator {condition.operator!r}")


def condition_references(condition: Condition) -> Iterator[str]:
    if isinstance(condition, Test):
        yield condition.question
    else:
        for item in condition.items:
            yield from condition_references(item)


# --- the model -----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: str
    label: Text
    indicators: tuple[str, ...] = ()
    exclusive: bool = False  # "none of these": cannot be combined with others


@dataclass(frozen=True)
class Threshold:
    """For number and money questions: a range of values that sets indicators."""

    at_least: float | None
    below: float | None
    indicators: tuple[str, ...]

    def matches(self, value: float) -> bool:
        if self.at_least is not None and value < self.at_least:
            return False
        return self.below is None or value < self.below


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    prompt: Text
    section: str
    help: Text = field(default_factory=dict)
    show_if: Condition | None = None
    fact: str | None = None
    identity: bool = False
    observation: bool = False  # answered by the interviewer, not read aloud
    choices: tuple[Choice, ...] = ()
    on_yes: tuple[str, ...] = ()
    on_no: tuple[str, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    unit: Text = field(default_factory=dict)
    currencies: tuple[str, ...] = ()
    multiline: bool = False
    max_length: int = 2000

    @property
    def feeds(self) -> tuple[str, ...]:
        """Every indicator ID some answer to this question can set."""
        found: list[str] = []
        sources = [choice.indicators for choice in self.choices]
        sources += [self.on_yes, self.on_no]
        sources += [threshold.indicators for threshold in self.thresholds]
        for ids in sources:
            found.extend(key for key in ids if key not in found)
        return tuple(found)

    def choice(self, choice_id: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)

    def indicators_set_by(self, answer: Answer) -> tuple[str, ...]:
        """The indicator IDs a substantive answer makes `yes`."""
        match self.type:
            case "yes_no":
                return self.on_yes if answer == "yes" else self.on_no
            case "single_choice":
                choice = self.choice(answer)
                return choice.indicators if choice else ()
            case "multiple_choice":
                chosen = [c for c in self.choices if c.id in answer]
                return tuple(key for choice in chosen for key in choice.indicators)
            case "number" | "money":
                value = _number_of(answer)
                return tuple(
                    key
                    for threshold in self.thresholds
                    if value is not None and threshold.matches(value)
                    for key in threshold.indicators
                )
        return ()


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    questions: tuple[Question, ...]
    intro: Text = field(default_factory=dict)
    show_if: Condition | None = None


@dataclass(frozen=True, eq=False)
class Questionnaire:
    id: str
    version: str
    standard: str
    languages: tuple[str, ...]
    title: Text
    description: Text
    sections: tuple[Section, ...]
    child_if: tuple[Condition, ...]
    digest: str
    canonical: str  # the canonical JSON the digest is taken of
    source: str = ""

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> Question | None:
        return self._questions_by_id.get(question_id)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def fact_question(self, fact: str) -> Question | None:
        return next((q for q in self.questions() if q.fact == fact), None)

    @property
    def _questions_by_id(self) -> dict[str, Question]:
        cached: dict[str, Question] | None = self.__dict__.get("_by_id")
        if cached is None:
            cached = {question.id: question for question in self.questions()}
            self.__dict__["_by_id"] = cached
        return cached

    def coverage(self) -> dict[str, list[str]]:
        """Indicator ID -> the questions that can set it."""
        reach: dict[str, list[str]] = {}
        for question in self.questions():
            for key in question.feeds:
                reach.setdefault(key, []).append(question.id)
        return reach

    # --- answers ---------------------------------------------------------

    def visible_answers(self, answers: Mapping[str, Answer]) -> dict[str, Answer]:
        """The answers that count: those to questions shown, in order.

        A question is shown when its section's and its own conditions hold on
        the answers that count before it. An answer to a hidden question is
        ignored, whatever was posted.
        """
        counted: dict[str, Answer] = {}
        for section in self.sections:
            if section.show_if is not None and not condition_holds(
                section.show_if, counted
            ):
                continue
            for question in section.questions:
                if question.show_if is not None and not condition_holds(
                    question.show_if, counted
                ):
                    continue
                if answers.get(question.id) is not None:
                    counted[question.id] = answers[question.id]
        return counted

    def shown_questions(self, answers: Mapping[str, Answer]) -> list[Question]:
        """Questions shown for these answers (answered or not), in order."""
        counted = self.visible_answers(answers)
        shown: list[Question] = []
        for section in self.sections:
            if section.show_if is not None and not condition_holds(
                section.show_if, counted
            ):
                continue
            shown.extend(
                question
                for question in section.questions
                if question.show_if is None
                or condition_holds(question.show_if, counted)
            )
        return shown

    def section_shown(self, section: Section, answers: Mapping[str, Answer]) -> bool:
        counted = self.visible_answers(answers)
        return section.show_if is None or condition_holds(section.show_if, counted)

    def indicator_states(self, answers: Mapping[str, Answer]) -> dict[str, State]:
        """Answers -> indicator states; any yes wins, then declined, unknown, no."""
        rank = {"no": 0, "unknown": 1, "declined": 2, "yes": 3}
        states: dict[str, State] = {}
        for question_id, answer in self.visible_answers(answers).items():
            question = self._questions_by_id[question_id]
            for key, state in _states_from(question, answer).items():
                if key not in states or rank[state] > rank[states[key]]:
                    states[key] = state
        return states

    def indicator_sources(self, answers: Mapping[str, Answer]) -> dict[str, list[str]]:
        """Indicator ID -> the answered questions that made it yes or uncertain."""
        sources: dict[str, list[str]] = {}
        for question_id, answer in self.visible_answers(answers).items():
            question = self._questions_by_id[question_id]
            for key, state in _states_from(question, answer).items():
                if state != "no":
                    sources.setdefault(key, []).append(question_id)
        return sources

    def profile(self, answers: Mapping[str, Answer]) -> Profile:
        """Child when any child condition holds (benefit of the doubt on age)."""
        counted = self.visible_answers(answers)
        if any(condition_holds(condition, counted) for condition in self.child_if):
            return "child"
        return "adult"

    def check_answers(self, raw: Mapping[str, Any]) -> dict[str, Answer]:
        """Validate every answer; raise AnswerError naming the first bad one."""
        checked = {}
        for question_id, value in raw.items():
            question = self.question(question_id)
            if question is None:
                raise AnswerError(f"{question_id}: no such question in {self.key}")
            checked[question_id] = validate_answer(question, value)
        return checked

    def text(self, text: Text, language: str) -> str:
        """Text in a language, falling back to the questionnaire's first one.

        As shown: a Thai or Lao repetition mark never starts a line.
        """
        shown = text.get(language) or text[self.languages[0]]
        return REPETITION_MARK.sub(_joined_mark, shown)


def _joined_mark(found: re.Match[str]) -> str:
    return ("\u00a0" if found.group(0).startswith(" ") else "\u2060") + found.group(1)


def consent_to_screening(
    questionnaire: Questionnaire, answers: Mapping[str, object]
) -> bool | None:
    """True, False (anything but yes), or None while the question is unanswered.

    A screening is completed, and its result signed, only when this is True.
    """
    question = questionnaire.fact_question("consent_screening")
    if question is None:
        return True
    answer = answers.get(question.id)
    if answer is None:
        return None
    return answer == "yes"


def _states_from(question: Question, answer: Answer) -> dict[str, State]:
    fed = question.feeds
    if not fed or answer is None:
        return {}
    if answer == DONT_KNOW:
        return dict.fromkeys(fed, "unknown")
    if answer == DECLINED:
        return dict.fromkeys(fed, "declined")
    made_yes = set(question.indicators_set_by(answer))
    return {key: "yes" if key in made_yes else "no" for key in fed}


# --- answers -------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def validate_answer(question: Question, value: Any) -> Answer:
    """Return the answer in its stored form, or raise AnswerError."""
    if value is None or value in SPECIAL_ANSWERS:
        return value
    match question.type:
        case "yes_no":
            if value not in YES_NO:
                raise AnswerError(
                    f"{question.id}: expected yes, no, dont_know or declined",
                    "not_a_choice",
                )
            return value
        case "single_choice":
            if not isinstance(value, str) or question.choice(value) is None:
                message = f"{question.id}: not one of the choices"
                raise AnswerError(message, "not_a_choice")
            return value
        case "multiple_choice":
            return _multiple_choice(question, value)
        case "number":
            return _number(question, value)
        case "date":
            return _date(question, value)
        case "text":
            if not isinstance(value, str):
                raise AnswerError(f"{question.id}: expected text")
            text = value.strip()
            if len(text) > question.max_length:
                raise AnswerError(
                    f"{question.id}: longer than {question.max_length} characters",
                    "too_long",
                    maximum=question.max_length,
                )
            return text or None
        case "money":
            return _money(question, value)
    raise AnswerError(f"{question.id}: unknown question type {question.type}")


def _multiple_choice(question: Question, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        message = f"{question.id}: expected a list of choices"
        raise AnswerError(message, "not_a_choice")
    unknown = [item for item in value if question.choice(item) is None]
    if unknown:
        raise AnswerError(f"{question.id}: not one of the choices", "not_a_choice")
    chosen = set(value)
    exclusive = [c.id for c in question.choices if c.exclusive and c.id in chosen]
    if exclusive and len(chosen) > 1:
        message = f"{exclusive[0]!r} cannot be combined with other choices"
        raise AnswerError(f"{question.id}: {message}", "exclusive")
    order = [choice.id for choice in question.choices]
    return sorted(chosen, key=order.index)


# Numbers stay below 10**15: enough for any count, age or amount (LAK and
# VND included); anything larger is a typing mistake, or an attempt to make
# the conversion slow.
LARGEST_EXPONENT = 15


def _number(question: Question, value: Any) -> int | float:
    """Parse a number without ever converting something huge or exotic."""
    not_a_number = AnswerError(f"{question.id}: not a number", "number")
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace(" ", "")
        if len(text) > 40:
            raise not_a_number
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise not_a_number from None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise not_a_number
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise not_a_number
        # the exponent alone: arithmetic on 1e10000000 would overflow
        too_large = not value.is_zero() and value.adjusted() >= LARGEST_EXPONENT
    else:
        if isinstance(value, float) and not math.isfinite(value):
            raise not_a_number
        too_large = abs(value) >= 10**LARGEST_EXPONENT
    if too_large:
        raise AnswerError(f"{question.id}: too large", "number")
    number = float(value)
    if question.integer and number != int(number):
        raise AnswerError(f"{question.id}: expected a whole number", "whole_number")
    low, high = question.minimum, question.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        limit = f"at least {low:g}" if low is not None and number < low else ""
        message = f"{question.id}: must be {limit or f'at most {high:g}'}"
        raise AnswerError(message, "range", minimum=low, maximum=high)
    return int(number) if number == int(number) else number


# Dates of birth, of leaving home and of the interview all fall in these
# years; a year like 2569 is a Buddhist-era year typed by mistake.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def _date(question: Question, value: Any) -> str:
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str) or not _DATE.match(value):
        raise AnswerError(f"{question.id}: expected a date as YYYY-MM-DD", "date")
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise AnswerError(f"{question.id}: not a real date", "date") from None
    if not EARLIEST_YEAR <= date.year <= LATEST_YEAR:
        message = f"{question.id}: the year must be {EARLIEST_YEAR} to {LATEST_YEAR}"
        raise AnswerError(message, "date")
    return date.isoformat()


def _money(question: Question, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"amount", "currency"}:
        raise AnswerError(f"{question.id}: expected {{amount, currency}}")
    currency = value.get("currency")
    if currency not in question.currencies:
        allowed = ", ".join(question.currencies)
        message = f"{question.id}: currency must be one of {allowed}"
        raise AnswerError(message, "currency")
    amount_question = Question(question.id, "number", {}, question.section, minimum=0)
    amount = _number(amount_question, value.get("amount"))
    return {"amount": amount, "currency": currency}


# --- loading and checking ------------------------------------------------------


def canonical_json(data: Any) -> str:
    """The canonical form hashed for identity: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _Checker:
    """Builds a Questionnaire from schema-valid data, collecting every problem."""

    def __init__(self, source: SourceDocument, registry: StandardRegistry) -> None:
        self.source = source
        self.registry = registry
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = tuple(source.data["languages"])
        self.order: dict[str, int] = {}  # question id -> position
        self.positions: dict[str, PathKey] = {}
        self.indicator_ids: frozenset[str] = frozenset()

    def fail(self, path: PathKey, message: str) -> None:
        self.problems.append(self.source.problem(path, message))

    def build(self) -> Questionnaire:
        data = self.source.data
        standard = self.registry.get(data["standard"])
        if standard is None:
            known = ", ".join(self.registry.keys()) or "none"
            self.fail(
                ("standard",), f"unknown standard '{data['standard']}' (known: {known})"
            )
        else:
            self.indicator_ids = frozenset(standard.indicators)

        self._texts(data, ())
        self._index_questions(data["sections"])
        sections = tuple(
            self._section(section, ("sections", index))
            for index, section in enumerate(data["sections"])
        )
        child_if = tuple(
            self._condition(item, ("profile", "child_if", index), before=None)
            for index, item in enumerate(data.get("profile", {}).get("child_if", []))
        )
        self._check_cycles(data["sections"])
        if self.problems:
            raise DefinitionError(self.problems)

        canonical = canonical_json(data)
        return Questionnaire(
            id=data["id"],
            version=data["version"],
            standard=data["standard"],
            languages=self.languages,
            title=data["title"],
            description=data.get("description", {}),
            sections=sections,
            child_if=child_if,
            digest="sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            canonical=canonical,
            source=self.source.file,
        )

    def _texts(self, node: Any, path: PathKey) -> None:
        """Every text object must hold exactly the declared languages."""
        text_keys = {"title", "description", "intro", "prompt", "help", "label", "unit"}
        if isinstance(node, dict):
            for key, value in node.items():
                if key in text_keys and isinstance(value, dict):
                    for language in self.languages:
                        if language not in value:
                            self.fail((*path, key), f"missing translation '{language}'")
                    for language in value:
                        if language not in self.languages:
                            self.fail(
                                (*path, key, language),
                                f"language '{language}' is not declared in languages",
                            )
                else:
                    self._texts(value, (*path, key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                self._texts(item, (*path, index))

    def _index_questions(self, sections: list[dict[str, Any]]) -> None:
        seen_sections: set[str] = set()
        facts: dict[str, PathKey] = {}
        for section_index, section in enumerate(sections):
            path: PathKey = ("sections", section_index)
            if section["id"] in seen_sections:
                self.fail((*path, "id"), f"duplicate section ID '{section['id']}'")
            seen_sections.add(section["id"])
            for question_index, question in enumerate(section["questions"]):
                qpath: PathKey = (*path, "questions", question_index)
                if question["id"] in self.order:
                    first = format_path(self.positions[question["id"]])
                    self.fail(
                        (*qpath, "id"),
                        f"duplicate question ID '{question['id']}' (first at {first})",
                    )
                    continue
                self.order[question["id"]] = len(self.order)
                self.positions[question["id"]] = qpath
                fact = question.get("fact")
                if fact is not None:
                    if fact not in FACTS:
                        self.fail((*qpath, "fact"), f"unknown fact '{fact}'")
                    elif fact in facts:
                        first = format_path(facts[fact])
                        self.fail(
                            (*qpath, "fact"), f"fact '{fact}' is already at {first}"
                        )
                    facts[fact] = qpath

    def _section(self, data: dict[str, Any], path: PathKey) -> Section:
        first_question = data["questions"][0]["id"]
        show_if = None
        if "show_if" in data:
            show_if = self._condition(
                data["show_if"], (*path, "show_if"), before=first_question
            )
        questions = tuple(
            self._question(question, data["id"], (*path, "questions", index))
            for index, question in enumerate(data["questions"])
        )
        return Section(
            data["id"], data["title"], questions, data.get("intro", {}), show_if
        )

    def _question(self, data: dict[str, Any], section: str, path: PathKey) -> Question:
        show_if = None
        if "show_if" in data:
            show_if = self._condition(
                data["show_if"], (*path, "show_if"), before=data["id"]
            )
        choices = self._choices(data.get("choices", []), (*path, "choices"))
        if data["type"] != "multiple_choice":
            for index, choice in enumerate(data.get("choices", [])):
                if "exclusive" in choice:
                    message = "'exclusive' is only for multiple_choice questions"
                    self.fail((*path, "choices", index, "exclusive"), message)
        indicators = data.get("indicators")
        on_yes: tuple[str, ...] = ()
        on_no: tuple[str, ...] = ()
        thresholds: list[Threshold] = []
        if data["type"] == "yes_no" and indicators:
            on_yes = self._indicator_ids(
                indicators.get("yes", []), (*path, "indicators", "yes")
            )
            on_no = self._indicator_ids(
                indicators.get("no", []), (*path, "indicators", "no")
            )
        elif data["type"] in ("number", "money") and indicators:
            for index, item in enumerate(indicators):
                ids = self._indicator_ids(
                    item["set"], (*path, "indicators", index, "set")
                )
                thresholds.append(
                    Threshold(item.get("at_least"), item.get("below"), ids)
                )
        if "min" in data and "max" in data and data["min"] > data["max"]:
            self.fail((*path, "min"), "min is greater than max")
        return Question(
            id=data["id"],
            type=data["type"],
            prompt=data["prompt"],
            section=section,
            help=data.get("help", {}),
            show_if=show_if,
            fact=data.get("fact"),
            identity=data.get("identity", False),
            observation=data.get("observation", False),
            choices=choices,
            on_yes=on_yes,
            on_no=on_no,
            thresholds=tuple(thresholds),
            minimum=data.get("min"),
            maximum=data.get("max"),
            integer=data.get("integer", False),
            unit=data.get("unit", {}),
            currencies=tuple(data.get("currencies", ())),
            multiline=data.get("multiline", False),
            max_length=data.get("max_length", 2000),
        )

    def _choices(
        self, items: list[dict[str, Any]], path: PathKey
    ) -> tuple[Choice, ...]:
        seen: set[str] = set()
        choices = []
        for index, item in enumerate(items):
            if item["id"] in SPECIAL_ANSWERS:
                self.fail(
                    (*path, index, "id"),
                    f"'{item['id']}' is reserved: every question offers it already",
                )
            if item["id"] in seen:
                self.fail((*path, index, "id"), f"duplicate choice ID '{item['id']}'")
            seen.add(item["id"])
            ids = self._indicator_ids(
                item.get("indicators", []), (*path, index, "indicators")
            )
            exclusive = item.get("exclusive", False)
            if exclusive and ids:
                message = "an exclusive choice ('none of these') sets no indicators"
                self.fail((*path, index, "exclusive"), message)
            choices.append(Choice(item["id"], item["label"], ids, exclusive))
        return tuple(choices)

    def _indicator_ids(self, ids: list[str], path: PathKey) -> tuple[str, ...]:
        if self.indicator_ids:
            for index, key in enumerate(ids):
                if key not in self.indicator_ids:
                    standard = self.source.data["standard"]
                    self.fail(
                        (*path, index),
                        f"unknown indicator ID '{key}' (not in {standard})",
                    )
        return tuple(ids)

    def _condition(
        self, data: dict[str, Any], path: PathKey, before: str | None
    ) -> Condition:
        """Parse a condition; `before` is the question it must precede, if any."""
        combinators = [key for key in ("all", "any", "not") if key in data]
        if combinators:
            if len(data) != 1:
                self.fail(path, "a condition with all, any or not takes nothing else")
            combinator = combinators[0]
            if combinator == "not":
                return Combined(
                    "not", (self._condition(data["not"], (*path, "not"), before),)
                )
            items = tuple(
                self._condition(item, (*path, combinator, index), before)
                for index, item in enumerate(data[combinator])
            )
            return Combined("all" if combinator == "all" else "any", items)

        tests = [key for key in data if key != "question"]
        if "question" not in data or len(tests) != 1:
            self.fail(
                path,
                "a condition names one question and exactly one test "
                "(equals, in, includes, at_least, below or answered)",
            )
            return Combined("all", ())
        target, operator = data["question"], tests[0]
        condition = Test(target, operator, data[operator])
        if target not in self.order:
            self.fail((*path, "question"), f"refers to a missing question '{target}'")
        elif (
            before is not None
            and self.order[target] >= self.order[before]
            and target != before
        ):
            self.fail(
                (*path, "question"),
                f"refers to '{target}', which comes later; "
                "a condition may only look at earlier questions",
            )
        else:
            self._check_test(condition, path)
        return condition

    def _check_test(self, condition: Test, path: PathKey) -> None:
        section_index, question_index = self.positions[condition.question][1::2]
        target = self.source.data["sections"][section_index]["questions"][
            question_index
        ]
        kind = target["type"]
        operator, operand = condition.operator, condition.operand
        allowed = {
            "yes_no": {"equals", "in", "answered"},
            "single_choice": {"equals", "in", "answered"},
            "multiple_choice": {"includes", "answered"},
            "number": {"at_least", "below", "equals", "answered"},
            "money": {"at_least", "below", "answered"},
            "date": {"answered"},
            "text": {"answered"},
        }[kind]
        if operator not in allowed:
            self.fail((*path, operator), f"'{operator}' cannot test a {kind} question")
            return
        if kind in ("yes_no", "single_choice", "multiple_choice") and operator in (
            "equals",
            "in",
            "includes",
        ):
            valid = set(SPECIAL_ANSWERS)
            valid |= (
                set(YES_NO)
                if kind == "yes_no"
                else {c["id"] for c in target["choices"]}
            )
            values = operand if isinstance(operand, list) else [operand]
            for value in values:
                if value not in valid:
                    self.fail(
                        (*path, operator),
                        f"'{value}' is not a possible answer to '{condition.question}'",
                    )

    def _check_cycles(self, sections: list[dict[str, Any]]) -> None:
        """Report conditions that depend, through other conditions, on themselves."""
        depends: dict[str, set[str]] = {}
        for section in sections:
            section_refs = set(_raw_references(section.get("show_if")))
            for question in section["questions"]:
                refs = section_refs | set(_raw_references(question.get("show_if")))
                depends.setdefault(question["id"], set()).update(refs)
        reported: set[frozenset[str]] = set()
        for start in depends:
            cycle = _find_cycle(start, depends)
            if cycle and frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                self.fail(
                    (*self.positions[start], "show_if"),
                    "condition cycle: " + " -> ".join(cycle),
                )


def _raw_references(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        if isinstance(data.get("question"), str):
            yield data["question"]
        for key in ("all", "any"):
            for item in data.get(key, []) or []:
                yield from _raw_references(item)
        if "not" in data:
            yield from _raw_references(data["not"])


def _find_cycle(start: str, depends: Mapping[str, set[str]]) -> list[str] | None:
    """A path start -> ... -> start through condition references, if any."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    visited: set[str] = set()
    while stack:
        node, trail = stack.pop()
        for target in sorted(depends.get(node, ())):
            if target == start:
                return [*trail, start]
            if target not in visited and target in depends:
                visited.add(target)
                stack.append((target, [*trail, target]))
    return None


def parse_questionnaire(
    source: SourceDocument, registry: StandardRegistry
) -> Questionnaire:
    """Check a parsed questionnaire and build it, or raise DefinitionError."""
    if not isinstance(source.data, dict):
        raise DefinitionError([source.problem((), "a questionnaire is a mapping")])
    validate_against_schema(source, "questionnaire")
    return _Checker(source, registry).build()


def load_questionnaire(path: Path, registry: StandardRegistry) -> Questionnaire:
    """Load one questionnaire file; `<id>/<version>.yaml` must match its content."""
    questionnaire = parse_questionnaire(read_yaml(path), registry)
    expected = (questionnaire.id, questionnaire.version)
    if (
        path.parent.name,
        path.stem,
    ) != expected and path.parent.name == questionnaire.id:
        message = (
            f"file name says version {path.stem}, content says {questionnaire.version}"
        )
        raise DefinitionError([Problem(str(path), 1, "version", message)])
    return questionnaire
