"""Issue a signed result document from a scored screening.

``Issuer`` is built once per process (it parses the key and prepares the
signer) and then issues any number of documents: build the record and the
QR token, render the PDF with both embedded, sign it.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from screening.batch import ScoredAnswers
from screening.config import LOCAL_TIME
from screening.documents import record as records
from screening.documents import render, wording
from screening.documents.keys import AgencyIdentity, SigningMaterial
from screening.documents.render import (
    DimensionBlock,
    DocumentContext,
    IndicatorLine,
    Row,
    Value,
    Words,
)
from screening.documents.signing import DocumentSigner
from screening.documents.trust import TrustError, normalized_document_id
from screening.questionnaire import (
    DECLINED,
    DONT_KNOW,
    Question,
    Questionnaire,
    consent_to_screening,
)
from screening.scoring import UNCERTAIN, Assessment
from screening.standard import Standard

log = logging.getLogger(__name__)

IDENTITY_FACTS = (
    "full_name",
    "date_of_birth",
    "document_number",
    "nationality",
    "sex",
    "age_now",
)
CONSENT_FACTS = ("consent_screening", "consent_sharing", "consent_referral")
MAX_LABEL_CHARACTERS = 200
# Marks that reorder or hide text: a name on a signed document reads as typed.
DIRECTION_CONTROLS = frozenset(
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
) | frozenset("\u2066\u2067\u2068\u2069")


class IssueError(ValueError):
    """A document cannot be issued from these answers or with these options."""


@dataclass(frozen=True)
class IssuedDocument:
    document_id: str
    pdf: bytes
    record: dict[str, Any]
    record_bytes: bytes
    token: str
    languages: tuple[str, ...] = ()
    issued_at: dt.datetime | None = None


@dataclass(frozen=True)
class IssueOptions:
    """Choices made when issuing: languages, who interviewed, what it replaces.

    The interviewer and the reference are printed on the document as given,
    so they must be short plain text; raise IssueError otherwise.
    """

    second_language: str | None = None
    interviewer: str = ""
    reference: str | None = None
    supersedes: str | None = None

    def __post_init__(self) -> None:
        _check_label("interviewer", self.interviewer)
        if self.reference is not None:
            _check_label("reference", self.reference)
        if self.supersedes is not None:
            try:
                replaced = normalized_document_id(self.supersedes)
            except TrustError:
                raise IssueError("'supersedes' must be a document ID") from None
            object.__setattr__(self, "supersedes", replaced)  # frozen: set once here


def _check_label(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise IssueError(f"{name!r} must be text")
    if len(value) > MAX_LABEL_CHARACTERS:
        raise IssueError(f"{name!r} is longer than {MAX_LABEL_CHARACTERS} characters")
    if any(unicodedata.category(char) == "Cs" for char in value):
        raise IssueError(f"{name!r} is not UTF-8 text")
    if any(
        unicodedata.category(char) == "Cc" or char in DIRECTION_CONTROLS
        for char in value
    ):
        raise IssueError(f"{name!r} must be one line of plain text")


def format_answer(
    questionnaire: Questionnaire, question: Question, answer: Any, language: str
) -> str:
    """An answer as a person reads it, in one language."""
    if answer in (DONT_KNOW, DECLINED):
        key = "answer.dont_know" if answer == DONT_KNOW else "answer.declined"
        return wording.text(key, language)
    match question.type:
        case "yes_no":
            return wording.text(f"answer.{answer}", language)
        case "single_choice":
            choice = question.choice(answer)
            return questionnaire.text(choice.label, language) if choice else str(answer)
        case "multiple_choice":
            labels = []
            for item in answer:
                choice = question.choice(item)
                labels.append(
                    questionnaire.text(choice.label, language) if choice else str(item)
                )
            return ", ".join(labels)
        case "date":
            return wording.format_date(dt.date.fromisoformat(answer), language)
        case "money":
            return f"{answer.get('amount')} {answer.get('currency', '')}".strip()
    return str(answer)


def _free_text(text: str) -> Value:
    """Text as typed, tagged with the language of its script so it wraps well."""
    return Value(text, render.script_language(text))


def _fact_value(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    fact: str,
    languages: Sequence[str],
) -> Value | Words | None:
    question = questionnaire.fact_question(fact)
    if question is None or answers.get(question.id) is None:
        return None
    answer = answers[question.id]
    if question.type == "text" and answer not in (DONT_KNOW, DECLINED):
        return _free_text(str(answer))
    return render.distinct(
        (language, format_answer(questionnaire, question, answer, language))
        for language in languages
    )


def _indicator_line(
    standard: Standard,
    key: str,
    languages: Sequence[str],
    strength: str | None = None,
    state: str | None = None,
) -> IndicatorLine:
    return IndicatorLine(
        key,
        render.localized(standard.indicators[key].text, languages),
        render.words(f"strength.{strength}", languages) if strength else (),
        render.words(f"state.{state}", languages) if state else (),
    )


def _dimension_blocks(
    assessment: Assessment, standard: Standard, languages: Sequence[str]
) -> tuple[DimensionBlock, ...]:
    return tuple(
        DimensionBlock(
            result.id,
            render.localized(standard.group(result.id).name, languages),
            result.positive,
            result.pattern,
            tuple(
                _indicator_line(standard, hit.id, languages, strength=hit.strength)
                for hit in result.yes
            ),
        )
        for result in assessment.dimensions
    )


def _interview_rows(scored: ScoredAnswers, languages: Sequence[str]) -> tuple[Row, ...]:
    questionnaire, answers = scored.questionnaire, scored.answers
    language_name = wording.LANGUAGE_NAMES.get(scored.language, scored.language)
    rows = [
        Row(render.words("interview_language", languages), _free_text(language_name))
    ]
    for fact in ("interview_date", "interview_place"):
        shown = _fact_value(questionnaire, answers, fact, languages)
        if shown is not None:
            rows.append(Row(render.words(fact, languages), shown))
    interpreter = _fact_value(questionnaire, answers, "interpreter_language", languages)
    used_question = questionnaire.fact_question("interpreter_used")
    if used_question is not None and answers.get(used_question.id) == "no":
        interpreter = render.words("interpreter.none", languages)
    if interpreter is not None:
        rows.append(Row(render.words("interpreter", languages), interpreter))
    missing = render.words("answer.missing", languages)
    for fact in CONSENT_FACTS:
        shown = _fact_value(questionnaire, answers, fact, languages)
        rows.append(Row(render.words(fact, languages), shown or missing))
    return tuple(rows)


def _person_rows(
    questionnaire: Questionnaire, answers: Mapping[str, Any], languages: Sequence[str]
) -> tuple[Row, ...]:
    """Identity details, only when the person consented to sharing them."""
    if not consents_to_sharing(questionnaire, answers):
        return ()
    rows = []
    for fact in IDENTITY_FACTS:
        shown = _fact_value(questionnaire, answers, fact, languages)
        if shown is not None:
            rows.append(Row(render.words(fact, languages), shown))
    return tuple(rows)


def build_context(
    scored: ScoredAnswers,
    standard: Standard,
    *,
    issuer: AgencyIdentity,
    document_id: str,
    issued_at: dt.datetime,
    options: IssueOptions,
    token: str = "",
) -> DocumentContext:
    """Plain data for the template: what the document shows, in which languages."""
    assessment = scored.assessment
    questionnaire = scored.questionnaire
    answers = scored.answers
    languages = wording.document_languages(scored.language, options.second_language)
    weighted = {group.id for group in standard.dimensions}

    others = tuple(
        _indicator_line(standard, key, languages)
        for key, state in assessment.states.items()
        if state == "yes" and standard.indicators[key].group not in weighted
    )
    uncertain = tuple(
        _indicator_line(standard, key, languages, state=state)
        for key, state in assessment.states.items()
        if state in UNCERTAIN
    )

    return DocumentContext(
        languages=languages,
        band=assessment.band,
        elements=tuple(
            (render.words(f"element.{name}", languages), held)
            for name, held in assessment.elements.items()
        ),
        dimensions=_dimension_blocks(assessment, standard, languages),
        other_indicators=others,
        uncertain=uncertain,
        inconclusive=tuple(
            key
            for reason in assessment.reasons
            if reason.code == "inconclusive"
            for key, _ in reason.uncertain
        ),
        flags=tuple(
            flag for flag in assessment.flags if f"flag.{flag}" in wording.TEXTS
        ),
        profile=assessment.profile,
        interview=_interview_rows(scored, languages),
        person=_person_rows(questionnaire, answers, languages),
        reference=options.reference or f"{issuer.country}-{document_id[:8].upper()}",
        issuer_name=issuer.name,
        issuer_place=", ".join(
            part for part in (issuer.province, issuer.country) if part
        ),
        interviewer=_free_text(options.interviewer) if options.interviewer else None,
        issued_on=render.dated(issued_at.astimezone(LOCAL_TIME).date(), languages),
        document_id=document_id,
        questionnaire={
            "id": questionnaire.id,
            "version": questionnaire.version,
            "digest": questionnaire.digest,
        },
        standard=standard.key,
        standard_digest=standard.digest,
        supersedes=options.supersedes,
        qr_token=token,
    )


def consents_to_sharing(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> bool:
    """Did the person agree that their identity may reach the counterpart?"""
    question = questionnaire.fact_question("consent_sharing")
    return question is not None and answers.get(question.id) == "yes"


class Issuer:
    """An agency that issues signed documents; build once, issue many."""

    def __init__(
        self,
        identity: AgencyIdentity,
        material: SigningMaterial,
        *,
        timestamp_url: str | None = None,
        timestamper: Any = None,
    ) -> None:
        self.identity = identity
        self.material = material
        self.timestamp_url = timestamp_url
        self.signer = DocumentSigner(material, timestamp_url, timestamper)

    def prepare(
        self,
        scored: ScoredAnswers,
        standard: Standard,
        options: IssueOptions,
        *,
        now: dt.datetime | None = None,
    ) -> tuple[DocumentContext, dict[str, Any], bytes]:
        """The context, record and record bytes of a new document (not rendered).

        Raise IssueError when the person did not consent to the screening:
        no result of theirs is signed without it.
        """
        if consent_to_screening(scored.questionnaire, scored.answers) is not True:
            raise IssueError("no consent to screening")
        issued_at = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        document_id = records.new_document_id()
        record = records.build_record(
            scored.assessment,
            document_id=document_id,
            issued_at=issued_at,
            questionnaire={
                "id": scored.questionnaire.id,
                "version": scored.questionnaire.version,
                "digest": scored.questionnaire.digest,
            },
            language=scored.language,
            issuer_name=self.identity.name,
            issuer_country=self.identity.country,
            issuer_certificate_sha256=self.material.fingerprint,
            supersedes=options.supersedes,
        )
        record_bytes = records.canonical_json(record)
        token = records.make_token(
            records.TokenClaims(
                document_id=document_id,
                issued_at=issued_at,
                band=scored.assessment.band,
                standard=scored.assessment.standard,
                record_sha256=records.record_hash(record_bytes),
                issuer_key_id=records.key_id(self.material.fingerprint),
            ),
            self.material.private_key,
        )
        context = build_context(
            scored,
            standard,
            issuer=self.identity,
            document_id=document_id,
            issued_at=issued_at,
            options=options,
            token=token,
        )
        return context, record, record_bytes

    def issue(
        self,
        scored: ScoredAnswers,
        standard: Standard,
        options: IssueOptions | None = None,
        *,
        now: dt.datetime | None = None,
    ) -> IssuedDocument:
        """Render, embed the record and token, and sign one document.

        Raise IssueError without consent to screening, and
        signing.TimestampUnavailableError when a configured time-stamping server
        gives no timestamp.
        """
        context, record, record_bytes = self.prepare(
            scored, standard, options or IssueOptions(), now=now
        )
        pdf = render.render_pdf(
            render.render_html(context),
            attachments=(
                (records.RECORD_FILENAME, record_bytes, "Screening result record"),
                (records.TOKEN_FILENAME, context.qr_token.encode(), "QR token"),
            ),
            identifier=context.document_id.encode(),
        )
        issued_at = dt.datetime.strptime(
            record["issued_at"], "%Y-%m-%dT%H:%M:%SZ"
        ).replace(tzinfo=dt.UTC)
        signed = self.signer.sign(pdf, moment=issued_at)
        log.info("document %s issued", context.document_id)
        return IssuedDocument(
            context.document_id,
            signed,
            record,
            record_bytes,
            context.qr_token,
            context.languages,
            issued_at,
        )
