"""The permission matrix's object builder for notification channels (see core/tests/matrix.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from schoolsafe.core.tests.matrix import Spec
from schoolsafe.notifications.models import NotificationChannel


def _school_channel(school: Any, user: Any) -> NotificationChannel:
    now = timezone.now()
    return NotificationChannel.objects.create(
        school=school, name=f"Office email of {school.name}", kind="email", event_kinds=["alert.raised"],
        config={"recipients": ["office@example.test"]}, created_at=now, updated_at=now,
    )


def _sees(role: str, kind: str, action: str) -> bool:
    # The built channel belongs to a school: its principal and its district's director administer it; an
    # agency administrator administers the agency's own channels, not those of the schools it serves.
    return kind in ("school", "district")


MATRIX = {
    "notifications.notificationchannel": Spec(build=_school_channel, sees=_sees),
}
