"""Threat assessment: teams, cases and the CSTAG decisions that move a case from intake to closure.

The steps follow the Comprehensive School Threat Assessment Guidelines (CSTAG): 1 evaluate the threat,
2 decide whether it is transient or substantive, 3 respond to a substantive threat (serious or very
serious), 4 conduct a safety evaluation for a very serious threat, 5 implement and monitor a safety plan.
Every decision is a `Decision` row (who, when, which step, what outcome, why). Access is need-to-know:
see `schoolsafe.threats.policies`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import RestrictedQuerySet


class TeamRole(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    MENTAL_HEALTH = "mental_health", "Mental-health professional"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    OTHER = "other", "Other"


class Team(models.Model):
    """A multidisciplinary threat-assessment team serving one school, or a whole district."""

    name = models.CharField(max_length=200)
    district = models.ForeignKey("core.District", on_delete=models.PROTECT, related_name="threat_teams")
    # Empty for the district-level team; a school's team always names its district too, so that the
    # district's coordinator is found without a join through the school. A team goes with its school, but
    # a team with cases cannot (Case.team protects it): case records outlive a reorganisation.
    school = models.ForeignKey(
        "core.School", null=True, blank=True, on_delete=models.CASCADE, related_name="threat_teams"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school"], condition=Q(school__isnull=False), name="threat_team_one_per_school"),
            models.UniqueConstraint(fields=["district"], condition=Q(school__isnull=True),
                                    name="threat_team_one_per_district"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        return "school" if self.school_id else "district"

    @property
    def organization(self) -> str:
        """The audit log's organization key for this team's records."""
        return str(OrgKey.school(self.school_id) if self.school_id else OrgKey.district(self.district_id))

    def active_members(self) -> models.QuerySet:
        return self.members.filter(removed_at__isnull=True).select_related("user")

class TeamMember(models.Model):
    """A person's seat on a threat-assessment team, with the discipline they bring to it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threat_team_seats")
    team_role = models.CharField(max_length=20, choices=TeamRole.choices)
    is_lead = models.BooleanField(default=False)
    added_at = models.DateTimeField(auto_now_add=True)
    # A removed member's row stays: decisions they took still name them.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_lead", "team_role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], condition=Q(removed_at__isnull=True),
                                    name="threat_member_once_per_team"),
            models.UniqueConstraint(fields=["team"], condition=Q(is_lead=True, removed_at__isnull=True),
                                    name="threat_team_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_team_role_display()}) on {self.team}"

class Stage(models.TextChoices):
    """Where a case stands in the CSTAG workflow: the step the team must record next."""

    EVALUATE = "evaluate", "Step 1: evaluate the threat"
    CLASSIFY = "classify", "Step 2: transient or substantive"
    RESPOND = "respond", "Step 3: respond to a substantive threat"
    SAFETY_EVALUATION = "safety_evaluation", "Step 4: safety evaluation"
    SAFETY_PLAN = "safety_plan", "Step 5: safety plan"
    MONITORING = "monitoring", "Step 5: monitoring the safety plan"
    RESOLVED = "resolved", "Resolved as transient, ready to close"
    CLOSED = "closed", "Closed"


class Classification(models.TextChoices):
    UNCLASSIFIED = "", "Not yet classified"
    TRANSIENT = "transient", "Transient"
    # Between step 2 and step 3: substantive, seriousness not yet decided.
    SUBSTANTIVE = "substantive", "Substantive"
    SERIOUS = "serious", "Serious substantive"
    VERY_SERIOUS = "very_serious", "Very serious substantive"


class Source(models.TextChoices):
    REFERRAL = "referral", "Staff referral"
    TIP = "tip", "Tip"
    TEAM = "team", "Opened by the team"


class PersonKind(models.TextChoices):
    STUDENT = "student", "Student of the school"
    STAFF = "staff", "Staff member"
    PARENT = "parent", "Parent or guardian"
    OTHER = "other", "Other person"


class HowReceived(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    WRITTEN = "written", "Written note or letter"
    SOCIAL_MEDIA = "social_media", "Social media"
    TIP_LINE = "tip_line", "Anonymous tip line"
    STAFF_REFERRAL = "staff_referral", "Staff referral form"
    OTHER = "other", "Other"


class Mode(models.TextChoices):
    SPOKEN = "spoken", "Spoken"
    WRITTEN = "written", "Written"
    ELECTRONIC = "electronic", "Electronic (text, post, email)"
    GESTURE = "gesture", "Gesture or behaviour"


class ClosureOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved (transient threat)"
    PLAN_COMPLETED = "plan_completed", "Safety plan completed; concern reduced"
    LEFT_SCHOOL = "left_school", "Person of concern left the school or district"
    REFERRED = "referred", "Handed over to another agency"
    OTHER = "other", "Other"


class Case(models.Model):
    """One threat or concerning behaviour that a threat-assessment team assesses and manages."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    school = models.ForeignKey("core.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices)
    # The tips app's own reference, so that a second click on "open a case" finds this case again.
    tip_reference = models.CharField(max_length=64, blank=True)
    # The staff member who referred the concern. A referrer does not see the case (need-to-know).
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)

    # Intake: who, what, when, how it reached the school.
    person_kind = models.CharField("person of concern is", max_length=10, choices=PersonKind.choices)
    person_name = models.CharField("person of concern", max_length=200)
    person_grade = models.CharField("grade", max_length=10, blank=True)
    person_details = models.TextField("about the person", blank=True)
    reporter_name = models.CharField("reported by", max_length=200, blank=True)
    reporter_contact = models.CharField("reporter's contact", max_length=200, blank=True)
    occurred_at = models.DateTimeField("date and time of the behaviour")
    how_received = models.CharField(max_length=20, choices=HowReceived.choices)
    behaviour = models.TextField("exact words or behaviour")
    mode = models.CharField(max_length=12, choices=Mode.choices)
    targets = models.TextField("intended targets", blank=True)
    witnesses = models.TextField(blank=True)
    context = models.TextField(blank=True)

    # Workflow state; only actions move it, each with a Decision row.
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.EVALUATE)
    classification = models.CharField(max_length=12, choices=Classification.choices, blank=True)
    classified_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField("how the transient threat was resolved", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_outcome = models.CharField(max_length=16, choices=ClosureOutcome.choices, blank=True)
    closure_reason = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tip_reference"], condition=~Q(tip_reference=""),
                                    name="threat_case_one_per_tip"),
        ]
        indexes = [models.Index(fields=["team", "stage"]), models.Index(fields=["school", "opened_at"])]

    def __str__(self) -> str:
        # Never the person's name: this string lands in audit rows and log lines.
        return self.number

    @property
    def number(self) -> str:
        return f"TA-{self.opened_at:%Y}-{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def organization(self) -> str:
        return str(OrgKey.school(self.school_id)) if self.school_id else self.team.organization

    @property
    def step_number(self) -> int:
        return {"evaluate": 1, "classify": 2, "respond": 3, "safety_evaluation": 4, "safety_plan": 5,
                "monitoring": 5, "resolved": 2, "closed": 6}[self.stage]

class _CasePart(models.Model):
    """Something that belongs to a case and is exactly as visible as the case."""

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class Step(models.TextChoices):
    INTAKE = "intake", "Intake"
    EVALUATE = "evaluate", "Step 1: evaluation"
    CLASSIFY = "classify", "Step 2: transient or substantive"
    RESPOND = "respond", "Step 3: substantive response"
    SAFETY_EVALUATION = "safety_evaluation", "Step 4: safety evaluation"
    SAFETY_PLAN = "safety_plan", "Step 5: safety plan"
    FOLLOW_UP = "follow_up", "Step 5: follow-up"
    CLOSE = "close", "Closure"


class Decision(_CasePart):
    """One recorded decision of the team: who decided, when, at which step, what and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(max_length=20, choices=Step.choices)
    outcome = models.CharField(max_length=40)
    rationale = models.TextField()
    # The step's structured record: interviews held, protective actions, interim measures, ...
    details = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_step_display()} — {self.outcome}"


# The US Secret Service's eleven investigative questions, as a structured checklist (USSS/Department
# of Education, "Threat Assessment in Schools", 2002; NTAC "Enhancing School Safety", 2018).
THEMES: list[tuple[str, str, str]] = [
    ("motive", "Motive", "What motivated the person to make the statements or take the actions?"),
    ("communications", "Communications", "Has the person communicated intent to attack to anyone?"),
    ("inappropriate_interests", "Inappropriate interests",
     "Has the person shown inappropriate interest in weapons, school attacks or attackers, or violence?"),
    ("weapons_access", "Access to weapons", "Does the person have, or could they get, access to weapons?"),
    ("stressors", "Stressors", "Are there recent losses, setbacks, conflicts or other stressors?"),
    ("emotional_developmental", "Emotional and developmental issues",
     "Are there emotional, developmental or mental-health concerns?"),
    ("desperation", "Desperation or despair", "Is the person experiencing hopelessness, desperation or despair?"),
    ("violence_as_option", "Violence as an option",
     "Does the person see violence as an acceptable or the only way to solve problems?"),
    ("concerning_behaviour", "Concerning behaviour", "Have others been concerned by the person's behaviour?"),
    ("capacity", "Capacity", "Does the person have the capacity to carry out an act of targeted violence?"),
    ("planning", "Planning", "Is there evidence of planning, preparation or attack-related behaviour?"),
    ("consistency", "Consistency", "Are the person's statements consistent with their actions?"),
    ("protective_factors", "Protective factors",
     "Are there trusted adults, positive connections or other factors that reduce the risk?"),
]
THEME_CHOICES = [(code, label) for code, label, _ in THEMES]


class Finding(models.TextChoices):
    NOT_ASSESSED = "", "Not yet assessed"
    CONCERN = "concern", "Concern present"
    NO_CONCERN = "no_concern", "No concern found"
    UNKNOWN = "unknown", "Unknown / needs more information"


class ThemeAssessment(_CasePart):
    """The team's finding on one Secret Service investigative theme for a case, with notes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField(max_length=30, choices=THEME_CHOICES)
    finding = models.CharField(max_length=12, choices=Finding.choices, blank=True)
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "theme"], name="threat_theme_once_per_case")]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_theme_display()}"


class Note(models.Model):
    """A team member's note on a case; a clinical note is read only by the team's mental-health members."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    clinical = models.BooleanField(default=False)
    text = models.TextField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["written_at", "pk"]

    def __str__(self) -> str:
        return f"{'Clinical note' if self.clinical else 'Note'} {self.pk} on {self.case}"

class NotificationRecipient(models.TextChoices):
    TARGET = "target", "Intended target"
    TARGET_PARENT = "target_parent", "Parent of an intended target"
    PERSON_PARENT = "person_parent", "Parent of the person of concern"
    OTHER = "other", "Other"


class CaseNotification(_CasePart):
    """A notification the team gave about a substantive threat: to a target, a target's parents, or the
    parents of the person of concern (CSTAG step 3)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.CharField(max_length=16, choices=NotificationRecipient.choices)
    name = models.CharField("who was notified", max_length=200)
    method = models.CharField("how", max_length=100)
    notified_at = models.DateTimeField()
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["notified_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_recipient_display()} notified"


class SafetyPlan(_CasePart):
    """The plan that manages a substantive threat: interventions, who is responsible, how it is monitored."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="safety_plan")
    interventions = models.TextField()
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    monitoring_schedule = models.CharField(max_length=200)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Safety plan for {self.case}"


class FollowUp(_CasePart):
    """One monitoring check of a safety plan, due on a date, done by the responsible member."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField()
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set once by the reminder sender (a conditional update, so two workers never both send).
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(blank=True)
    # Set when the case closes with this check still open: it will never be done.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["due_on", "completed_at"])]

    def __str__(self) -> str:
        return f"Follow-up of {self.case} due {self.due_on:%Y-%m-%d}"

    @property
    def is_pending(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.due_on < timezone.localdate()


class LegalBasis(models.TextChoices):
    # 34 CFR 99.31(a)(10) and 99.36.
    HEALTH_SAFETY = "ferpa_health_safety", "FERPA health-or-safety emergency (34 CFR 99.36)"
    CONSENT = "ferpa_consent", "Written consent of the parent or eligible student (34 CFR 99.30)"
    COURT_ORDER = "court_order", "Court order or lawfully issued subpoena (34 CFR 99.31(a)(9))"
    SCHOOL_OFFICIAL = "school_official", "School official with a legitimate educational interest (34 CFR 99.31(a)(1))"
    JUVENILE_JUSTICE = "juvenile_justice", "State law: juvenile justice system (34 CFR 99.31(a)(5))"
    STATE_LAW = "state_law", "Other state or federal law (cite it)"


class Disclosure(_CasePart):
    """Information from a case shared outside the team: to whom, what, when and on which legal basis."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    recipients = models.TextField("recipients (names and organizations)")
    legal_basis = models.CharField(max_length=24, choices=LegalBasis.choices)
    # 34 CFR 99.32(a)(5): a health-or-safety disclosure records the articulable and significant threat.
    basis_detail = models.TextField("the threat, consent or law relied on", blank=True)
    information = models.TextField("what was shared")
    disclosed_at = models.DateTimeField()
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["disclosed_at", "pk"]

    def __str__(self) -> str:
        return f"Disclosure from {self.case}"
