"""Notification channels: where an organization wants to hear about events (an email list, a webhook, an
SMS gateway), the notifications sent out, and each delivery through a channel with every attempt at it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from schoolsafe.access.owner import OwnedByOneOrganization, one_organization_constraint, organization_fields
from schoolsafe.access.policy import RestrictedQuerySet

# The kinds a channel may carry are the event kinds whose declaration has a notice (events/kinds.py,
# channel_kinds()); "test" is the administrator's "send a test message" button and is never offered as a
# subscription.
TEST_EVENT = "test"


class ChannelKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"
    SMS = "sms", "SMS (text message)"


class NotificationChannel(OwnedByOneOrganization):
    """A place an agency, district or school sends its notifications to: an email list, a webhook or an
    SMS gateway, with the events it carries."""

    agency, district, school = organization_fields("notification_channels")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    enabled = models.BooleanField(default=True)
    event_kinds = models.JSONField(default=list, help_text="the event kinds this channel carries")
    # email: {"recipients": [...]}; webhook: {"url": ...};
    # sms: {"url": ..., "username": ..., "body_format": "json"|"form", "recipients": [...]}
    config = models.JSONField(default=dict)
    # The webhook's signing secret, or the SMS gateway's token. Kept in clear because signing and the
    # gateway's login need it; never rendered on a page after it is first shown (see views.py).
    secret = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Removed channels are kept (disabled) so that the delivery log of past incidents still names them.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            one_organization_constraint("channel_one_organization"),
        ]
        indexes = [
            models.Index(fields=["agency", "enabled"]),
            models.Index(fields=["district", "enabled"]),
            models.Index(fields=["school", "enabled"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def recipients(self) -> list[str]:
        return list(self.config.get("recipients", []))

class Notification(models.Model):
    """One message SchoolSafe sent out about an event (an alert raised, escalated, ended; a tip escalated)."""

    event_kind = models.CharField(max_length=64)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    payload = models.JSONField(default=dict)
    # "school:12", "district:3", "agency:1": the organizations whose channels it went to.
    organizations = models.JSONField(default=list)
    actor_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event_kind}: {self.subject}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """The sending of one notification through one channel (to one recipient, for email and SMS), with
    its retries: the worker claims it when due, and records every attempt."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="deliveries")
    # An email address or a phone number; empty for a webhook (the channel's URL at the time of sending).
    recipient = models.CharField(max_length=320, blank=True)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # While status is "sending": which worker holds it and until when. A worker that died mid-send
    # leaves the lease to expire, and the delivery becomes claimable again.
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    response_code = models.IntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [
            # The worker's scan: due deliveries, oldest first.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["channel", "-created_at"], name="delivery_channel_log"),
        ]

    def __str__(self) -> str:
        to = f" to {self.recipient}" if self.recipient else ""
        return f"delivery {self.pk}{to}: {self.status}"


class DeliveryAttempt(models.Model):
    """One try at a delivery: when, by which worker, how long it took and what the receiver answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    ok = models.BooleanField(default=False)
    response_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["delivery", "number", "pk"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}: {'ok' if self.ok else 'failed'}"


class WorkerMail(models.Model):
    """An e-mail the worker sends to people (a new threat-assessment case for its team, a follow-up
    reminder), kept until it is sent: a failed send is retried with a backoff, and every try is logged."""

    purpose = models.CharField(max_length=64, help_text="what sent it, e.g. threats.team_notified")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    recipients = models.JSONField(default=list)
    # Files sent with the mail (a meeting's iCalendar invitation): [{"filename", "mimetype", "content"}], the
    # content as text, or base64 with "base64": true for bytes that are not UTF-8.
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="worker_mail_due")]

    def __str__(self) -> str:
        return f"mail {self.pk} ({self.purpose}): {self.status}"
