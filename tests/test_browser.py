"""End to end in headless Chromium, with the bundled gms-returnee questionnaire.

Screenshots of every page go to test-artifacts/screens/ (git-ignored), taken
at a 768-pixel tablet width, to be looked at after a change to the screens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, QUESTIONNAIRES, ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENS = ROOT / "test-artifacts" / "screens"
TABLET = {"width": 768, "height": 1024}


@pytest.fixture(scope="session")
def catalog_folder() -> Path:
    """These tests use the real, bundled questionnaires."""
    return QUESTIONNAIRES


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for this module's tests only.

    Playwright's sync API keeps an asyncio loop running in the test thread
    while it is open; pyHanko signs and verifies with asyncio.run, which
    refuses to run inside it. Closing the browser with the module keeps
    other modules' signing tests on the same worker out of its way.
    """
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: run `make test` as root"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


LOCALES = {"th": "th-TH", "lo": "lo-LA", "en": "en-GB"}


@pytest.fixture
def page(browser, live_server, request) -> Iterator[Any]:
    language = getattr(request, "param", "en")
    context = browser.new_context(
        viewport=TABLET, base_url=live_server, locale=LOCALES[language]
    )
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type == "error" else None
        ),
    )
    opened.problems = problems
    yield opened
    context.close()


class Story:
    """Drives the interview pages and photographs each one."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name
        self.count = 0
        SCREENS.mkdir(parents=True, exist_ok=True)

    def shoot(self, label: str) -> None:
        self.count += 1
        path = SCREENS / f"{self.name}-{self.count:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        viewport = self.page.viewport_size["width"]
        assert width <= viewport, f"{path.name} is {width}px wide"

    def sign_in(self, username: str, language: str) -> None:
        self.page.goto("/login")
        self.page.click(f"button[name=language][value={language}]")
        self.shoot("login")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("form.narrow button[type=submit]")
        self.page.wait_for_url(re.compile(r"/screenings$"))
        self.shoot("list")

    def start(self, interview_language: str, second: str = "") -> None:
        self.page.click("a.button.primary[href$='/screenings/new']")
        self.page.select_option("#interview_language", interview_language)
        self.page.select_option("#respondent_language", second)
        self.shoot("start")
        self.page.click("form.narrow button[type=submit]")
        self.page.wait_for_url(re.compile(r"/sections/interview$"))

    def answer(self, question: str, value: Any) -> None:
        box = self.page.locator(f"#question-{question}")
        assert box.is_visible(), f"{question} is not shown"
        kind = box.get_attribute("data-type")
        if value in ("dont_know", "declined"):
            name = f"q_{question}" if kind in CHOICE_KINDS else f"q_{question}_special"
            box.locator(f"input[name={name}][value={value}]").check()
        elif kind in ("yes_no", "single_choice"):
            box.locator(f"input[value={value}]").check()
        elif kind == "multiple_choice":
            for item in value:
                box.locator(f"input[value={item}]").check()
        elif kind == "money":
            amount, currency = value
            box.locator(f"input[name=q_{question}]").fill(amount)
            box.locator(f"select[name=q_{question}_currency]").select_option(currency)
        else:
            box.locator(f"[name=q_{question}]").fill(value)

    def issue_and_verify(self, second_language: str, verdict_text: str) -> Path:
        """From the result page: issue the PDF, download it, verify it; return it."""
        assert page_value(self.page, "select#second_language") == second_language
        self.page.click("form.issue-document button[type=submit]")
        self.page.wait_for_url(re.compile(r"/result(#document-actions)?$"))
        link = self.page.locator("tr.document.valid a[download]")
        with self.page.expect_download() as downloading:
            link.first.click()
        pdf = SCREENS / f"{self.name}-result.pdf"
        downloading.value.save_as(pdf)
        self.shoot("result-with-document")

        self.page.click("nav.menu a[href$='/verify']")
        self.page.wait_for_url(re.compile(r"/verify$"))
        self.shoot("verify")
        self.page.set_input_files("#document", str(pdf))
        self.page.click("#verify-pdf button[type=submit]")
        self.page.wait_for_selector("#verdict")
        self.shoot("verified")
        assert self.page.get_attribute("#verdict", "data-verdict") == "valid"
        assert verdict_text in self.page.inner_text("#verdict h2")
        assert self.page.locator("#verdict li.check.pass").count() == 8
        return pdf

    def section(self, name: str, answers: dict[str, Any], action: str = "next") -> None:
        self.page.wait_for_url(re.compile(f"/sections/{name}$"))
        for question, value in answers.items():
            self.answer(question, value)
        self.shoot(name)
        self.page.click(f"button[name=action][value={action}]")


CHOICE_KINDS = ("yes_no", "single_choice", "multiple_choice")


def page_value(page: Any, selector: str) -> str:
    return str(page.eval_on_selector(selector, "element => element.value"))


THAI_SCAM_RETURNEE = [
    (
        "interview",
        {
            "interview_date": "2026-11-20",
            "interview_place": "บ้านพักเด็กและครอบครัวจังหวัดเชียงราย",
            "interpreter_used": "no",
            "consent_screening": "yes",
            "consent_sharing": "yes",
            "consent_referral": "yes",
        },
    ),
    (
        "person",
        {
            "full_name": "สมใจ ทดสอบ",
            "age_now": "25",
            "age_at_departure": "24",
            "sex": "female",
            "nationality": "thai",
            "document_number": "declined",
            "languages_spoken": ["th", "en"],
            "school_level": "upper_secondary",
        },
    ),
    (
        "recruitment",
        {
            "situation_before": ["no_income", "debts"],
            "recruit_channel": "social_media",
            "recruit_platform": ["facebook", "telegram"],
            "recruiter_relation": "online_only",
            "promised_job": "customer_service",
            "promised_pay": ("25000", "THB"),
            "what_different": ["kind_of_work", "place", "conditions", "pay"],
            "could_check": "no",
            "recruiter_tactics": ["false_success"],
            "debt_before_arrival": "yes",
        },
    ),
    (
        "journey",
        {
            "journey_arranged_by": "recruiter",
            "could_travel_alone": "no",
            "escorted": "yes",
            "border_crossing": "not_checkpoint",
            "crossing_place": "ท่าเรือเชียงแสน",
            "handed_over": "yes",
            "journey_confined": "yes",
            "journey_violence": "no",
            "journey_coercion": ["took_documents"],
            "met_on_arrival": "yes",
        },
    ),
]
THAI_SCAM_RETURNEE_AFTER_PAUSE = [
    (
        "work",
        {
            "work_country": "laos",
            "work_place": "เขตเศรษฐกิจพิเศษสามเหลี่ยมทองคำ",
            "months_there": "5",
            "work_actual": ["online_scams"],
            "hours_per_day": "16",
            "days_off_month": "0",
            "pay_received": "less",
            "pay_held_back": "yes",
            "fines": "yes",
            "fine_reasons": ["missed_target", "small_rules"],
            "fines_total": ("30000", "THB"),
            "has_target": "yes",
            "target_punished": "yes",
            "living_where": "at_workplace",
            "living_conditions": ["crowded"],
            "work_conditions": ["no_breaks"],
            "hazards": "no",
            "social_protection": "no",
        },
    ),
    (
        "scam_compound",
        {
            "scam_told_before": "no",
            "scam_types": ["crypto", "romance"],
            "scam_could_refuse": "no",
            "scam_daily_quota": "50",
            "scam_fines_ate_salary": "yes",
            "scam_recruit_friends": "yes",
        },
    ),
    (
        "control",
        {
            "documents_taken": "yes",
            "phone_contact": "yes",
            "could_go_out": "no",
            "security": ["walls", "guards", "cameras"],
            "could_quit": "no",
            "travel_debt": "yes",
            "travel_debt_amount": ("80000", "THB"),
            "exit_fee": "yes",
            "exit_fee_amount": ("5000", "USDT"),
            "threats": ["hurt", "sell"],
            "violence": "yes",
            "sexual_violence": "declined",
            "forced_sex_work": "no",
            "drugs": "no",
            "sold_or_moved": "no",
            "against_coworkers": "no",
            "told_to_lie": "yes",
            "other_crimes": "no",
            "forced_marriage": "no",
            "organ_removal": "no",
            "situation_there": ["depended", "unknown_place"],
        },
    ),
    (
        "exit",
        {
            "exit_how": "rescued",
            "detained_after": "no",
            "in_danger_now": "no",
            "needs": ["medical", "family_contact", "travel_home"],
            "others_still_there": "yes",
            "interviewer_notes": "ขอให้ติดต่อครอบครัวที่จังหวัดพะเยา",
        },
    ),
]


@pytest.mark.parametrize("page", ["th"], indirect=True)
def test_a_thai_scam_compound_returnee_paused_and_resumed_is_a_likely_victim(
    page, people, agency_key
):
    story = Story(page, "th")
    story.sign_in("nok", "th")
    story.start("th")

    for name, answers in THAI_SCAM_RETURNEE[:-1]:
        story.section(name, answers)
    journey_name, journey = THAI_SCAM_RETURNEE[-1]
    story.section(journey_name, journey, action="pause")

    page.wait_for_url(re.compile(r"/screenings$"))
    assert "สัมภาษณ์ต่อได้จากรายการนี้" in page.inner_text(".flash")
    story.shoot("paused")
    page.click("a.button.primary:has-text('สัมภาษณ์ต่อ')")
    page.wait_for_url(re.compile(r"/sections/journey$"))
    assert page.locator("[name=q_crossing_place]").input_value() == "ท่าเรือเชียงแสน"
    story.shoot("resumed")
    page.click("button[name=action][value=next]")

    for name, answers in THAI_SCAM_RETURNEE_AFTER_PAUSE:
        story.section(name, answers)

    page.wait_for_url(re.compile(r"/review$"))
    story.shoot("review")
    assert "80,000 THB" in page.inner_text("main")
    page.click("form.complete button")
    page.wait_for_url(re.compile(r"/result$"))
    story.shoot("result")

    assert page.get_attribute("#band", "data-band") == "likely"
    band = page.inner_text("#band")
    assert "น่าจะเป็นผู้เสียหายจากการค้ามนุษย์ตามมาตรฐานร่วม" in band
    assert "หลักการไม่ลงโทษผู้เสียหาย" in page.inner_text("#non-punishment")
    assert "gms-returnee 1.0.0" in page.inner_text("#record")

    # The signed PDF, issued with Lao beside Thai, verifies in the browser.
    story.issue_and_verify("lo", "เอกสารถูกต้อง")
    assert page.problems == []


LAO_DECLINED = [
    (
        "interview",
        {
            "interview_date": "2026-11-22",
            "interview_place": "ດ່ານສາກົນຫ້ວຍຊາຍ",
            "interpreter_used": "yes",
            "interpreter_language": "lo",
            "consent_screening": "yes",
            "consent_sharing": "no",
            "consent_referral": "yes",
        },
    ),
    (
        "person",
        {
            "age_now": "28",
            "age_at_departure": "27",
            "sex": "male",
            "nationality": "lao",
            "languages_spoken": ["lo", "th"],
            "school_level": "lower_secondary",
        },
    ),
    (
        "recruitment",
        {
            "situation_before": ["none"],
            "recruit_channel": "friend",
            "recruiter_relation": "friend",
            "promised_job": "hospitality",
            "promised_pay": ("3000000", "LAK"),
            "what_different": ["kind_of_work", "pay"],
            "could_check": "no",
            "recruiter_tactics": ["none"],
            "debt_before_arrival": "no",
        },
    ),
    (
        "journey",
        {
            "journey_arranged_by": "recruiter",
            "could_travel_alone": "yes",
            "escorted": "no",
            "border_crossing": "checkpoint_pass",
            "crossing_place": "ດ່ານຫ້ວຍຊາຍ–ເຊียງຂອງ",
            "handed_over": "no",
            "journey_confined": "no",
            "journey_violence": "no",
            "journey_coercion": ["none"],
            "met_on_arrival": "no",
        },
    ),
    (
        "work",
        {
            "work_country": "thailand",
            "work_place": "dont_know",
            "months_there": "8",
            "work_actual": ["manual"],
            "hours_per_day": "14",
            "days_off_month": "2",
            "pay_received": "less",
            "pay_held_back": "no",
            "fines": "no",
            "has_target": "no",
            "living_where": "own_place",
            "living_conditions": ["none"],
            "work_conditions": ["none"],
            "hazards": "no",
            "social_protection": "no",
        },
    ),
    (
        "control",
        {
            "documents_taken": "declined",
            "phone_contact": "declined",
            "could_go_out": "declined",
            "security": "declined",
            "could_quit": "declined",
            "travel_debt": "no",
            "exit_fee": "no",
            "threats": "declined",
            "violence": "declined",
            "sexual_violence": "declined",
            "forced_sex_work": "no",
            "drugs": "no",
            "sold_or_moved": "no",
            "against_coworkers": "no",
            "told_to_lie": "no",
            "other_crimes": "no",
            "forced_marriage": "no",
            "organ_removal": "no",
            "situation_there": ["none"],
        },
    ),
    (
        "exit",
        {
            "exit_how": "released",
            "detained_after": "yes",
            "in_danger_now": "dont_know",
            "needs": ["travel_home", "money_work"],
            "others_still_there": "dont_know",
        },
    ),
]


@pytest.mark.parametrize("page", ["lo"], indirect=True)
def test_a_lao_screening_with_declined_answers_is_possible_and_says_why(
    page, people, agency_key
):
    story = Story(page, "lo")
    story.sign_in("nok", "lo")
    story.start("lo", "th")

    for name, answers in LAO_DECLINED:
        story.section(name, answers)

    page.wait_for_url(re.compile(r"/review$"))
    story.shoot("review")
    page.click("form.complete button")
    page.wait_for_url(re.compile(r"/result$"))
    story.shoot("result")

    assert page.get_attribute("#band", "data-band") == "possible"
    assert "ອາດເປັນຜູ້ຖືກເຄາະຮ້າຍຈາກການຄ້າມະນຸດ" in page.inner_text("#band")
    reason = page.inner_text("#inconclusive")
    assert "ເຫດທີ່ຜົນການຄັດກອງຍັງບໍ່ຈະແຈ້ງ" in reason
    assert "ບໍ່ຂໍຕອບ" in reason
    assert "CD1" in reason or "CD3" in reason or "CD4" in reason

    # A Thai agency's document of a Lao interview: Thai is its second language.
    story.issue_and_verify("th", "ເອກະສານຖືກຕ້ອງ")
    assert page.problems == []


def test_conditional_questions_appear_and_disappear_as_answers_change(page, people):
    story = Story(page, "en-conditions")
    story.sign_in("nok", "en")
    story.start("en")

    interpreter_language = page.locator("#question-interpreter_language")
    assert interpreter_language.is_hidden()
    story.answer("interpreter_used", "yes")
    assert interpreter_language.is_visible()
    story.answer("interpreter_used", "no")
    assert interpreter_language.is_hidden()

    story.answer("consent_screening", "yes")
    status = page.locator(".autosave-status")
    status.filter(has_text="saved").wait_for(timeout=10_000)
    assert page.problems == []


@pytest.mark.parametrize("page", ["th"], indirect=True)
def test_pages_fit_a_small_phone_without_sideways_scrolling(page, people):
    story = Story(page, "th-narrow")
    page.set_viewport_size({"width": 360, "height": 740})
    story.sign_in("nok", "th")
    story.start("th", "lo")
    story.section("interview", THAI_SCAM_RETURNEE[0][1])
    page.wait_for_url(re.compile(r"/sections/person$"))

    width = page.evaluate("document.documentElement.scrollWidth")
    story.shoot("person")
    assert width <= 360


def test_without_javascript_revealed_questions_appear_after_saving(
    browser, live_server, people
):
    context = browser.new_context(
        viewport=TABLET, base_url=live_server, java_script_enabled=False
    )
    page = context.new_page()
    story = Story(page, "en-nojs")
    story.sign_in("nok", "en")
    story.start("en")

    story.answer("interpreter_used", "yes")
    assert page.locator("#question-interpreter_language").is_hidden()
    story.answer("consent_screening", "yes")
    page.click("button[name=action][value=next]")

    page.wait_for_url(re.compile(r"/sections/interview$"))
    assert "opened more questions" in page.inner_text("main")
    story.answer("interpreter_language", "lo")
    story.shoot("revealed")
    page.click("button[name=action][value=next]")
    page.wait_for_url(re.compile(r"/sections/person$"))
    context.close()


@pytest.mark.parametrize("page", ["lo"], indirect=True)
def test_an_administrator_exchanges_trust_files_on_a_phone(
    page, people, agency_key, tmp_path
):
    from screening.documents import keys, trust

    counterpart = tmp_path / "counterpart"
    keys.create_signing_key(
        counterpart, keys.AgencyIdentity("Bokeo Anti-Trafficking Unit", "LA", "Bokeo")
    )
    bundle = tmp_path / "bokeo.pem"
    bundle.write_bytes(trust.export_trust_bundle(counterpart))
    story = Story(page, "lo-trust")
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto("/login")
    page.click("button[name=language][value=lo]")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.click("nav.menu a[href$='/admin/trust']")
    page.wait_for_url(re.compile(r"/admin/trust$"))
    story.shoot("trust")
    with page.expect_download() as downloading:
        page.click("a[href$='/admin/trust/bundle.pem']")
    assert downloading.value.suggested_filename == "trust-bundle.pem"

    page.set_input_files("#bundle", str(bundle))
    page.click("form.import-form:has(#bundle) button[type=submit]")
    story.shoot("check")
    sha256 = keys.load_signing_material(counterpart).fingerprint
    assert sha256 in page.inner_text("#bundle-certificates")
    page.click("form:has(input[name=expected]) button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/trust$"))
    story.shoot("imported")
    assert "Bokeo Anti-Trafficking Unit" in page.inner_text("#trusted-issuers")
    page.click("a[href$='/admin/documents']")
    story.shoot("documents")
    assert page.problems == []
