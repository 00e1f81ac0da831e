"""Screenings as records: who may see them, answers saved and read, completion.

No Flask here. Views parse the request, call one of these functions with the
database session, and render. Answers are encrypted with the data cipher
before they reach the database and decrypted only when read.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, selectinload

from screening.crypto import DataCipher
from screening.db import utcnow
from screening.models import Answer, QuestionnaireVersion, Screening, User
from screening.questionnaire import Questionnaire, Section, consent_to_screening
from screening.scoring import Assessment, assess
from screening.standard import Standard

log = logging.getLogger(__name__)

INTERVIEW_ROLES = frozenset({"interviewer", "supervisor"})
AGENCY_WIDE_ROLES = frozenset({"supervisor", "coordinator"})
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class ScreeningStateError(Exception):
    """The screening is not in a state that allows this (for example completed)."""


class ScreeningClosedError(ScreeningStateError):
    """The screening was completed, perhaps by a request a moment ago."""


# --- access ------------------------------------------------------------------


def can_interview(user: User) -> bool:
    return bool(user.roles & INTERVIEW_ROLES)


def can_see_screenings(user: User) -> bool:
    return bool(user.roles & (INTERVIEW_ROLES | AGENCY_WIDE_ROLES))


def sees_whole_agency(user: User) -> bool:
    return bool(user.roles & AGENCY_WIDE_ROLES)


def _visible_to(user: User) -> Select[Screening]:
    query = select(Screening).where(Screening.agency_id == user.agency_id)
    if not sees_whole_agency(user):
        query = query.where(Screening.interviewer_id == user.id)
    return query


def screenings_for(session: Session, user: User) -> list[Screening]:
    """The screenings a user may see: their own, or their agency's."""
    if not can_see_screenings(user):
        return []
    query = (
        _visible_to(user)
        .options(selectinload(Screening.interviewer))
        .order_by(Screening.updated_at.desc())
    )
    return list(session.scalars(query))


def find_screening(session: Session, user: User, reference: str) -> Screening | None:
    """The screening with this reference if the user may see it, else None.

    Callers answer None with 404, so a screening of another agency or of a
    colleague is indistinguishable from one that does not exist.
    """
    if not can_see_screenings(user):
        return None
    query = _visible_to(user).where(Screening.reference == reference)
    return session.scalars(query).first()


def may_edit(user: User, screening: Screening) -> bool:
    """Only the interviewer who started a screening records its answers."""
    return screening.interviewer_id == user.id and can_interview(user)


# --- starting ----------------------------------------------------------------


def new_reference(country: str) -> str:
    """A pseudonymous reference such as TH-K7M3-Q9PX; it says nothing of the person."""
    characters = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"{country}-{characters[:4]}-{characters[4:]}"


def start_screening(
    session: Session,
    user: User,
    version: QuestionnaireVersion,
    questionnaire: Questionnaire,
    *,
    interview_language: str,
    respondent_language: str | None,
) -> Screening:
    if not can_interview(user):
        raise ScreeningStateError("the user does not interview")
    if interview_language not in questionnaire.languages:
        raise ValueError(f"{interview_language} is not a language of the questionnaire")
    if respondent_language not in (*questionnaire.languages, None):
        raise ValueError(
            f"{respondent_language} is not a language of the questionnaire"
        )
    if respondent_language == interview_language:
        respondent_language = None
    while True:
        reference = new_reference(user.agency.country)
        taken = session.scalar(
            select(Screening.id).where(Screening.reference == reference)
        )
        if taken is None:
            break
    screening = Screening(
        reference=reference,
        agency_id=user.agency_id,
        interviewer_id=user.id,
        questionnaire_version=version,
        status="in_progress",
        interview_language=interview_language,
        respondent_language=respondent_language,
        current_section=questionnaire.sections[0].id,
    )
    session.add(screening)
    session.flush()
    log.info("screening %s started by user %s", screening.id, user.id)
    return screening


# --- answers -----------------------------------------------------------------


def load_answers(
    session: Session, cipher: DataCipher, screening: Screening
) -> dict[str, object]:
    """Every saved answer of a screening, decrypted, by question ID."""
    rows = session.scalars(select(Answer).where(Answer.screening_id == screening.id))
    return {row.question_id: cipher.decrypt(row.value) for row in rows}


@dataclass
class SaveResult:
    saved: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    answers: dict[str, object] = field(default_factory=dict)


def lock_for_change(session: Session, screening: Screening) -> None:
    """Take the screening's write lock before reading its answers.

    A row lock on PostgreSQL, the database write lock on SQLite: an autosave,
    a page save and a completion of the same screening then run one after the
    other, each seeing what the one before it wrote.
    """
    locked = session.execute(
        update(Screening)
        .where(Screening.id == screening.id, Screening.status != "completed")
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise ScreeningClosedError("a completed screening cannot change")


def _store(
    session: Session,
    cipher: DataCipher,
    screening: Screening,
    row: Answer | None,
    *,
    question_id: str,
    value: object,
    user: User,
) -> str:
    """Write one answer; say whether it was saved, cleared or unchanged."""
    if value is None:
        if row is None:
            return "unchanged"
        session.delete(row)
        return "cleared"
    if row is not None and cipher.decrypt(row.value) == value:
        return "unchanged"
    if row is None:
        row = Answer(screening_id=screening.id, question_id=question_id)
        session.add(row)
    row.value = cipher.encrypt(value)
    row.saved_at = utcnow()
    row.saved_by_id = user.id
    return "saved"


def save_answers(
    session: Session,
    cipher: DataCipher,
    screening: Screening,
    questionnaire: Questionnaire,
    *,
    section: Section,
    posted: Mapping[str, object],
    user: User,
) -> SaveResult:
    """Save checked answers to questions of one section.

    ``posted`` maps question IDs to answers already validated for their
    question; None clears an answer. Answers to questions that are not shown,
    given everything answered so far, are ignored and not stored: a hidden
    question's answer is never trusted, whatever the browser sent.
    """
    lock_for_change(session, screening)
    rows = {
        row.question_id: row
        for row in session.scalars(
            select(Answer).where(Answer.screening_id == screening.id)
        )
    }
    stored = {key: cipher.decrypt(row.value) for key, row in rows.items()}
    merged = {**stored, **posted}
    shown = {question.id for question in questionnaire.shown_questions(merged)}
    in_section = {question.id for question in section.questions}

    result = SaveResult()
    for question_id, value in posted.items():
        if question_id not in in_section or question_id not in shown:
            result.ignored.append(question_id)
            continue
        outcome = _store(
            session,
            cipher,
            screening,
            rows.get(question_id),
            question_id=question_id,
            value=value,
            user=user,
        )
        if outcome == "saved":
            stored[question_id] = value
            result.saved.append(question_id)
        elif outcome == "cleared":
            stored.pop(question_id, None)
            result.cleared.append(question_id)

    screening.updated_at = utcnow()
    screening.current_section = section.id
    result.answers = stored
    _update_consent_status(screening, questionnaire, stored)
    session.flush()
    log.info(
        "screening %s: %d saved, %d cleared, %d ignored",
        screening.id,
        len(result.saved),
        len(result.cleared),
        len(result.ignored),
    )
    return result


def _update_consent_status(
    screening: Screening, questionnaire: Questionnaire, answers: Mapping[str, object]
) -> None:
    consent = consent_to_screening(questionnaire, answers)
    if consent is False:
        if screening.status != "stopped":
            log.info("screening %s stopped: no consent to screening", screening.id)
        screening.status = "stopped"
    elif screening.status == "stopped":
        screening.status = "in_progress"


# --- navigation ----------------------------------------------------------------


def shown_sections(
    questionnaire: Questionnaire, answers: Mapping[str, object]
) -> list[Section]:
    """Sections with at least one question shown for these answers, in order."""
    shown = {question.id for question in questionnaire.shown_questions(answers)}
    return [
        section
        for section in questionnaire.sections
        if any(question.id in shown for question in section.questions)
    ]


def neighbour_section(
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    section_id: str,
    step: int,
) -> Section | None:
    """The shown section before (step -1) or after (step 1) a section."""
    ids = [section.id for section in questionnaire.sections]
    shown = {section.id for section in shown_sections(questionnaire, answers)}
    position = ids.index(section_id) + step
    while 0 <= position < len(ids):
        if ids[position] in shown:
            return questionnaire.sections[position]
        position += step
    return None


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    section_number: int
    section_count: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def progress(
    questionnaire: Questionnaire, answers: Mapping[str, object], section_id: str
) -> Progress:
    """How far the interview is; before consent is recorded, counted as if given.

    Most sections are shown only with consent, so counting without it would
    announce a one-page interview on the first page.
    """
    consent = questionnaire.fact_question("consent_screening")
    assumed = answers
    if consent is not None and answers.get(consent.id) is None:
        assumed = {**answers, consent.id: "yes"}
    shown = questionnaire.shown_questions(assumed)
    # count only what was really answered, not the consent assumed above
    answered = sum(1 for question in shown if answers.get(question.id) is not None)
    sections = [section.id for section in shown_sections(questionnaire, assumed)]
    number = sections.index(section_id) + 1 if section_id in sections else 0
    return Progress(answered, len(shown), number, len(sections))


def resume_section(
    questionnaire: Questionnaire, answers: Mapping[str, object], screening: Screening
) -> str:
    """Where to carry on: the section last saved, if still shown, else the first."""
    shown = [section.id for section in shown_sections(questionnaire, answers)]
    if screening.current_section in shown:
        return screening.current_section
    return questionnaire.sections[0].id


# --- result ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningResult:
    """Everything a result page or document shows, as plain data."""

    questionnaire: Questionnaire
    answers: Mapping[str, object]  # only answers to shown questions
    assessment: Assessment
    sources: Mapping[str, list[str]]  # indicator ID -> question IDs


def evaluate(
    questionnaire: Questionnaire, standard: Standard, answers: Mapping[str, object]
) -> ScreeningResult:
    """Score the answers under the questionnaire's standard."""
    counted = questionnaire.visible_answers(answers)
    states = questionnaire.indicator_states(counted)
    assessment = assess(standard, states, questionnaire.profile(counted))
    sources = questionnaire.indicator_sources(counted)
    return ScreeningResult(questionnaire, counted, assessment, sources)


def complete_screening(
    session: Session,
    screening: Screening,
    questionnaire: Questionnaire,
    standard: Standard,
    answers: Mapping[str, object],
) -> ScreeningResult:
    """Close the screening: answers no longer change; the band is kept."""
    if screening.status != "in_progress":
        raise ScreeningStateError(f"a screening that is {screening.status} cannot end")
    if consent_to_screening(questionnaire, answers) is not True:
        raise ScreeningStateError("no consent to screening")
    result = evaluate(questionnaire, standard, answers)
    now = utcnow()
    screening.status = "completed"
    screening.band = result.assessment.band
    screening.profile = result.assessment.profile
    screening.completed_at = now
    screening.updated_at = now
    session.flush()
    log.info("screening %s completed", screening.id)
    return result
