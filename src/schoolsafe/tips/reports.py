"""Reports on tips: the public statistics (small counts suppressed) and the annual report export.

Public statistics show a count only when it is 10 or more; smaller counts read "fewer than 10", so a
small school's single tip about a named kind of trouble cannot be pointed at. No totals are shown next
to suppressed cells, since a total minus the visible cells would give a hidden cell back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from schoolsafe.core.models import District
from schoolsafe.tips.models import FALSE_REPORT_OUTCOMES, Category, Outcome, Source, Tip

SUPPRESS_BELOW = 10
CACHE_SECONDS = 600


@dataclass(frozen=True)
class DistrictTable:
    """Tips by category (rows) and month (columns) for one district; None marks a suppressed cell."""

    district_id: int
    district_name: str
    months: list[dt.date]
    # (category value, cells): labels are looked up when shown, in the reader's language.
    rows: list[tuple[str, list[int | None]]]

    def labelled_rows(self) -> list[tuple[Any, list[int | None]]]:
        return [(Category(value).label, cells) for value, cells in self.rows]


def suppress(count: int) -> int | None:
    return count if count >= SUPPRESS_BELOW else None


def statistics_years() -> list[int]:
    first = Tip.objects.order_by("received_at").values_list("received_at", flat=True).first()
    this_year = timezone.localdate().year
    start = timezone.localtime(first).year if first else this_year
    return list(range(this_year, start - 1, -1))


def districts_with_tips(year: int) -> list[tuple[int, str]]:
    ids = Tip.objects.filter(received_at__year=year).values("district_id").distinct()
    return list(District.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))


def district_table(district_id: int, year: int) -> DistrictTable | None:
    """The public table for one district and year (cached: the page is public and may be busy)."""
    key = f"tips:stats:{district_id}:{year}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    district = District.objects.filter(pk=district_id).values_list("name", flat=True).first()
    if district is None:
        return None
    counts: dict[tuple[str, dt.date], int] = {}
    rows = (Tip.objects.filter(district_id=district_id, received_at__year=year)
            .annotate(month=TruncMonth("received_at")).values("month", "category").annotate(n=Count("id")))
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        counts[(row["category"], month)] = row["n"]
    today = timezone.localdate()
    last_month = 12 if year < today.year else today.month
    months = [dt.date(year, m, 1) for m in range(1, last_month + 1)]
    table = DistrictTable(district_id, district, months, [
        (value, [suppress(counts.get((value, month), 0)) for month in months]) for value in Category.values
    ])
    cache.set(key, table, CACHE_SECONDS)
    return table


def _minutes(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def annual_report_csv(tips: QuerySet, year: int) -> str:
    """The annual report (in the spirit of Safe2Tell's): tips by category and source, outcomes, time to
    first action, false reports; for each district in `tips` and for all of them together."""
    tips = tips.filter(received_at__year=year).select_related("district")
    by_district: dict[str, list[Any]] = defaultdict(list)
    for tip in tips.only("district__name", "category", "source", "outcome", "status", "possibly_malicious",
                         "received_at", "first_action_at", "urgent"):
        by_district[tip.district.name].append(tip)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["year", "district", "section", "item", "value"])
    groups = sorted(by_district.items())
    if len(groups) > 1:
        groups.append(("All districts", [t for _name, ts in groups for t in ts]))
    for name, group in groups:
        def row(section: str, item: str, value: Any, name: str = name) -> None:
            writer.writerow([year, name, section, item, value])

        row("total", "tips received", len(group))
        row("total", "urgent tips", sum(t.urgent for t in group))
        categories = Counter(t.category for t in group)
        for value, label in Category.choices:
            row("tips by category", str(label), categories.get(value, 0))
        sources = Counter(t.source for t in group)
        for value, source_label in Source.choices:
            row("tips by source", str(source_label), sources.get(value, 0))
        outcomes = Counter(t.outcome for t in group if t.outcome)
        for value, outcome_label in Outcome.choices:
            row("outcomes", str(outcome_label), outcomes.get(value, 0))
        row("outcomes", "still open", sum(1 for t in group if not t.outcome))
        waits = sorted(_minutes(t.first_action_at - t.received_at) for t in group if t.first_action_at)
        row("time to first action (minutes)", "tips acted on", len(waits))
        row("time to first action (minutes)", "median", statistics.median(waits) if waits else "")
        row("time to first action (minutes)", "90th percentile",
            waits[min(len(waits) - 1, int(0.9 * len(waits)))] if waits else "")
        row("false reports", "closed as prank or deliberately false",
            sum(1 for t in group if t.outcome in FALSE_REPORT_OUTCOMES))
        row("false reports", "flagged possibly malicious", sum(t.possibly_malicious for t in group))
        row("false reports", "closed as unfounded (good faith)", sum(1 for t in group if t.outcome == Outcome.UNFOUNDED))
    return out.getvalue()
