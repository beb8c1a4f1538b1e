"""Exporting the audit log as CSV or JSON lines (for an auditor, a SIEM, an archive)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, TextIO

from schoolsafe.audit.models import AuditEntry

FIELDS = [
    "id", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "object_repr",
    "organization", "request_id", "summary", "prev_hash", "hash",
]
FORMATS = ("csv", "jsonl")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def entry_row(entry: AuditEntry) -> dict[str, Any]:
    """One row as exported: the stored values, the time in UTC ISO 8601 (as the hash covers it)."""
    return {
        "id": entry.pk,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "organization": entry.organization,
        "request_id": entry.request_id,
        "summary": entry.summary,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def entries_since(since: dt.datetime, until: dt.datetime | None = None) -> Iterator[AuditEntry]:
    entries = AuditEntry.objects.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    return entries.order_by("id").iterator(chunk_size=2000)


def write_export(out: TextIO, fmt: str, since: dt.datetime, until: dt.datetime | None = None) -> int:
    """Write the rows at or after `since` (and before `until`) in id order; returns how many."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for entry in entries_since(since, until):
            writer.writerow({key: _csv_cell(value) for key, value in entry_row(entry).items()})
            count += 1
    else:
        for entry in entries_since(since, until):
            out.write(json.dumps(entry_row(entry), ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count
