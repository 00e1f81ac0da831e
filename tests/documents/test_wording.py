"""The signed document and the result page use the same words for the same things."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations

from screening.documents.wording import TEXTS, all_strings

TRANSLATIONS = Path(__file__).parents[2] / "translations"
SHARED = [key for key in TEXTS if key.startswith(("strength.", "pattern."))]


@pytest.mark.parametrize("language", ["th", "lo"])
def test_strengths_and_patterns_read_as_on_the_result_page(language):
    catalog = Translations.load(str(TRANSLATIONS), [language])

    page = {key: catalog.gettext(TEXTS[key]["en"]) for key in SHARED}

    assert len(SHARED) == 7
    assert page == {key: TEXTS[key][language] for key in SHARED}


def test_the_thai_non_punishment_note_names_sex_work_as_the_web_page_does():
    thai = TEXTS["non_punishment"]["th"]

    assert "การค้าบริการทางเพศ" in thai
    assert all("การค้าประเวณี" not in texts["th"] for texts in all_strings().values())


def test_the_inconclusive_sentence_quotes_the_answers_and_the_band():
    assert TEXTS["inconclusive"]["th"] == (
        "หากถือว่าคำตอบ “ไม่ทราบ” หรือ “ไม่ขอตอบ” ต่อไปนี้เป็น “ใช่” ผลจะเป็น “น่าจะเป็นผู้เสียหาย”:"
    )
    assert TEXTS["inconclusive"]["lo"] == (
        "ຖ້າຖືວ່າຄຳຕອບ “ບໍ່ຮູ້” ຫຼື “ບໍ່ຂໍຕອບ” ຕໍ່ໄປນີ້ເປັນ “ແມ່ນ”, "
        "ຜົນຈະເປັນ “ມີຄວາມເປັນໄປໄດ້ສູງວ່າເປັນຜູ້ຖືກເຄາະຮ້າຍ”:"
    )
    assert "“yes”" in TEXTS["inconclusive"]["en"]


@pytest.mark.parametrize("language", ["en", "th", "lo"])
def test_wording_uses_curly_quotes_in_pairs(language):
    texts = {key: entry[language] for key, entry in all_strings().items()}

    assert [key for key, text in texts.items() if '"' in text] == []
    assert [
        key for key, text in texts.items() if text.count("“") != text.count("”")
    ] == []
