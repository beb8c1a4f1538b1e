"""Memoranda of understanding between an agency and a district (the ED/DOJ SECURe rubric)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from schoolsafe.access.policy import RestrictedQuerySet

__all__ = ["SECTIONS", "SECTION_HEADINGS", "Mou", "MouSection", "MouSignatory"]

# The sections of an MOU in the order of the SECURe rubric (Safe School-based Enforcement through
# Collaboration, Understanding, and Respect; U.S. Departments of Education and Justice).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("purpose", "Purpose"),
    ("roles", "Roles and responsibilities"),
    ("information_sharing", "Information sharing and FERPA"),
    ("selection_training", "Selection and training of SROs"),
    ("supervision_evaluation", "Supervision and evaluation"),
    ("funding", "Funding"),
    ("data_reporting", "Data collection and reporting"),
    ("complaints", "Complaints"),
)
SECTION_HEADINGS = dict(SECTIONS)
# Days before expiry that the parties next review an MOU when no review date is given.
DEFAULT_REVIEW_LEAD = dt.timedelta(days=90)


class Mou(models.Model):
    """A memorandum of understanding between a law-enforcement agency and a school district on the SRO program."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        SIGNED = "signed", "Signed"
        EXPIRED = "expired", "Expired"
        SUPERSEDED = "superseded", "Superseded"

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="mous")
    district = models.ForeignKey("core.District", on_delete=models.PROTECT, related_name="mous")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    effective_date = models.DateField()
    expiry_date = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True, help_text="When the parties next review the MOU.")
    signed_file = models.FileField(upload_to="sro/mou/", blank=True)
    signed_file_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The review date each reminder stage was last sent for: the worker claims a stage by an UPDATE that
    # sets it where it differs, so each stage fires once per review date (sro/tasks.py).
    reminded_soon_for = models.DateField(null=True, blank=True)
    reminded_due_for = models.DateField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_date", "pk"]
        constraints = [models.CheckConstraint(
            name="sro_mou_expiry_after_effective",
            condition=models.Q(expiry_date__isnull=True) | models.Q(expiry_date__gte=models.F("effective_date")))]

    def __str__(self) -> str:
        return self.title

    def due_for_review(self, today: dt.date) -> bool:
        """Signed, with its review date within 30 days (or past)."""
        return (self.status == self.Status.SIGNED and self.review_date is not None
                and self.review_date <= today + dt.timedelta(days=30))


class MouSection(models.Model):
    """One section of an MOU, as the SECURe rubric names them, with the text the parties agreed."""

    mou = models.ForeignKey(Mou, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=32, choices=SECTIONS)
    position = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["mou", "key"], name="sro_mou_section_once")]

    def __str__(self) -> str:
        return self.heading

    @property
    def heading(self) -> str:
        return SECTION_HEADINGS[self.key]


class MouSignatory(models.Model):
    """A person who signs an MOU for one of its two parties."""

    class Side(models.TextChoices):
        AGENCY = "agency", "Agency"
        DISTRICT = "district", "District"

    mou = models.ForeignKey(Mou, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    side = models.CharField(max_length=8, choices=Side.choices)
    signed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["side", "pk"]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"
