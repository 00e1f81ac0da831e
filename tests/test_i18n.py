from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from screening.i18n import format_day, format_moment
from tests.conftest import ROOT, csrf_token
from tests.helpers import LIKELY_WORK, consent, save, start

TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("th", "lo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_the_committed_catalog_template_is_not_stale(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "N_",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    committed = _ids(TRANSLATIONS / "messages.pot")
    extracted = _ids(fresh)
    assert extracted - committed == set(), "new text: run `make update-catalogs`"
    assert committed - extracted == set(), "removed text: run `make update-catalogs`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(language):
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)

    assert {m.id for m in catalog if m.id} == _ids(TRANSLATIONS / "messages.pot")
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"untranslated in {language}: {message.id!r}"
        assert not message.fuzzy, f"fuzzy in {language}: {message.id!r}"
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(message.string)
        ), message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_are_written_in_their_own_script(language):
    script = {"th": "\u0e00-\u0e7f", "lo": "\u0e80-\u0eff"}[language]
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        strings = [m.string for m in read_po(handle) if m.id and m.id.strip()]
    in_script = [s for s in strings if re.search(f"[{script}]", s)]
    assert len(in_script) == len(strings)


def test_thai_dates_use_the_buddhist_era():
    assert format_day(dt.date(2026, 12, 3), "th") == "3 ธันวาคม 2569"
    assert format_day(dt.date(2026, 12, 3), "en") == "December 3, 2026"
    assert "2026" in format_day(dt.date(2026, 12, 3), "lo")


def test_times_are_shown_in_indochina_time():
    moment = dt.datetime(2026, 12, 31, 20, 30, tzinfo=dt.UTC)
    assert format_moment(moment, "th") == "1 มกราคม 2570 03:30"


def test_the_language_switcher_changes_the_interface_language(client, people):
    token = csrf_token(client)

    client.post(
        "/language", data={"language": "lo", "next": "/login", "csrf_token": token}
    )
    lao = client.get("/login").get_data(as_text=True)
    client.post(
        "/language", data={"language": "th", "next": "/login", "csrf_token": token}
    )
    thai = client.get("/login").get_data(as_text=True)

    assert '<html lang="lo">' in lao
    assert "ເຂົ້າສູ່ລະບົບ" in lao
    assert '<html lang="th">' in thai
    assert "เข้าสู่ระบบ" in thai


def test_the_browser_language_is_used_until_one_is_chosen(client):
    page = client.get("/login", headers={"Accept-Language": "th-TH,th;q=0.9"})
    assert '<html lang="th">' in page.get_data(as_text=True)


def test_the_result_page_reads_fully_in_lao(signed_in):
    khamla = signed_in("nok")
    khamla.post("/language", {"language": "lo", "next": "/"})
    reference = start(khamla, "th")
    consent(khamla, reference)
    save(khamla, reference, "person", {"age_at_departure": "15"})
    save(khamla, reference, "work", LIKELY_WORK, _js="1")
    khamla.post(f"/screenings/{reference}/complete")

    page = khamla.get(f"/screenings/{reference}/result").get_data(as_text=True)

    assert "ມີຄວາມເປັນໄປໄດ້ສູງວ່າເປັນຜູ້ຖືກເຄາະຮ້າຍຈາກການຄ້າມະນຸດຕາມມາດຕະຖານຮ່ວມ" in page
    assert "ຫຼັກການບໍ່ລົງໂທດຜູ້ຖືກເຄາະຮ້າຍ" in page
    # Evidence stays in the interview language: the words the person heard.
    assert "หนังสือเดินทางของคุณถูกยึดหรือไม่" in page
    body = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])
    english = re.findall(r"\b(?:the|and|of|is|was)\b", body)
    assert english == []
