"""Scoring: indicator states and a profile in, an explained assessment out.

This is the one place the rule of a standard is applied. It is pure: no
Flask, no database, no files. The same states, profile and standard always
give the same assessment, in any language, on any machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from screening.standard import (
    AllOf,
    AnyDimension,
    AnyOf,
    DimensionPositive,
    ElementHolds,
    Expression,
    Inconclusive,
    Not,
    Profile,
    ProfileIs,
    Standard,
    YesIn,
    YesStrength,
)

State = Literal["yes", "no", "unknown", "declined"]
STATES: tuple[State, ...] = ("yes", "no", "unknown", "declined")
UNCERTAIN: frozenset[str] = frozenset({"unknown", "declined"})
Band = Literal["likely", "possible", "not_established"]
BANDS: tuple[Band, ...] = ("not_established", "possible", "likely")


class ScoringInputError(ValueError):
    """The indicator states cannot be scored (unknown ID or state)."""


class IndicatorHit(NamedTuple):
    """A `yes` indicator and the strength it counted with."""

    id: str
    strength: str | None


class DimensionResult(NamedTuple):
    """A dimension, whether it is positive, by which pattern, and its yes indicators."""

    id: str
    positive: bool
    pattern: str | None
    yes: tuple[IndicatorHit, ...]


@dataclass(frozen=True)
class Clause:
    """One part of the rule, whether it held, and the IDs that made it hold."""

    rule: str
    met: bool
    by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    """Why the band is what it is: a code, the clause, and its evidence.

    Codes: ``likely_rule`` (the profile's rule, clause by clause),
    ``possible_clause`` (a clause of the `possible` rule that held),
    ``inconclusive`` (unknown or declined answers that, read as yes, would
    make the result `likely`) and ``nothing_established``.
    """

    code: str
    clauses: tuple[Clause, ...] = ()
    uncertain: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Assessment:
    standard: str
    standard_digest: str
    profile: Profile
    band: Band
    elements: Mapping[str, bool]
    dimensions: tuple[DimensionResult, ...]
    flags: tuple[str, ...]
    reasons: tuple[Reason, ...]
    states: Mapping[str, State] = field(default_factory=dict)

    @property
    def positive_dimensions(self) -> tuple[str, ...]:
        return tuple(result.id for result in self.dimensions if result.positive)

    def summary(self) -> dict[str, Any]:
        """The result as `screening score` prints it."""
        return {
            "standard": self.standard,
            "child": self.profile == "child",
            "band": self.band,
            "elements": dict(self.elements),
            "dimensions": {result.id: result.positive for result in self.dimensions},
            "flags": list(self.flags),
        }

    def explanation(self) -> dict[str, Any]:
        """Everything a reader needs to see why the band is what it is."""
        return {
            "profile": self.profile,
            "standard_digest": self.standard_digest,
            "positive_dimensions": {
                result.id: {
                    "pattern": result.pattern,
                    "indicators": [
                        {"id": hit.id, "strength": hit.strength} for hit in result.yes
                    ],
                }
                for result in self.dimensions
                if result.positive
            },
            "yes_indicators": sorted(
                key for key, state in self.states.items() if state == "yes"
            ),
            "uncertain_indicators": {
                key: state
                for key, state in sorted(self.states.items())
                if state in UNCERTAIN
            },
            "reasons": [_reason_dict(reason) for reason in self.reasons],
        }


def _reason_dict(reason: Reason) -> dict[str, Any]:
    data: dict[str, Any] = {"code": reason.code}
    if reason.clauses:
        data["clauses"] = [
            {"rule": clause.rule, "met": clause.met, "by": list(clause.by)}
            for clause in reason.clauses
        ]
    if reason.uncertain:
        data["uncertain"] = [
            {"id": key, "state": state} for key, state in reason.uncertain
        ]
    return data


# --- evaluation ------------------------------------------------------------


class _Facts:
    """What the rule expressions read, for one reading of the answers."""

    __slots__ = (
        "_inconclusive",
        "completes_rule",
        "elements",
        "patterns",
        "profile",
        "yes_by_group",
        "yes_by_strength",
    )

    def __init__(
        self,
        profile: Profile,
        yes_by_group: dict[str, list[str]],
        yes_by_strength: dict[str, list[str]],
        patterns: dict[str, str | None],
    ) -> None:
        self.profile = profile
        self.yes_by_group = yes_by_group
        self.yes_by_strength = yes_by_strength
        self.patterns = patterns  # dimension -> first pattern that holds, or None
        self.elements: dict[str, bool] = {}
        self.completes_rule: Callable[[], bool] = _never
        self._inconclusive: bool | None = None

    def inconclusive(self) -> bool:
        """Would reading every unknown and declined answer as yes give `likely`?"""
        if self._inconclusive is None:
            self._inconclusive = self.completes_rule()
        return self._inconclusive


def _never() -> bool:
    return False


Predicate = Callable[[_Facts], bool]


def _any_of(parts: tuple[Predicate, ...]) -> Predicate:
    def predicate(facts: _Facts) -> bool:
        for part in parts:
            if part(facts):
                return True
        return False

    return predicate


def _all_of(parts: tuple[Predicate, ...]) -> Predicate:
    def predicate(facts: _Facts) -> bool:
        for part in parts:
            if not part(facts):
                return False
        return True

    return predicate


def _compile(expression: Expression, into: dict[int, Predicate]) -> Predicate:
    """Turn an expression into a closure, remembering every node's closure."""
    predicate: Predicate
    match expression:
        case DimensionPositive(dimension):
            predicate = lambda facts: facts.patterns[dimension] is not None
        case AnyOf(items):
            predicate = _any_of(tuple(_compile(item, into) for item in items))
        case AllOf(items):
            predicate = _all_of(tuple(_compile(item, into) for item in items))
        case YesIn(group):
            predicate = lambda facts: group in facts.yes_by_group
        case ElementHolds(element):
            predicate = lambda facts: facts.elements[element]
        case ProfileIs(profile):
            predicate = lambda facts: facts.profile == profile
        case YesStrength(strength):
            predicate = lambda facts: strength in facts.yes_by_strength
        case AnyDimension():
            predicate = lambda facts: any(
                p is not None for p in facts.patterns.values()
            )
        case Inconclusive():
            predicate = lambda facts: facts.inconclusive()
        case Not(item):
            inner = _compile(item, into)
            predicate = lambda facts: not inner(facts)
        case _:
            raise TypeError(f"not a rule expression: {expression!r}")
    into[id(expression)] = predicate
    return predicate


def _top_level(expression: Expression) -> tuple[Expression, ...]:
    return expression.items if isinstance(expression, AnyOf | AllOf) else (expression,)


class _Scorer:
    """A standard prepared for fast repeated scoring."""

    def __init__(self, standard: Standard) -> None:
        self.standard = standard
        rule = standard.rule
        self.strength_of = {
            profile: {
                key: item.strength[profile] for key, item in standard.indicators.items()
            }
            for profile in ("adult", "child")
        }
        self.group_and_strength = {
            profile: {
                key: (item.group, item.strength[profile])
                for key, item in standard.indicators.items()
            }
            for profile in ("adult", "child")
        }
        self.dimension_ids = tuple(group.id for group in standard.dimensions)
        self.order = {key: index for index, key in enumerate(standard.indicators)}
        self.patterns = tuple(
            (
                pattern.name,
                tuple(
                    (tuple(letters), minimum) for letters, minimum in pattern.minimums
                ),
            )
            for pattern in standard.patterns
        )
        self.compiled: dict[int, Predicate] = {}
        self.elements = tuple(
            (name, _compile(expression, self.compiled))
            for name, expression in rule.elements.items()
        )
        self.likely_rule = {
            profile: _compile(expression, self.compiled)
            for profile, expression in rule.likely.items()
        }
        self.possible_rule = _compile(rule.possible, self.compiled)
        self.flags = tuple(
            (name, _compile(expression, self.compiled))
            for name, expression in rule.flags.items()
        )
        self.descriptions = {
            id(part): describe(part)
            for expression in (*rule.likely.values(), rule.possible)
            for part in _top_level(expression)
        }

    def holds(self, expression: Expression, facts: _Facts) -> bool:
        return self.compiled[id(expression)](facts)

    def facts(self, yes_ids: list[str], profile: Profile) -> _Facts:
        group_and_strength = self.group_and_strength[profile]
        by_group: dict[str, list[str]] = {}
        by_strength: dict[str, list[str]] = {}
        counts: dict[str, dict[str, int]] = {}
        if len(yes_ids) > 1:
            yes_ids = sorted(yes_ids, key=self.order.__getitem__)
        for key in yes_ids:
            group, strength = group_and_strength[key]
            by_group.setdefault(group, []).append(key)
            if strength is not None:
                by_strength.setdefault(strength, []).append(key)
                per_group = counts.setdefault(group, {})
                per_group[strength] = per_group.get(strength, 0) + 1
        patterns: dict[str, str | None] = dict.fromkeys(self.dimension_ids)
        for dimension, dimension_counts in counts.items():
            patterns[dimension] = self._first_pattern(dimension_counts)
        facts = _Facts(profile, by_group, by_strength, patterns)
        for name, predicate in self.elements:
            facts.elements[name] = predicate(facts)
        return facts

    def _first_pattern(self, counts: dict[str, int]) -> str | None:
        for name, minimums in self.patterns:
            for letters, minimum in minimums:
                total = 0
                for letter in letters:
                    total += counts.get(letter, 0)
                if total < minimum:
                    break
            else:
                return name
        return None

    def likely(self, facts: _Facts) -> bool:
        return self.likely_rule[facts.profile](facts)

    def evidence(self, expression: Expression, facts: _Facts) -> tuple[str, ...]:
        """The dimension and indicator IDs that make a holding expression hold."""
        match expression:
            case DimensionPositive(dimension):
                return (dimension,) if facts.patterns[dimension] else ()
            case YesIn(group):
                return tuple(facts.yes_by_group.get(group, ()))
            case YesStrength(strength):
                return tuple(facts.yes_by_strength.get(strength, ()))
            case AnyDimension():
                return tuple(key for key, pattern in facts.patterns.items() if pattern)
            case ElementHolds(element):
                return (element,) if facts.elements[element] else ()
            case AnyOf(items) | AllOf(items):
                found: list[str] = []
                for item in items:
                    if self.holds(item, facts):
                        found.extend(
                            key
                            for key in self.evidence(item, facts)
                            if key not in found
                        )
                return tuple(found)
        return ()

    def clauses(self, expression: Expression, facts: _Facts) -> tuple[Clause, ...]:
        """Split a rule at its top level so each part can be reported."""
        clauses = []
        for part in _top_level(expression):
            met = self.holds(part, facts)
            evidence = self.evidence(part, facts) if met else ()
            clauses.append(Clause(self.descriptions[id(part)], met, evidence))
        return tuple(clauses)


def describe(expression: Expression, top: bool = True) -> str:
    """Render a rule expression as plain English, for example ``D1 or D2``."""
    match expression:
        case DimensionPositive(dimension):
            return dimension
        case ElementHolds(element):
            return element
        case ProfileIs(profile):
            return f"the profile is {profile}"
        case AnyDimension():
            return "some dimension is positive"
        case Inconclusive():
            return "unknown or declined answers could complete the rule"
        case YesIn(group):
            return f"some {group} indicator is yes"
        case YesStrength(strength):
            name = STRENGTH_NAMES.get(strength, strength)
            return f"some {name} ({strength}) indicator is yes"
        case Not(item):
            return f"not {describe(item, top=False)}"
        case AnyOf(items) | AllOf(items):
            joiner = " or " if isinstance(expression, AnyOf) else " and "
            text = joiner.join(describe(item, top=False) for item in items)
            return text if top else f"({text})"
    raise TypeError(f"not a rule expression: {expression!r}")


STRENGTH_NAMES = {"S": "strong", "M": "medium", "W": "weak"}


# --- the public entry point -------------------------------------------------


_scorers: dict[int, tuple[Standard, _Scorer]] = {}


def _scorer_for(standard: Standard) -> _Scorer:
    cached = _scorers.get(id(standard))
    if cached is None or cached[0] is not standard:
        cached = (standard, _Scorer(standard))
        _scorers[id(standard)] = cached
    return cached[1]


def check_states(standard: Standard, states: Mapping[str, Any]) -> dict[str, State]:
    """Validate indicator states; absent (None) entries are dropped."""
    checked: dict[str, State] = {}
    for key, state in states.items():
        if key not in standard.indicators:
            raise ScoringInputError(f"unknown indicator ID {key!r} for {standard.key}")
        if state is None:
            continue
        if state not in STATES:
            allowed = ", ".join(STATES)
            raise ScoringInputError(
                f"indicator {key}: state {state!r} is not one of {allowed}"
            )
        checked[key] = state
    return checked


def assess(
    standard: Standard,
    states: Mapping[str, Any],
    profile: Profile,
    *,
    explain: bool = True,
) -> Assessment:
    """Score indicator states under a standard for an adult or a child.

    With ``explain=False`` the reasons are left out (the band, elements,
    dimensions and flags are the same); batch scoring uses it for speed.
    """
    if profile not in ("adult", "child"):
        raise ScoringInputError(f"profile must be adult or child, not {profile!r}")
    checked = check_states(standard, states)
    scorer = _scorer_for(standard)
    order = scorer.order
    yes_ids = [key for key, state in checked.items() if state == "yes"]
    uncertain = sorted(
        (key for key, state in checked.items() if state in UNCERTAIN),
        key=order.__getitem__,
    )

    def completes_rule(extra: Iterable[str]) -> bool:
        return scorer.likely(scorer.facts([*yes_ids, *extra], profile))

    facts = scorer.facts(yes_ids, profile)
    facts.completes_rule = lambda: bool(uncertain) and completes_rule(uncertain)

    if scorer.likely(facts):
        band: Band = "likely"
    elif scorer.possible_rule(facts):
        band = "possible"
    else:
        band = "not_established"

    reasons: list[Reason] = []
    if explain:
        reasons.append(
            Reason("likely_rule", scorer.clauses(standard.rule.likely[profile], facts))
        )
        if band == "possible":
            reasons.extend(
                _possible_reasons(scorer, facts, uncertain, checked, completes_rule)
            )
        elif band == "not_established":
            reasons.append(Reason("nothing_established"))

    strengths = scorer.strength_of[profile]
    return Assessment(
        standard=standard.key,
        standard_digest=standard.digest,
        profile=profile,
        band=band,
        elements=facts.elements,
        dimensions=tuple(
            DimensionResult(
                dimension,
                pattern is not None,
                pattern,
                tuple(IndicatorHit(key, strengths[key]) for key in yes)
                if (yes := facts.yes_by_group.get(dimension))
                else (),
            )
            for dimension, pattern in facts.patterns.items()
        ),
        flags=tuple(name for name, predicate in scorer.flags if predicate(facts)),
        reasons=tuple(reasons),
        states={key: checked[key] for key in sorted(checked, key=order.__getitem__)},
    )


def _possible_reasons(
    scorer: _Scorer,
    facts: _Facts,
    uncertain: list[str],
    checked: Mapping[str, State],
    completes_rule: Callable[[Iterable[str]], bool],
) -> list[Reason]:
    reasons = [
        Reason("possible_clause", (clause,))
        for part, clause in zip(
            _top_level(scorer.standard.rule.possible),
            scorer.clauses(scorer.standard.rule.possible, facts),
            strict=True,
        )
        if clause.met and not isinstance(part, Inconclusive)
    ]
    if facts.inconclusive():
        strengths = scorer.strength_of[facts.profile]
        weakest_first = sorted(
            uncertain,
            key=lambda key: (REMOVAL_ORDER[strengths[key]], -scorer.order[key]),
        )
        kept = set(_minimal_completion(weakest_first, completes_rule))
        needed = [key for key in uncertain if key in kept]
        reasons.append(
            Reason(
                "inconclusive", uncertain=tuple((key, checked[key]) for key in needed)
            )
        )
    return reasons


# Which uncertain answers to try dropping first when naming the ones that
# matter: weak before medium before strong, so the answers reported are the
# strongest that could complete the rule. Unweighted act and purpose
# indicators decide the child rule on their own, so they are kept longest.
REMOVAL_ORDER: dict[str | None, int] = {"W": 0, "M": 1, "S": 2, None: 3}


def _minimal_completion(
    uncertain: list[str], completes_rule: Callable[[Iterable[str]], bool]
) -> list[str]:
    """A smallest-by-removal set of uncertain answers that would complete the rule.

    Each uncertain answer is dropped in turn, in the order given, if the rule
    still completes without it, so every answer reported is one the result
    depends on.
    """
    needed = list(uncertain)
    for key in uncertain:
        trial = [other for other in needed if other != key]
        if completes_rule(trial):
            needed = trial
    return needed


def band_rank(band: Band) -> int:
    """Order bands from not_established (0) to likely (2)."""
    return BANDS.index(band)
