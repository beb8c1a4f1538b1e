"""Every write about notifications: configuring channels (audited), and do_notify(), which sends a notification
out through the channels of the organizations concerned. Other apps do not call it: they emit events, and
notify_event(), a consumer of the event outbox (apps.py), words each event whose kind declares a notice.

Deliveries are not audited row by row: each keeps its own log (status, attempts, DeliveryAttempt rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.audit.log import record
from schoolsafe.events.kinds import all_kinds, channel_kinds, get_kind
from schoolsafe.notifications.models import (
    TEST_EVENT,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationChannel,
)
from schoolsafe.notifications.signing import new_secret
from schoolsafe.notifications.validation import ChannelError, check_channel_config

SUBJECT_MAX = Notification._meta.get_field("subject").max_length

__all__ = [
    "ChannelError",
    "do_create_channel",
    "do_notify",
    "do_remove_channel",
    "do_rotate_channel_secret",
    "do_send_test_notification",
    "do_update_channel",
]


def organization_key(organization: models.Model | str) -> str:
    """"school:12" for a School (an Agency, District or School; an unsaved instance with a pk will do), or a
    key already (checked)."""
    if isinstance(organization, str):
        return str(OrgKey.parse(organization))
    return str(OrgKey.of(organization))


def _audit_summary(channel: NotificationChannel, **extra: Any) -> dict[str, Any]:
    # Never the secret; recipients as a count (the channel page lists them for its administrators).
    summary: dict[str, Any] = {"name": channel.name, "kind": channel.kind, "enabled": channel.enabled,
                               "event_kinds": channel.event_kinds}
    if "url" in channel.config:
        summary["url"] = channel.config["url"]
    if "recipients" in channel.config:
        summary["recipients"] = len(channel.config["recipients"])
    summary.update(extra)
    return summary


def do_create_channel(
    actor: Any,
    organization: models.Model,
    kind: str,
    *,
    name: str,
    event_kinds: Iterable[str],
    enabled: bool = True,
    recipients: str | Iterable[str] = "",
    url: str = "",
    username: str = "",
    token: str = "",
    body_format: str = "json",
) -> tuple[NotificationChannel, str]:
    """Create a channel for `organization`. Returns it and, for a webhook, its new signing secret (shown to
    the administrator once; "" for other kinds). Raises ChannelError naming every bad field."""
    key = organization_key(organization)
    config, kinds = check_channel_config(kind, name=name, event_kinds=event_kinds, recipients=recipients, url=url,
                                         username=username, token=token, body_format=body_format)
    secret = new_secret() if kind == ChannelKind.WEBHOOK else (token.strip() if kind == ChannelKind.SMS else "")
    now = timezone.now()
    org_kind = key.partition(":")[0]
    with transaction.atomic():
        channel = NotificationChannel.objects.create(
            name=name.strip(), kind=kind, enabled=enabled, event_kinds=kinds, config=config, secret=secret,
            created_at=now, updated_at=now, created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **{org_kind: organization},
        )
        record(actor, "notifications.create_channel", channel, organization=key, summary=_audit_summary(channel))
    return channel, secret if kind == ChannelKind.WEBHOOK else ""


def do_update_channel(
    actor: Any,
    channel: NotificationChannel,
    *,
    name: str,
    event_kinds: Iterable[str],
    enabled: bool,
    recipients: str | Iterable[str] = "",
    url: str = "",
    username: str = "",
    token: str = "",
    body_format: str = "json",
) -> NotificationChannel:
    """Change a channel's name, events, state and configuration. An empty SMS token keeps the stored one."""
    config, kinds = check_channel_config(channel.kind, name=name, event_kinds=event_kinds, recipients=recipients,
                                         url=url, username=username, token=token, body_format=body_format,
                                         token_required=not channel.secret)
    before = {"name": channel.name, "enabled": channel.enabled, "event_kinds": channel.event_kinds,
              "config": channel.config}
    channel.name, channel.enabled, channel.event_kinds, channel.config = name.strip(), enabled, kinds, config
    changed = [field for field, value in before.items() if getattr(channel, field) != value]
    if channel.kind == ChannelKind.SMS and token.strip() and token.strip() != channel.secret:
        channel.secret = token.strip()
        changed.append("token")
    if not changed:
        return channel
    channel.updated_at = timezone.now()
    with transaction.atomic():
        channel.save(update_fields=["name", "enabled", "event_kinds", "config", "secret", "updated_at"])
        record(actor, "notifications.update_channel", channel, organization=channel.organization_key,
               summary=_audit_summary(channel, changed=changed))
    return channel


def do_rotate_channel_secret(actor: Any, channel: NotificationChannel) -> str:
    """Give a webhook channel a new signing secret (the old one stops working at once); returns it."""
    if channel.kind != ChannelKind.WEBHOOK:
        raise ChannelError({"kind": "only a webhook channel has a signing secret"})
    secret = new_secret()
    with transaction.atomic():
        NotificationChannel.objects.filter(pk=channel.pk).update(secret=secret, updated_at=timezone.now())
        channel.secret = secret
        record(actor, "notifications.rotate_channel_secret", channel, organization=channel.organization_key,
               summary={"name": channel.name})
    return secret


def do_remove_channel(actor: Any, channel: NotificationChannel) -> bool:
    """Remove a channel: it sends nothing more (pending deliveries fail), but its delivery log is kept."""
    now = timezone.now()
    with transaction.atomic():
        # Conditional: two removals at once write one audit row.
        if not NotificationChannel.objects.filter(pk=channel.pk, removed_at__isnull=True).update(
            removed_at=now, enabled=False, updated_at=now
        ):
            return False
        channel.removed_at, channel.enabled = now, False
        record(actor, "notifications.remove_channel", channel, organization=channel.organization_key,
               summary={"name": channel.name, "kind": channel.kind})
    return True


def _create_deliveries(notification: Notification, channels: Iterable[NotificationChannel]) -> list[Delivery]:
    now = notification.created_at
    deliveries = []
    for channel in channels:
        # Email and SMS: one delivery per recipient, so a refused number is retried alone.
        recipients = channel.recipients if channel.kind in (ChannelKind.EMAIL, ChannelKind.SMS) else [""]
        deliveries += [
            Delivery(notification=notification, channel=channel, recipient=recipient, status=DeliveryStatus.PENDING,
                     next_attempt_at=now, created_at=now, updated_at=now)
            for recipient in recipients
        ]
    created = Delivery.objects.bulk_create(deliveries)
    if created:
        ids = [d.pk for d in created]
        from schoolsafe.notifications.tasks import kick

        # After the commit: the worker (or this kick) must not send a notification whose cause rolled back.
        transaction.on_commit(lambda: kick(ids))
    return created


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return actor.username
    return actor[:150] if isinstance(actor, str) else ""


def do_notify(
    *,
    organizations: Iterable[models.Model | str],
    event_kind: str,
    subject: str,
    text: str,
    payload: dict[str, Any],
    actor: Any = None,
) -> list[Delivery]:
    """Send a notification about `event_kind` through every enabled channel of `organizations` (agencies,
    districts, schools, or their keys "school:12") that carries that kind. Writes in the caller's transaction;
    the deliveries are due at once, and an attempt starts right after the commit (the worker retries what fails).

    Returns the deliveries created (none when no channel matches: then nothing is written).
    """
    if event_kind not in channel_kinds() and event_kind != TEST_EVENT:
        raise ValueError(f"unknown event kind {event_kind!r} for channels: declare it with a notice in its app's event_kinds.py")
    if not isinstance(payload, dict):
        raise ValueError("payload must be a dict")
    keys = sorted({organization_key(o) for o in organizations})
    if not keys:
        return []
    q = Q(pk__in=[])
    by_kind: dict[str, list[int]] = {}
    for key in keys:
        kind, _, pk = key.partition(":")
        by_kind.setdefault(kind, []).append(int(pk))
    for kind, pks in by_kind.items():
        q |= Q(**{f"{kind}_id__in": pks})
    # The event-kind match is done here, not in SQL: JSON containment is not portable to SQLite, and an
    # organization has a handful of channels.
    carried_with = all_kinds()[event_kind].carried_with if event_kind != TEST_EVENT else None
    channels = [c for c in NotificationChannel.objects.filter(q, enabled=True, removed_at__isnull=True).order_by("pk")
                if event_kind in c.event_kinds or (carried_with is not None and carried_with in c.event_kinds)]
    if not channels:
        return []
    with transaction.atomic():
        notification = Notification.objects.create(
            event_kind=event_kind, subject=subject.strip()[:SUBJECT_MAX], text=text, payload=payload,
            organizations=keys, actor_name=_actor_name(actor), created_at=timezone.now(),
        )
        return _create_deliveries(notification, channels)


def notifies(kind: str) -> bool:
    """Whether events of `kind` go out through notification channels (its declaration has a notice)."""
    return get_kind(kind).notice is not None


def notify_event(event: Any, context: dict[str, Any]) -> list[Delivery]:
    """The outbox's consumer (apps.py): the notification of `event`, worded by its kind's notice function, to
    the organizations the emitting action named in `context["organizations"]` (none named: nothing is sent)."""
    organizations = context.get("organizations") or []
    notice_function = get_kind(event.kind).notice_function()
    if not organizations or notice_function is None:
        return []
    notice = notice_function(event, context)
    if notice is None:
        return []
    return do_notify(organizations=organizations, event_kind=event.kind, subject=notice.subject, text=notice.text,
                     payload=notice.payload, actor=context.get("actor"))


def do_send_test_notification(actor: Any, channel: NotificationChannel) -> list[Delivery]:
    """Send a test message through one channel (even a disabled one), so its administrator sees it work."""
    now = timezone.now()
    with transaction.atomic():
        notification = Notification.objects.create(
            event_kind=TEST_EVENT, subject=f"SchoolSafe test message: {channel.name}"[:SUBJECT_MAX],
            text=(f"This is a test of the notification channel “{channel.name}” of {channel.organization}. "
                  "No action is needed."),
            payload={"test": True, "channel": channel.pk}, organizations=[channel.organization_key],
            actor_name=_actor_name(actor), created_at=now,
        )
        deliveries = _create_deliveries(notification, [channel])
        record(actor, "notifications.send_test", channel, organization=channel.organization_key,
               summary={"name": channel.name, "deliveries": len(deliveries)})
    return deliveries
