"""Small-count suppression, and counting by school year."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from schoolsafe.threats import actions, reports
from schoolsafe.threats.models import Case
from schoolsafe.threats.reports import suppress
from schoolsafe.threats.tests.conftest import intake

H = "<10"


def test_counts_under_ten_are_hidden_and_so_is_what_the_total_would_give_away():
    assert suppress({"a": 20, "b": 12, "c": 0}) == {"a": 20, "b": 12, "c": H}
    # c alone (4) could be read off the total: the next smallest hides with it.
    assert suppress({"a": 20, "b": 12, "c": 4}) == {"a": 20, "b": H, "c": H}
    # Two small cells that together reach ten give nothing away.
    assert suppress({"a": 20, "b": 12, "c": 4, "d": 8}) == {"a": 20, "b": 12, "c": H, "d": H}
    assert suppress({"a": 11, "b": 1, "c": 0}) == {"a": H, "b": H, "c": H}
    assert suppress({"a": 3}) == {"a": H}


def test_school_years_run_from_july_to_june():
    assert reports.school_year(dt.date(2025, 6, 30)) == 2024
    assert reports.school_year(dt.date(2025, 7, 1)) == 2025
    start, end = reports.year_bounds(2025)
    assert (start.date(), end.date()) == (dt.date(2025, 7, 1), dt.date(2026, 7, 1))


def test_counts_per_school_take_only_that_years_cases(world, team_a, lead_a):
    year = reports.school_year()
    for i in range(10):
        actions.do_open_case(lead_a, team_a, **intake(person_name=f"S{i}"))
    old = actions.do_open_case(lead_a, team_a, **intake())
    Case.objects.filter(pk=old.pk).update(opened_at=timezone.now() - dt.timedelta(days=400))
    rows = {r.school.name: r for r in reports.counts_for([world.school_a, world.school_a2], year)}
    assert rows["School A High"].total == 10
    assert dict(rows["School A High"].by_classification)["Not yet classified"] == 10
    assert dict(rows["School A High"].by_outcome)["Still open"] == 10
    assert rows["School A Elementary"].total == H
