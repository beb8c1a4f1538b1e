"""The equity computation: rates, the relative rate index, and suppression that never gives a small group
away, on a crafted district and on the demo county."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from schoolsafe.sro.equity import (
    ALL,
    DISTRICT,
    PERIODS,
    YEAR,
    Cube,
    Referral,
    compute,
    rate_per_1000,
    revealed_by_subtraction,
    small,
)
from schoolsafe.sro.models.referrals import DIMENSIONS
from schoolsafe.sro.terms import school_year_of, term_label, term_of, term_span, year_label


def referrals(school: int, term: str, n: int, **groups: str) -> list[Referral]:
    base = {"race": "white", "sex": "male", "disability": "none", "english_learner": "no"}
    return [Referral(school, term, {**base, **groups})] * n


def assert_protected(cube: Cube) -> None:
    """What a reader can see never shows a small cell, and no published sum gives a hidden one away."""
    for key, (count, enrolled) in cube.raw.items():
        if small(count, enrolled):
            assert key in cube.hidden, key
    assert revealed_by_subtraction(cube) == []
    # The published tables agree with the cube: a shown cell carries its numbers, a hidden one none.
    places = {k[0] for k in cube.raw}
    for place, period, dimension in itertools.product(places, PERIODS, DIMENSIONS):
        table = cube.table(place, period, dimension)
        for row in (*table.rows, table.total):
            if row.suppressed:
                assert (row.count, row.enrolled, row.rate, row.rri) == (None, None, None, None)
            else:
                assert row.enrolled is not None and row.enrolled >= 10
                assert row.count is not None and (row.count == 0 or row.count >= 10)


def brute_force_reveals(cube: Cube, line: list) -> bool:
    """Independently of the implementation: a line reveals a hidden cell when all but one are shown."""
    return sum(1 for k in line if k in cube.hidden) == 1


def test_terms_and_school_years():
    assert school_year_of(dt.date(2025, 7, 1)) == 2025 and school_year_of(dt.date(2026, 6, 30)) == 2025
    assert [term_of(dt.date(2025, m, 15)) for m in (7, 8, 12, 1, 6)] == ["summer", "fall", "fall", "spring", "spring"]
    assert term_span(2025, "spring") == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert year_label(2025) == "2025–26" and term_label(2025, "spring") == "Spring 2026"


def test_rates_and_the_relative_rate_index():
    enrolment = {(1, "race", "white"): 500, (1, "race", "black"): 200, (1, "race", "hispanic"): 300,
                 (1, "sex", "female"): 500, (1, "sex", "male"): 500}
    rows = (referrals(1, "fall", 20, race="white", sex="female") + referrals(1, "fall", 20, race="black")
            + referrals(1, "spring", 15, race="hispanic"))
    cube = compute([1], rows, enrolment)
    race = cube.table(1, YEAR, "race")
    by = {r.group: r for r in race.rows}
    assert by["white"].rate == 40.0 and by["white"].reference
    assert by["black"].rate == 100.0 and by["black"].rri == 2.5  # 100 ÷ 40: OJJDP's RRI against White students
    assert by["hispanic"].rate == 50.0 and by["hispanic"].rri == 1.25
    assert race.total.count == 55 and race.total.enrolled == 1000
    sex = {r.group: r for r in cube.table(1, YEAR, "sex").rows}
    # Against the remaining students: males 35 of 500 (70 per 1,000) versus females 20 of 500 (40).
    assert sex["male"].rate == 70.0 and sex["male"].rri == 1.75 and sex["female"].rri == round(40 / 70, 2)
    assert rate_per_1000(3, 0) is None


def test_one_small_group_hides_the_next_smallest_too():
    """A crafted school: Pacific Islander students are 7 (under 10). Hidden alone, the total minus the others
    would give their count away, so the next-smallest group is hidden as well."""
    enrolment = {(1, "race", "white"): 400, (1, "race", "black"): 300, (1, "race", "asian"): 40,
                 (1, "race", "pacific_islander"): 7, (1, "race", "hispanic"): 253}
    rows = (referrals(1, "fall", 30, race="white") + referrals(1, "fall", 40, race="black")
            + referrals(1, "fall", 12, race="asian") + referrals(1, "fall", 2, race="pacific_islander")
            + referrals(1, "fall", 25, race="hispanic"))
    cube = compute([1], rows, enrolment)
    table = {r.group: r for r in cube.table(1, YEAR, "race").rows}
    assert table["pacific_islander"].suppressed
    assert table["asian"].suppressed  # the next-smallest, by count
    assert not table["white"].suppressed and not table["black"].suppressed and not table["hispanic"].suppressed
    total = cube.table(1, YEAR, "race").total
    shown = sum(r.count for r in table.values() if not r.suppressed)
    # What a reader can work out is the two hidden groups together (14), never the small one (2).
    assert total.count - shown == 14
    assert_protected(cube)


def test_a_total_never_shows_that_a_small_group_had_no_referral():
    """Seven Pacific Islander students, none referred, and a hidden group beside them with none either: the
    total minus the shown groups would be 0, and so would each of the hidden ones. A non-zero group is hidden
    with them."""
    enrolment = {(1, "race", "white"): 400, (1, "race", "black"): 300, (1, "race", "pacific_islander"): 7,
                 (1, "race", "asian"): 5}
    rows = referrals(1, "fall", 30, race="white") + referrals(1, "fall", 40, race="black")
    cube = compute([1], rows, enrolment)
    table = {r.group: r for r in cube.table(1, YEAR, "race").rows}
    assert table["pacific_islander"].suppressed and table["asian"].suppressed
    assert table["white"].suppressed  # the smallest non-zero group
    assert not table["black"].suppressed
    assert_protected(cube)


def test_a_small_count_in_a_large_group_is_hidden():
    enrolment = {(1, "english_learner", "yes"): 120, (1, "english_learner", "no"): 880}
    rows = referrals(1, "fall", 4, english_learner="yes") + referrals(1, "fall", 50)
    cube = compute([1], rows, enrolment)
    table = cube.table(1, YEAR, "english_learner")
    # Two groups: hiding one means hiding both (the total would give it away).
    assert [r.suppressed for r in table.rows] == [True, True]
    assert_protected(cube)


def test_terms_and_schools_do_not_undo_the_suppression():
    """A group shown for the year but hidden in one term would be given away by the other terms; a school
    hidden alone, by the district and the other schools. Both are lines of the cube."""
    enrolment = {(s, "race", g): n for s in (1, 2, 3) for g, n in (("white", 300), ("black", 200))}
    rows = (referrals(1, "fall", 20, race="black") + referrals(1, "spring", 3, race="black")
            + referrals(1, "fall", 30) + referrals(2, "fall", 25, race="black") + referrals(2, "fall", 22)
            + referrals(3, "fall", 5, race="black") + referrals(3, "spring", 40))
    cube = compute([1, 2, 3], rows, enrolment)
    assert (1, "spring", "race", "black") in cube.hidden
    hidden_terms = [t for t in ("summer", "fall", "spring", YEAR) if (1, t, "race", "black") in cube.hidden]
    assert len(hidden_terms) >= 2
    hidden_schools = [s for s in (1, 2, 3, DISTRICT) if (s, YEAR, "race", "black") in cube.hidden]
    assert (3, YEAR, "race", "black") in cube.hidden and len(hidden_schools) >= 2
    for line in cube.lines:
        assert not brute_force_reveals(cube, line), line
    assert_protected(cube)


@pytest.mark.parametrize("seed", range(25))
def test_random_districts_are_always_protected(seed):
    """The property over many random districts: small schools, small groups, sparse terms."""
    import random

    rng = random.Random(seed)
    schools = list(range(1, rng.randint(2, 5)))
    enrolment = {}
    rows = []
    for s in schools:
        for d, (_, choices) in DIMENSIONS.items():
            for g in choices.values:
                enrolment[(s, d, g)] = rng.choice([0, 3, 8, 12, 40, 150, 600])
        for _ in range(rng.randint(0, 120)):
            groups = {d: rng.choice(list(choices.values)) for d, (_, choices) in DIMENSIONS.items()}
            rows.append(Referral(s, rng.choice(["summer", "fall", "spring"]), groups))
    cube = compute(schools, rows, enrolment)
    assert_protected(cube)
    assert all((s, p, ALL, ALL) in cube.raw for s in schools for p in PERIODS)


@pytest.mark.django_db
def test_the_demo_county_never_reveals_a_group_under_10():
    from schoolsafe.accounts.county import DISTRICT as NAME
    from schoolsafe.accounts.county import load_demo
    from schoolsafe.core.models import District
    from schoolsafe.sro.demo import load_referrals
    from schoolsafe.sro.equity_data import KIND_FILTERS, load_cube, years_of
    from schoolsafe.sro.models.referrals import StudentReferral
    from schoolsafe.sro.tests.conftest import demo_county

    load_demo()
    # Idempotent: the county's loaders ran once already; a second run adds nothing.
    count = StudentReferral.objects.count()
    assert load_referrals(demo_county()) is False and StudentReferral.objects.count() == count
    district = District.objects.get(name=NAME)
    assert StudentReferral.objects.count() >= 200
    years = years_of(district)
    assert len(years) == 2
    small_seen = False
    for year, kind in itertools.product(years, KIND_FILTERS):
        cube = load_cube(district, year, kind)
        assert_protected(cube)
        small_seen |= any(e < 10 for _, e in cube.raw.values())
    assert small_seen, "the demo should have a group under 10 to show its suppression"
