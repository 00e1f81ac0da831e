"""The interview: list, start, one page per section, autosave, review, completion."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from wtforms import SelectChoice

from screening import audit, db, interviews
from screening.answer_display import display_answer
from screening.answer_forms import (
    Problem,
    form_data,
    outside_references,
    read_answers,
    section_form,
)
from screening.extensions import cipher, questionnaires, standard
from screening.forms import StartScreeningForm
from screening.i18n import LANGUAGE_NAMES, current_language, format_moment
from screening.models import QuestionnaireVersion, Screening
from screening.published import current_versions
from screening.questionnaire import Questionnaire, Section, consent_to_screening
from screening.section_view import HOME_CURRENCY, problem_message, question_views
from screening.security import client_address

bp = Blueprint("interview", __name__, url_prefix="/screenings")
log = logging.getLogger(__name__)

NAVIGATION = ("next", "back", "pause", "review", "language")


# --- helpers -------------------------------------------------------------------


def _load(reference: str) -> Screening:
    found = interviews.find_screening(db.session(), current_user, reference)
    if found is None:
        abort(404)
    return found


def _questionnaire(screening: Screening) -> Questionnaire:
    return questionnaires().get(screening.questionnaire_version)


def _audit(action: str, screening: Screening, detail: str | None = None) -> None:
    audit.record(
        db.session(),
        action,
        user=current_user,
        record_type="screening",
        record_id=screening.id,
        address=client_address(),
        detail=detail,
    )


def _editable(screening: Screening) -> bool:
    return screening.status != "completed" and interviews.may_edit(
        current_user, screening
    )


def _language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", code or "")


# --- list and start ------------------------------------------------------------


@bp.get("")
@login_required
def list_screenings() -> ResponseReturnValue:
    if not interviews.can_see_screenings(current_user):
        abort(403)
    session = db.session()
    rows = interviews.screenings_for(session, current_user)
    audit.record(
        session,
        "screening.list",
        user=current_user,
        address=client_address(),
        detail=f"{len(rows)} shown",
    )
    session.commit()
    return render_template(
        "interview/list.html",
        screenings=rows,
        can_start=interviews.can_interview(current_user),
        agency_wide=interviews.sees_whole_agency(current_user),
    )


def _start_choices(
    form: StartScreeningForm, versions: list[QuestionnaireVersion]
) -> None:
    language = current_language()
    form.questionnaire.choices = []
    for row in versions:
        questionnaire = questionnaires().get(row)
        title = questionnaire.text(questionnaire.title, language)
        form.questionnaire.choices.append(
            SelectChoice(str(row.id), f"{row.version} · {title}")  # narrow screens
        )
    languages: list[str] = []
    for row in versions:
        for code in questionnaires().get(row).languages:
            if code not in languages:
                languages.append(code)
    form.interview_language.choices = [
        SelectChoice(code, _language_name(code)) for code in languages
    ]
    form.respondent_language.choices = [SelectChoice("", gettext("None"))] + [
        SelectChoice(code, _language_name(code)) for code in languages
    ]
    if not form.is_submitted():
        form.interview_language.data = (
            language if language in languages else languages[0] if languages else ""
        )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def start() -> ResponseReturnValue:
    if not interviews.can_interview(current_user):
        abort(403)
    session = db.session()
    versions = current_versions(session)
    if not versions:
        return render_template("interview/no_questionnaire.html"), 503
    form = StartScreeningForm()
    _start_choices(form, versions)
    if not form.validate_on_submit():
        return render_template("interview/start.html", form=form)

    version = next(row for row in versions if str(row.id) == form.questionnaire.data)
    questionnaire = questionnaires().get(version)
    interview_language = form.interview_language.data or ""
    if interview_language not in questionnaire.languages:
        form.interview_language.errors.append(
            gettext("This questionnaire has no text in that language.")
        )
        return render_template("interview/start.html", form=form), 400
    second = form.respondent_language.data or None
    if second not in (*questionnaire.languages, None):
        second = None
    screening = interviews.start_screening(
        session,
        current_user,
        version,
        questionnaire,
        interview_language=interview_language,
        respondent_language=second,
    )
    _audit("screening.start", screening)
    session.commit()
    return redirect(
        url_for(
            ".section",
            reference=screening.reference,
            section_id=questionnaire.sections[0].id,
        )
    )


@bp.get("/<reference>")
@login_required
def open_screening(reference: str) -> ResponseReturnValue:
    screening = _load(reference)
    if screening.status == "completed":
        return redirect(url_for("results.result", reference=reference))
    if screening.status == "stopped":
        return redirect(url_for(".stopped", reference=reference))
    if not _editable(screening):
        return redirect(url_for(".review", reference=reference))
    questionnaire = _questionnaire(screening)
    answers = interviews.load_answers(db.session(), cipher(), screening)
    section_id = interviews.resume_section(questionnaire, answers, screening)
    return redirect(url_for(".section", reference=reference, section_id=section_id))


# --- section pages -----------------------------------------------------------


def _section_or_404(questionnaire: Questionnaire, section_id: str) -> Section:
    section = questionnaire.section(section_id)
    if section is None:
        abort(404)
    return section


def _render_section(
    screening: Screening,
    questionnaire: Questionnaire,
    section: Section,
    answers: dict[str, Any],
    values: dict[str, Any],
    *,
    problems: dict[str, Problem],
    notice: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    shown = {question.id for question in questionnaire.shown_questions(answers)}
    language = screening.interview_language
    second = screening.respondent_language
    views = question_views(
        questionnaire,
        section,
        values,
        shown_ids=shown,
        problems=problems,
        language=language,
        second=second,
        home_currency=HOME_CURRENCY.get(screening.agency.country),
    )
    return (
        render_template(
            "interview/section.html",
            screening=screening,
            questionnaire=questionnaire,
            section=section,
            title=questionnaire.text(section.title, language),
            title_second=questionnaire.text(section.title, second) if second else None,
            intro=questionnaire.text(section.intro, language)
            if section.intro
            else None,
            questions=views,
            progress=interviews.progress(questionnaire, answers, section.id),
            previous=interviews.neighbour_section(
                questionnaire, answers, section.id, -1
            ),
            outside=json.dumps(
                outside_references(questionnaire, section, answers),
                ensure_ascii=False,
                separators=(",", ":"),
            ),
            languages=[
                (code, _language_name(code)) for code in questionnaire.languages
            ],
            notice=notice,
            has_errors=bool(problems),
        ),
        status,
    )


@bp.get("/<reference>/sections/<section_id>")
@login_required
def section(reference: str, section_id: str) -> ResponseReturnValue:
    screening = _load(reference)
    if not _editable(screening):
        return redirect(url_for(".open_screening", reference=reference))
    questionnaire = _questionnaire(screening)
    section = _section_or_404(questionnaire, section_id)
    answers = interviews.load_answers(db.session(), cipher(), screening)
    if screening.status == "stopped" and section.id != questionnaire.sections[0].id:
        return redirect(url_for(".stopped", reference=reference))
    if not questionnaire.section_shown(section, answers):
        # not asked with the answers given so far (for example, before consent)
        resume = interviews.resume_section(questionnaire, answers, screening)
        return redirect(url_for(".section", reference=reference, section_id=resume))

    _audit("screening.view", screening, detail=f"section {section.id}")
    db.session().commit()
    values = form_data(section, answers)
    return _render_section(
        screening, questionnaire, section, answers, values, problems={}
    )


def _save_posted(
    screening: Screening, questionnaire: Questionnaire, section: Section, action: str
) -> tuple[Any, dict[str, Problem], interviews.SaveResult]:
    """Read the section form from the request and save every acceptable answer."""
    form = section_form(questionnaire, section)
    posted, problems = read_answers(form, section)
    # An empty field clears an answer only if the page really showed the
    # question: a stray or partial post must not wipe a section.
    asked = set(request.form.get("asked", "").split())
    posted = {
        key: value for key, value in posted.items() if value is not None or key in asked
    }
    session = db.session()
    result = interviews.save_answers(
        session,
        cipher(),
        screening,
        questionnaire,
        section=section,
        posted=posted,
        user=current_user,
    )
    changed = result.saved + result.cleared
    _audit(
        action,
        screening,
        detail=f"section {section.id}: " + (",".join(changed) or "no change"),
    )
    session.commit()
    return form, problems, result


def _consent_problem(
    questionnaire: Questionnaire, section: Section, answers: dict[str, Any], action: str
) -> dict[str, Problem]:
    """Going on from the first page needs the consent to screening recorded."""
    question = questionnaire.fact_question("consent_screening")
    if (
        question is None
        or section.id != questionnaire.sections[0].id
        or action not in ("next", "review")
        or consent_to_screening(questionnaire, answers) is not None
    ):
        return {}
    return {question.id: Problem("consent_needed")}


def _revealed(
    questionnaire: Questionnaire,
    section: Section,
    before: dict[str, Any],
    answers: dict[str, Any],
) -> bool:
    """Did the new answers reveal unanswered questions on this page?"""
    shown_before = {q.id for q in questionnaire.shown_questions(before)}
    return any(
        question.section == section.id
        and question.id not in shown_before
        and answers.get(question.id) is None
        for question in questionnaire.shown_questions(answers)
    )


def _show_second_language(
    screening: Screening, questionnaire: Questionnaire, section: Section
) -> ResponseReturnValue:
    chosen = request.form.get("respondent_language") or None
    if chosen in questionnaire.languages and chosen != screening.interview_language:
        screening.respondent_language = chosen
    else:
        screening.respondent_language = None
    db.session().commit()
    return redirect(
        url_for(".section", reference=screening.reference, section_id=section.id)
    )


def _navigate(
    action: str,
    screening: Screening,
    questionnaire: Questionnaire,
    section: Section,
    answers: dict[str, Any],
) -> ResponseReturnValue:
    reference = screening.reference
    if action == "pause":
        flash(
            gettext(
                "Screening %(reference)s is saved and paused. "
                "Resume it from this list at any time.",
                reference=reference,
            ),
            "success",
        )
        return redirect(url_for(".list_screenings"))
    step = -1 if action == "back" else 1
    target = interviews.neighbour_section(questionnaire, answers, section.id, step)
    if action == "review" or (target is None and step == 1):
        return redirect(url_for(".review", reference=reference))
    section_id = target.id if target is not None else section.id
    return redirect(url_for(".section", reference=reference, section_id=section_id))


@bp.post("/<reference>/sections/<section_id>")
@login_required
def save_section(reference: str, section_id: str) -> ResponseReturnValue:
    screening = _load(reference)
    if not _editable(screening):
        abort(403)
    questionnaire = _questionnaire(screening)
    section = _section_or_404(questionnaire, section_id)
    before = interviews.load_answers(db.session(), cipher(), screening)
    try:
        form, problems, result = _save_posted(
            screening, questionnaire, section, "screening.save"
        )
    except interviews.ScreeningClosedError:
        db.session().rollback()
        return redirect(url_for("results.result", reference=reference))
    answers = result.answers
    action = request.form.get("action", "next")
    action = action if action in NAVIGATION else "next"

    problems.update(_consent_problem(questionnaire, section, answers, action))
    if problems:
        return _render_section(
            screening,
            questionnaire,
            section,
            answers,
            form.data,  # what was posted, so nothing typed is lost
            problems=problems,
            status=422,
        )
    if screening.status == "stopped":
        return redirect(url_for(".stopped", reference=reference))
    if action == "language":
        return _show_second_language(screening, questionnaire, section)

    # Without JavaScript, questions that a new answer reveals appear only now:
    # show the page again so they can be asked before moving on.
    if (
        action == "next"
        and request.form.get("_js") != "1"
        and _revealed(questionnaire, section, before, answers)
    ):
        return _render_section(
            screening,
            questionnaire,
            section,
            answers,
            form_data(section, answers),
            problems={},
            notice=gettext("Your answers opened more questions on this page."),
        )
    return _navigate(action, screening, questionnaire, section, answers)


@bp.post("/<reference>/autosave")
@login_required
def autosave(reference: str) -> ResponseReturnValue:
    """Save what is on the page now; called by the page's script while typing."""
    screening = _load(reference)
    if not _editable(screening):
        abort(403)
    questionnaire = _questionnaire(screening)
    section = _section_or_404(questionnaire, request.form.get("section", ""))
    try:
        _form, problems, result = _save_posted(
            screening, questionnaire, section, "screening.autosave"
        )
    except interviews.ScreeningClosedError:
        db.session().rollback()
        return {"status": "completed", "saved": [], "problems": {}}, 409
    return {
        "saved": result.saved,
        "cleared": result.cleared,
        "ignored": result.ignored,
        "problems": {
            key: problem_message(problem) for key, problem in problems.items()
        },
        "saved_at": format_moment(screening.updated_at),
        "status": screening.status,
    }


# --- stopped, review, completion ----------------------------------------------


@bp.get("/<reference>/stopped")
@login_required
def stopped(reference: str) -> ResponseReturnValue:
    screening = _load(reference)
    if screening.status != "stopped":
        return redirect(url_for(".open_screening", reference=reference))
    _audit("screening.view", screening, detail="stopped")
    db.session().commit()
    questionnaire = _questionnaire(screening)
    return render_template(
        "interview/stopped.html",
        screening=screening,
        first_section=questionnaire.sections[0].id,
        editable=interviews.may_edit(current_user, screening),
    )


@bp.get("/<reference>/review")
@login_required
def review(reference: str) -> ResponseReturnValue:
    screening = _load(reference)
    if screening.status == "completed":
        return redirect(url_for("results.result", reference=reference))
    questionnaire = _questionnaire(screening)
    answers = interviews.load_answers(db.session(), cipher(), screening)
    _audit("screening.view", screening, detail="review")
    db.session().commit()

    language = screening.interview_language
    shown = questionnaire.shown_questions(answers)
    sections = []
    for part in interviews.shown_sections(questionnaire, answers):
        rows = [
            (
                question,
                questionnaire.text(question.prompt, language),
                display_answer(
                    questionnaire, question, answers.get(question.id), language
                ),
            )
            for question in shown
            if question.section == part.id
        ]
        sections.append((part, questionnaire.text(part.title, language), rows))
    unanswered = sum(1 for question in shown if answers.get(question.id) is None)
    return render_template(
        "interview/review.html",
        screening=screening,
        sections=sections,
        unanswered=unanswered,
        editable=_editable(screening) and screening.status == "in_progress",
        progress=interviews.progress(questionnaire, answers, ""),
    )


@bp.post("/<reference>/complete")
@login_required
def complete(reference: str) -> ResponseReturnValue:
    screening = _load(reference)
    if not _editable(screening) or screening.status != "in_progress":
        abort(403)
    questionnaire = _questionnaire(screening)
    session = db.session()
    try:
        interviews.lock_for_change(session, screening)
        session.refresh(screening)
        answers = interviews.load_answers(session, cipher(), screening)
        interviews.complete_screening(
            session, screening, questionnaire, standard(questionnaire.standard), answers
        )
    except interviews.ScreeningClosedError:
        session.rollback()  # completed a moment ago by another request
        return redirect(url_for("results.result", reference=reference))
    except interviews.ScreeningStateError:
        session.rollback()
        flash(gettext("Record the person's consent to the screening first."), "error")
        return redirect(url_for(".review", reference=reference))
    _audit("screening.complete", screening)
    session.commit()
    return redirect(url_for("results.result", reference=reference))
