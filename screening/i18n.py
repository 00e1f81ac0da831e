"""Interface languages (English, Thai, Lao), locale choice and date formatting.

Catalogs live in translations/ at the top of the checkout (or bundled in the
wheel). Thai dates are shown in the Buddhist era, the year plus 543, as
Thai readers expect.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.support import NullTranslations, Translations
from flask import Flask, request, session
from flask_babel import Babel, get_locale
from flask_login import current_user

from screening.config import INTERFACE_LANGUAGES, LOCAL_TIME

BUDDHIST_ERA_OFFSET = 543
LANGUAGE_NAMES = {"en": "English", "th": "ไทย", "lo": "ລາວ"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a string for translation without translating it yet."""
    return message


def translations_folder() -> Path:
    checkout = Path(__file__).resolve().parent.parent / "translations"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / "_translations"


def select_language() -> str:
    """The interface language: chosen in this session, the user's, or the browser's."""
    chosen = session.get("language")
    if chosen in INTERFACE_LANGUAGES:
        return str(chosen)
    if current_user and current_user.is_authenticated:
        preferred = getattr(current_user, "language", None)
        if preferred in INTERFACE_LANGUAGES:
            return str(preferred)
    from screening.extensions import settings

    best = request.accept_languages.best_match(INTERFACE_LANGUAGES)
    return best or settings().default_language


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


@cache
def _catalog(language: str) -> NullTranslations:
    return Translations.load(str(translations_folder()), [language], "messages")


def gettext_in(language: str, message: str) -> str:
    """Translate into a given language, whatever the interface language is.

    Used to show answer options in the interview and respondent languages.
    """
    if language not in INTERFACE_LANGUAGES:
        language = "en"
    return _catalog(language).gettext(message)


def local_day(moment: dt.date | dt.datetime) -> dt.date:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(LOCAL_TIME).date()
    return moment


def format_day(
    moment: dt.date | dt.datetime | None, language: str | None = None
) -> str:
    """A long date in the interface language; Buddhist-era year in Thai."""
    if moment is None:
        return ""
    language = language or current_language()
    day = local_day(moment)
    locale = Locale.parse(language)
    if language == "th":
        day_month = babel_format_date(day, "d MMMM", locale=locale)
        return f"{day_month} {day.year + BUDDHIST_ERA_OFFSET}"
    return babel_format_date(day, "long", locale=locale)


def format_moment(moment: dt.datetime | None, language: str | None = None) -> str:
    """A date and time (Indochina time) in the interface language."""
    if moment is None:
        return ""
    language = language or current_language()
    local = moment.astimezone(LOCAL_TIME)
    time = babel_format_time(local, "HH:mm", locale=Locale.parse(language))
    return f"{format_day(local, language)} {time}"


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations_folder())
    Babel(app, locale_selector=select_language)
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["INTERFACE_LANGUAGES"] = INTERFACE_LANGUAGES
    app.jinja_env.globals["current_language"] = current_language
