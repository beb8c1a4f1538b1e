"""School years and terms, as the equity dashboard counts them.

A school year starts on 1 July (the federal and most states' fiscal and reporting year, and the CRDC's),
and is named by the year it starts in: 2025 is 2025–26. Its terms: summer (July), fall (August to
December), spring (January to June).
"""

from __future__ import annotations

import datetime as dt

TERMS = ("summer", "fall", "spring")
TERM_LABELS = {"summer": "Summer", "fall": "Fall", "spring": "Spring"}


def school_year_of(day: dt.date) -> int:
    """The school year a day falls in (the calendar year it starts in)."""
    return day.year if day.month >= 7 else day.year - 1


def term_of(day: dt.date) -> str:
    if day.month == 7:
        return "summer"
    return "fall" if day.month >= 8 else "spring"


def term_span(school_year: int, term: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a term of a school year."""
    if term == "summer":
        return dt.date(school_year, 7, 1), dt.date(school_year, 7, 31)
    if term == "fall":
        return dt.date(school_year, 8, 1), dt.date(school_year, 12, 31)
    if term == "spring":
        return dt.date(school_year + 1, 1, 1), dt.date(school_year + 1, 6, 30)
    raise ValueError(f"unknown term {term!r}")


def year_label(school_year: int) -> str:
    """2025 -> "2025–26"."""
    return f"{school_year}–{(school_year + 1) % 100:02d}"


def term_label(school_year: int, term: str) -> str:
    """"Fall 2025", "Spring 2026": the calendar year the term is in."""
    first, _ = term_span(school_year, term)
    return f"{TERM_LABELS[term]} {first.year}"
