"""The common screening standard as versioned data (for example gms-common@1).

A standard names its indicators, groups them into the act, the six
dimensions and the forms of exploitation, gives each indicator a strength per
profile, and states the rule as small expressions. This module only reads
and checks that data; :mod:`screening.scoring` applies it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from screening.schemas import validate_against_schema
from screening.sourcefile import (
    DefinitionError,
    PathKey,
    Problem,
    SourceDocument,
    read_yaml,
)

Profile = Literal["adult", "child"]
PROFILES: tuple[Profile, ...] = ("adult", "child")
STRENGTHS = ("S", "M", "W")
ELEMENTS = ("act", "means", "purpose")


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    strength: Mapping[str, str | None]  # profile -> S/M/W, None when unweighted
    text: Mapping[str, str]


@dataclass(frozen=True)
class Group:
    id: str
    kind: Literal["act", "dimension", "purpose"]
    name: Mapping[str, str]
    indicator_ids: tuple[str, ...]


@dataclass(frozen=True)
class Pattern:
    """Minimum counts of yes indicators, keyed by a set of strengths."""

    name: str
    minimums: tuple[tuple[frozenset[str], int], ...]

    def describe(self) -> str:
        parts = [
            f"{count}x{'/'.join(sorted(keys, key=STRENGTHS.index))}"
            for keys, count in self.minimums
        ]
        return " + ".join(parts)


# Rule expressions: a tiny tree the scoring module evaluates.


@dataclass(frozen=True)
class DimensionPositive:
    dimension: str


@dataclass(frozen=True)
class ElementHolds:
    element: str


@dataclass(frozen=True)
class ProfileIs:
    profile: str


@dataclass(frozen=True)
class AnyDimension:
    pass


@dataclass(frozen=True)
class Inconclusive:
    pass


@dataclass(frozen=True)
class YesIn:
    group: str


@dataclass(frozen=True)
class YesStrength:
    strength: str


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Expression, ...]


@dataclass(frozen=True)
class AllOf:
    items: tuple[Expression, ...]


@dataclass(frozen=True)
class Not:
    item: Expression


Expression = (
    DimensionPositive
    | ElementHolds
    | ProfileIs
    | AnyDimension
    | Inconclusive
    | YesIn
    | YesStrength
    | AnyOf
    | AllOf
    | Not
)


@dataclass(frozen=True)
class Rule:
    elements: Mapping[str, Expression]
    likely: Mapping[str, Expression]  # profile -> expression
    possible: Expression
    flags: Mapping[str, Expression]


@dataclass(frozen=True)
class Standard:
    id: str
    version: int
    title: Mapping[str, str]
    groups: tuple[Group, ...]
    indicators: Mapping[str, Indicator]
    patterns: tuple[Pattern, ...]
    rule: Rule
    digest: str

    @property
    def key(self) -> str:
        """The name results carry, for example ``gms-common@1``."""
        return f"{self.id}@{self.version}"

    @property
    def dimensions(self) -> tuple[Group, ...]:
        return tuple(group for group in self.groups if group.kind == "dimension")

    def group(self, group_id: str) -> Group:
        return next(group for group in self.groups if group.id == group_id)


def _rule_digest(data: Mapping[str, Any]) -> str:
    """Hash what affects scoring; labels and titles may gain languages."""
    scoring_part = {
        "id": data["id"],
        "version": data["version"],
        "patterns": data["patterns"],
        "rule": data["rule"],
        "groups": [
            {
                "id": group["id"],
                "kind": group["kind"],
                "indicators": [
                    {"id": item["id"], "strength": item.get("strength")}
                    for item in group["indicators"]
                ],
            }
            for group in data["groups"]
        ],
    }
    canonical = json.dumps(scoring_part, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _RuleParser:
    """Turns rule data into expressions, collecting problems with their paths."""

    def __init__(self, source: SourceDocument, groups: Mapping[str, Group]) -> None:
        self.source = source
        self.groups = groups
        self.problems: list[Problem] = []

    def parse(self, data: Any, path: PathKey, *, allow: frozenset[str]) -> Expression:
        if isinstance(data, str):
            return self._atom(data, path, allow)
        if not isinstance(data, dict) or len(data) != 1:
            self._fail(
                path, "an expression is a name or a mapping with exactly one key"
            )
            return AnyOf(())
        ((operator, argument),) = data.items()
        if operator in ("any", "all"):
            if not isinstance(argument, list) or not argument:
                self._fail((*path, operator), f"'{operator}' needs a non-empty list")
                return AnyOf(())
            items = tuple(
                self.parse(item, (*path, operator, index), allow=allow)
                for index, item in enumerate(argument)
            )
            return AnyOf(items) if operator == "any" else AllOf(items)
        if operator == "not":
            if "not" not in allow:
                self._fail(
                    path, "'not' is allowed only in flags: bands must stay monotone"
                )
            return Not(self.parse(argument, (*path, "not"), allow=allow))
        if operator == "yes_in":
            if argument not in self.groups:
                self._fail((*path, operator), f"unknown group '{argument}'")
            return YesIn(str(argument))
        if operator == "yes_strength":
            if argument not in STRENGTHS:
                self._fail((*path, operator), f"unknown strength '{argument}'")
            return YesStrength(str(argument))
        self._fail(path, f"unknown operator '{operator}'")
        return AnyOf(())

    def _atom(self, name: str, path: PathKey, allow: frozenset[str]) -> Expression:
        group = self.groups.get(name)
        if group is not None and group.kind == "dimension":
            return DimensionPositive(name)
        if name in ELEMENTS and "elements" in allow:
            return ElementHolds(name)
        if name in PROFILES:
            return ProfileIs(name)
        if name == "any_dimension":
            return AnyDimension()
        if name == "inconclusive" and "inconclusive" in allow:
            return Inconclusive()
        self._fail(path, f"'{name}' cannot be used here")
        return AnyOf(())

    def _fail(self, path: PathKey, message: str) -> None:
        self.problems.append(self.source.problem(path, message))


def _parse_groups(source: SourceDocument) -> tuple[list[Group], dict[str, Indicator]]:
    groups: list[Group] = []
    indicators: dict[str, Indicator] = {}
    problems: list[Problem] = []
    for group_index, group_data in enumerate(source.data["groups"]):
        group_id = group_data["id"]
        if any(group.id == group_id for group in groups):
            problems.append(
                source.problem(
                    ("groups", group_index, "id"), f"duplicate group '{group_id}'"
                )
            )
        weighted = group_data["kind"] == "dimension"
        for index, item in enumerate(group_data["indicators"]):
            path: PathKey = ("groups", group_index, "indicators", index)
            strength = item.get("strength")
            if weighted != (strength is not None):
                needs = "needs a strength" if weighted else "takes no strength"
                problems.append(
                    source.problem(
                        path, f"an indicator of a {group_data['kind']} group {needs}"
                    )
                )
            by_profile = (
                strength
                if isinstance(strength, dict)
                else {p: strength for p in PROFILES}
            )
            if item["id"] in indicators:
                problems.append(
                    source.problem(
                        (*path, "id"), f"duplicate indicator ID '{item['id']}'"
                    )
                )
            indicators[item["id"]] = Indicator(
                item["id"], group_id, by_profile, item.get("text", {})
            )
        ids = tuple(item["id"] for item in group_data["indicators"])
        groups.append(
            Group(group_id, group_data["kind"], group_data.get("name", {}), ids)
        )
    if problems:
        raise DefinitionError(problems)
    return groups, indicators


def _parse_patterns(source: SourceDocument) -> tuple[Pattern, ...]:
    patterns = []
    problems = []
    for name, counts in source.data["patterns"].items():
        minimums = tuple(
            (frozenset(letters), count) for letters, count in counts.items()
        )
        letters_used = [letter for keys, _ in minimums for letter in keys]
        if len(letters_used) != len(set(letters_used)):
            problems.append(
                source.problem(
                    ("patterns", name), "a strength may appear only once in a pattern"
                )
            )
        patterns.append(Pattern(name, minimums))
    if problems:
        raise DefinitionError(problems)
    return tuple(patterns)


def parse_standard(source: SourceDocument) -> Standard:
    """Check a parsed standard file and build the Standard it describes."""
    validate_against_schema(source, "standard")
    groups, indicators = _parse_groups(source)
    patterns = _parse_patterns(source)
    by_id = {group.id: group for group in groups}
    parser = _RuleParser(source, by_id)
    rule_data = source.data["rule"]
    base: frozenset[str] = frozenset()
    with_elements = frozenset({"elements"})
    rule = Rule(
        elements={
            name: parser.parse(expr, ("rule", "elements", name), allow=base)
            for name, expr in rule_data["elements"].items()
        },
        likely={
            profile: parser.parse(
                expr, ("rule", "likely", profile), allow=with_elements
            )
            for profile, expr in rule_data["likely"].items()
        },
        possible=parser.parse(
            rule_data["possible"],
            ("rule", "possible"),
            allow=with_elements | {"inconclusive"},
        ),
        flags={
            name: parser.parse(
                expr, ("rule", "flags", name), allow=with_elements | {"not"}
            )
            for name, expr in rule_data.get("flags", {}).items()
        },
    )
    if parser.problems:
        raise DefinitionError(parser.problems)
    return Standard(
        id=source.data["id"],
        version=source.data["version"],
        title=source.data.get("title", {}),
        groups=tuple(groups),
        indicators=indicators,
        patterns=patterns,
        rule=rule,
        digest=_rule_digest(source.data),
    )


def load_standard(path: Path) -> Standard:
    """Load and check one standard file."""
    return parse_standard(read_yaml(path))


class StandardRegistry:
    """Every standard version found in a folder, by key (``gms-common@1``)."""

    def __init__(self, standards: Mapping[str, Standard]) -> None:
        self._standards = dict(standards)

    @classmethod
    def from_folder(cls, folder: Path) -> StandardRegistry:
        standards: dict[str, Standard] = {}
        for path in sorted(folder.glob("*.yaml")):
            standard = load_standard(path)
            if path.stem != standard.key:
                message = f"file name must be {standard.key}.yaml"
                raise DefinitionError([Problem(str(path), 1, "id", message)])
            standards[standard.key] = standard
        return cls(standards)

    def get(self, key: str) -> Standard | None:
        return self._standards.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._standards

    def keys(self) -> list[str]:
        return sorted(self._standards)
