"""Emitting an event: one outbox row written in the caller's transaction, streams woken after commit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from schoolsafe.audit.log import _PG_LOCK_KEY
from schoolsafe.events.audience import check_key
from schoolsafe.events.bus import publish_local
from schoolsafe.events.consumers import run_consumers
from schoolsafe.events.kinds import get_kind
from schoolsafe.events.models import Event

# The PostgreSQL NOTIFY channel; the payload is an event id, never the event (payloads are read from
# the table, through the access rule, by each instance).
CHANNEL = "schoolsafe_events"
KIND = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")

# Why a lock: a stream resumes "after id N", so ids must become visible in id order. On PostgreSQL two
# transactions can take ids 10 and 11 and commit 11 first; a hub reading then would move past 10 for
# good. Holding a transaction-scoped advisory lock from before the insert until commit makes id order
# the commit order. It is the audit chain's lock on purpose: alert actions write both an audit row and
# an event, and two different locks taken in different orders by two actions could deadlock.
# SQLite needs nothing: IMMEDIATE transactions already admit one writer at a time.
ORDER_LOCK_KEY = _PG_LOCK_KEY


def _subject_of(subject: Any) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, models.Model):
        return subject._meta.label_lower, str(subject.pk)
    subject_type, subject_id = subject
    return str(subject_type), str(subject_id)


def emit_event(
    kind: str,
    data: dict[str, Any],
    audience: Iterable[str],
    *,
    school: Any = None,
    subject: Any = None,
    context: dict[str, Any] | None = None,
) -> Event:
    """Write an event in the caller's transaction (the outbox) and wake connected streams once it commits.

    `audience`: keys such as "school:12:staff" or "user:7" (see audience.py). `school`: a School or its
    id. `subject`: the model instance the event is about, or a ("alerts.alert", 42) pair. `context`: what the
    outbox's consumers need beside the event (consumers.py: "actor", "organizations"), never stored.
    The kind must be declared in an app's event_kinds.py (kinds.py); else UnknownEventKind.
    """
    if not isinstance(kind, str) or not KIND.match(kind) or len(kind) > 64:
        raise ValueError(f"not an event kind: {kind!r} (expected dotted lowercase words, e.g. 'alert.raised')")
    get_kind(kind)
    if not isinstance(data, dict):
        raise ValueError("event data must be a dict")
    keys = sorted({check_key(key) for key in audience})
    if not keys:
        raise ValueError("an event needs at least one audience key")
    subject_type, subject_id = _subject_of(subject)
    school_id = school.pk if isinstance(school, models.Model) else school
    with transaction.atomic(savepoint=False):
        postgres = connection.vendor == "postgresql"
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ORDER_LOCK_KEY])
        event = Event.objects.create(
            kind=kind, data=data, audience=keys, school_id=school_id, subject_type=subject_type, subject_id=subject_id
        )
        if postgres:
            # NOTIFY is transactional: delivered to every instance's listener when (and only if) this
            # commits, even if this process dies right after the commit.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(event.pk)])
        # This process's own streams get the event from memory once it commits, as the table will give it
        # back: the data as its JSON column stores it (dates as ISO strings).
        stored = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
        transaction.on_commit(partial(publish_local, event.pk, kind, stored, keys))
        run_consumers(event, context or {})
    return event
