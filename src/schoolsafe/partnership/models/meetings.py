"""The partnership: joint meetings of a police agency and a school district, and the action items they set.

The ED/DOJ guidance on school resource officer programs (the SECURe rubric and its local implementation
guide) asks the agency and the district to meet regularly, to keep minutes, and to follow up on what they
decide: a meeting records both sides, its agenda, minutes and decisions; an action item records who owns
the follow-up, for which organization, by when, and the evidence that it was done.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from schoolsafe.access.owner import OwnedByOneOrganization, one_organization_constraint, organization_fields
from schoolsafe.access.policy import RestrictedQuerySet

__all__ = ["ActionItem", "JointMeeting"]


class JointMeeting(models.Model):
    """A meeting of a police agency and a school district (and perhaps one of its schools), with its invitation."""

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", "Quarterly partnership meeting"
        THREAT_ASSESSMENT = "threat_assessment", "Threat-assessment coordination"
        DRILL_PLANNING = "drill_planning", "Drill planning"
        AFTER_ACTION = "after_action", "After-action review"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.QUARTERLY)
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="partnership_meetings")
    district = models.ForeignKey("core.District", on_delete=models.PROTECT, related_name="partnership_meetings")
    # A school closed or removed leaves the meeting between its agency and district.
    school = models.ForeignKey("core.School", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="partnership_meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    # Each decision a line of text, in the order taken (the minutes say how it was reached).
    decisions = models.JSONField(default=list, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="partnership_meetings")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    # RFC 5545 3.8.4.7: the UID of the invitation never changes; 3.8.7.4: SEQUENCE grows with each revision.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["agency", "district", "starts_at"], name="meeting_sides_start")]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"


class ActionItem(OwnedByOneOrganization):
    """A follow-up someone owns for an agency, a district or a school, due by a date, done with evidence."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(JointMeeting, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="action_items")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="partnership_action_items")
    agency, district, school = organization_fields("partnership_action_items")
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The due date each reminder stage was sent for: the reminder loop claims a stage by setting it with a
    # conditional UPDATE (partnership/tasks.py), and moving the due date re-arms both stages.
    due_soon_reminded_for = models.DateField(null=True, blank=True)
    overdue_reminded_for = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [one_organization_constraint("action_item_one_organization")]
        indexes = [models.Index(fields=["status", "due_on"], name="action_item_status_due")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_on < (today or timezone.localdate())
