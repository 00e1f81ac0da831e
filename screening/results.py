"""The result page: the band, why, and what it rests on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from screening import audit, db, interviews
from screening.answer_display import display_answer
from screening.extensions import cipher, questionnaires, standard
from screening.i18n import N_, current_language, gettext_in
from screening.labels import ELEMENTS, PROFILES, STATES, STRENGTHS, label
from screening.models import Screening
from screening.questionnaire import Questionnaire
from screening.scoring import DimensionResult, describe
from screening.security import client_address
from screening.standard import (
    AllOf,
    AnyDimension,
    AnyOf,
    DimensionPositive,
    ElementHolds,
    Expression,
    Inconclusive,
    Not,
    ProfileIs,
    Standard,
    YesIn,
    YesStrength,
)

bp = Blueprint("results", __name__, url_prefix="/screenings")


def find_result(reference: str) -> tuple[Screening, interviews.ScreeningResult]:
    """A completed screening the current user may see, scored (404 otherwise).

    The result is recomputed from the stored answers under the stored
    questionnaire version and its standard: scoring is deterministic, so it
    is the band that was kept at completion.
    """
    session = db.session()
    screening = interviews.find_screening(session, current_user, reference)
    if screening is None or screening.status != "completed":
        abort(404)
    questionnaire = questionnaires().get(screening.questionnaire_version)
    answers = interviews.load_answers(session, cipher(), screening)
    result = interviews.evaluate(
        questionnaire, standard(questionnaire.standard), answers
    )
    return screening, result


def load_result(
    reference: str, action: str = "screening.result_view"
) -> tuple[Screening, interviews.ScreeningResult]:
    """The same as find_result, with one audit row of the view, committed."""
    screening, result = find_result(reference)
    session = db.session()
    audit.record(
        session,
        action,
        user=current_user,
        record_type="screening",
        record_id=screening.id,
        address=client_address(),
    )
    session.commit()
    return screening, result


# --- presentation ----------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """A question and its answer that set an indicator (or left it uncertain)."""

    prompt: str
    answer: str


@dataclass(frozen=True)
class IndicatorLine:
    id: str
    text: str
    strength: str | None
    state: str
    evidence: tuple[Evidence, ...]


def indicator_text(standard: Standard, indicator_id: str, language: str) -> str:
    indicator = standard.indicators[indicator_id]
    own = indicator.text.get(language)
    return own or gettext_in(language, indicator.text.get("en", indicator_id))


def group_name(standard: Standard, group_id: str, language: str) -> str:
    """A group's name as the standard gives it in a language, else in English."""
    name = standard.group(group_id).name
    return name.get(language) or name.get("en") or group_id


def _evidence(
    result: interviews.ScreeningResult, indicator_id: str, language: str
) -> tuple[Evidence, ...]:
    questionnaire: Questionnaire = result.questionnaire
    lines = []
    for question_id in result.sources.get(indicator_id, ()):
        question = questionnaire.question(question_id)
        if question is None:
            continue
        lines.append(
            Evidence(
                questionnaire.text(question.prompt, language),
                display_answer(
                    questionnaire, question, result.answers.get(question_id), language
                ),
            )
        )
    return tuple(lines)


def indicator_lines(
    result: interviews.ScreeningResult,
    standard: Standard,
    ids: list[str] | tuple[str, ...],
    language: str,
    answer_language: str,
) -> list[IndicatorLine]:
    profile = result.assessment.profile
    return [
        IndicatorLine(
            id=key,
            text=indicator_text(standard, key, language),
            strength=standard.indicators[key].strength.get(profile),
            state=result.assessment.states.get(key, "no"),
            evidence=_evidence(result, key, answer_language),
        )
        for key in ids
    ]


def describe_rule(
    expression: Expression, standard: Standard, language: str, top: bool = True
) -> str:
    """A rule expression in words of the reader's language."""

    def say(message: str, **values: str) -> str:
        return gettext_in(language, message) % values

    match expression:
        case DimensionPositive(dimension):
            return f"{dimension} {group_name(standard, dimension, language)}"
        case ElementHolds(element):
            return say(
                N_("the %(element)s element holds"),
                element=label(ELEMENTS, element, language),
            )
        case ProfileIs(profile):
            return say(
                N_("the person is a %(profile)s"),
                profile=label(PROFILES, profile, language),
            )
        case AnyDimension():
            return say(N_("some dimension is positive"))
        case Inconclusive():
            return say(N_("unknown or declined answers could complete the rule"))
        case YesIn(group):
            return say(
                N_("some indicator of %(group)s is yes"),
                group=f"{group} {group_name(standard, group, language)}",
            )
        case YesStrength(strength):
            return say(
                N_("some %(strength)s indicator is yes"),
                strength=label(STRENGTHS, strength, language),
            )
        case Not(item):
            return say(
                N_("not %(rule)s"),
                rule=describe_rule(item, standard, language, top=False),
            )
        case AnyOf(items) | AllOf(items):
            joiner = (
                say(N_(" or ")) if isinstance(expression, AnyOf) else say(N_(" and "))
            )
            text = joiner.join(
                describe_rule(item, standard, language, top=False) for item in items
            )
            return text if top else f"({text})"
    return describe(expression)


def _top_level(expression: Expression) -> tuple[Expression, ...]:
    return expression.items if isinstance(expression, AnyOf | AllOf) else (expression,)


@dataclass(frozen=True)
class ClauseLine:
    text: str
    met: bool
    by: tuple[str, ...]


def rule_clauses(
    standard: Standard, result: interviews.ScreeningResult, language: str
) -> tuple[list[ClauseLine], list[ClauseLine]]:
    """The likely rule clause by clause, and the clauses of `possible` that held."""
    assessment = result.assessment
    rule = standard.rule
    parts = {
        describe(part): part
        for expression in (*rule.likely.values(), rule.possible)
        for part in _top_level(expression)
    }
    likely: list[ClauseLine] = []
    possible: list[ClauseLine] = []
    for reason in assessment.reasons:
        for clause in reason.clauses:
            part = parts.get(clause.rule)
            text = (
                describe_rule(part, standard, language)
                if part is not None
                else clause.rule
            )
            # An element clause names the element itself; the IDs add nothing.
            by = () if isinstance(part, ElementHolds) else clause.by
            line = ClauseLine(text, clause.met, by)
            if reason.code == "likely_rule":
                likely.append(line)
            elif reason.code == "possible_clause":
                possible.append(line)
    return likely, possible


@dataclass(frozen=True)
class Explanation:
    """The result page's parts, in the reader's language (answers as asked)."""

    dimensions: list[tuple[DimensionResult, str, list[IndicatorLine]]]
    other_groups: list[tuple[str, str, list[IndicatorLine]]]
    uncertain: list[IndicatorLine]
    likely_clauses: list[ClauseLine]
    possible_clauses: list[ClauseLine]


def explain(
    scored: interviews.ScreeningResult,
    standard: Standard,
    language: str,
    answer_language: str,
) -> Explanation:
    assessment = scored.assessment

    def lines(ids: list[str]) -> list[IndicatorLine]:
        return indicator_lines(scored, standard, ids, language, answer_language)

    dimensions = [
        (
            outcome,
            group_name(standard, outcome.id, language),
            lines([hit.id for hit in outcome.yes]),
        )
        for outcome in assessment.dimensions
    ]
    other_groups = [
        (
            group.id,
            group_name(standard, group.id, language),
            lines(
                [
                    key
                    for key in group.indicator_ids
                    if assessment.states.get(key) == "yes"
                ]
            ),
        )
        for group in standard.groups
        if group.kind != "dimension"
    ]
    uncertain = [
        line
        for reason in assessment.reasons
        if reason.code == "inconclusive"
        for line in lines([key for key, _state in reason.uncertain])
    ]
    likely, possible = rule_clauses(standard, scored, language)
    return Explanation(dimensions, other_groups, uncertain, likely, possible)


def document_panel(
    screening: Screening, scored: interviews.ScreeningResult
) -> dict[str, Any]:
    """The signed documents at the foot of the page (that module imports this one)."""
    from screening import result_documents

    return result_documents.document_panel(screening, scored)


@bp.get("/<reference>/result")
@login_required
def result(reference: str) -> ResponseReturnValue:
    screening, scored = load_result(reference)
    the_standard = standard(scored.questionnaire.standard)
    language = current_language()
    return render_template(
        "results/result.html",
        screening=screening,
        questionnaire=scored.questionnaire,
        result=scored,
        assessment=scored.assessment,
        explanation=explain(
            scored, the_standard, language, screening.interview_language
        ),
        state_label=lambda state: label(STATES, state, language),
        title=gettext("Result"),
        **document_panel(screening, scored),
    )
