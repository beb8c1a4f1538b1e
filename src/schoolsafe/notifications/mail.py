"""The worker's e-mail to people (a new threat-assessment case, a follow-up reminder): rows first, then sent,
retried and logged, as notification deliveries are (tasks.py).

`queue_mail` writes a WorkerMail row in the caller's transaction; `attempt_mail` makes one try at once
(the caller usually is the worker already); `send_due_mail`, run by the worker's delivery thread every
second, retries what failed after the same backoff as deliveries (10 s, 30 s, 90 s, 5 min, 15 min, 30 min)
and gives up after the same number of tries. A failed try is one log line (the error, the next try), not
a traceback, and never loses the mail: with no mail server reachable the rows wait until there is one.
Claiming is one conditional UPDATE, so two workers never send the same mail.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from schoolsafe.notifications.models import DeliveryStatus, WorkerMail
from schoolsafe.notifications.tasks import LEASE, backoff_seconds, default_worker_id, max_attempts

logger = logging.getLogger(__name__)


# (filename, content, mimetype): content as text or bytes; a mimetype may carry parameters
# ("text/calendar; method=REQUEST", as RFC 6047 asks of an iTIP message).
Attachment = tuple[str, str | bytes, str]


def _stored(attachment: Attachment) -> dict[str, Any]:
    filename, content, mimetype = attachment
    if isinstance(content, bytes):
        try:
            return {"filename": filename, "mimetype": mimetype, "content": content.decode()}
        except UnicodeDecodeError:
            return {"filename": filename, "mimetype": mimetype, "content": base64.b64encode(content).decode(),
                    "base64": True}
    return {"filename": filename, "mimetype": mimetype, "content": content}


def _attach(message: EmailMessage, stored: dict[str, Any]) -> None:
    content = base64.b64decode(stored["content"]) if stored.get("base64") else stored["content"]
    message.attach(stored["filename"], content, stored["mimetype"])


def queue_mail(purpose: str, subject: str, body: str, recipients: list[str],
               attachments: list[Attachment] | None = None) -> WorkerMail:
    """Keep a mail to send (in the caller's transaction), with `attachments` (filename, content, mimetype)."""
    now = timezone.now()
    return WorkerMail.objects.create(purpose=purpose[:64], subject=subject[:200], body=body,
                                     recipients=list(recipients), next_attempt_at=now, created_at=now,
                                     attachments=[_stored(a) for a in attachments or ()])


def _due_q(now: dt.datetime) -> Q:
    return (Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, lease_until__lt=now))


def attempt_mail(mail_id: int, now: dt.datetime | None = None, worker_id: str | None = None) -> str | None:
    """One try at a mail if it is due; its new status, or None when it was not due or another worker has it."""
    worker_id = (worker_id or default_worker_id())[:64]
    now = now or timezone.now()
    if not WorkerMail.objects.filter(_due_q(now), pk=mail_id).update(
            status=DeliveryStatus.SENDING, claimed_by=worker_id, lease_until=now + LEASE, attempts=F("attempts") + 1):
        return None
    mail = WorkerMail.objects.get(pk=mail_id)
    try:
        message = EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, mail.recipients)
        for stored in mail.attachments:
            _attach(message, stored)
        message.send()
    except Exception as exc:  # noqa: BLE001 - any failure of the mail server or the network: try again later
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if mail.attempts >= max_attempts():
            changes: dict[str, Any] = {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
            logger.error("mail %s (%s, %d recipients) failed for good after %d tries: %s", mail.pk, mail.purpose,
                         len(mail.recipients), mail.attempts, error)
        else:
            retry_at = timezone.now() + dt.timedelta(seconds=backoff_seconds(mail.attempts))
            changes = {"status": DeliveryStatus.RETRYING, "next_attempt_at": retry_at}
            logger.warning("mail %s (%s, %d recipients) not sent (try %d): %s; next try at %s", mail.pk, mail.purpose,
                           len(mail.recipients), mail.attempts, error, retry_at.isoformat(timespec="seconds"))
        changes["last_error"] = error
    else:
        changes = {"status": DeliveryStatus.DELIVERED, "sent_at": timezone.now(), "next_attempt_at": None,
                   "last_error": ""}
    changes["lease_until"] = None
    WorkerMail.objects.filter(pk=mail.pk, status=DeliveryStatus.SENDING, claimed_by=worker_id,
                              attempts=mail.attempts).update(**changes)
    return str(changes["status"])


def send_due_mail(now: dt.datetime | None = None, worker_id: str | None = None, limit: int = 100) -> int:
    """Try every mail that is due (and those whose worker died while sending); returns how many were tried."""
    now = now or timezone.now()
    ids = list(WorkerMail.objects.filter(_due_q(now)).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(attempt_mail(mail_id, now, worker_id) is not None for mail_id in ids)
