"""Writes of the events app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from schoolsafe.events.audience import keys_for_user
from schoolsafe.events.models import Event, Receipt

MAX_RECEIPTS = 1000


def do_record_receipts(user: Any, event_ids: Iterable[int]) -> list[int]:
    """Record that `user` received these events (now); ignores events the user may not see. Idempotent:
    a receipt keeps the time of the first report. Returns the ids now on record for the user.

    Not written to the audit log, deliberately: a receipt is itself the evidence row, and one audit row
    per recipient per alert would queue thousands of writes on the audit chain's lock, which the
    acknowledgement and all-clear of the same emergency also need.
    """
    ids = sorted({int(i) for i in event_ids})
    if len(ids) > MAX_RECEIPTS:
        raise ValueError(f"ids: at most {MAX_RECEIPTS} per call")
    keys = keys_for_user(user)
    if not ids or not keys:
        return []
    visible = list(Event.objects.filter(pk__in=ids).visible_to(keys).values_list("pk", flat=True))
    now = timezone.now()
    with transaction.atomic():
        Receipt.objects.bulk_create(
            [Receipt(event_id=event_id, user=user, received_at=now) for event_id in visible], ignore_conflicts=True
        )
    return sorted(visible)
