"""Anonymous tips: what a tipster reported, the two-way thread, and what the tip line did about it.

Nothing here identifies the tipster: no address, no user agent, no cookie, no original file name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schoolsafe.access.policy import RestrictedQuerySet


class Category(models.TextChoices):
    PLANNED_ATTACK = "planned_attack", _("Planned attack or threat of violence")
    WEAPON = "weapon", _("Weapon")
    SELF_HARM = "self_harm", _("Self-harm or suicide")
    BULLYING = "bullying", _("Bullying")
    DRUGS = "drugs", _("Drugs")
    ABUSE = "abuse", _("Abuse")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    # The labels are what the tipster reads on the follow-up page.
    NEW = "new", _("Received, waiting for review")
    IN_REVIEW = "in_review", _("Being looked into")
    CLOSED = "closed", _("Closed")


class Source(models.TextChoices):
    WEB = "web", "Web form"
    API = "api", "App or API"
    PHONE = "phone", "Phone call (entered by staff)"


class Outcome(models.TextChoices):
    """What the tip led to (Colorado's Safe2Tell law requires one for every tip)."""

    COUNSELLING = "counselling", "Counselling or support provided"
    PARENT_CONTACT = "parent_contact", "Parent or guardian contacted"
    WELFARE_CHECK = "welfare_check", "Police welfare check"
    THREAT_ASSESSMENT = "threat_assessment", "Threat assessment opened"
    DISCIPLINE = "discipline", "School discipline"
    LAW_ENFORCEMENT = "law_enforcement", "Police investigation"
    REFERRED = "referred", "Referred to another service"
    INSUFFICIENT = "insufficient_information", "Not enough information to act"
    UNFOUNDED = "unfounded", "Unfounded (made in good faith)"
    PRANK = "prank", "Prank or deliberately false report"
    DUPLICATE = "duplicate", "Duplicate of another tip"


FALSE_REPORT_OUTCOMES = frozenset({Outcome.PRANK})


class Destination(models.TextChoices):
    SCHOOL = "school", "School administration"
    POLICE = "police", "Police dispatch"
    THREAT_ASSESSMENT = "threat_assessment", "Threat-assessment team"


class Tip(models.Model):
    """One anonymous report to the tip line, and the tip line's handling of it."""

    code = models.CharField(max_length=16, unique=True)
    # Django password-hasher format (Argon2); the passphrase itself is shown once and never kept.
    passphrase_hash = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices)
    # SET_NULL: a school that closes and leaves the registry must not take its tips (records) with it;
    # they stay with the district.
    school = models.ForeignKey("core.School", null=True, on_delete=models.SET_NULL, related_name="tips")
    # Copied from the school: the district's analysts own the tip even if the school later moves or closes.
    district = models.ForeignKey("core.District", on_delete=models.PROTECT, related_name="tips")
    what = models.TextField()
    when_text = models.CharField(max_length=300, blank=True)
    where_text = models.CharField(max_length=300, blank=True)
    who_text = models.TextField(blank=True)
    # The language the tipster wrote in, so analysts can answer in it.
    language = models.CharField(max_length=8, default="en")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The staff member who typed in a tip received by phone.",
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)

    urgent = models.BooleanField(default=False)
    urgency_score = models.PositiveIntegerField(default=0)
    urgency_reasons = models.JSONField(default=list, blank=True)
    deadline = models.DateTimeField()

    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="claimed_tips"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    first_action_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Internal: never shown to the tipster, nor in any public answer.
    possibly_malicious = models.BooleanField(default=False)

    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-urgency_score", "received_at"]
        indexes = [
            models.Index(fields=["district", "status", "-urgency_score", "received_at"], name="tip_queue"),
            models.Index(fields=["status", "deadline"], name="tip_deadline"),
        ]
        constraints = [
            # A tip closes only with a recorded outcome.
            models.CheckConstraint(
                name="tip_closed_has_outcome",
                condition=~Q(status="closed") | (~Q(outcome="") & Q(closed_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"Tip {self.code}"

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.now()

class TipMessage(models.Model):
    """One message of the two-way thread between the tipster and the tip line."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="messages")
    from_tipster = models.BooleanField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{'tipster' if self.from_tipster else 'tip line'} on {self.tip_id}"


class TipNote(models.Model):
    """An internal note on a tip; never shown to the tipster."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note on {self.tip_id}"


class TipAttachment(models.Model):
    """A photo or PDF the tipster sent: checked by content, images re-encoded without metadata, stored
    under a random name (the original file name could name its author, so it is not kept)."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        PDF = "pdf", "PDF"

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TipMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    stored_name = models.CharField(max_length=80, unique=True)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.stored_name


class TipRoute(models.Model):
    """A tip handed on to someone who must act: the school, police dispatch or the threat-assessment team."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="routes")
    destination = models.CharField(max_length=20, choices=Destination.choices)
    note = models.TextField(blank=True)
    # None: routed by the system (an urgent tip nobody claimed while no analyst was on call goes to dispatch).
    routed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    routed_at = models.DateTimeField(default=timezone.now)
    # For police dispatch: the console repeats its tone until a dispatcher acknowledges the tip.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tip", "destination"], name="tip_route_once")]

    def __str__(self) -> str:
        return f"{self.tip_id} → {self.destination}"


class OnCallShift(models.Model):
    """An analyst on call for a district's (or an agency's) tip line between two moments: the person a
    life-safety tip escalates to when nobody claims it in time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tip_on_call")
    district = models.ForeignKey("core.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("core.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                name="on_call_one_organization",
                condition=Q(district__isnull=False, agency__isnull=True) | Q(district__isnull=True, agency__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on call {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"
