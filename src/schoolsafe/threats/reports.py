"""De-identified counts of threat-assessment cases per school and school year, small counts suppressed.

These counts are the one place that reads cases outside the need-to-know policy: they name no person
and no case, and any count under SUPPRESS_BELOW is shown as "<10" (zero included). Since the total and the shown
cells give away the sum of the hidden ones, more cells are hidden, smallest first, until that sum is
zero or at least SUPPRESS_BELOW (complementary suppression): a reader never learns that, say, exactly
one case of a school was very serious.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from schoolsafe.threats.models import Case, Classification, ClosureOutcome

SUPPRESS_BELOW = 10
SUPPRESSED = "<10"
# A school year runs from 1 July to 30 June (the federal and most states' fiscal school year).
YEAR_STARTS = (7, 1)

CLASSIFICATIONS = [("transient", "Transient"), ("serious", "Serious substantive"),
                   ("very_serious", "Very serious substantive"), ("pending", "Not yet classified")]
OUTCOMES = [(c.value, c.label) for c in ClosureOutcome] + [("open", "Still open")]
DECISION_TIMES = [("day", "Within 1 day"), ("three_days", "1 to 3 days"), ("longer", "More than 3 days"),
                  ("pending", "Not yet decided")]


def school_year(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year if (today.month, today.day) >= YEAR_STARTS else today.year - 1


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, *YEAR_STARTS))
    return start, timezone.make_aware(dt.datetime(year + 1, *YEAR_STARTS))


def suppress(cells: dict[str, int]) -> dict[str, int | str]:
    """Counts under the threshold become "<10"; then the smallest shown cells too, until the hidden
    cells' sum (which total minus shown reveals) is 0 or at least the threshold."""
    hidden = {k for k, v in cells.items() if v < SUPPRESS_BELOW}
    shown = sorted((v, k) for k, v in cells.items() if k not in hidden)
    while shown and 0 < sum(cells[k] for k in hidden) < SUPPRESS_BELOW:
        hidden.add(shown.pop(0)[1])
    return {k: (SUPPRESSED if k in hidden else v) for k, v in cells.items()}


@dataclass
class SchoolCounts:
    school: Any
    total: int | str
    by_classification: list[tuple[str, int | str]] = field(default_factory=list)
    by_outcome: list[tuple[str, int | str]] = field(default_factory=list)
    by_decision_time: list[tuple[str, int | str]] = field(default_factory=list)


def _classification(case: dict[str, Any]) -> str:
    if case["classification"] in ("", Classification.SUBSTANTIVE):
        return "pending"
    return case["classification"]


def _decision_time(case: dict[str, Any]) -> str:
    if case["classified_at"] is None:
        return "pending"
    took = case["classified_at"] - case["opened_at"]
    if took <= dt.timedelta(days=1):
        return "day"
    return "three_days" if took <= dt.timedelta(days=3) else "longer"


def _breakdown(rows: Sequence[Mapping[str, Any]], key: Any, labels: list[tuple[str, str]]) -> list[tuple[str, int | str]]:
    cells = {code: 0 for code, _ in labels}
    for row in rows:
        cells[key(row)] += 1
    shown = suppress(cells)
    return [(label, shown[code]) for code, label in labels]


def counts_for(schools: Any, year: int) -> list[SchoolCounts]:
    """One SchoolCounts per school, for cases opened in school year `year` (e.g. 2024 = 2024–25)."""
    start, end = year_bounds(year)
    rows = list(Case.objects.filter(school__in=schools, opened_at__gte=start, opened_at__lt=end)
                .values("school_id", "classification", "classified_at", "opened_at", "closure_outcome"))
    result = []
    for school in schools:
        mine = [r for r in rows if r["school_id"] == school.pk]
        result.append(SchoolCounts(
            school=school,
            total=len(mine) if len(mine) >= SUPPRESS_BELOW else SUPPRESSED,
            by_classification=_breakdown(mine, _classification, CLASSIFICATIONS),
            by_outcome=_breakdown(mine, lambda r: r["closure_outcome"] or "open", OUTCOMES),
            by_decision_time=_breakdown(mine, _decision_time, DECISION_TIMES),
        ))
    return result
