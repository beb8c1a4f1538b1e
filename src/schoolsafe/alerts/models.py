"""Emergency alerts: incidents raised with a Standard Response Protocol action, their acknowledgements,
the escalation policy and the escalation timers the background worker runs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from schoolsafe.access.policy import RestrictedQuerySet


class Action(models.TextChoices):
    """The five Standard Response Protocol actions (I Love U Guys Foundation, SRP 4.0)."""

    HOLD = "hold", "Hold"
    SECURE = "secure", "Secure"
    LOCKDOWN = "lockdown", "Lockdown"
    EVACUATE = "evacuate", "Evacuate"
    SHELTER = "shelter", "Shelter"




class Hazard(models.TextChoices):
    """What a Shelter is against (SRP names tornado, hazmat, earthquake and tsunami)."""

    TORNADO = "tornado", "Tornado"
    HAZMAT = "hazmat", "Hazardous materials"
    EARTHQUAKE = "earthquake", "Earthquake"
    TSUNAMI = "tsunami", "Tsunami"
    OTHER = "other", "Other"


# SRP's safety strategy for each hazard; used when the person raising a Shelter does not name one.
DEFAULT_STRATEGIES: dict[str, str] = {
    Hazard.TORNADO: "Evacuate to shelter area",
    Hazard.HAZMAT: "Seal the room",
    Hazard.EARTHQUAKE: "Drop, cover and hold",
    Hazard.TSUNAMI: "Get to high ground",
}


class Tier(models.TextChoices):
    """Who an alert reaches: `assist` the school's admins and SRO, `emergency` everyone who must act."""

    ASSIST = "assist", "Assist (staff help needed)"
    EMERGENCY = "emergency", "Emergency"


# How protective each SRP action is, least to most: the order in which one incident may change its action
# (`do_change_action`), decides whether a new raise joins an incident (same or lesser: an additional report)
# and gives a school's current state (the most protective action in force). Hold < Secure < Lockdown <
# Evacuate follows SRP's escalation from the halls to the building to the room to leaving it; Shelter (a
# hazard: tornado, hazmat, earthquake, tsunami) ranks above all, since any action may turn into a Shelter
# when a hazard arrives (SRP 4.0, "Shelter"), and leaving a shelter for another action is a new decision.
PROTECTIVENESS: dict[str, int] = {
    Action.HOLD: 1, Action.SECURE: 2, Action.LOCKDOWN: 3, Action.EVACUATE: 4, Action.SHELTER: 5,
}


class DispatchLevel(models.TextChoices):
    """How police dispatch gets an alert (the route of its action): not at all, informed, or to respond."""

    NONE = "none", "Not sent to dispatch"
    INFORMED = "informed", "Dispatch informed"
    PRIORITY = "priority", "Dispatch responds"
    TOP = "top", "Dispatch responds at top priority"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    ALL_CLEAR = "all_clear", "All clear"
    CANCELLED = "cancelled", "Cancelled"


class Alert(models.Model):
    """An incident at a school: one SRP action raised by a person, until the all clear or a cancel."""

    school = models.ForeignKey("core.School", on_delete=models.PROTECT, related_name="alerts")
    action = models.CharField(max_length=16, choices=Action.choices)
    hazard = models.CharField(max_length=16, choices=Hazard.choices, blank=True, help_text="shelter only")
    strategy = models.CharField(max_length=200, blank=True, help_text="shelter only: the safety strategy")
    evacuate_to = models.CharField(max_length=200, blank=True, help_text="evacuate only: where to go")
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.EMERGENCY)
    # Whom it reaches, from the route of its action (alerts/routing.py): a Hold reaches the school's
    # administrators and SRO (the `assist` audience) without being a call for staff help (`tier`).
    reach = models.CharField(max_length=16, choices=Tier.choices, default=Tier.EMERGENCY)
    reason = models.CharField(max_length=500, blank=True)
    building = models.CharField(max_length=100, blank=True)
    room = models.CharField(max_length=60, blank=True)
    location_text = models.CharField(max_length=500, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    exercise = models.BooleanField(default=False, help_text="a drill, not a real emergency")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="raised_alerts")
    raised_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    all_clear_at = models.DateTimeField(null=True, blank=True)
    all_clear_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SRP lockdown release: who the all clear of a real lockdown was given for or with (alerts/release.py).
    all_clear_on_behalf_of = models.CharField(
        max_length=150, blank=True, help_text="the incident commander a dispatcher recorded the all clear for"
    )
    all_clear_concurring_officer = models.CharField(
        max_length=150, blank=True, help_text="name and badge of the officer who concurred with an administrator"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The device's panic credential it was raised with (None: a signed-in person or an API token).
    panic_credential = models.ForeignKey(
        "alerts.PanicCredential", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    # The route of the action when raised or changed (ActionRoute): whether and how dispatch gets it.
    dispatch = models.CharField(max_length=16, choices=DispatchLevel.choices, default=DispatchLevel.PRIORITY)
    # A cancel of a real lockdown by anyone but police dispatch is only a request until dispatch has called
    # back and confirmed it (the raiser may be under duress).
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_confirmation = models.CharField(max_length=300, blank=True,
                                           help_text="who dispatch reached by call-back to confirm the cancel")
    flood_flagged_at = models.DateTimeField(null=True, blank=True,
                                            help_text="when reports beyond the flood rate were first seen")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["status", "-raised_at"]),
        ]

    def __str__(self) -> str:
        drill = " (exercise)" if self.exercise else ""
        return f"{self.get_action_display()}{drill} at school {self.school_id}"

    @property
    def directive(self) -> str:
        """The action's directive in the school's SRP wording (alerts/wording.py: one source for every channel)."""
        from schoolsafe.alerts.wording import directive

        return directive(self)

class Acknowledgement(models.Model):
    """A person's confirmation that they have the alert and are acting on it."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="acknowledgement_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} acknowledged alert {self.alert_id}"


ESCALATION_ROLE_CHOICES = [("police_supervisor", "Police supervisor"), ("agency_admin", "Agency administrator")]
DEFAULT_ACK_TIMEOUT_SECONDS = 30
DEFAULT_ESCALATE_TO = "police_supervisor"
DEFAULT_REPEAT_EVERY_SECONDS = 60
MAX_ESCALATION_REPEATS = 20


class EscalationPolicy(models.Model):
    """What happens when dispatch has not acknowledged an emergency alert in time, for one agency or one
    school (a school's own policy overrides its agencies')."""

    agency = models.OneToOneField(
        "core.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="escalation_policy"
    )
    school = models.OneToOneField(
        "core.School", null=True, blank=True, on_delete=models.CASCADE, related_name="escalation_policy"
    )
    enabled = models.BooleanField(default=True)
    ack_timeout_seconds = models.PositiveIntegerField(
        default=DEFAULT_ACK_TIMEOUT_SECONDS,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text="seconds dispatch has to acknowledge an emergency alert before it escalates",
    )
    escalate_to_role = models.CharField(max_length=32, choices=ESCALATION_ROLE_CHOICES, default=DEFAULT_ESCALATE_TO)
    repeats = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_ESCALATION_REPEATS)],
        help_text="while dispatch still has not acknowledged, escalate again this many more times (0: once only)",
    )
    repeat_every_seconds = models.PositiveIntegerField(
        default=DEFAULT_REPEAT_EVERY_SECONDS, validators=[MinValueValidator(10), MaxValueValidator(3600)],
        help_text="seconds between one escalation and the next, when repeats is above 0",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "escalation policies"
        constraints = [
            models.CheckConstraint(
                name="escalation_policy_one_organization",
                condition=Q(agency__isnull=False, school__isnull=True) | Q(agency__isnull=True, school__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        owner = f"school {self.school_id}" if self.school_id else f"agency {self.agency_id}"
        return f"Escalation after {self.ack_timeout_seconds} s for {owner}"


class EscalationTimer(models.Model):
    """A pending escalation of one alert: due at `due_at` unless dispatch acknowledges first.

    A row, not a sleeping coroutine, so it survives a restart of every process. The worker claims it with a
    conditional UPDATE (fired_at IS NULL AND cancelled_at IS NULL) so that two workers never fire it twice.
    """

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="escalation_timers")
    escalate_to_role = models.CharField(max_length=32, default=DEFAULT_ESCALATE_TO)
    timeout_seconds = models.PositiveIntegerField()
    # 1 for the first escalation; each repeat is a new timer with the next number, made when one fires.
    attempt = models.PositiveSmallIntegerField(default=1)
    repeats_left = models.PositiveSmallIntegerField(default=0)
    repeat_every_seconds = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True, help_text="the worker that fired it")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The worker's scan reads only pending timers: keep that index small.
            models.Index(
                fields=["due_at"], name="escalation_timer_pending",
                condition=Q(fired_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation of alert {self.alert_id} due {self.due_at:%Y-%m-%d %H:%M:%S}"

    @property
    def state(self) -> str:
        return "fired" if self.fired_at else "cancelled" if self.cancelled_at else "pending"


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key and the response its first request got (Stripe's semantics): a retry
    with the same key and body gets that response again instead of a second alert."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            # Two concurrent requests with one key: the second INSERT fails here and it replays the first.
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"


class RoomState(models.TextChoices):
    """What a room or group reports when accounting for all persons (SRP: missing, extra, injured)."""

    OK = "ok", "All accounted for"
    NEED_HELP = "need_help", "Need help"
    INJURED = "injured", "Injured"
    MISSING = "missing", "Missing students"
    EXTRA = "extra", "Extra students"


class RoomStatus(models.Model):
    """One report from a room or group during an incident: its state, head counts and the names of
    missing or extra students. The latest report per room is its current state; earlier ones stay for the
    timeline and the activity log."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="room_statuses")
    room = models.CharField(max_length=60, help_text="the room or group, e.g. 'C-12' or 'Band, field'")
    status = models.CharField(max_length=16, choices=RoomState.choices)
    present = models.PositiveIntegerField(null=True, blank=True, help_text="students present")
    # Accounting for all persons counts adults too (SRP: staff and visitors in the room).
    staff = models.PositiveIntegerField(null=True, blank=True, help_text="staff present")
    visitors = models.PositiveIntegerField(null=True, blank=True, help_text="visitors and other adults present")
    injured = models.PositiveIntegerField(null=True, blank=True, help_text="number of injured people")
    missing = models.JSONField(default=list, blank=True, help_text="names of missing students")
    extra = models.JSONField(default=list, blank=True, help_text="names of extra students (not on the roster)")
    note = models.TextField(blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]
        verbose_name_plural = "room statuses"
        indexes = [models.Index(fields=["alert", "reported_at"], name="room_status_alert")]

    def __str__(self) -> str:
        return f"{self.room}: {self.status} (alert {self.alert_id})"


class AlertMessage(models.Model):
    """A message in an incident's thread between dispatch and the school."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["alert", "at"], name="alert_message_alert")]

    def __str__(self) -> str:
        return f"message {self.pk} on alert {self.alert_id}"


class PanicCredential(models.Model):
    """A panic button bound to one device of one staff member: it raises an alert for its school (and room),
    and does nothing else (docs/alerts.md, "Raising without a sign-in").

    Issued and revoked by the school's administrator; the device keeps the secret (the browser's storage,
    set at enrolment by the QR code); only its SHA-256 hash is stored. It is a kind of its own, not an API
    token: no endpoint but the panic raise accepts it, so a stolen one can raise alerts but read nothing.
    """

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="panic_credentials")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panic_credentials")
    device = models.CharField(max_length=100, help_text="which device holds it, e.g. 'Taylor's phone'")
    room = models.CharField(max_length=60, blank=True)
    prefix = models.CharField(max_length=16, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.device} ({self.prefix}…)"


class RoomRelease(models.Model):
    """A room released in person from a lockdown by an officer or an administrator on site (SRP: law
    enforcement releases a lockdown room by room; staff do not open the door because of a message)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="room_releases")
    room = models.CharField(max_length=60)
    # The room as matched (alerts.rooms.room_key): "c-12" and "C-12 " are one room, released once.
    room_key = models.CharField(max_length=60)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["released_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "room_key"], name="room_released_once")]

    def __str__(self) -> str:
        return f"{self.room} released (alert {self.alert_id})"


class ThreatLocation(models.Model):
    """A report of where the threat is ("shots heard near the gym"), for dispatch at top priority."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="threat_locations")
    location = models.CharField(max_length=300, help_text="where the threat is, as the reporter describes it")
    note = models.CharField(max_length=1000, blank=True, help_text="what was seen or heard")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]

    def __str__(self) -> str:
        return f"threat near {self.location} (alert {self.alert_id})"

class AlertReport(models.Model):
    """One person's raise of an alert: the first opens the incident, each later raise of the same or a lesser
    action at the school joins it as an additional report (who, where, when, what they saw)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="reports")
    action = models.CharField(max_length=16, choices=Action.choices)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.CharField(max_length=100, blank=True, help_text="the credential or session it came from")
    building = models.CharField(max_length=100, blank=True)
    room = models.CharField(max_length=60, blank=True)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()
    merged = models.BooleanField(default=False, help_text="joined an incident already open")
    flood = models.BooleanField(default=False, help_text="beyond the per-person or per-device rate")

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["alert", "at"], name="alert_report_alert"),
            models.Index(fields=["reported_by", "at"], name="alert_report_person"),
        ]

    def __str__(self) -> str:
        return f"{self.action} report by {self.reported_by_id} on alert {self.alert_id}"


class ActionRoute(models.Model):
    """Where an alert of one SRP action goes, for an agency or a district (a district's route is preferred
    for its schools; without any, the defaults in alerts/routing.py)."""

    agency = models.ForeignKey("core.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("core.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.EMERGENCY,
                            help_text="assist: the school's administrators and SRO only; emergency: everyone")
    dispatch = models.CharField(max_length=16, choices=DispatchLevel.choices, default=DispatchLevel.PRIORITY)
    escalate = models.BooleanField(default=True, help_text="escalate when dispatch does not acknowledge")
    also_notify = models.ManyToManyField(
        "core.Agency", blank=True, related_name="+",
        help_text="other agencies whose notification channels also get it (fire, EMS)",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="action_route_one_organization",
                condition=Q(agency__isnull=False, district__isnull=True) | Q(agency__isnull=True, district__isnull=False),
            ),
            models.UniqueConstraint(fields=["agency", "action"], name="action_route_once_per_agency"),
            models.UniqueConstraint(fields=["district", "action"], name="action_route_once_per_district"),
        ]

    def __str__(self) -> str:
        owner = f"district {self.district_id}" if self.district_id else f"agency {self.agency_id}"
        return f"{self.action} for {owner}: {self.tier}, dispatch {self.dispatch}"


class DrillWindow(models.Model):
    """A registered time in which a school runs a drill: exercises raised in it reach dispatch (as exercises),
    and dispatch knows whom to call about it."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="drill_windows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    contact = models.CharField(max_length=200, help_text="who dispatch calls about the drill, with a number")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["school", "ends_at"], name="drill_window_school")]
        constraints = [
            models.CheckConstraint(name="drill_window_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
        ]

    def __str__(self) -> str:
        return f"Drill at school {self.school_id} {self.starts_at:%Y-%m-%d %H:%M}"
