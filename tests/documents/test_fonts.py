"""Every string a document can show can be drawn with the shipped fonts."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from screening.catalog import Catalog, default_folder
from screening.documents import wording
from screening.documents.render import PACKAGE_FOLDER

FONTS = PACKAGE_FOLDER / "fonts"


@cache
def covered(weight: str) -> frozenset[int]:
    points: set[int] = set()
    for path in sorted(FONTS.glob(f"*-{weight}.*")):
        points |= set(TTFont(path, lazy=True).getBestCmap())
    return frozenset(points)


def missing(text: str, weight: str) -> set[str]:
    drawable = covered(weight)
    return {
        char
        for char in text
        if ord(char) not in drawable
        and unicodedata.category(char) not in ("Cc", "Cf", "Zs")
    }


def questionnaire_texts(folder: Path) -> list[str]:
    catalog = Catalog.load(folder)
    texts: list[str] = []
    for questionnaire in catalog:
        texts += questionnaire.title.values()
        for section in questionnaire.sections:
            texts += section.title.values()
            for question in section.questions:
                texts += question.prompt.values()
                texts += question.unit.values()
                for choice in question.choices:
                    texts += choice.label.values()
    keys = catalog.standards.keys()  # a list; the registry is not iterable
    for key in keys:
        standard = catalog.standards.get(key)
        assert standard is not None
        for group in standard.groups:
            texts += group.name.values()
        for indicator in standard.indicators.values():
            texts += indicator.text.values()
    return texts


def test_every_font_file_ships_in_regular_and_bold_with_its_licence():
    names = {path.name for path in FONTS.iterdir()}

    for script in ("Latin", "Thai", "Lao", "Myanmar", "Khmer"):
        assert {f"{script}-Regular.ttf", f"{script}-Bold.ttf"} <= names
    assert {"ChineseSC-Regular.otf", "ChineseSC-Bold.otf", "OFL.txt"} <= names
    assert "SIL OPEN FONT LICENSE" in (FONTS / "OFL.txt").read_text().upper()


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_every_fixed_wording_and_verdict_can_be_drawn(weight):
    gaps = {
        f"{key}/{language}": sorted(missing(text, weight))
        for key, texts in wording.all_strings().items()
        for language, text in texts.items()
        if missing(text, weight)
    }
    gaps |= {
        name: sorted(missing(name, weight))
        for name in wording.LANGUAGE_NAMES.values()
        if missing(name, weight)
    }

    assert gaps == {}


def test_every_questionnaire_text_and_standard_label_can_be_drawn():
    folder = default_folder()
    gaps = {
        text: sorted(missing(text, "Regular"))
        for text in questionnaire_texts(folder)
        if missing(text, "Regular")
    }

    assert gaps == {}


def test_common_vietnamese_and_chinese_text_can_be_drawn():
    samples = "Tiếng Việt: người lao động bị lừa đảo, nợ 100.000 ₫ · 人口贩运受害者"

    assert missing(samples, "Regular") == set()
    assert missing(samples, "Bold") == set()
