"""Panic credentials: a device that can raise an alert for its school (and room), and do nothing else.

Raising never depends on a full sign-in (docs/alerts.md, "Raising without a sign-in"). A school administrator
issues a credential to a staff member's device (the phone scans a QR code; the browser keeps the secret) and
revokes it; the panic page of the device raises with it after the session locked, or with no session at all.
It is a kind of its own, presented as `Authorization: Panic <secret>` to one endpoint (`POST
/api/v1/alerts/panic`): the API's bearer tokens and sessions are other kinds, so a stolen credential reads
nothing, and it cannot stand in for a token that needs the second factor. False alarms are its known cost:
every alert raised with one names the holder and the device, and each credential is rate limited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import reached_schools
from schoolsafe.alerts.actions import do_raise_alert, load_school
from schoolsafe.alerts.models import Action, Alert, PanicCredential, Tier
from schoolsafe.alerts.policies import RAISE_ROLES
from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError

SCHEME = "Panic"
PREFIX = "pc"
# What a panic button raises: the actions that need nothing but a tap. Evacuate (where to) and Shelter (the
# hazard) need a decision the full panic page asks for.
PANIC_ACTIONS = (Action.LOCKDOWN, Action.SECURE, Action.HOLD)



class PanicCredentialError(ActionError, ValueError):
    """Input or a state a panic credential action refuses; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message, status=status)


def rate_limit() -> tuple[int, int]:
    """(raises, seconds): at most this many alerts per credential within this many seconds."""
    count, seconds = getattr(settings, "SCHOOLSAFE_PANIC_RATE", (5, 600))
    return int(count), int(seconds)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issuing_schools(user: Any) -> set[int]:
    """The schools whose panic credentials `user` issues and revokes: those they are the administrator of
    (the row "panic_credentials" of core.school, alerts/policies.py)."""
    from schoolsafe.core.models import School

    return set(School.objects.restrict(user, "panic_credentials").values_list("pk", flat=True))


def check_credential_fields(school: Any, holder: Any, device: str, room: str) -> tuple[str, str]:
    device, room = (device or "").strip(), (room or "").strip()
    if holder is None or not holder.is_active:
        raise PanicCredentialError("holder: choose an active member of the school's staff")
    if not reached_schools(holder, RAISE_ROLES).filter(pk=school.pk).exists():
        raise PanicCredentialError(f"holder: {holder.username} may not raise alerts at {school.name}")
    if not device:
        raise PanicCredentialError("device: say which device holds it, e.g. 'Taylor's phone'")
    if len(device) > 100:
        raise PanicCredentialError("device: at most 100 characters")
    if len(room) > 60:
        raise PanicCredentialError("room: at most 60 characters")
    return device, room


def do_issue_panic_credential(actor: Any, school: Any, holder: Any, device: str, room: str = "") -> tuple[
        PanicCredential, str]:
    """Issue a panic credential for `holder`'s `device` at `school`; returns the row and the raw secret (for the
    enrolment QR code; never stored or shown again)."""
    if school.pk not in issuing_schools(actor):
        raise PanicCredentialError("school: only the school's administrator issues its panic credentials", 403)
    device, room = check_credential_fields(school, holder, device, room)
    prefix = secrets.token_hex(4)
    raw = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        credential = PanicCredential.objects.create(
            school=school, holder=holder, device=device, room=room or holder.room, prefix=prefix,
            secret_hash=hash_secret(raw), issued_by=actor, issued_at=timezone.now(),
        )
        record(actor, "alerts.panic_credential_issued", credential, organization=OrgKey.school(school.pk),
               summary={"holder": holder.username, "device": device, "room": credential.room, "prefix": prefix})
    return credential, raw


def do_revoke_panic_credential(actor: Any, credential: PanicCredential) -> bool:
    """Revoke at once (the device can no longer raise); False when it was already revoked."""
    if credential.school_id not in issuing_schools(actor):
        raise PanicCredentialError("credential: only the school's administrator revokes its panic credentials", 403)
    now = timezone.now()
    with transaction.atomic():
        if not PanicCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
                revoked_at=now, revoked_by=actor):
            return False
        credential.revoked_at, credential.revoked_by = now, actor
        record(actor, "alerts.panic_credential_revoked", credential, organization=OrgKey.school(credential.school_id),
               summary={"holder": credential.holder.username, "device": credential.device,
                        "prefix": credential.prefix})
    return True


def credential_for(authorization: str) -> PanicCredential | None:
    """The live credential an `Authorization: Panic <secret>` header presents (its holder active), or None."""
    scheme, _, raw = (authorization or "").partition(" ")
    raw = raw.strip()
    if scheme != SCHEME or not raw.startswith(f"{PREFIX}_") or len(raw) > 100:
        return None
    credential = (PanicCredential.objects.select_related("holder", "school")
                  .filter(secret_hash=hash_secret(raw), revoked_at__isnull=True).first())
    if credential is None or not credential.holder.is_active:
        return None
    return credential


def do_raise_with_panic_credential(credential: PanicCredential, action: str, *, room: str = "",
                                   exercise: bool = False) -> tuple[Alert, dict[str, Any]]:
    """Raise `action` at the credential's school in its holder's name, naming the device. Refused (429) past
    the credential's rate; refused (403) when the holder may no longer raise there."""
    if action not in PANIC_ACTIONS:
        raise PanicCredentialError(f"action: a panic button raises {', '.join(PANIC_ACTIONS)}; not {action!r}")
    if len(room) > 60:
        raise PanicCredentialError("room: at most 60 characters")
    holder = credential.holder
    if not reached_schools(holder, RAISE_ROLES).filter(pk=credential.school_id).exists():
        raise PanicCredentialError("credential: its holder may no longer raise alerts at this school", 403)
    count, seconds = rate_limit()
    now = timezone.now()
    # A stolen credential must not flood a school with alerts; a real emergency needs one. Past the rate the
    # answer says to call 911 (the alerts already raised stand).
    if Alert.objects.filter(panic_credential=credential, raised_at__gte=now - dt.timedelta(seconds=seconds)
                            ).count() >= count:
        raise PanicCredentialError(
            f"rate: this panic button raised {count} alerts in the last {seconds // 60} minutes; "
            "call 911 if you are in danger", 429)
    school = load_school(credential.school_id)
    assert school is not None
    alert, body = do_raise_alert(holder, school, action=action, tier=Tier.EMERGENCY, room=room or credential.room,
                                 exercise=exercise, panic_credential=credential)
    PanicCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
    return alert, body
