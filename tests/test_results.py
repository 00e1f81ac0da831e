from __future__ import annotations

import html

import pytest

from screening import labels
from tests.helpers import LIKELY_WORK, consent, save, start

WORDING = {
    "likely": "Likely victim of trafficking under the common standard. Refer for "
    "formal identification, protection and assistance.",
    "possible": "Possible victim of trafficking. Further assessment needed; refer "
    "and arrange a follow-up interview.",
    "not_established": "Trafficking indicators were not established at this "
    "screening. This does not mean the person is not a victim; offer information, "
    "services and a way to be screened again.",
}

NOTHING_FOUND = {
    "job_found": "myself",
    "job_different": "no",
    "work_kinds": "cleaning",
    "hours_per_day": "8",
    "could_leave": "yes",
    "passport_taken": "no",
}
# The mini questionnaire has too few questions for the adult rule, so the
# likely and inconclusive cases are a child's (act and purpose suffice).
DECLINED_WORK = {
    "job_found": "online",
    "job_different": "yes",
    "work_kinds": "declined",
    "hours_per_day": "15",
}
CASES = {
    "likely": (LIKELY_WORK, "15"),
    "possible": (DECLINED_WORK, "16"),
    "not_established": (NOTHING_FOUND, "30"),
}


def complete(browser, work: dict, age: str = "30") -> str:
    reference = start(browser)
    consent(browser, reference)
    save(browser, reference, "person", {"age_at_departure": age})
    save(browser, reference, "work", work, _js="1")
    assert browser.post(f"/screenings/{reference}/complete").status_code == 302
    return html.unescape(
        browser.get(f"/screenings/{reference}/result").get_data(as_text=True)
    )


def test_the_band_wording_is_exactly_the_domain_wording():
    assert labels.BAND_TEXTS == WORDING


@pytest.mark.parametrize("band", sorted(CASES))
def test_the_result_page_states_the_band_in_the_domain_wording(signed_in, band):
    work, age = CASES[band]
    page = complete(signed_in("nok"), work, age)

    assert f'data-band="{band}"' in page
    assert WORDING[band] in page


def test_no_result_ever_says_not_a_victim_except_to_deny_it(signed_in):
    page = complete(signed_in("nok"), NOTHING_FOUND)

    remainder = page.replace(WORDING["not_established"], "")
    assert "not a victim" not in remainder.lower()


def test_a_likely_result_explains_each_dimension_with_the_answers(signed_in):
    page = complete(signed_in("nok"), LIKELY_WORK, "15")

    assert 'data-band="likely"' in page
    assert '<span class="code">D5</span> Coercion at destination' in page
    dimension = page.split('id="dimension-D5"', 1)[1].split('id="dimension-D6"', 1)[0]
    assert "positive" in dimension
    assert "CD1" in dimension
    assert "Was your passport taken?" in dimension
    assert "30,000 THB" in dimension
    elements = page.split('id="elements"', 1)[1].split("</section>", 1)[0]
    assert elements.count("established") == 3
    assert "not established" not in elements


def test_an_inconclusive_result_says_which_answers_were_declined(signed_in):
    page = complete(signed_in("nok"), DECLINED_WORK, "16")

    assert 'data-band="possible"' in page
    reason = page.split('id="inconclusive"', 1)[1].split("</div>", 1)[0]
    assert "Why the screening is inconclusive" in reason
    assert "What work did you do?" in reason
    assert "Prefer not to say" in reason
    assert "PU3" in reason


def test_a_child_is_scored_with_the_child_profile(signed_in):
    page = complete(
        signed_in("nok"), {"job_found": "online", "work_kinds": "scam"}, age="15"
    )

    assert "child profile" in page
    assert 'data-band="likely"' in page


def test_the_result_names_the_questionnaire_its_hash_and_the_standard(signed_in, app):
    page = complete(signed_in("nok"), LIKELY_WORK)

    questionnaire = app.extensions["screening"].catalog.get("mini")
    assert questionnaire.digest in page
    assert "mini 0.1.0" in page
    assert "gms-common@1" in page
    assert "non-punishment principle" in page


def test_the_result_page_keeps_a_place_for_the_signed_document_button():
    from pathlib import Path

    import screening

    template = Path(screening.__file__).parent / "templates/results/result.html"
    assert "{% block document_actions %}" in template.read_text()
