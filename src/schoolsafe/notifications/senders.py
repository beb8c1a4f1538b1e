"""Sending one delivery: email through SMTP (Django's mail framework), a signed JSON POST to a webhook, a
text message through an HTTP SMS gateway. Each returns an Outcome and never raises for a receiver's fault;
the worker records the outcome and decides about a retry.
"""

from __future__ import annotations

import json
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from schoolsafe.notifications.addresses import AddressRefused, CheckedTransport
from schoolsafe.notifications.models import ChannelKind, Delivery, Notification, NotificationChannel
from schoolsafe.notifications.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from schoolsafe.notifications.sms import fit_sms

USER_AGENT = "SchoolSafe-Notifications/1"
ERROR_MAX = 1000


@dataclass(frozen=True)
class Outcome:
    """What happened when sending once: delivered or not, the receiver's status code, what went wrong."""

    ok: bool
    response_code: int | None = None
    error: str = ""
    # True when retrying cannot help (the channel lacks its secret); the delivery fails at once.
    permanent: bool = False


def timeout_seconds() -> float:
    # Short on purpose: a receiver that hangs must not hold the worker while other alerts wait.
    return float(getattr(settings, "SCHOOLSAFE_NOTIFY_TIMEOUT", 5.0))


def webhook_body(delivery: Delivery, notification: Notification, channel: NotificationChannel) -> bytes:
    """The JSON a webhook receives; the same bytes on every retry (receivers deduplicate by delivery id)."""
    document = {
        "delivery": str(delivery.pk),
        "event": notification.event_kind,
        "subject": notification.subject,
        "text": notification.text,
        "created_at": notification.created_at.isoformat(),
        "organization": channel.organization_key,
        "data": notification.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sms_text(notification: Notification) -> str:
    """The one SMS a recipient gets: subject and text, cut to fit (see sms.py)."""
    text = notification.subject if not notification.text else f"{notification.subject}: {notification.text}"
    return fit_sms(text)


def _short(error: BaseException | str) -> str:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return text[:ERROR_MAX]


def send_email(delivery: Delivery, notification: Notification, channel: NotificationChannel) -> Outcome:
    message = EmailMessage(
        subject=notification.subject,
        body=notification.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient],
        headers={EVENT_HEADER: notification.event_kind, DELIVERY_HEADER: str(delivery.pk)},
    )
    try:
        connection = get_connection(fail_silently=False, timeout=timeout_seconds())
        sent = connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        code = next(iter(exc.recipients.values()))[0] if exc.recipients else None
        return Outcome(False, code, _short(exc))
    except smtplib.SMTPResponseException as exc:
        return Outcome(False, exc.smtp_code, _short(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"))
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, None, _short(exc))
    if not sent:
        return Outcome(False, None, "the mail server accepted no message")
    # 250: the server took the message (smtplib raises for every other reply).
    return Outcome(True, 250)


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def http_client() -> httpx.Client:
    """One client per process, shared by threads: building one loads the CA bundle into a new TLS context
    (tens of milliseconds), and it keeps connections to a receiver open between deliveries."""
    global _client
    with _client_lock:
        if _client is None:
            # No redirects: a 3xx is not a delivery, and following one could carry the signed body elsewhere.
            # Every connection goes through the address check (addresses.py: no private networks).
            limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
            _client = httpx.Client(follow_redirects=False, headers={"User-Agent": USER_AGENT}, trust_env=False,
                                   transport=CheckedTransport(limits))
        return _client


def _post(url: str, **kwargs: Any) -> Outcome:
    try:
        response = http_client().post(url, timeout=timeout_seconds(), **kwargs)
    except httpx.TimeoutException as exc:
        return Outcome(False, None, _short(f"no answer within {timeout_seconds():g} s ({type(exc).__name__})"))
    except httpx.HTTPError as exc:
        if isinstance(exc.__cause__, AddressRefused):
            return Outcome(False, None, _short(str(exc.__cause__)), permanent=True)
        return Outcome(False, None, _short(exc))
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code)
    # The status only, never the body: the channel's page would otherwise read back what any server said
    # (a way to read a service the worker can reach and the user cannot).
    return Outcome(False, response.status_code, f"HTTP {response.status_code} {response.reason_phrase}".strip())


def send_webhook(delivery: Delivery, notification: Notification, channel: NotificationChannel) -> Outcome:
    if not channel.secret:
        return Outcome(False, None, "the channel has no signing secret; rotate it on the channel's page", permanent=True)
    body = webhook_body(delivery, notification, channel)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(channel.secret, timestamp, body),
        DELIVERY_HEADER: str(delivery.pk),
        EVENT_HEADER: notification.event_kind,
    }
    return _post(channel.config["url"], content=body, headers=headers)


def send_sms(delivery: Delivery, notification: Notification, channel: NotificationChannel) -> Outcome:
    fields = {"to": delivery.recipient, "body": sms_text(notification)}
    auth = (channel.config.get("username", ""), channel.secret)
    headers = {DELIVERY_HEADER: str(delivery.pk)}
    if channel.config.get("body_format") == "form":
        return _post(channel.config["url"], data=fields, auth=auth, headers=headers)
    return _post(channel.config["url"], json=fields, auth=auth, headers=headers)


# Keyed by ChannelKind; looked up with a channel's `kind` (its text, equal to the member).
SENDERS: dict[str, Callable[[Delivery, Notification, NotificationChannel], Outcome]] = {
    ChannelKind.EMAIL: send_email, ChannelKind.WEBHOOK: send_webhook, ChannelKind.SMS: send_sms,
}


def send(delivery: Delivery, notification: Notification, channel: NotificationChannel) -> Outcome:
    """Send `delivery` once through its channel's kind of transport."""
    sender = SENDERS.get(channel.kind)
    if sender is None:
        return Outcome(False, None, f"no sender for channel kind {channel.kind!r}", permanent=True)
    try:
        return sender(delivery, notification, channel)
    except Exception as exc:  # noqa: BLE001 - a bug in one transport must become a recorded failed attempt
        return Outcome(False, None, _short(exc))
