"""The monthly activity report: totals and the mix of NASRO's triad (educator, informal counsellor / mentor,
law enforcement) for one officer or one school, from the entries the reader may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from schoolsafe.sro.models import ActivityEntry, TriadRole


def parse_month(text: str) -> dt.date:
    """'2026-09' -> 2026-09-01 (ValueError otherwise)."""
    year, month = text.split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(text)
    return dt.date(int(year), int(month), 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month and of the next, in the site's time zone."""
    first = month.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (dt.datetime.combine(first, dt.time(), zone), dt.datetime.combine(after, dt.time(), zone))


@dataclass
class RoleShare:
    role: str
    label: str
    entries: int
    minutes: int
    students: int
    minutes_pct: int
    entries_pct: int


@dataclass
class MonthReport:
    month: dt.date
    entries: list[Any]
    total_entries: int
    total_minutes: int
    total_students: int
    roles: list[RoleShare]


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def summarize(month: dt.date, entries: list[Any]) -> MonthReport:
    """Totals and the triad mix of `entries` (pure: any objects with role, minutes, students_reached)."""
    total_minutes = sum(e.minutes for e in entries)
    roles = []
    for role, label in TriadRole.choices:
        mine = [e for e in entries if e.role == role]
        minutes = sum(e.minutes for e in mine)
        roles.append(RoleShare(role, str(label), len(mine), minutes, sum(e.students_reached for e in mine),
                               _pct(minutes, total_minutes), _pct(len(mine), len(entries))))
    return MonthReport(month, entries, len(entries), total_minutes, sum(e.students_reached for e in entries), roles)


def month_report(user: Any, month: dt.date, *, officer: Any = None, school: Any = None) -> MonthReport:
    start, end = month_bounds(month)
    rows = (ActivityEntry.objects.restrict(user, "view").filter(occurred_at__gte=start, occurred_at__lt=end)
            .select_related("school", "officer").order_by("occurred_at", "pk"))
    if officer is not None:
        rows = rows.filter(officer=officer)
    if school is not None:
        rows = rows.filter(school=school)
    return summarize(month.replace(day=1), list(rows))
