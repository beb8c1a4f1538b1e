"""The partnership: information-sharing agreements and the 24/7 contact directory."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from schoolsafe.access.owner import OwnedByOneOrganization, one_organization_constraint, organization_fields
from schoolsafe.access.policy import RestrictedQuerySet

__all__ = ["DATA_CATEGORIES", "LEGAL_BASES", "STALE_AFTER", "DirectoryEntry", "SharingAgreement"]

# What an agreement may cover: a fixed list, so that a reader can see at once whether, say, juvenile
# records are shared at all.
DATA_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("incident_reports", "Incident reports"),
    ("threat_assessment", "Threat-assessment information"),
    ("directory_information", "Student directory information"),
    ("education_records", "Education records"),
    ("criminal_history", "Criminal history"),
    ("juvenile_records", "Juvenile records"),
    ("attendance", "Attendance"),
    ("video", "Video"),
)
# The legal basis for disclosure. The FERPA exceptions are those of 34 CFR Part 99 that school-police
# sharing rests on; a state statute needs its citation.
LEGAL_BASES: tuple[tuple[str, str], ...] = (
    ("ferpa_health_safety", "FERPA: health or safety emergency (34 CFR 99.36)"),
    ("ferpa_law_enforcement_unit", "FERPA: law enforcement unit records (34 CFR 99.8)"),
    ("ferpa_subpoena", "FERPA: subpoena or court order (34 CFR 99.31(a)(9))"),
    ("ferpa_directory", "FERPA: directory information (34 CFR 99.31(a)(11))"),
    ("ferpa_consent", "FERPA: written consent (34 CFR 99.30)"),
    ("state_statute", "State statute"),
    ("court_order", "Court order"),
    ("consent", "Consent"),
)
EXPIRING_WITHIN = dt.timedelta(days=30)
# A 24/7 number not confirmed for this long is flagged "not verified since …": numbers change when people
# change posts, and a twice-yearly check catches a change of school year and of semester.
STALE_AFTER = dt.timedelta(days=180)


class SharingAgreement(models.Model):
    """A written agreement between agencies and districts on which student or police data they share, on what
    legal basis and for how long it is kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        TERMINATED = "terminated", "Terminated"

    title = models.CharField(max_length=200)
    agencies = models.ManyToManyField("core.Agency", related_name="sharing_agreements", blank=True)
    districts = models.ManyToManyField("core.District", related_name="sharing_agreements", blank=True)
    data_categories = models.JSONField(default=list)
    legal_basis = models.CharField(max_length=32, choices=LEGAL_BASES)
    legal_citation = models.CharField(max_length=300, blank=True,
                                      help_text="The statute, order or consent form relied on.")
    retention_days = models.PositiveIntegerField(help_text="How long a recipient keeps what is shared, in days.")
    effective_date = models.DateField()
    expiry_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["expiry_date", "pk"]
        constraints = [models.CheckConstraint(
            name="partnership_agreement_expiry_after_effective",
            condition=Q(expiry_date__isnull=True) | Q(expiry_date__gte=models.F("effective_date")))]

    def __str__(self) -> str:
        return self.title

    def standing(self, today: dt.date) -> str:
        """What a reader of the list needs: draft, terminated, expired, "expiring" (within 30 days) or active."""
        if self.status != self.Status.ACTIVE:
            return self.status
        if self.expiry_date is not None and self.expiry_date < today:
            return "expired"
        if self.expiry_date is not None and self.expiry_date <= today + EXPIRING_WITHIN:
            return "expiring"
        if self.effective_date > today:
            return "not yet in effect"
        return "active"

    def category_labels(self) -> list[str]:
        labels = dict(DATA_CATEGORIES)
        return [labels.get(c, c) for c in self.data_categories]


class DirectoryEntry(OwnedByOneOrganization):
    """One number to call around the clock: a school's, an agency's, or a PSAP's (the 911 centre that dispatches
    for an agency) person or desk, in the order responders escalate."""

    class Kind(models.TextChoices):
        SCHOOL = "school", "School"
        AGENCY = "agency", "Agency"
        # A public-safety answering point is not an organization of its own: the entry names the centre and
        # belongs to the agency it dispatches for.
        PSAP = "psap", "PSAP (911 centre)"

    agency, district, school = organization_fields("directory_entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    psap_name = models.CharField("PSAP name", max_length=200, blank=True)
    role = models.CharField(max_length=120)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40)
    alternate_phone = models.CharField(max_length=40, blank=True)
    escalation_order = models.PositiveSmallIntegerField(default=1)
    hours = models.CharField(max_length=120, default="24/7", help_text="24/7, or a range such as Mon–Fri 7:00–16:00.")
    last_verified = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["escalation_order", "pk"]
        verbose_name_plural = "directory entries"
        constraints = [
            one_organization_constraint("partnership_directoryentry_one_organization"),
            models.CheckConstraint(name="partnership_directoryentry_kind_owner", condition=(
                Q(kind="school", school__isnull=False) | Q(kind__in=["agency", "psap"], agency__isnull=False))),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"

    def is_stale(self, today: dt.date) -> bool:
        return self.last_verified is None or self.last_verified < today - STALE_AFTER

    @property
    def where(self) -> str:
        """Whose entry it is, as a list shows it."""
        if self.kind == self.Kind.PSAP:
            return self.psap_name
        return self.school.name if self.school_id else self.agency.name if self.agency_id else ""
