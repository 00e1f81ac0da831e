"""Render a result document to PDF with WeasyPrint, from plain data only.

The template is autoescaped Jinja2; answers are text, never markup. The URL
fetcher serves only files of this package (fonts and the stylesheet), so an
answer holding HTML, CSS or a URL can neither fetch anything nor change the
layout. Fonts are the OFL Noto files shipped in ``fonts/``.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jinja2
from markupsafe import Markup

from screening.documents import wording

log = logging.getLogger(__name__)

PACKAGE_FOLDER = Path(__file__).resolve().parent
BASE_URL = PACKAGE_FOLDER.as_uri() + "/"

# Page geometry shared by the stylesheet and the signature box (millimetres).
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 210.0, 297.0, 14.0
QR_SIZE, BOX_WIDTH, BOX_HEIGHT, GAP = 32.0, 50.0, 32.0, 4.0
POINTS_PER_MM = 72 / 25.4


def signature_box_points() -> tuple[int, int, int, int]:
    """The visible signature box on page 1, in PDF points (x1, y1, x2, y2)."""
    right = PAGE_WIDTH - MARGIN - QR_SIZE - GAP
    left = right - BOX_WIDTH
    top = PAGE_HEIGHT - MARGIN
    bottom = top - BOX_HEIGHT
    return (
        round(left * POINTS_PER_MM),
        round(bottom * POINTS_PER_MM),
        round(right * POINTS_PER_MM),
        round(top * POINTS_PER_MM),
    )


Words = tuple[tuple[str, str], ...]  # (language, text) in document order


@dataclass(frozen=True)
class Value:
    """A value shown on the document, with the language its script suggests."""

    text: str
    language: str


@dataclass(frozen=True)
class Row:
    label: Words
    value: Value | Words


@dataclass(frozen=True)
class IndicatorLine:
    id: str
    label: Words
    strength: Words = ()
    state: Words = ()


@dataclass(frozen=True)
class DimensionBlock:
    id: str
    name: Words
    positive: bool
    pattern: str | None
    indicators: tuple[IndicatorLine, ...]


@dataclass(frozen=True)
class DocumentContext:
    """Everything the template shows; plain values, nothing from a database."""

    languages: tuple[str, ...]
    band: str
    elements: tuple[tuple[Words, bool], ...]
    dimensions: tuple[DimensionBlock, ...]
    other_indicators: tuple[IndicatorLine, ...]
    uncertain: tuple[IndicatorLine, ...]
    inconclusive: tuple[str, ...]
    flags: tuple[str, ...]
    profile: str
    interview: tuple[Row, ...]
    person: tuple[Row, ...]
    reference: str
    issuer_name: str
    issuer_place: str
    interviewer: Value | None
    issued_on: Words
    document_id: str
    questionnaire: Mapping[str, str]
    standard: str
    standard_digest: str
    supersedes: str | None = None
    qr_token: str = ""


# Script ranges, to tag values with a language so Pango shapes them well.
_SCRIPTS = (
    (0x0E00, 0x0E7F, "th"),
    (0x0E80, 0x0EFF, "lo"),
    (0x1000, 0x109F, "my"),
    (0x1780, 0x17FF, "km"),
    (0x4E00, 0x9FFF, "zh"),
    (0x3000, 0x303F, "zh"),
)


def script_language(text: str, default: str = "en") -> str:
    """Guess a language tag from the first non-Latin script in text."""
    for char in text:
        point = ord(char)
        for start, end, language in _SCRIPTS:
            if start <= point <= end:
                return language
    return default


ZWSP = "\u200b"
# (unit, units of the syllable so far, the unit right after or None) ->
# does this unit close the syllable instead of beginning the next one?
Coda = Callable[[str, list[str], str | None], bool]


def _units(first: int, last: int, stacker: str) -> re.Pattern[str]:
    """A letter of the block, its marks, and any letter stacked under it."""
    letters = marks = ""
    for point in range(first, last + 1):
        kind = unicodedata.category(chr(point))
        if kind == "Lo":
            letters += chr(point)
        elif kind in ("Mn", "Mc"):
            marks += chr(point)
    cluster = f"[{re.escape(letters)}][{re.escape(marks)}]*"
    return re.compile(f"{cluster}(?:(?<={stacker}){cluster})*")


def _myanmar_coda(unit: str, _syllable: list[str], _next: str | None) -> bool:
    """Burmese marks every final: asat (U+103A, maybe after dot below U+1037),
    or virama (U+1039) stacking it on the next consonant, kinzi included."""
    return unit[1:].lstrip("\u1037")[:1] in ("\u103a", "\u1039")


# Marks only a Khmer final consonant bears: bantoc, robat, toandakhiat,
# viriam, atthacan.
_KHMER_FINAL_MARKS = frozenset("\u17cb\u17cc\u17cd\u17d1\u17dd")


def _khmer_coda(unit: str, syllable: list[str], next_unit: str | None) -> bool:
    """Khmer writes a final with one of those marks, or bare: a lone consonant
    closes a syllable that has no final yet, unless the next consonant bears
    such a mark (then it begins that syllable, as in កំ|ពង់)."""
    if unit[1:2] in _KHMER_FINAL_MARKS:
        return True
    bare = len(unit) == 1 and unit <= "\u17a2"
    return (
        bare and len(syllable) == 1 and (next_unit or "")[1:2] not in _KHMER_FINAL_MARKS
    )


_SYLLABLES: tuple[tuple[re.Pattern[str], Coda], ...] = (
    (_units(0x1000, 0x109F, "\u1039"), _myanmar_coda),
    (_units(0x1780, 0x17FF, "\u17d2"), _khmer_coda),
)


def break_opportunities(text: str) -> str:
    """Text with a zero-width space between Burmese and Khmer syllables.

    Pango finds no line breaks inside a run of these scripts, and breaking
    where it must splits syllables (a virama or coeng left at a line end, a
    final on the next line); these spaces are where such a run wraps (the
    stylesheet lets it wrap nowhere else). Other scripts are left as they are.
    """
    breaks: set[int] = set()
    for pattern, is_coda in _SYLLABLES:
        units = list(pattern.finditer(text))
        syllable: list[str] = []  # the units of the syllable being read
        for unit, following in zip_longest(units, units[1:]):
            joined = following is not None and following.start() == unit.end()
            next_unit = following.group() if following and joined else None
            if syllable and is_coda(unit.group(), syllable, next_unit):
                syllable.append(unit.group())
            else:
                if syllable:
                    breaks.add(unit.start())
                syllable = [unit.group()]
            if not joined:
                syllable = []  # a space, a digit or another script comes next
    return "".join(
        ZWSP + char if index in breaks else char for index, char in enumerate(text)
    )


def distinct(pairs: Iterable[tuple[str, str]]) -> Words:
    """(language, text) pairs with repeats of the same text dropped."""
    found: list[tuple[str, str]] = []
    for language, item in pairs:
        if all(item != existing for _, existing in found):
            found.append((language, item))
    return tuple(found)


def words(key: str, languages: Sequence[str]) -> Words:
    """Fixed wording in each document language."""
    return distinct((language, wording.text(key, language)) for language in languages)


def labelled(label_key: str, value_key: str, languages: Sequence[str]) -> Words:
    """'Label: value' in each document language."""
    return distinct(
        (language, wording.labelled(label_key, value_key, language))
        for language in languages
    )


def localized(texts: Mapping[str, str], languages: Sequence[str]) -> Words:
    """A label of the standard or questionnaire in each document language."""
    fallback = texts.get("en") or next(iter(texts.values()), "")
    return distinct(
        (language, texts.get(language) or fallback) for language in languages
    )


def dated(value: dt.date, languages: Sequence[str]) -> Words:
    """A date in each document language (Buddhist era in Thai)."""
    return tuple(
        (language, wording.format_date(value, language)) for language in languages
    )


_CONTENT_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf"}


class PackageOnlyFetcher:
    """A WeasyPrint URL fetcher that serves only this package's own files."""

    def __init__(self) -> None:
        from weasyprint.urls import URLFetcher

        class _Fetcher(URLFetcher):
            def fetch(inner, url: str, headers: Any = None) -> Any:  # noqa: N805
                return self._fetch(url)

        self.refused: list[str] = []
        self.served: list[str] = []
        self.fetcher = _Fetcher(fail_on_errors=False)

    def _fetch(self, url: str) -> Any:
        from weasyprint.urls import URLFetcherResponse

        parsed = urlparse(url)
        path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
        allowed = (
            path is not None
            and path.is_relative_to(PACKAGE_FOLDER)
            and path.suffix in _CONTENT_TYPES
            and path.is_file()
        )
        if not allowed or path is None:
            self.refused.append(url)
            raise ValueError("only the package's own files can be used")
        self.served.append(path.name)
        kind = _CONTENT_TYPES[path.suffix]
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(PACKAGE_FOLDER / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["syllables"] = break_opportunities


def qr_svg(token: str) -> Markup:
    """The token as an inline SVG QR code (error correction M)."""
    import segno

    code = segno.make(token, error="m", micro=False)
    return Markup(  # noqa: S704 - SVG made by segno from base45 text only
        code.svg_inline(scale=1, border=2, omitsize=True, dark="#000")
    )


def render_html(context: DocumentContext) -> str:
    """The document's HTML (its only markup comes from the template)."""
    template = _environment.get_template("result.html")
    _left, _bottom, _right, _top = signature_box_points()
    return template.render(
        c=context,
        w=lambda key: words(key, context.languages),
        labelled=lambda label, value: labelled(label, value, context.languages),
        qr=qr_svg(context.qr_token) if context.qr_token else Markup(""),
        geometry={
            "margin": MARGIN,
            "qr": QR_SIZE,
            "box_width": BOX_WIDTH,
            "box_height": BOX_HEIGHT,
            "gap": GAP,
        },
        language_name=lambda code: wording.LANGUAGE_NAMES.get(code, code),
    )


class _Fonts:
    """The shipped fonts, registered once per process in one configuration."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.fetcher = PackageOnlyFetcher()
        self.config = FontConfiguration()
        self.stylesheet = CSS(
            filename=str(PACKAGE_FOLDER / "static" / "fonts.css"),
            url_fetcher=self.fetcher.fetcher,
            font_config=self.config,
        )


_fonts: _Fonts | None = None
# WeasyPrint's font configuration is not meant to be shared between threads;
# rendering holds the GIL anyway, so serialising it costs no throughput.
_render_lock = threading.Lock()


def _shared_fonts() -> _Fonts:
    global _fonts  # noqa: PLW0603 - one font configuration per process on purpose
    if _fonts is None:
        _fonts = _Fonts()
        atexit.register(_release_fonts)
    return _fonts


def _release_fonts() -> None:
    # WeasyPrint frees its font configuration in __del__, which fails when it
    # runs during interpreter shutdown; free it while modules are still there.
    global _fonts  # noqa: PLW0603
    _fonts = None


def render_pdf(
    html: str,
    *,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    fetcher: PackageOnlyFetcher | None = None,
    identifier: bytes | None = None,
) -> bytes:
    """Lay out the HTML and write a PDF with the given (name, data, title) files."""
    from weasyprint import HTML, Attachment

    fetcher = fetcher or PackageOnlyFetcher()
    files = [
        Attachment(
            string=data.decode("utf-8"),
            name=name,
            description=title,
            relationship="Data",
            url_fetcher=fetcher.fetcher,
        )
        for name, data, title in attachments
    ]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher.fetcher)
    with _render_lock:
        fonts = _shared_fonts()
        pdf: bytes = document.write_pdf(
            stylesheets=[fonts.stylesheet],
            font_config=fonts.config,
            attachments=files,
            pdf_identifier=identifier,
        )
    if fetcher.refused:
        log.warning("renderer refused %d outside resource(s)", len(fetcher.refused))
    return pdf
