"""Fixed forms: signing in, passwords, user administration, starting a screening.

The forms of questionnaire sections are built from the questionnaire in
:mod:`screening.answer_forms`.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from screening.accounts import MIN_PASSWORD_LENGTH
from screening.models import ROLES

ROLE_LABELS = {
    "interviewer": _l("Interviewer"),
    "supervisor": _l("Supervisor"),
    "verifier": _l("Verifier"),
    "trainer": _l("Trainer"),
    "coordinator": _l("Coordinator"),
    "administrator": _l("Administrator"),
}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    username = StringField(
        _l("User name"),
        validators=[DataRequired(), Length(max=80)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current or one-time password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l(
                    "Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    repeat_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, str(ROLE_LABELS[role])) for role in ROLES]


class UserForm(FlaskForm):
    display_name = StringField(
        _l("Full name (staff)"), validators=[DataRequired(), Length(max=200)]
    )
    roles = CheckboxesField(
        _l("Roles"),
        choices=_role_choices,
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )
    active = BooleanField(_l("Account active"), default=True)


class NewUserForm(UserForm):
    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message=_l("Use Latin letters, digits, dots, dashes or underscores."),
            ),
        ],
        render_kw={"autocapitalize": "none"},
    )


class StartScreeningForm(FlaskForm):
    questionnaire = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    interview_language = SelectField(
        _l("Interview language"), validators=[DataRequired()]
    )
    respondent_language = SelectField(
        _l("The respondent's language, shown beside it (optional)")
    )


DOCUMENT_LANGUAGES = (("th", "ไทย"), ("lo", "ລາວ"), ("en", "English"))


def second_languages(interview_language: str) -> list[SelectChoice]:
    """The languages a document may add to its interview language (and English)."""
    # English is always in the document: as a "second" language it adds none
    no_other = _l("No other language (only English)")
    return [
        SelectChoice(code, no_other if code == "en" else name)
        for code, name in DOCUMENT_LANGUAGES
        if code != interview_language
    ]


class IssueDocumentForm(FlaskForm):
    second_language = SelectField(
        _l("Second language of the document"),
        choices=[SelectChoice(code, name) for code, name in DOCUMENT_LANGUAGES],
        validators=[DataRequired()],
    )

    def offer_for(self, interview_language: str) -> IssueDocumentForm:
        """Offer only languages other than the interview language (a posted
        interview language is still accepted: the document then has two)."""
        self.second_language.choices = second_languages(interview_language)
        return self


class WithdrawDocumentForm(FlaskForm):
    reason = StringField(
        # Translators: why a signed result document is revoked or replaced.
        _l("Reason (no personal details: it is sent to the counterpart agency)"),
        validators=[DataRequired(), Length(max=300)],
    )
    second_language = SelectField(
        _l("Second language of the replacement"),
        choices=[SelectChoice(code, name) for code, name in DOCUMENT_LANGUAGES],
        validators=[Optional()],
    )
    action = SelectField(
        choices=[SelectChoice("revoke", "revoke"), SelectChoice("supersede", "")],
        validators=[DataRequired()],
    )

    def problem(self) -> str:
        """What to tell the user when the form did not validate."""
        if self.reason.errors:
            return gettext("Give a reason.")
        if self.second_language.errors:
            return gettext("Choose a second language from the list.")
        return gettext("The form was incomplete. Try again.")
