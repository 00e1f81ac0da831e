"""The scoring rule of gms-common@1, checked against STANDARD.md.

Three kinds of test: the worked cases shipped with the standard, a table of
hand-made cases for each part of the rule, and property tests over random
answers, including a comparison with an independent reading of the rule
written below from the text of STANDARD.md alone.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.scoring import (
    BANDS,
    ScoringInputError,
    assess,
    band_rank,
)
from screening.standard import Standard

from .conftest import DATA, SHARED

CASES = [json.loads(line) for line in (DATA / "indicator_examples.jsonl").open()]


def test_the_bundled_cases_are_the_shared_ones():
    shared = SHARED / "cases" / "indicator_examples.jsonl"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert (DATA / "indicator_examples.jsonl").read_text() == shared.read_text()


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_worked_example(standard, case):
    given_input, expected = case["input"], case["expect"]
    profile = "child" if given_input["child"] else "adult"

    result = assess(standard, given_input["indicators"], profile)

    assert result.band == expected["band"]
    assert dict(result.elements) == expected["elements"]
    assert list(result.positive_dimensions) == expected["positive_dimensions"]
    assert list(result.flags) == expected["flags"]


# --- the rule, part by part ---------------------------------------------------

RULE_TABLE = [
    # (name, profile, yes indicators, expected positive dimensions, band)
    ("two strong make pattern a", "adult", ["CD1", "CD4"], ["D5"], "possible"),
    (
        "one strong and one weak make pattern b",
        "adult",
        ["CD1", "CD15"],
        ["D5"],
        "possible",
    ),
    ("three medium make pattern c", "adult", ["RV1", "RV2", "RV3"], ["D3"], "possible"),
    (
        "two medium and a weak make pattern d",
        "adult",
        ["RV1", "RV2", "RV13"],
        ["D3"],
        "possible",
    ),
    (
        "three weak are not enough",
        "adult",
        ["RV13", "RV14", "RV15"],
        [],
        "not_established",
    ),
    (
        "one medium and two weak are not enough",
        "adult",
        ["RV1", "RV13", "RV14"],
        [],
        "not_established",
    ),
    (
        "weights do not cross dimensions",
        "adult",
        ["DR2", "CR3", "RV1"],
        [],
        "not_established",
    ),
    ("a weak indicator alone is not enough", "adult", ["VD6"], [], "not_established"),
    ("a single strong indicator makes it possible", "adult", ["EX1"], [], "possible"),
    ("DR10 is weak for an adult", "adult", ["DR2", "DR3", "DR10"], ["D1"], "possible"),
    (
        "DR10 is medium for a child: pattern c",
        "child",
        ["DR2", "DR3", "DR10"],
        ["D1"],
        "possible",
    ),
    ("EX3 is strong for a child", "child", ["EX3", "EX2"], ["D4"], "possible"),
    ("EX3 is medium for an adult", "adult", ["EX3", "EX2"], [], "not_established"),
    ("CR2 is strong for a child", "child", ["CR2", "CR1"], ["D2"], "possible"),
    (
        "adult rule: recruitment means, exploitation and destination means",
        "adult",
        ["CR1", "CR3", "EX1", "EX4", "VD1", "VD2", "VD7"],
        ["D2", "D4", "D6"],
        "likely",
    ),
    (
        "adult without destination means is possible",
        "adult",
        ["CR1", "CR3", "EX1", "EX4"],
        ["D2", "D4"],
        "possible",
    ),
    (
        "adult without recruitment means is possible",
        "adult",
        ["ACT1", "EX1", "EX4", "CD1", "CD3"],
        ["D4", "D5"],
        "possible",
    ),
    (
        "child: positive D4 and an act",
        "child",
        ["ACT4", "EX1", "EX2"],
        ["D4"],
        "likely",
    ),
    ("child: any D4 indicator makes it possible", "child", ["EX4"], [], "possible"),
    (
        "adult: a lone medium D4 indicator is not enough",
        "adult",
        ["EX4"],
        [],
        "not_established",
    ),
    ("child: a form of exploitation without an act", "child", ["PU1"], [], "possible"),
    (
        "child: act via a positive recruitment dimension",
        "child",
        ["DR1", "DR2", "PU2"],
        ["D1"],
        "likely",
    ),
    (
        "a form of exploitation alone makes an adult possible",
        "adult",
        ["PU5"],
        [],
        "possible",
    ),
    (
        "acts alone establish nothing",
        "adult",
        ["ACT1", "ACT2", "ACT3"],
        [],
        "not_established",
    ),
]


@pytest.mark.parametrize(
    ("profile", "yes", "dimensions", "band"),
    [row[1:] for row in RULE_TABLE],
    ids=[row[0] for row in RULE_TABLE],
)
def test_rule_table(standard, profile, yes, dimensions, band):
    result = assess(standard, dict.fromkeys(yes, "yes"), profile)

    assert list(result.positive_dimensions) == dimensions
    assert result.band == band


def test_the_pattern_that_made_each_dimension_positive_is_reported(standard):
    states = dict.fromkeys(
        ["DR1", "DR2", "EX2", "EX4", "EX5", "VD1", "VD2", "VD6"], "yes"
    )

    result = assess(standard, states, "adult")

    patterns = {item.id: item.pattern for item in result.dimensions if item.positive}
    assert patterns == {"D1": "b", "D4": "c", "D6": "d"}
    d1 = next(item for item in result.dimensions if item.id == "D1")
    assert [(hit.id, hit.strength) for hit in d1.yes] == [("DR1", "S"), ("DR2", "M")]


def test_labour_rights_flag_needs_no_means(standard):
    exploited = dict.fromkeys(["EX1", "EX4"], "yes")
    assert assess(standard, exploited, "adult").flags == ("labour_rights",)

    with_means = {**exploited, "CD1": "yes", "CD4": "yes"}
    assert assess(standard, with_means, "adult").flags == ()


def test_inconclusive_names_the_answers_that_could_complete_the_rule(standard):
    states = {
        "DR1": "yes",
        "DR8": "yes",
        "EX1": "yes",
        "EX2": "yes",
        "CD3": "declined",
        "CD1": "unknown",
        "VD6": "unknown",  # weak: cannot complete D6 alone, so it is not needed
    }

    result = assess(standard, states, "adult")

    assert result.band == "possible"
    inconclusive = [
        reason for reason in result.reasons if reason.code == "inconclusive"
    ]
    assert inconclusive[0].uncertain == (("CD1", "unknown"), ("CD3", "declined"))


def test_unknown_answers_alone_can_make_a_screening_possible(standard):
    states = {key: "unknown" for key in ["DR1", "DR2", "EX1", "EX2", "CD1", "CD3"]}

    result = assess(standard, states, "adult")

    assert result.band == "possible"
    assert [reason.code for reason in result.reasons] == ["likely_rule", "inconclusive"]


def test_uncertain_answers_that_cannot_complete_the_rule_do_not_raise_the_band(
    standard,
):
    states = {"ACT1": "yes", "RV13": "unknown", "VD6": "declined"}

    result = assess(standard, states, "adult")

    assert result.band == "not_established"
    assert result.reasons[-1].code == "nothing_established"


def test_likely_reasons_list_each_part_of_the_rule_with_its_evidence(standard):
    states = dict.fromkeys(
        ["ACT1", "DR1", "DR8", "EX2", "EX4", "EX8", "CD1", "CD3"], "yes"
    )

    result = assess(standard, states, "adult")

    clauses = result.reasons[0].clauses
    assert [(clause.rule, clause.met, clause.by) for clause in clauses] == [
        ("D1 or D2 or D3", True, ("D1",)),
        ("D4", True, ("D4",)),
        ("D5 or D6", True, ("D5",)),
    ]


def test_absent_and_none_states_are_the_same(standard):
    assert assess(standard, {"DR1": None}, "adult") == assess(standard, {}, "adult")


@pytest.mark.parametrize(
    ("states", "message"),
    [
        ({"XX1": "yes"}, "unknown indicator ID 'XX1'"),
        ({"DR1": "maybe"}, "state 'maybe' is not one of"),
        ({"DR1": True}, "state True is not one of"),
    ],
)
def test_bad_states_are_refused_with_a_clear_message(standard, states, message):
    with pytest.raises(ScoringInputError, match=message):
        assess(standard, states, "adult")


def test_a_bad_profile_is_refused(standard):
    with pytest.raises(ScoringInputError, match="profile must be adult or child"):
        assess(standard, {}, "elder")  # type: ignore[arg-type]


def test_a_faster_assessment_without_reasons_has_the_same_result(standard):
    states = {
        "DR1": "yes",
        "EX1": "yes",
        "EX2": "yes",
        "CD1": "unknown",
        "CD3": "declined",
    }

    full = assess(standard, states, "adult")
    quick = assess(standard, states, "adult", explain=False)

    assert quick.summary() == full.summary()
    assert quick.reasons == ()


# --- an independent reading of STANDARD.md --------------------------------------

# Strengths typed from the tables of STANDARD.md: "X" for adult X/child X,
# "X/Y" where adult and child differ.
ORACLE_STRENGTHS = {
    "D1": "S M M M M M M M M W/M",
    "D2": "S M/S M M M M M M M M",
    "D3": "M M M M M M M M M M M M W W W W",
    "D4": "S M M/S M M M M M W/M",
    "D5": "S S S S M/S M/S M M M M M M M M W",
    "D6": "M M M M M W W",
}
ORACLE_PREFIX = {"D1": "DR", "D2": "CR", "D3": "RV", "D4": "EX", "D5": "CD", "D6": "VD"}


def _oracle_strength(indicator: str, child: bool) -> tuple[str, str] | None:
    for dimension, prefix in ORACLE_PREFIX.items():
        number = indicator[len(prefix) :]
        if indicator.startswith(prefix) and number.isdigit():
            table = ORACLE_STRENGTHS[dimension].split()
            adult_child = table[int(number) - 1].split("/")
            return dimension, adult_child[-1] if child else adult_child[0]
    return None


def _oracle_dimension_positive(strengths: list[str]) -> bool:
    s, m, w = (strengths.count(letter) for letter in "SMW")
    return s >= 2 or (s >= 1 and m + w >= 1) or m >= 3 or (m >= 2 and w >= 1)


def _oracle_positive(yes: set[str], child: bool) -> dict[str, bool]:
    per_dimension: dict[str, list[str]] = {dimension: [] for dimension in ORACLE_PREFIX}
    for indicator in yes:
        found = _oracle_strength(indicator, child)
        if found:
            per_dimension[found[0]].append(found[1])
    return {d: _oracle_dimension_positive(s) for d, s in per_dimension.items()}


def _oracle(yes: set[str], child: bool) -> tuple[bool, dict[str, bool]]:
    """(likely, elements) for a set of yes indicators, read from STANDARD.md."""
    positive = _oracle_positive(yes, child)
    recruitment = positive["D1"] or positive["D2"] or positive["D3"]
    act = any(i.startswith("ACT") for i in yes) or recruitment
    means = recruitment or positive["D5"] or positive["D6"]
    purpose = positive["D4"] or any(i.startswith("PU") for i in yes)
    if child:
        likely = act and purpose
    else:
        likely = recruitment and positive["D4"] and (positive["D5"] or positive["D6"])
    return likely, {"act": act, "means": means, "purpose": purpose}


def _oracle_band(states: dict[str, str], child: bool) -> str:
    yes = {key for key, state in states.items() if state == "yes"}
    if _oracle(yes, child)[0]:
        return "likely"
    uncertain = {
        key for key, state in states.items() if state in ("unknown", "declined")
    }
    strengths = [_oracle_strength(i, child) for i in yes]
    if (
        any(_oracle_positive(yes, child).values())
        or any(found and found[1] == "S" for found in strengths)
        or any(i.startswith("PU") for i in yes)
        or (child and any(i.startswith("EX") for i in yes))
        or _oracle(yes | uncertain, child)[0]
    ):
        return "possible"
    return "not_established"


def _all_ids(standard: Standard) -> list[str]:
    return list(standard.indicators)


STATE_VALUES = st.sampled_from(["yes", "no", "unknown", "declined"])


@st.composite
def screenings(draw: st.DrawFn, standard: Standard) -> tuple[dict[str, str], bool]:
    ids = draw(st.lists(st.sampled_from(_all_ids(standard)), unique=True, max_size=25))
    states = {key: draw(STATE_VALUES) for key in ids}
    return states, draw(st.booleans())


def _property_settings(examples: int = 400) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


@pytest.fixture(scope="module")
def gms(standards):
    return standards.get("gms-common@1")


def test_the_oracle_reads_every_indicator_of_the_standard(gms):
    weighted = [key for key, item in gms.indicators.items() if item.strength["adult"]]
    for key in weighted:
        for child, profile in ((False, "adult"), (True, "child")):
            found = _oracle_strength(key, child)
            assert found is not None
            assert found == (
                gms.indicators[key].group,
                gms.indicators[key].strength[profile],
            )


def test_scoring_agrees_with_an_independent_reading_of_the_standard(gms):
    @given(screenings(gms))
    @_property_settings(600)
    def check(screening):
        states, child = screening
        result = assess(gms, states, "child" if child else "adult")
        yes = {key for key, state in states.items() if state == "yes"}
        assert result.band == _oracle_band(states, child)
        assert dict(result.elements) == _oracle(yes, child)[1]

    check()


def test_scoring_is_deterministic_whatever_the_order_of_the_answers(gms):
    @given(screenings(gms), st.randoms())
    @_property_settings()
    def check(screening, rng: random.Random):
        states, child = screening
        profile = "child" if child else "adult"
        shuffled = list(states.items())
        rng.shuffle(shuffled)

        first = assess(gms, states, profile)
        second = assess(gms, dict(shuffled), profile)

        assert first == second
        assert json.dumps(first.explanation()) == json.dumps(second.explanation())

    check()


def test_turning_an_answer_into_yes_never_lowers_the_band(gms):
    @given(screenings(gms), st.sampled_from(list(gms.indicators)))
    @_property_settings()
    def check(screening, indicator):
        states, child = screening
        profile = "child" if child else "adult"
        before = assess(gms, states, profile)
        after = assess(gms, {**states, indicator: "yes"}, profile)

        assert band_rank(after.band) >= band_rank(before.band)
        for element, held in before.elements.items():
            assert after.elements[element] or not held

    check()


def test_turning_unknown_or_declined_into_no_never_raises_the_band(gms):
    @given(screenings(gms), st.data())
    @_property_settings()
    def check(screening, data):
        states, child = screening
        uncertain = [
            key for key, state in states.items() if state in ("unknown", "declined")
        ]
        if not uncertain:
            return
        indicator = data.draw(st.sampled_from(uncertain))
        profile = "child" if child else "adult"

        before = assess(gms, states, profile)
        after = assess(gms, {**states, indicator: "no"}, profile)

        assert band_rank(after.band) <= band_rank(before.band)

    check()


def test_not_established_is_never_reached_with_a_strong_indicator(gms):
    strong = [
        key for key, item in gms.indicators.items() if item.strength["adult"] == "S"
    ]

    @given(screenings(gms), st.sampled_from(strong))
    @_property_settings(200)
    def check(screening, indicator):
        states, _ = screening
        result = assess(gms, {**states, indicator: "yes"}, "adult")
        assert result.band != "not_established"

    check()


def test_bands_are_ordered():
    assert [band_rank(band) for band in BANDS] == [0, 1, 2]


def test_the_standard_file_hash_ignores_labels(tmp_path: Path, gms):
    from screening.standard import load_standard

    from .conftest import QUESTIONNAIRES

    text = (QUESTIONNAIRES / "standards" / "gms-common@1.yaml").read_text()
    relabelled = tmp_path / "gms-common@1.yaml"
    relabelled.write_text(
        text.replace("Deceptive recruitment", "Recruitment by deception")
    )
    reweighted = tmp_path / "other.yaml"
    reweighted.write_text(
        text.replace("{id: DR2, strength: M", "{id: DR2, strength: S")
    )

    assert load_standard(relabelled).digest == gms.digest
    assert load_standard(reweighted).digest != gms.digest


def test_inconclusive_prefers_to_name_strong_answers_over_weak_ones(standard):
    # D5 could be completed by the two strong answers, or by one strong and
    # the weak CD15: the reason names the strong pair.
    states = {
        "DR1": "yes",
        "DR8": "yes",
        "EX1": "yes",
        "EX2": "yes",
        "CD1": "declined",
        "CD3": "declined",
        "CD15": "declined",
    }

    result = assess(standard, states, "adult")

    inconclusive = next(r for r in result.reasons if r.code == "inconclusive")
    assert inconclusive.uncertain == (("CD1", "declined"), ("CD3", "declined"))


def test_every_answer_named_as_inconclusive_is_needed(gms):
    @given(screenings(gms))
    @_property_settings(300)
    def check(screening):
        states, child = screening
        profile = "child" if child else "adult"
        result = assess(gms, states, profile)
        reasons = [r for r in result.reasons if r.code == "inconclusive"]
        if not reasons:
            return
        named = [key for key, _ in reasons[0].uncertain]
        as_yes = {**states, **dict.fromkeys(named, "yes")}
        assert assess(gms, as_yes, profile).band == "likely"
        for key in named:  # and none of them could be left out
            without = {**as_yes, key: states[key]}
            assert assess(gms, without, profile).band != "likely"

    check()
