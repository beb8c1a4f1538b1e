"""Emergency operations plans, the Standard Response Protocol settings and site maps of schools."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from schoolsafe.access.policy import RestrictedQuerySet
from schoolsafe.plans.outline import SECTION_KINDS

REVIEW_INTERVAL = dt.timedelta(days=365)


class PlanTemplate(models.Model):
    """A district's template from which each of its schools' plans starts."""

    district = models.OneToOneField("core.District", on_delete=models.CASCADE, related_name="plan_template")
    # [{"key", "kind", "title", "body"}] in order; the built-in outline when the district has none.
    sections = models.JSONField(default=list)
    # [{"name", "category", "probability", "magnitude", "warning_time", "duration"}]
    hazards = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Plan template of {self.district}"


class Plan(models.Model):
    """The emergency operations plan of one school, across all its versions."""

    school = models.OneToOneField("core.School", on_delete=models.CASCADE, related_name="emergency_plan")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a version is approved: a year later the planning team must review the plan again.
    review_due = models.DateField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["school__name"]

    def __str__(self) -> str:
        return f"Emergency operations plan of {self.school}"

    @property
    def approved_version(self) -> PlanVersion | None:
        return self.versions.filter(status=PlanVersion.Status.APPROVED).order_by("-number").first()

    @property
    def open_version(self) -> PlanVersion | None:
        """The version being written or reviewed, if any (at most one)."""
        return self.versions.filter(status__in=PlanVersion.OPEN).order_by("-number").first()

    @property
    def latest_version(self) -> PlanVersion | None:
        return self.versions.order_by("-number").first()

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or dt.date.today()
        return self.review_due is not None and self.review_due < today


class PlanVersion(models.Model):
    """One numbered version of a school's plan, moving from draft through review to approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        ARCHIVED = "archived", "Archived"

    OPEN = (Status.DRAFT, Status.IN_REVIEW)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            # One version is written or reviewed at a time, so sign-offs never split across drafts.
            models.UniqueConstraint(fields=["plan"], condition=Q(status__in=["draft", "in_review"]),
                                    name="plan_one_open_version"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.school} plan, version {self.number} ({self.get_status_display()})"

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def ranked_hazards(self) -> list[ThreatHazard]:
        """The risk assessment, highest risk first (ties: by name)."""
        return sorted(self.hazards.all(), key=lambda h: (-h.risk_score, h.name.lower()))


class PlanSection(models.Model):
    """One section of a plan version: part of the basic plan, the goals, or an annex (markdown text)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=60)
    kind = models.CharField(max_length=12, choices=SECTION_KINDS)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="plan_section_key_unique")]

    def __str__(self) -> str:
        return self.title


class PlanningTeamMember(models.Model):
    """A person on the school's planning team (the guide's step 1: form a collaborative team)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, help_text="What they do on the team, e.g. 'Team lead'.")
    organization = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["version", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


RATING = [MinValueValidator(1), MaxValueValidator(4)]


class ThreatHazard(models.Model):
    """A threat or hazard the school faces, rated in the plan's risk assessment."""

    class Category(models.TextChoices):
        NATURAL = "natural", "Natural hazard"
        TECHNOLOGICAL = "technological", "Technological hazard"
        BIOLOGICAL = "biological", "Biological hazard"
        ADVERSARIAL = "adversarial", "Adversarial, incidental or human-caused threat"

    # The guide's four ratings, each 1 (lowest) to 4 (highest).
    PROBABILITY = {1: "Unlikely", 2: "Possible", 3: "Likely", 4: "Highly likely"}
    MAGNITUDE = {1: "Negligible", 2: "Limited", 3: "Critical", 4: "Catastrophic"}
    WARNING_TIME = {1: "More than 24 hours", 2: "12–24 hours", 3: "6–12 hours", 4: "Minimal (under 6 hours)"}
    DURATION = {1: "Less than 6 hours", 2: "Less than a day", 3: "Less than a week", 4: "More than a week"}
    # Calculated Priority Risk Index weights (FEMA hazard-mitigation practice): probability and
    # magnitude dominate, short warning and long duration raise the priority.
    WEIGHTS = {"probability": 0.45, "magnitude": 0.30, "warning_time": 0.15, "duration": 0.10}

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="hazards")
    name = models.CharField(max_length=150)
    category = models.CharField(max_length=16, choices=Category.choices)
    probability = models.PositiveSmallIntegerField(validators=RATING, choices=PROBABILITY.items())
    magnitude = models.PositiveSmallIntegerField(validators=RATING, choices=MAGNITUDE.items())
    warning_time = models.PositiveSmallIntegerField(validators=RATING, choices=WARNING_TIME.items())
    duration = models.PositiveSmallIntegerField(validators=RATING, choices=DURATION.items())

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["version", "name"]
        constraints = [
            models.CheckConstraint(
                name="hazard_ratings_1_to_4",
                condition=Q(probability__range=(1, 4), magnitude__range=(1, 4), warning_time__range=(1, 4),
                            duration__range=(1, 4)),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def risk_score(self) -> float:
        return round(sum(getattr(self, field) * weight for field, weight in self.WEIGHTS.items()), 2)

    @property
    def priority(self) -> str:
        score = self.risk_score
        return "High" if score >= 3.0 else "Medium" if score >= 2.0 else "Low"


class PlanSignOff(models.Model):
    """An approval of a plan version under review: the school's, the district's, or the police's on an annex."""

    SCHOOL_ADMIN = "school_admin"
    DISTRICT_DIRECTOR = "district_director"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="signoffs")
    # "school_admin", "district_director" or "police:<annex key>".
    kind = models.CharField(max_length=60)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Kept as written: the sign-off must still say who signed if the account is later removed.
    signer_name = models.CharField(max_length=150)
    organization = models.CharField(max_length=200)
    signed_at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["version", "signed_at"]
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="plan_signoff_unique")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.signer_name}"


class PlanReminder(models.Model):
    """A reminder sent that a plan's yearly review is coming or overdue (one per plan, kind and due date)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=[("due_soon", "Due soon"), ("overdue", "Overdue")])
    due_date = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "due_date"], name="plan_reminder_once")]

    def __str__(self) -> str:
        return f"{self.kind} reminder for {self.plan} (due {self.due_date})"


class ResponseProtocol(models.Model):
    """A school's Standard Response Protocol settings: what each action tells people to do, and where."""

    school = models.OneToOneField("core.School", on_delete=models.CASCADE, related_name="response_protocol")
    hold = models.CharField(max_length=300)
    secure = models.CharField(max_length=300)
    lockdown = models.CharField(max_length=300)
    evacuate = models.CharField(max_length=300)
    shelter = models.CharField(max_length=300)
    # The school's Spanish wording, {action: directive}; an action not set here uses the SRP's Spanish.
    spanish = models.JSONField(default=dict, blank=True)
    # {hazard: safety strategy}, e.g. {"tornado": "Evacuate to shelter area"}.
    shelter_strategies = models.JSONField(default=dict)
    evacuation_locations = models.TextField(blank=True, help_text="One location per line, primary first.")
    reunification_locations = models.TextField(blank=True, help_text="One location per line, primary first.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Standard Response Protocol of {self.school}"


class SiteMap(models.Model):
    """A school's site map: its buildings, doors, rally points and responder features as GeoJSON."""

    school = models.OneToOneField("core.School", on_delete=models.CASCADE, related_name="site_map")
    geojson = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Site map of {self.school}"


class ResponderInfo(models.Model):
    """What a responding officer needs to get in: access notes for a school (keys, gates, Knox box)."""

    school = models.OneToOneField("core.School", on_delete=models.CASCADE, related_name="responder_info")
    access_information = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Responder access information of {self.school}"


class EmergencyContact(models.Model):
    """Someone responders can reach about a school at any hour (24/7), listed in the responder packet."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="emergency_contacts")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150)
    phone = models.CharField(max_length=40)
    alternate_phone = models.CharField(max_length=40, blank=True)
    position = models.PositiveIntegerField(default=0)
    # The person this contact is, when they have an account (the principal, the SRO): their 24/7 number
    # here is the one every page shows for them (the responder packet and the dispatcher's console alike).
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="emergency_contacts")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["school", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"
