"""Assignments of officers to schools, the schools' instruction hours, and the SRO activity log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from schoolsafe.access.policy import RestrictedQuerySet

__all__ = [
    "ActivityEntry",
    "ActivityReview",
    "Assignment",
    "AssignmentKind",
    "AssignmentRole",
    "InstructionHours",
    "ScheduleBlock",
    "TriadRole",
    "ACTIVITY_KINDS",
    "DEFAULT_INSTRUCTION",
    "WEEKDAYS",
]

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKDAY_CHOICES = [(i, name) for i, name in enumerate(WEEKDAYS)]
# A school that records no hours of its own is taken to teach Monday to Friday, 07:30 to 14:30.
DEFAULT_INSTRUCTION = {day: (dt.time(7, 30), dt.time(14, 30)) for day in range(5)}


class AssignmentKind(models.TextChoices):
    SRO = "sro", "School resource officer"
    SCHOOL_SAFETY_OFFICER = "school_safety_officer", "School safety officer"
    # Florida's armed school staff, the Coach Aaron Feis Guardian Program (s. 30.15, Florida Statutes).
    GUARDIAN = "guardian", "Guardian (armed school staff)"
    CONTRACTED_SECURITY = "contracted_security", "Contracted security"


# Sworn officers: the person must be an officer of an agency that serves the school.
SWORN_KINDS = frozenset({AssignmentKind.SRO, AssignmentKind.SCHOOL_SAFETY_OFFICER})


class AssignmentRole(models.TextChoices):
    PRIMARY = "primary", "Primary"
    RELIEF = "relief", "Relief"


class InstructionHours(models.Model):
    """The hours a school teaches on one weekday (a school with no rows teaches Mon–Fri 07:30–14:30)."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="instruction_hours")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    starts = models.TimeField()
    ends = models.TimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "weekday"], name="sro_instruction_day_unique")]
        ordering = ["school", "weekday"]

    def __str__(self) -> str:
        return f"{self.school} {WEEKDAYS[self.weekday]} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Assignment(models.Model):
    """A person posted to a school by an agency: an SRO, a school safety officer, a guardian or contracted
    security, from a start date to an optional end date, on a weekly schedule."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sro_assignments")
    kind = models.CharField(max_length=32, choices=AssignmentKind.choices, default=AssignmentKind.SRO)
    # A school's postings and activity are records about that school: they go with it.
    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="sro_assignments")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="sro_assignments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    role = models.CharField(max_length=16, choices=AssignmentRole.choices, default=AssignmentRole.PRIMARY)
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="supervised_sro_assignments")
    # Whether this assignment granted the person's `officer` membership at the school (so that ending it
    # takes away only what it gave, never a membership an administrator granted by hand).
    granted_membership = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["school__name", "start_date", "pk"]
        indexes = [models.Index(fields=["school", "start_date"]), models.Index(fields=["person", "start_date"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_kind_display()} at {self.school}"

    def active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class ScheduleBlock(models.Model):
    """One weekly block of an assignment: a weekday and the hours the person is at the school."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="blocks")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    starts = models.TimeField()
    ends = models.TimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["weekday", "starts"]

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.starts:%H:%M}–{self.ends:%H:%M}"


class TriadRole(models.TextChoices):
    """NASRO's triad model of school policing: an SRO is educator, informal counsellor and law enforcer."""

    EDUCATOR = "educator", "Educator"
    MENTOR = "mentor", "Informal counsellor / mentor"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"


# kind -> (triad role, label, default minutes)
ACTIVITY_KINDS: dict[str, tuple[str, str, int]] = {
    "class": (TriadRole.EDUCATOR, "Class", 50),
    "presentation": (TriadRole.EDUCATOR, "Presentation", 45),
    "mentoring": (TriadRole.MENTOR, "Mentoring contact", 15),
    "parent_meeting": (TriadRole.MENTOR, "Parent meeting", 30),
    "student_contact": (TriadRole.MENTOR, "Student contact", 10),
    "patrol": (TriadRole.LAW_ENFORCEMENT, "Patrol", 30),
    "call_for_service": (TriadRole.LAW_ENFORCEMENT, "Call for service", 30),
    "incident": (TriadRole.LAW_ENFORCEMENT, "Incident", 60),
}
KIND_CHOICES = [(kind, label) for kind, (_, label, _) in ACTIVITY_KINDS.items()]


class ActivityEntry(models.Model):
    """One thing an officer did at a school: a class taught, a student mentored, a call answered."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sro_activity")
    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="sro_activity")
    occurred_at = models.DateTimeField()
    role = models.CharField(max_length=20, choices=TriadRole.choices)
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    minutes = models.PositiveIntegerField()
    students_reached = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["officer", "occurred_at"]), models.Index(fields=["school", "occurred_at"])]
        verbose_name_plural = "activity entries"

    def __str__(self) -> str:
        return f"{self.officer} — {self.get_kind_display()} at {self.school}, {self.occurred_at:%Y-%m-%d}"


class ActivityReview(models.Model):
    """A supervisor's review of one officer's month of activity (once per officer and month)."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sro_reviews")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="sro_activity_reviews")
    # The first day of the month reviewed.
    month = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="sro_reviews_given")
    comment = models.TextField()
    reviewed_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["officer", "month"], name="sro_review_once_a_month")]
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.officer} — {self.month:%B %Y} reviewed by {self.reviewer}"
