"""Scoring requests as JSON: indicator states, or a whole answers file.

Used by `screening score` and `screening issue`. Input is checked here and
every problem becomes an InputError with a plain message; nothing a person
said is ever put into a log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from screening.catalog import Catalog
from screening.questionnaire import AnswerError, Questionnaire
from screening.scoring import Assessment, ScoringInputError, assess
from screening.standard import Profile, StandardRegistry

STATES_KEYS = frozenset({"standard", "child", "indicators", "id"})
ANSWERS_KEYS = frozenset(
    {"questionnaire", "language", "answers", "id", "interviewer", "reference"}
)


class InputError(ValueError):
    """A scoring request is malformed."""


def is_answers_request(request: Mapping[str, Any]) -> bool:
    return "answers" in request or "questionnaire" in request


def _check_keys(
    request: Mapping[str, Any], allowed: frozenset[str], required: tuple[str, ...]
) -> None:
    missing = [key for key in required if key not in request]
    if missing:
        raise InputError(f"missing {', '.join(repr(key) for key in missing)}")
    unexpected = sorted(set(request) - allowed)
    if unexpected:
        raise InputError(f"unexpected key {unexpected[0]!r}")


def score_states(request: Any, standards: StandardRegistry) -> dict[str, Any]:
    """Score ``{"standard", "child", "indicators"}``; return the summary."""
    return _assess_states(request, standards, explain=False).summary()


def _assess_states(
    request: Any, standards: StandardRegistry, *, explain: bool = True
) -> Assessment:
    if not isinstance(request, dict):
        raise InputError("expected a JSON object")
    _check_keys(request, STATES_KEYS, ("standard", "child", "indicators"))
    standard = (
        standards.get(request["standard"])
        if isinstance(request["standard"], str)
        else None
    )
    if standard is None:
        known = ", ".join(standards.keys())
        raise InputError(f"unknown standard {request['standard']!r} (known: {known})")
    if not isinstance(request["child"], bool):
        raise InputError("'child' must be true or false")
    if not isinstance(request["indicators"], dict):
        raise InputError("'indicators' must be an object of indicator ID to state")
    try:
        profile: Profile = "child" if request["child"] else "adult"
        return assess(standard, request["indicators"], profile, explain=explain)
    except ScoringInputError as error:
        raise InputError(str(error)) from None


def score_states_explained(request: Any, standards: StandardRegistry) -> dict[str, Any]:
    assessment = _assess_states(request, standards)
    return {**assessment.summary(), "explanation": assessment.explanation()}


@dataclass(frozen=True)
class ScoredAnswers:
    questionnaire: Questionnaire
    answers: dict[str, Any]
    assessment: Assessment
    language: str


def assess_answers(request: Any, catalog: Catalog) -> ScoredAnswers:
    """Check an answers file against its questionnaire and score it."""
    if not isinstance(request, dict):
        raise InputError("expected a JSON object")
    _check_keys(request, ANSWERS_KEYS, ("questionnaire", "answers"))
    reference = request["questionnaire"]
    if not isinstance(reference, dict) or not isinstance(reference.get("id"), str):
        raise InputError('\'questionnaire\' must be {"id": ..., "version": ...}')
    unexpected = sorted(set(reference) - {"id", "version", "digest"})
    if unexpected:
        raise InputError(f"unexpected key {unexpected[0]!r} in 'questionnaire'")
    version = reference.get("version")
    if version is not None and not isinstance(version, str):
        raise InputError("'version' must be text such as \"1.0.0\"")
    questionnaire = catalog.get(reference["id"], version)
    if questionnaire is None:
        raise InputError(f"unknown questionnaire {reference['id']}@{version}")
    expected_digest = reference.get("digest")
    if expected_digest is not None and expected_digest != questionnaire.digest:
        raise InputError(
            f"{questionnaire.key} here has content hash {questionnaire.digest}, "
            f"the answers were given to {expected_digest}"
        )
    language = request.get("language", questionnaire.languages[0])
    if language not in questionnaire.languages:
        raise InputError(
            f"language {language!r} is not one of {', '.join(questionnaire.languages)}"
        )
    if not isinstance(request["answers"], dict):
        raise InputError("'answers' must be an object of question ID to answer")
    try:
        answers = questionnaire.check_answers(request["answers"])
    except AnswerError as error:
        raise InputError(str(error)) from None

    standard = catalog.standard(questionnaire.standard)
    if standard is None:  # the catalog checks this on loading; kept for the type
        raise InputError(f"unknown standard {questionnaire.standard}")
    states = questionnaire.indicator_states(answers)
    assessment = assess(standard, states, questionnaire.profile(answers))
    return ScoredAnswers(
        questionnaire, questionnaire.visible_answers(answers), assessment, language
    )


def score_answers(request: Any, catalog: Catalog) -> dict[str, Any]:
    """Score an answers file; the summary plus the explanation and sources."""
    scored = assess_answers(request, catalog)
    questionnaire = scored.questionnaire
    return {
        **scored.assessment.summary(),
        "questionnaire": {
            "id": questionnaire.id,
            "version": questionnaire.version,
            "digest": questionnaire.digest,
        },
        "explanation": scored.assessment.explanation(),
        "indicator_sources": questionnaire.indicator_sources(scored.answers),
    }
