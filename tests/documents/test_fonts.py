"""Every string a document can show can be drawn with the shipped fonts."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from screening.catalog import Catalog, default_folder
from screening.documents import wording
from screening.documents.render import PACKAGE_FOLDER

FONTS = PACKAGE_FOLDER / "fonts"
STATIC = PACKAGE_FOLDER / "static"
# What Pango draws when no face has a glyph: default-ignorable controls and
# format characters (zero-width spaces) are hidden.
INVISIBLE = ("Cc", "Cf")


@cache
def faces(weight: str) -> tuple[Path, ...]:
    """The font files in the order the stylesheet tries them for a character."""
    page = (STATIC / "result.css").read_text()
    match = re.search(r"^html \{[^}]*?font-family: ([^;]+);", page, re.MULTILINE)
    assert match is not None
    files = {}
    for rule in re.findall(
        r"@font-face \{([^}]*)\}", (STATIC / "fonts.css").read_text()
    ):
        family = re.search(r"font-family: (\w+)", rule)
        source = re.search(r"url\(\.\./fonts/([^)]+)\)", rule)
        assert family and source
        if ("font-weight: bold" in rule) == (weight == "Bold"):
            files[family.group(1)] = FONTS / source.group(1)
    return tuple(files[family] for family in match.group(1).split(", "))


@cache
def cmap(path: Path) -> frozenset[int]:
    return frozenset(TTFont(path, lazy=True).getBestCmap())


def missing(text: str, weight: str) -> set[str]:
    """Characters of text the shipped faces draw as a box (.notdef)."""
    return boxes(text, [cmap(path) for path in faces(weight)])


def boxes(text: str, order: list[frozenset[int]]) -> set[str]:
    """Characters drawn as a box with these faces, as Pango picks them.

    Pango takes each character from the first face in the list that has it,
    except a space: that is drawn with the face of the character before it,
    so a face without spaces prints a box for a space inside its script.
    """
    gaps = set()
    current: frozenset[int] | None = None
    for char in text:
        kind = unicodedata.category(char)
        if kind in INVISIBLE:
            continue
        face = next((face for face in order if ord(char) in face), None)
        if kind == "Zs" and current is not None:
            face = current if ord(char) in current else None
        else:
            current = face
        if face is None:
            gaps.add(char)
    return gaps


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


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_every_face_draws_spaces_itself(weight):
    """Pango never takes a space from another face than its neighbours'."""
    lacking = {
        path.name: [
            f"U+{point:04X}" for point in (0x20, 0xA0) if point not in cmap(path)
        ]
        for path in faces(weight)
    }

    assert {name: points for name, points in lacking.items() if points} == {}


def test_a_space_takes_the_face_of_the_text_before_it():
    latin = frozenset(range(0x20, 0x7F))
    chinese = frozenset(map(ord, "王小明"))

    assert boxes("王 小明", [latin, chinese]) == {" "}
    assert boxes("Wang 小明", [latin, chinese]) == set()
    assert boxes("王 小明", [latin, chinese | {0x20}]) == set()
    assert boxes(" 王", [latin, chinese]) == set()


def test_common_vietnamese_and_chinese_text_can_be_drawn():
    samples = (
        "Tiếng Việt: người lao động bị lừa đảo, nợ 100.000 ₫ · 人口贩运受害者 "
        "王 小明\u00a0（西双版纳）　磨憨口岸，“受害者” 2026年"
    )

    assert missing(samples, "Regular") == set()
    assert missing(samples, "Bold") == set()
