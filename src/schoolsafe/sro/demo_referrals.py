"""The equity dashboard's demo data: enrolment by group for every school of the demo district, and two school
years of referrals, citations and arrests at the Cedar Falls and Pine Ridge schools by the demo officers.

Deterministic (a fixed seed; dates counted from the current school year) and idempotent (nothing is added
when the district already has referrals). The shares are plausible, not real: a few groups are
over-represented on purpose so that the relative rate index has something to show, and the Native Hawaiian
or Other Pacific Islander group is under 10 at most schools, so that the dashboard shows its suppression.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from schoolsafe.sro.models.referrals import GRADES, EnrollmentCount, StudentReferral
from schoolsafe.sro.terms import school_year_of, term_of

SEED = 1515
SHARES = {
    "race": {"hispanic": .28, "american_indian": .012, "asian": .04, "black": .22, "pacific_islander": .004,
             "white": .398, "two_or_more": .046},
    "sex": {"female": .49, "male": .51},
    "disability": {"idea": .14, "section_504": .06, "none": .80},
    "english_learner": {"yes": .11, "no": .89},
}
# Every group a referral may name, per dimension (nonbinary where a school reports it).
GROUPS: dict[str, list[str]] = {**{d: list(s) for d, s in SHARES.items()}, "sex": ["female", "male", "nonbinary"]}
# How much likelier than its share a group is to be referred (what the dashboard should surface).
WEIGHTS = {"black": 2.3, "hispanic": 1.3, "two_or_more": 1.4, "male": 1.8, "idea": 2.1, "section_504": 1.3,
           "yes": 1.2}
# The nonbinary category, reported by Cedar Falls High only (under 10).
NONBINARY = {"Cedar Falls High School": 6}
# referrals per school year, by school
# (enough that the current school year, a few months in, already shows its larger groups unsuppressed).
REFERRALS = {"Cedar Falls High School": 120, "Cedar Falls Middle School": 60, "Pine Ridge High School": 100,
             "Pine Ridge Middle School": 50}
KINDS = {"referral": .6, "citation": .25, "arrest": .15}
OFFENCES = {"assault": .22, "threat": .1, "weapons": .05, "drugs_alcohol": .18, "theft": .1, "vandalism": .08,
            "disorderly": .17, "trespass": .04, "other": .06}


def split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """`total` split by `shares`, rounded by largest remainder so the parts add up to it."""
    raw = {g: total * s / sum(shares.values()) for g, s in shares.items()}
    parts = {g: int(v) for g, v in raw.items()}
    for g in sorted(raw, key=lambda g: raw[g] - parts[g], reverse=True)[:total - sum(parts.values())]:
        parts[g] += 1
    return parts


def enrolment_of(school: Any) -> dict[tuple[str, str], int]:
    total = school.enrollment or 500
    out: dict[tuple[str, str], int] = {}
    for dimension, shares in SHARES.items():
        if dimension == "sex" and school.name in NONBINARY:
            nonbinary = NONBINARY[school.name]
            parts = {**split(total - nonbinary, shares), "nonbinary": nonbinary}
        else:
            parts = split(total, shares)
        out.update({(dimension, g): n for g, n in parts.items()})
    return out


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    groups = list(weights)
    return rng.choices(groups, weights=[weights[g] for g in groups])[0]


def _day(rng: random.Random, year: int, today: dt.date) -> dt.date | None:
    """A school day of the year: fall and spring, a few in the summer programme; None if after today."""
    term = rng.choices(["summer", "fall", "spring"], weights=[.03, .48, .49])[0]
    first, days = {"summer": (dt.date(year, 7, 6), 20), "fall": (dt.date(year, 8, 12), 125),
                   "spring": (dt.date(year + 1, 1, 6), 150)}[term]
    day = first + dt.timedelta(days=rng.randrange(days))
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day if day <= today else None


@transaction.atomic
def load(county: Any) -> bool:
    schools = list(county.schools.values())
    if StudentReferral.objects.filter(school__in=schools).exists():
        return False
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security  # nosec B311
    today = timezone.localdate()
    current = school_year_of(today)
    years = (current - 1, current)
    EnrollmentCount.objects.bulk_create([
        EnrollmentCount(school=school, school_year=year, dimension=d, group=g, count=n)
        for school in schools for year in years for (d, g), n in enrolment_of(school).items()
    ], ignore_conflicts=True)
    officers = {"Cedar Falls": county.users["sro"], "Pine Ridge": county.users["deputy"]}
    rows = []
    for name, per_year in REFERRALS.items():
        school = county.schools[name]
        enrolment = enrolment_of(school)
        span = GRADES[GRADES.index(school.low_grade):GRADES.index(school.high_grade) + 1]
        officer = officers["Cedar Falls" if name.startswith("Cedar Falls") else "Pine Ridge"]
        for year in years:
            for _ in range(per_year):
                day = _day(rng, year, today)
                if day is None:
                    continue
                groups = {d: _pick(rng, {g: enrolment[(d, g)] * WEIGHTS.get(g, 1.0)
                                         for g in GROUPS[d] if (d, g) in enrolment})
                          for d in GROUPS}
                rows.append(StudentReferral(
                    school=school, kind=_pick(rng, KINDS), offence=_pick(rng, OFFENCES), date=day,
                    school_year=school_year_of(day), term=term_of(day), grade=rng.choice(span),
                    officer=officer, recorded_by=officer, **groups))
    StudentReferral.objects.bulk_create(rows)
    return True
