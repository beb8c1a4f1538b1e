"""The durable event log (the outbox) and the delivery receipts that prove who received what, when."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.utils import timezone


class EventQuerySet(models.QuerySet):
    def visible_to(self, keys: Iterable[str]) -> EventQuerySet:
        """Events whose audience shares at least one key with `keys` (the access rule for events).

        Done in the database so a replay from an old id reads only what the subscriber may see.
        """
        keys = sorted(set(keys))
        if not keys:
            return self.none()
        column = f'"{self.model._meta.db_table}"."audience"'
        params: list[Any]
        if connections[self.db].vendor == "postgresql":
            # jsonb ?| text[]: true when any of the strings is an element of the array.
            sql, params = f"{column} ?| %s::text[]", [keys]
        else:
            marks = ", ".join(["%s"] * len(keys))
            sql = f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value IN ({marks}))"  # noqa: S608
            params = keys
        # Only placeholders are put into the SQL text; the keys travel as parameters.
        return self.filter(RawSQL(sql, params, output_field=models.BooleanField()))  # noqa: S611


class Event(models.Model):
    """Something people must see at once (an alert raised, acknowledged, cleared): one outbox row.

    The id is the SSE `id:`: ids grow in commit order (see emit.py), so a client that reconnects with
    the last id it saw is sent exactly the rows after it.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    # Audience keys ("school:12:staff", "user:7"): an event reaches a subscriber whose keys meet these.
    audience = models.JSONField(default=list)
    school = models.ForeignKey(
        "core.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "id"], name="event_subject")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class Receipt(models.Model):
    """Proof that one person's device received one event, and when (the delivery report's evidence)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_receipts")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="receipt_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} received #{self.event_id} at {self.received_at:%H:%M:%S}"
