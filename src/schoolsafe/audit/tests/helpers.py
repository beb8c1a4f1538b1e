"""Test data for the audit log: rows written at a chosen time, chained exactly as record() chains them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schoolsafe.audit.log import GENESIS
from schoolsafe.audit.models import AuditEntry


def append_at(at: dt.datetime, action: str = "test.backdated", **fields: Any) -> AuditEntry:
    """A row dated `at` (record() always uses the present), properly linked to the last row."""
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    entry = AuditEntry(at=at, action=action, prev_hash=last or GENESIS, **fields)
    entry.hash = entry.compute_hash()
    entry.save(force_insert=True)
    return entry
