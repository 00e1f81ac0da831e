"""What a document shows, in which scripts, and what hostile answers cannot do."""

from __future__ import annotations

import copy
import datetime as dt
import io
import logging
import re
import subprocess
import unicodedata

import pytest
from PIL import Image

from screening.documents import render, wording
from screening.documents.issue import MAX_LABEL_CHARACTERS, IssueOptions

from .conftest import THAI_AGENCY, load_answers

HOSTILE = (
    '<img src="http://127.0.0.1:9/pixel.png"></style><style>body{display:none}'
    "</style>@import url(http://127.0.0.1:9/x.css);"
    '<link rel="stylesheet" href="file:///etc/passwd">'
)

SCRIPT_SAMPLES = {
    "my": {
        "full_name": "မောင်မောင်ဝင်း ကျော်စွာ",
        "interview_place": "မြဝတီမြို့ အမှတ်နှစ် ခိုလှုံရာစခန်း",
        "interpreter_language": "my",
    },
    "km": {
        "full_name": "សុខ ចាន់ធីតា",
        "interview_place": "ច្រកព្រំដែនអន្តរជាតិប៉ោយប៉ែតខេត្តបន្ទាយមានជ័យ",
        "interpreter_language": "km",
    },
    "zh": {
        "full_name": "王小明",
        "interview_place": "西双版纳傣族自治州勐腊县磨憨口岸",
        "interpreter_language": "zh",
    },
    "my-long": {
        "full_name": "မောင်သင်္ဘောနှစ်လိပ်ပြာကျော်စွာမြဝတီမြို့ခိုလှုံရာစခန်း" * 3,
        "interview_place": "ပစ္စည်းသင့်ကျွန်ုပ်တို့မြဝတီမြို့ခိုလှုံရာစခန်း" * 4,
        "interpreter_language": "my",
    },
    "km-long": {
        "full_name": "ព្រះរាជាណាចក្រកម្ពុជាក្សត្រិយ៍កំពង់ចាម" * 3,
        "interview_place": "ច្រកព្រំដែនអន្តរជាតិប៉ោយប៉ែតខេត្តបន្ទាយមានជ័យ" * 4,
        "interpreter_language": "km",
    },
    "zh-long": {
        "full_name": "王 小明 " * 12,
        "interview_place": "西双版纳傣族自治州 勐腊县 磨憨口岸（中老边境）" * 5,
        "interpreter_language": "zh",
    },
    "lo-long": {
        "full_name": "ນາງບົວພັນສີສຸວັນວົງສາພັນທະວົງໄຊຍະເສດຖາທິລາດ",
        "interview_place": "ສູນຊ່ວຍເຫຼືອຜູ້ເຄາະຮ້າຍຈາກການຄ້າມະນຸດເຂດເສດຖະກິດພິເສດສາມຫຼ່ຽມຄຳແຂວງບໍ່ແກ້ວ",
        "interpreter_language": "lo",
    },
}


def render_answers(agency, score, standard, answers, second="lo", interviewer=""):
    fetcher = render.PackageOnlyFetcher()
    context, _, _ = agency.issuer.prepare(
        score(answers),
        standard,
        IssueOptions(second_language=second, interviewer=interviewer),
    )
    pdf = render.render_pdf(render.render_html(context), fetcher=fetcher)
    return pdf, fetcher


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def page_count(pdf: bytes) -> int:
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return int(
        next(line for line in info.splitlines() if line.startswith("Pages:"))[6:]
    )


def to_pngs(pdf_path, prefix) -> None:
    command = ["pdftoppm", "-r", "110", "-png", str(pdf_path), str(prefix)]
    subprocess.run(command, check=True)


def with_answers(name: str, **changes) -> dict:
    answers = copy.deepcopy(load_answers(name))
    answers["answers"].update(changes)
    return answers


@pytest.fixture(scope="session")
def hostile_render(thai_agency, score, standard):
    benign = with_answers(
        "lo-declined.json",
        full_name="x" * len(HOSTILE),
        interview_place="y" * len(HOSTILE),
    )
    hostile = with_answers(
        "lo-declined.json", full_name=HOSTILE, interview_place=HOSTILE
    )
    return (
        render_answers(thai_agency, score, standard, benign),
        render_answers(thai_agency, score, standard, hostile),
    )


def test_markup_in_answers_fetches_nothing(hostile_render):
    _, (_, fetcher) = hostile_render

    assert fetcher.refused == []
    assert fetcher.served == ["result.css"]


def test_markup_in_answers_is_printed_as_text_and_keeps_the_layout(hostile_render):
    (benign_pdf, _), (hostile_pdf, _) = hostile_render
    text = pdf_text(hostile_pdf)

    assert "127.0.0.1:9/pixel.png" in text
    assert "body{display:none}" in text
    assert page_count(hostile_pdf) == page_count(benign_pdf)
    assert len(text.splitlines()) >= len(pdf_text(benign_pdf).splitlines())


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.invalid/font.ttf",
        "file:///etc/passwd",
        "file:///etc/ssl/certs/ca-certificates.crt",
        "data:text/css,body{display:none}",
        render.BASE_URL + "../../pyproject.toml",
        render.BASE_URL + "render.py",
    ],
)
def test_the_url_fetcher_refuses_anything_but_the_package_assets(url):
    fetcher = render.PackageOnlyFetcher()

    with pytest.raises(ValueError):
        fetcher.fetcher(url)
    assert fetcher.refused == [url]


def test_identity_details_appear_only_with_consent_to_share(
    thai_agency, score, standard
):
    name = "ນາງ ບົວພັນ ສີສຸວັນ"
    shared = with_answers("lo-declined.json", consent_sharing="yes")
    withheld = with_answers("lo-declined.json", consent_sharing="no")

    shared_text = pdf_text(render_answers(thai_agency, score, standard, shared)[0])
    withheld_text = pdf_text(render_answers(thai_agency, score, standard, withheld)[0])

    assert "ບົວພັນ" in shared_text and name.split()[1] in shared_text
    assert "ບົວພັນ" not in withheld_text
    assert "2003" not in withheld_text  # the date of birth
    assert wording.text("identity_withheld", "en")[:20] in withheld_text
    assert "TH-" in withheld_text  # the pseudonymous reference


def test_the_embedded_record_names_nobody(documents):
    for document in documents.values():
        text = document.record_bytes.decode()
        assert "ບົວພັນ" not in text and "full_name" not in text
        assert "no" not in document.record["indicators"].values()


def test_the_band_is_worded_as_in_the_domain_notes(documents):
    text = pdf_text(documents["th"].pdf)

    assert "Likely victim of trafficking under the common standard." in text
    assert "น่าจะเป็นผู้เสียหายจากการค้ามนุษย์" in text
    for language in wording.WORDING_LANGUAGES:
        label = wording.text("band.not_established.label", language)
        assert "not a victim" not in label


@pytest.mark.parametrize(
    ("example", "second", "languages"),
    [
        ("th-scam-compound.json", "lo", ("th", "lo", "en")),
        ("lo-declined.json", "th", ("lo", "th", "en")),
    ],
)
def test_each_dimension_verdict_is_in_every_language_of_the_document(
    example, second, languages, thai_agency, score, standard
):
    """A counterpart reading only the second language sees which are positive."""
    context, _, _ = thai_agency.issuer.prepare(
        score(load_answers(example)), standard, IssueOptions(second_language=second)
    )
    html = render.render_html(context)

    positive = sum(block.positive for block in context.dimensions)
    expected = {
        "dimension.positive": positive,
        "dimension.negative": len(context.dimensions) - positive,
        "state.declined": len(context.uncertain),
    }
    assert context.languages == languages
    assert expected["dimension.negative"]
    assert expected["dimension.positive"] or expected["state.declined"]
    for language in context.languages:
        for key, count in expected.items():
            shown = html.count(f'lang="{language}"')
            words = f">{wording.text(key, language)}<"
            assert shown and html.count(words) >= count, (key, language)


@pytest.mark.parametrize(
    ("example", "second", "shown"),
    [
        (
            "th-scam-compound.json",
            "lo",
            "กลุ่มบุคคล: ผู้ใหญ่ · ກຸ່ມບຸກຄົນ: ຜູ້ໃຫຍ່ · Profile: adult",
        ),
        ("lo-declined.json", "th", "ກຸ່ມບຸກຄົນ: ຜູ້ໃຫຍ່ · กลุ่มบุคคล: ผู้ใหญ่ · Profile: adult"),
        ("en-factory.json", "th", "Profile: adult · กลุ่มบุคคล: ผู้ใหญ่"),
    ],
)
def test_the_profile_reads_label_colon_value_in_every_language(
    example, second, shown, thai_agency, score, standard
):
    context, _, _ = thai_agency.issuer.prepare(
        score(load_answers(example)), standard, IssueOptions(second_language=second)
    )
    html = render.render_html(context)
    paragraph = html[html.index("<p>") : html.index("</p>")]

    assert re.sub("<[^>]+>", "", paragraph) == shown


def test_the_profile_has_its_colon_in_the_pdf_and_for_a_child(documents):
    assert "Profile: adult" in pdf_text(documents["en"].pdf)
    assert wording.labelled("profile", "profile.child", "th") == (
        "กลุ่มบุคคล: เด็ก (อายุต่ำกว่า 18 ปี หรืออาจเป็นเด็ก)"
    )


def test_thai_words_are_not_split_inside_english_cells(documents):
    text = subprocess.run(
        ["pdftotext", "-raw", "-", "-"],
        input=documents["en"].pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()

    assert "ความยินยอมให้ส่งข้อมูลข้ามแดน" in text.replace("\n", "")
    assert "· ค\n" not in text


def test_thai_dates_use_the_buddhist_era(documents):
    text = pdf_text(documents["th"].pdf)

    assert "28 พฤศจิกายน พ.ศ. 2569" in text
    assert "28 November 2026" in text


def test_the_date_of_issue_is_the_date_in_thailand_and_lao_pdr(
    thai_agency, score, standard
):
    late_evening_utc = dt.datetime(2026, 12, 1, 20, 30, tzinfo=dt.UTC)

    context, record, _ = thai_agency.issuer.prepare(
        score(load_answers("th-scam-compound.json")),
        standard,
        IssueOptions(second_language="lo"),
        now=late_evening_utc,
    )

    assert dict(context.issued_on)["en"] == "2 December 2026"
    assert record["issued_at"] == "2026-12-01T20:30:00Z"


def test_the_signature_box_shows_the_issue_time_in_local_time(
    thai_agency, score, standard
):
    document = thai_agency.issuer.issue(
        score(load_answers("th-scam-compound.json")),
        standard,
        IssueOptions(second_language="lo"),
        now=dt.datetime(2026, 12, 1, 20, 30, tzinfo=dt.UTC),
    )

    text = pdf_text(document.pdf)

    assert "2026-12-02 03:30 (UTC+7)" in text
    assert f"{THAI_AGENCY.province}, {THAI_AGENCY.country}" in text


def test_the_document_carries_versions_hash_interviewer_and_non_punishment(
    documents,
):
    document = documents["th"]
    text = pdf_text(document.pdf)

    assert document.record["questionnaire"]["digest"][7:30] in text.replace(" ", "")
    assert "gms-common@1" in text
    assert "Interviewer 12" in text
    assert "Non-punishment principle" in text
    assert "หลักการไม่ลงโทษผู้เสียหาย" in text


@pytest.mark.parametrize("sample", list(SCRIPT_SAMPLES))
def test_samples_in_other_scripts_render_to_pngs_to_look_at(
    sample, thai_agency, score, standard, artifacts
):
    language = "en" if sample in ("my", "km", "zh") else "th"
    answers = with_answers(
        "en-factory.json", interpreter_used="yes", **SCRIPT_SAMPLES[sample]
    )
    answers["language"] = language
    pdf, fetcher = render_answers(thai_agency, score, standard, answers, "lo")
    (artifacts / f"sample-{sample}.pdf").write_bytes(pdf)
    to_pngs(artifacts / f"sample-{sample}.pdf", artifacts / f"sample-{sample}")
    text = pdf_text(pdf)

    assert SCRIPT_SAMPLES[sample]["full_name"].split()[0][:3] in text
    assert fetcher.refused == []


def notdef_warnings(caplog) -> list[str]:
    """What WeasyPrint logged about characters it drew as a box."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "weasyprint" and ".notdef" in record.getMessage()
    ]


def test_spaces_in_chinese_values_are_drawn_as_spaces(
    thai_agency, score, standard, caplog
):
    """Pango draws a space with the face of the text before it, here Chinese."""
    answers = with_answers(
        "en-factory.json",
        full_name="王 小明",
        interview_place="西双版纳 勐腊县\u00a0磨憨口岸 （2026年）",
    )

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf, _ = render_answers(
            thai_agency, score, standard, answers, interviewer="李 华"
        )

    assert notdef_warnings(caplog) == []
    assert "王 小明" in pdf_text(pdf)


def test_the_quoted_wording_renders_without_boxes(thai_agency, score, standard, caplog):
    """Curly quotes come from the Latin face inside Thai and Lao text."""
    answers = load_answers("lo-declined.json")

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf, _ = render_answers(thai_agency, score, standard, answers, "th")

    assert notdef_warnings(caplog) == []
    assert "“likely victim”" in " ".join(pdf_text(pdf).split())


def dark_pixels(html: str) -> int:
    """How much ink a snippet styled as a document leaves on a 72 dpi page."""
    page = '<link rel="stylesheet" href="static/result.css">' + html
    png = subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", "-png", "-singlefile", "-"],
        input=render.render_pdf(page),
        capture_output=True,
        check=True,
    ).stdout
    return sum(Image.open(io.BytesIO(png)).convert("L").histogram()[:128])


@pytest.mark.parametrize(
    ("language", "letter"),
    [("zh", "王"), ("th", "ก"), ("lo", "ກ"), ("my", "က"), ("km", "ក"), ("en", "H")],
)
def test_a_space_inside_each_script_leaves_no_ink(language, letter):
    """A box for a missing space glyph would add ink between the letters."""
    paragraph = f'<p lang="{language}" style="font-size: 24pt">{{}}</p>'
    spaced = paragraph.format(f"{letter} {letter}\u00a0{letter}")

    assert dark_pixels(spaced) <= dark_pixels(paragraph.format(letter * 3)) * 1.1


@pytest.mark.parametrize("language", ["th", "lo", "en"])
def test_issued_documents_render_to_at_most_three_pages_kept_as_pngs(
    language, document_files, artifacts
):
    to_pngs(document_files[language], artifacts / f"document-{language}")

    assert page_count(document_files[language].read_bytes()) <= 3


def laid_out_lines(html: str) -> list[str]:
    """The text of every line WeasyPrint laid out, on every page."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    fonts = render._shared_fonts()
    document = HTML(
        string=html, base_url=render.BASE_URL, url_fetcher=fonts.fetcher.fetcher
    ).render(stylesheets=[fonts.stylesheet], font_config=fonts.config)
    return [
        "".join(text.text for text in line.descendants() if isinstance(text, TextBox))
        for page in document.pages
        for line in page._page_box.descendants()
        if isinstance(line, LineBox)
    ]


def torn(line: str) -> bool:
    """Does a laid-out line split a Burmese or Khmer syllable at either end?

    It may not end on a virama or coeng (the consonant stacked under it went
    to the next line), nor start with a combining mark or with a final
    consonant (with asat, or a mark only Khmer finals bear) torn from the
    rest of its syllable.
    """
    line = line.strip(" \u200b")
    return bool(line) and (
        line.endswith(("\u1039", "\u17d2"))
        or unicodedata.category(line[0]) in ("Mn", "Mc")
        or re.match("^.\u1037*[\u103a\u1039]|^.[\u17cb-\u17cd\u17d1\u17dd]", line)
        is not None
    )


def test_the_torn_syllable_check_sees_what_the_review_found():
    for line in ("ព្", "္ဘော", "စ်", "ပ်", "ង់", "យ៍", "ះ"):
        assert torn(line), line
    for line in ("သင်္ဘော", "နှစ်", "လိပ်", "ព្រះ", "ក្សត្រិយ៍", "កំពង់ ", "ສູນ", ""):
        assert not torn(line), line


@pytest.mark.parametrize(
    ("text", "syllables"),
    [
        ("သင်္ဘော", "သင်္ဘော"),  # kinzi: the consonant under it stays with it
        ("နှစ်လိပ်ပြာ", "နှစ်|လိပ်|ပြာ"),  # a final with asat closes its syllable
        ("သင့်ပစ္စည်း", "သင့်|ပစ္စည်း"),  # dot below before asat; a stack
        ("မောင်မောင် ကျော်စွာ", "မောင်|မောင် ကျော်|စွာ"),
        ("ព្រះរាជ", "ព្រះ|រាជ"),  # coeng: the subscript stays with its base
        ("ក្សត្រិយ៍", "ក្ស|ត្រិយ៍"),  # toandakhiat marks a final
        ("កំពង់ចាម", "កំ|ពង់|ចាម"),  # bantoc; a bare final
        ("សារព័ត៌មាន", "សារ|ព័ត៌|មាន"),
        ("ນາງ ບົວພັນ, ผู้เสียหาย, 王小明 Ko", "ນາງ ບົວພັນ, ผู้เสียหาย, 王小明 Ko"),
        ("Ko ကျော် (ចាន់)", "Ko ကျော် (ចាន់)"),
    ],
)
def test_break_opportunities_fall_between_syllables(text, syllables):
    broken = render.break_opportunities(text)

    assert broken.replace(render.ZWSP, "|") == syllables
    assert render.break_opportunities(broken) == broken


@pytest.mark.parametrize(
    ("interviewer", "language"),
    [
        ("សុខ ចាន់ធីតា", "km"),
        ("မောင်မောင်", "my"),
        ("ນາງ ບົວພັນ", "lo"),
        ("Interviewer 12", "en"),
        ("สมชาย ใจดี", "th"),
    ],
)
def test_the_interviewer_is_tagged_with_the_language_of_its_script(
    interviewer, language, thai_agency, score, standard
):
    """Not with the document's language: the wrapping rules follow the tag."""
    context, _, _ = thai_agency.issuer.prepare(
        score(load_answers("th-scam-compound.json")),
        standard,
        IssueOptions(second_language="lo", interviewer=interviewer),
    )
    html = render.render_html(context)

    shown = render.break_opportunities(interviewer)
    assert f'<td><span lang="{language}">{shown}</span></td>' in html


@pytest.mark.parametrize(
    ("word", "times"),
    [
        ("ສູນຊ່ວຍເຫຼືອຜູ້ເຄາະຮ້າຍ", 12),
        ("ច្រកព្រំដែនអន្តរជាតិព្រះក្សត្រិយ៍កំពង់", 8),
        ("မြဝတီမြို့ခိုလှုံရာစခန်းသင်္ဘောနှစ်လိပ်", 8),
        ("ศูนย์คุ้มครองคนไร้ที่พึ่งจังหวัดเชียงราย", 12),
        ("https://example.invalid/" + "x" * 300, 1),
    ],
    ids=["lao", "khmer", "burmese", "thai", "latin"],
)
def test_long_runs_without_spaces_wrap_inside_the_page(
    word, times, thai_agency, score, standard
):
    """In a Thai document, so a value tagged with its language wraps its way."""
    run = word * times
    # The same run after one or two more letters ends its lines elsewhere.
    answers = with_answers(
        "en-factory.json",
        full_name=run,
        interview_place=run[0] + run,
        document_number=run[0] * 2 + run,
    )
    answers["language"] = "th"
    interviewer = word * (MAX_LABEL_CHARACTERS // len(word)) or word[:200]
    context, _, _ = thai_agency.issuer.prepare(
        score(answers),
        standard,
        IssueOptions(second_language="lo", interviewer=interviewer),
    )
    html = render.render_html(context)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"],
        input=render.render_pdf(html),
        capture_output=True,
        check=True,
    ).stdout.decode()
    right_edges = [
        float(part.split('"')[1]) for part in boxes.split() if part.startswith("xMax=")
    ]
    page_right = (render.PAGE_WIDTH - render.MARGIN) * render.POINTS_PER_MM
    lines = laid_out_lines(html)
    pieces = [line.replace("\u200b", "").strip() for line in lines]

    assert max(right_edges) <= page_right + 1
    assert len([piece for piece in pieces if piece and piece in run]) >= 8  # wrapped
    assert [line for line in lines if torn(line)] == []


def test_the_same_html_renders_to_the_same_bytes():
    """Fonts are subset by HarfBuzz, so the output does not vary by run."""
    html = "<p lang=th>ผลการคัดกรอง ການຄັດກອງ 人口贩运 မြန်မာ ខ្មែរ Tiếng Việt</p>"

    first = render.render_pdf(html, identifier=b"same")
    second = render.render_pdf(html, identifier=b"same")

    assert first == second


def test_rendering_from_several_threads_gives_the_same_pdfs():
    from concurrent.futures import ThreadPoolExecutor

    html = "<p lang=lo>ການຄັດກອງ</p>"
    with ThreadPoolExecutor(3) as pool:
        results = list(
            pool.map(lambda _: render.render_pdf(html, identifier=b"t"), range(3))
        )

    assert results[0] == results[1] == results[2]


def page_one_boxes(html: str):
    """The laid-out boxes of page 1, as WeasyPrint placed them (CSS pixels)."""
    from weasyprint import HTML

    fonts = render._shared_fonts()
    document = HTML(
        string=html, base_url=render.BASE_URL, url_fetcher=fonts.fetcher.fetcher
    ).render(stylesheets=[fonts.stylesheet], font_config=fonts.config)
    return list(document.pages[0]._page_box.descendants())


def laid_out_pages(html: str) -> list:
    """Each page's page box, as WeasyPrint laid the HTML out."""
    from weasyprint import HTML

    fonts = render._shared_fonts()
    document = HTML(
        string=html, base_url=render.BASE_URL, url_fetcher=fonts.fetcher.fetcher
    ).render(stylesheets=[fonts.stylesheet], font_config=fonts.config)
    return [page._page_box for page in document.pages]


@pytest.fixture(scope="module")
def english_html(thai_agency, score, standard) -> str:
    context, _, _ = thai_agency.issuer.prepare(
        score(load_answers("en-factory.json")),
        standard,
        IssueOptions(second_language="th", interviewer="Interviewer 7"),
    )
    return render.render_html(context)


@pytest.mark.parametrize("shift", range(0, 40, 4))
def test_no_heading_or_fact_table_row_is_left_at_the_foot_of_a_page(
    shift, english_html
):
    """Pushed down by a few millimetres, the page breaks fall elsewhere."""
    from weasyprint.formatting_structure.boxes import TableBox

    spacer = f'<body><div style="height: {shift}mm"></div>'
    pages = laid_out_pages(english_html.replace("<body>", spacer, 1))
    last_blocks, tables = [], {}
    for number, page in enumerate(pages):
        body = page.children[0].children[0]
        last_blocks.append(body.children[-1].element_tag)
        for box in page.descendants():
            if isinstance(box, TableBox) and "facts" in box.element.get("class", ""):
                tables.setdefault(box.element, set()).add(number)

    assert len(pages) >= 2
    assert "h2" not in last_blocks
    assert [sorted(found) for found in tables.values() if len(found) > 1] == []


def test_the_notes_under_tables_stand_clear_of_their_last_row(english_html):
    gaps = []
    for page in laid_out_pages(english_html):
        body = page.children[0].children[0]
        for table, note in zip(body.children, body.children[1:], strict=False):
            if table.element_tag == "table" and "small" in note.element.get(
                "class", ""
            ):
                table_bottom = table.border_box_y() + table.border_height()
                gaps.append((note.border_box_y() - table_bottom) / 96 * 25.4)

    assert gaps  # the verify note under the last table at least
    assert min(gaps) >= 1  # millimetres


@pytest.mark.parametrize(
    ("interview", "second"),
    [("lo", "th"), ("th", "lo"), ("en", "th"), ("lo", "en")],
)
def test_the_elements_table_stays_inside_the_content_box(
    interview, second, thai_agency, score, standard
):
    """A Lao document with Thai beside it once pushed this table past the rule."""
    answers = load_answers(
        {"lo": "lo-declined.json", "th": "th-scam-compound.json"}.get(
            interview, "en-factory.json"
        )
    )
    context, _, _ = thai_agency.issuer.prepare(
        score(answers), standard, IssueOptions(second_language=second)
    )
    boxes = page_one_boxes(render.render_html(context))
    content_right = (render.PAGE_WIDTH - render.MARGIN) / 25.4 * 96

    tables = [
        box
        for box in boxes
        if box.element_tag == "table"
        and "elements" in (box.element.get("class") or "")
        and type(box).__name__ == "TableBox"
    ]
    rules = [box for box in boxes if box.element_tag == "h2"]

    assert tables and rules
    for box in tables + rules:
        assert box.border_box_x() + box.border_width() <= content_right + 0.5


@pytest.mark.parametrize(
    ("example", "declined", "heading"),
    [
        ("th-scam-compound.json", "situation_before", "uncertain.likely"),
        ("lo-declined.json", None, "uncertain"),
    ],
)
def test_declined_answers_are_headed_by_whether_they_could_change_the_band(
    example, declined, heading, thai_agency, score, standard
):
    """On a likely result, a declined answer cannot raise the band: it says so."""
    answers = load_answers(example)
    if declined:
        answers["answers"][declined] = "declined"
    context, _, _ = thai_agency.issuer.prepare(
        score(answers), standard, IssueOptions(second_language="th")
    )
    html = render.render_html(context)

    other = "uncertain" if heading == "uncertain.likely" else "uncertain.likely"
    assert context.uncertain
    for language in context.languages:
        assert wording.text(heading, language) in html
        assert wording.text(other, language) not in html
