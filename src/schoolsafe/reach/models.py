"""Reaching a person who has no SchoolSafe page open: the devices they let us reach with Web Push (RFC 8030),
each push message about an alert with its sending state, and the per-person fallback timers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class PushSubscription(models.Model):
    """One device (a phone, a classroom computer) on which a person allowed SchoolSafe's Web Push messages."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    device_name = models.CharField(max_length=100)
    # The push service's address for this device (RFC 8030 §5); https in production (docs/reaching-people.md).
    endpoint = models.TextField()
    # The device's message-encryption keys (RFC 8291 §3): its P-256 public key and its authentication secret.
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Kept when revoked (by its owner, or by the push service answering 404/410) so the delivery report of a
    # past incident still names the device.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["user", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint"], condition=Q(revoked_at__isnull=True),
                                    name="push_subscription_one_live_per_endpoint"),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.device_name} of user {self.user_id}"


class PushStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Accepted by the push service"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"
    GONE = "gone", "Device gone (subscription revoked)"


class PushMessage(models.Model):
    """One Web Push message about one alert event to one device, retried like a notification delivery."""

    subscription = models.ForeignKey(PushSubscription, on_delete=models.CASCADE, related_name="messages")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey("alerts.Alert", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The alert's headline only (what to do, where): the details need a signed-in page.
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=PushStatus.choices, default=PushStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["alert", "subscription"])]

    def __str__(self) -> str:
        return f"push of event {self.event_id} to subscription {self.subscription_id}: {self.status}"


class FallbackOutcome(models.TextChoices):
    REACHED = "reached", "Reached by another path in time"
    SMS = "sms", "SMS sent through the gateway"
    NO_PHONE = "no_phone", "No phone number on file"
    NO_GATEWAY = "no_gateway", "No SMS gateway configured"
    ENDED = "ended", "The alert ended before the fallback was due"


class FallbackTimer(models.Model):
    """One person's fallback for one emergency alert: if nothing reached them by `due_at`, an SMS to their phone."""

    alert = models.ForeignKey("alerts.Alert", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # Set by the one worker that claims the timer (conditional UPDATE ... WHERE processed_at IS NULL).
    processed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=16, choices=FallbackOutcome.choices, blank=True)
    reached_by = models.CharField(max_length=16, blank=True, help_text="the path that had reached them: stream, push")
    delivery = models.ForeignKey("notifications.Delivery", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="fallback_once_per_person")]
        indexes = [models.Index(fields=["processed_at", "due_at"])]

    def __str__(self) -> str:
        return f"fallback of alert {self.alert_id} for user {self.user_id}: {self.outcome or 'due'}"
