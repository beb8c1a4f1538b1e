"""The equity computation: referral rates per 1,000 enrolled students by group, the relative rate index,
and the suppression of small groups. Pure functions over plain values: no query, no request.

Rates (docs/sro-equity.md):
- rate per 1,000 = referrals of the group ÷ students of the group enrolled × 1,000;
- relative rate index (RRI, the OJJDP's Disproportionate Minority Contact method) = the group's rate ÷ the
  reference group's rate. The reference is White students for race and ethnicity, as the OJJDP does; for
  sex, disability and English learners it is the remaining students of the school (all students not in the
  group), so that an RRI above 1 always reads "referred more often than the others".

Suppression (the rule the Department of Education applies to the CRDC and to EDFacts, and FERPA's
de-identification standard, 34 CFR 99.31(b)(1)):
- primary: a cell whose group has fewer than 10 students enrolled, or whose count is 1 to 9, shows no
  count, no enrolment, no rate and no RRI;
- complementary: every published sum (a dimension's groups and the total of all students; a group's terms
  and its school year; the schools of the district and the district) is a line, and a line with exactly
  one hidden cell would give it away by subtraction, so the next-smallest cell of that line is hidden as
  well, until no line has exactly one hidden cell; and a line with referrals whose hidden cells add up to
  0 would show that a group under 10 had none, so its smallest non-zero cell is hidden too.
Every page, plot and API answer reads the same protected
  cube, computed over the whole district, so no view of it (a school, the district, a term) undoes another.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from schoolsafe.sro.models.referrals import DIMENSIONS
from schoolsafe.sro.terms import TERMS

SUPPRESS_BELOW = 10
YEAR = "year"
DISTRICT = "district"
ALL = "all"
# The reference group of a dimension for the RRI; None: the remaining students.
REFERENCE = {"race": "white"}
PERIODS = (*TERMS, YEAR)

Place = int | str  # a school id, or DISTRICT
Key = tuple[Place, str, str, str]  # (place, period, dimension, group); the total is (place, period, ALL, ALL)


@dataclass(frozen=True)
class Referral:
    """What the computation needs of one referral: where, when, and the student's groups."""

    school: int
    term: str
    groups: Mapping[str, str]  # dimension -> group


@dataclass(frozen=True)
class GroupRow:
    """One group's line of a table as it may be published: None where it is suppressed."""

    group: str
    label: str
    count: int | None
    enrolled: int | None
    rate: float | None
    rri: float | None
    suppressed: bool
    reference: bool = False


@dataclass(frozen=True)
class DimensionTable:
    dimension: str
    label: str
    rows: tuple[GroupRow, ...]
    total: GroupRow

    @property
    def suppressed_groups(self) -> list[GroupRow]:
        return [r for r in self.rows if r.suppressed]


@dataclass
class Cube:
    """Every cell of one district's school year, with which are hidden. `raw` is for the tests' proof only:
    nothing that publishes reads it (publish through `table`)."""

    raw: dict[Key, tuple[int, int]]  # (count, enrolled)
    hidden: set[Key] = field(default_factory=set)
    lines: list[list[Key]] = field(default_factory=list)
    groups: dict[tuple[Place, str], list[str]] = field(default_factory=dict)

    def table(self, place: Place, period: str, dimension: str) -> DimensionTable:
        label, choices = DIMENSIONS[dimension]
        labels = dict(choices.choices)
        total = self._row(place, period, ALL, ALL, "All students", None)
        reference = self._reference_rate(place, period, dimension)
        rows = []
        for group in self.groups.get((place, dimension), []):
            rows.append(self._row(place, period, dimension, group, labels.get(group, group), reference))
        return DimensionTable(dimension, label, tuple(rows), total)

    def tables(self, place: Place, period: str) -> list[DimensionTable]:
        return [self.table(place, period, d) for d in DIMENSIONS]

    def _shown(self, key: Key) -> tuple[int, int] | None:
        if key in self.hidden or key not in self.raw:
            return None
        return self.raw[key]

    def _reference_rate(self, place: Place, period: str, dimension: str) -> Mapping[str, float | None]:
        """group -> the rate its RRI divides by (None: no reference to compare with)."""
        out: dict[str, float | None] = {}
        ref_group = REFERENCE.get(dimension)
        if ref_group is not None:
            ref = self._shown((place, period, dimension, ref_group))
            rate = rate_per_1000(*ref) if ref else None
            return {group: rate for group in self.groups.get((place, dimension), [])}
        total = self._shown((place, period, ALL, ALL))
        for group in self.groups.get((place, dimension), []):
            cell = self._shown((place, period, dimension, group))
            if total is None or cell is None:
                out[group] = None
                continue
            # The remaining students: the total less the group, both already published.
            out[group] = rate_per_1000(total[0] - cell[0], total[1] - cell[1])
        return out

    def _row(self, place: Place, period: str, dimension: str, group: str, label: str,
             reference: Mapping[str, float | None] | None) -> GroupRow:
        key = (place, period, dimension, group)
        is_reference = REFERENCE.get(dimension) == group
        shown = self._shown(key)
        if shown is None:
            return GroupRow(group, label, None, None, None, None, True, is_reference)
        count, enrolled = shown
        rate = rate_per_1000(count, enrolled)
        ref = reference.get(group) if reference is not None else None
        rri = round(rate / ref, 2) if rate is not None and ref else None
        return GroupRow(group, label, count, enrolled, rate, rri, False, is_reference)


def rate_per_1000(count: int, enrolled: int) -> float | None:
    if enrolled <= 0:
        return None
    return round(count * 1000 / enrolled, 1)


def small(count: int, enrolled: int) -> bool:
    """The primary rule: fewer than 10 enrolled, or a count of 1 to 9."""
    return enrolled < SUPPRESS_BELOW or 0 < count < SUPPRESS_BELOW


def compute(schools: Sequence[int], referrals: Iterable[Referral],
            enrollment: Mapping[tuple[int, str, str], int]) -> Cube:
    """The protected cube of one district's school year.

    `schools`: every school of the district (the district's cells sum them); `referrals`: the year's
    referrals at those schools; `enrollment`: (school, dimension, group) -> students enrolled that year. A
    school's groups of a dimension are those it reports an enrolment for or has a referral of (the CRDC's
    nonbinary category only where reported), and a dimension it reports no enrolment for is left out. The
    total of all students is the sum of the race groups, or of the first dimension reported."""
    counts: Counter[Key] = Counter()
    groups: dict[tuple[Place, str], set[str]] = defaultdict(set)
    school_set = set(schools)
    for school, dimension, group in enrollment:
        if school in school_set and dimension in DIMENSIONS:
            groups[(school, dimension)].add(group)
    for r in referrals:
        if r.school not in school_set:
            continue
        for period in (r.term, YEAR):
            counts[(r.school, period, ALL, ALL)] += 1
            for dimension, group in r.groups.items():
                counts[(r.school, period, dimension, group)] += 1
                # A dimension the school reports no enrolment for has no rates: it is left out there.
                if (r.school, dimension) in groups:
                    groups[(r.school, dimension)].add(group)
    raw: dict[Key, tuple[int, int]] = {}
    for school in schools:
        total_enrolled = _total_enrolled(school, enrollment)
        for period in PERIODS:
            raw[(school, period, ALL, ALL)] = (counts[(school, period, ALL, ALL)], total_enrolled)
            for dimension in DIMENSIONS:
                for group in groups.get((school, dimension), ()):
                    raw[(school, period, dimension, group)] = (
                        counts[(school, period, dimension, group)], enrollment.get((school, dimension, group), 0))
    for dimension in DIMENSIONS:
        groups[(DISTRICT, dimension)] = set().union(*(groups.get((s, dimension), set()) for s in schools))
    for period in PERIODS:
        for dimension, group in [(ALL, ALL)] + [(d, g) for d in DIMENSIONS for g in groups[(DISTRICT, d)]]:
            cells = [raw[(s, period, dimension, group)] for s in schools if (s, period, dimension, group) in raw]
            raw[(DISTRICT, period, dimension, group)] = (sum(c for c, _ in cells), sum(e for _, e in cells))
    ordered = {key: _ordered(dimension, value) for key, value in groups.items() for dimension in [key[1]]}
    cube = Cube(raw=raw, groups=ordered)
    cube.lines = _lines(cube, schools)
    cube.hidden = {key for key, (count, enrolled) in raw.items() if small(count, enrolled)}
    _complementary(cube)
    return cube


def _ordered(dimension: str, groups: set[str]) -> list[str]:
    order = [code for code, _ in DIMENSIONS[dimension][1].choices]
    return sorted(groups, key=lambda g: order.index(g) if g in order else len(order))


def _total_enrolled(school: int, enrollment: Mapping[tuple[int, str, str], int]) -> int:
    for dimension in DIMENSIONS:
        values = [n for (s, d, _), n in enrollment.items() if s == school and d == dimension]
        if values:
            return sum(values)
    return 0


def _lines(cube: Cube, schools: Sequence[int]) -> list[list[Key]]:
    """Every published sum, as the cells it adds up and its total (the last)."""
    lines: list[list[Key]] = []
    places: list[Place] = [*schools, DISTRICT]
    for place in places:
        for period in PERIODS:
            for dimension in DIMENSIONS:
                members = [(place, period, dimension, g) for g in cube.groups.get((place, dimension), [])]
                if members:
                    lines.append([*members, (place, period, ALL, ALL)])
        pairs = [(ALL, ALL)] + [(d, g) for d in DIMENSIONS for g in cube.groups.get((place, d), [])]
        for dimension, group in pairs:
            lines.append([*((place, t, dimension, group) for t in TERMS), (place, YEAR, dimension, group)])
    for period in PERIODS:
        pairs = [(ALL, ALL)] + [(d, g) for d in DIMENSIONS for g in cube.groups.get((DISTRICT, d), [])]
        for dimension, group in pairs:
            members = [(s, period, dimension, group) for s in schools if (s, period, dimension, group) in cube.raw]
            lines.append([*members, (DISTRICT, period, dimension, group)])
    return lines


def _zero_gives_away(cube: Cube, line: list[Key]) -> bool:
    """The line's total is shown and not 0, and its hidden cells add up to 0, so each of them is 0: among
    them a group under 10 would be shown to have had no referral at all while others had some. (A total of
    0 says that no student at all was referred there: a fact about everyone, which it may say.)"""
    hidden = [k for k in line[:-1] if k in cube.hidden]
    return (line[-1] not in cube.hidden and cube.raw[line[-1]][0] > 0 and bool(hidden)
            and sum(cube.raw[k][0] for k in hidden) == 0
            and any(cube.raw[k][1] < SUPPRESS_BELOW for k in hidden))


def _complementary(cube: Cube) -> None:
    """Hide the next-smallest cell of every line with exactly one hidden cell, and the smallest non-zero
    cell of a line whose hidden cells add up to 0, until no line gives a hidden cell away."""
    changed = True
    while changed:
        changed = False
        for line in cube.lines:
            hidden = [k for k in line if k in cube.hidden]
            candidates = [k for k in line if k not in cube.hidden]
            if len(hidden) != 1 and not _zero_gives_away(cube, line):
                continue
            if len(hidden) != 1:
                candidates = [k for k in candidates if cube.raw[k][0] > 0]
            if not candidates:
                continue
            smallest = min(candidates, key=lambda k: (cube.raw[k][0], cube.raw[k][1], str(k)))
            cube.hidden.add(smallest)
            changed = True


def revealed_by_subtraction(cube: Cube) -> list[Key]:
    """The hidden cells that some published line gives away: the line has exactly one hidden cell, or its
    hidden cells add up to 0 and one is a group under 10. Empty for a protected cube: the tests' proof of
    the property."""
    out = []
    for line in cube.lines:
        hidden = [k for k in line if k in cube.hidden]
        if len(hidden) == 1 or _zero_gives_away(cube, line):
            out.extend(hidden)
    return out
