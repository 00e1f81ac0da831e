"""Rebuild the font files shipped in screening/documents/fonts/ (maintainers only).

The fonts are Noto Sans faces under the SIL Open Font License, taken from
Debian's fonts-noto-core and fonts-noto-cjk packages. Latin (with
Vietnamese) and Chinese are cut to the characters the documents need so the
package stays small; the South-East Asian faces are small and ship whole.
Run ``python -m screening.documents.fontbuild`` with fontTools installed.
"""

from __future__ import annotations

import gzip
import re
import shutil
import sys
from pathlib import Path

NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
COPYRIGHT = Path("/usr/share/doc/fonts-noto-core/copyright")
TARGET = Path(__file__).resolve().parent / "fonts"
WEIGHTS = ("Regular", "Bold")
CJK_SC_INDEX = 2  # Noto Sans CJK SC inside the TTC collection

LATIN_RANGES = [
    (0x0020, 0x024F),  # Basic Latin, Latin-1, Latin Extended-A and B
    (0x0300, 0x036F),  # combining diacritics
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x206F),  # general punctuation
    (0x20A0, 0x20CF),  # currency signs (dong, kip, euro)
    (0x2100, 0x2122),  # letterlike symbols
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus sign
    (0x25A0, 0x25CF),  # squares and circles
]

# Added to GB2312 in the Chinese face. Pango draws a space with the font of
# the text around it (it never falls back to another font for a space), so a
# face without U+0020 prints a box for every space inside Chinese text.
CJK_EXTRA_RANGES = [
    (0x0020, 0x007E),  # Basic Latin, the space first of all
    (0x00A0, 0x00A0),  # no-break space
    (0x3000, 0x303F),  # CJK symbols and punctuation, ideographic space
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]


def _gb2312_characters() -> list[int]:
    """Every character of GB2312 (levels 1 and 2 and symbols)."""
    found = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.append(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def _subset(
    source: Path,
    target: Path,
    codepoints: list[int],
    index: int = 0,
    *,
    plain: bool = False,
) -> None:
    from fontTools import subset

    options = subset.Options()
    options.layout_features = [] if plain else ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.font_number = index
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    subset.save_font(font, str(target), options)


def _licence_text() -> str:
    """The OFL 1.1 text as Debian records it, without the copyright-file indent."""
    raw = COPYRIGHT.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode()
    match = re.search(r"^License: OFL-1\.1\n((?: .*\n)+)", text, re.MULTILINE)
    if match is None:
        raise SystemExit("no OFL-1.1 text in " + str(COPYRIGHT))
    lines = [line[1:] for line in match.group(1).splitlines()]
    return "\n".join("" if line == "." else line for line in lines) + "\n"


def build() -> None:
    """Write every shipped font file and the licence into TARGET."""
    TARGET.mkdir(exist_ok=True)
    latin = [cp for start, end in LATIN_RANGES for cp in range(start, end + 1)]
    cjk = [cp for start, end in CJK_EXTRA_RANGES for cp in range(start, end + 1)]
    cjk += _gb2312_characters()
    for weight in WEIGHTS:
        _subset(NOTO / f"NotoSans-{weight}.ttf", TARGET / f"Latin-{weight}.ttf", latin)
        for script in ("Thai", "Lao", "Myanmar", "Khmer"):
            shutil.copyfile(
                NOTO / f"NotoSans{script}-{weight}.ttf",
                TARGET / f"{script}-{weight}.ttf",
            )
        _subset(
            NOTO_CJK / f"NotoSansCJK-{weight}.ttc",
            TARGET / f"ChineseSC-{weight}.otf",
            cjk,
            index=CJK_SC_INDEX,
        )
    # A small face for pyHanko's signature stamp: parsed on every signature.
    stamp = [cp for cp in range(0x20, 0x7F)] + list(range(0xA0, 0x100))
    _subset(
        NOTO / "NotoSans-Regular.ttf", TARGET / "Stamp-Regular.ttf", stamp, plain=True
    )
    copyright_lines = (
        "Noto Sans, Noto Sans Thai, Lao, Myanmar, Khmer and Noto Sans CJK SC:\n"
        "Copyright 2010-2020 Google Inc. and Google LLC.\n"
        "Latin, Stamp and Chinese files here are subsets (fewer characters) of the\n"
        "originals; no glyph was changed.\n\n"
        "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007\n\n"
    )
    (TARGET / "OFL.txt").write_text(copyright_lines + _licence_text())


if __name__ == "__main__":
    build()
    for path in sorted(TARGET.iterdir()):
        sys.stdout.write(f"{path.name}\t{path.stat().st_size}\n")
