"""The signed document and the result page use the same words for the same things."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations

from screening.documents.wording import TEXTS

TRANSLATIONS = Path(__file__).parents[2] / "translations"
SHARED = [key for key in TEXTS if key.startswith(("strength.", "pattern."))]


@pytest.mark.parametrize("language", ["th", "lo"])
def test_strengths_and_patterns_read_as_on_the_result_page(language):
    catalog = Translations.load(str(TRANSLATIONS), [language])

    page = {key: catalog.gettext(TEXTS[key]["en"]) for key in SHARED}

    assert len(SHARED) == 7
    assert page == {key: TEXTS[key][language] for key in SHARED}
