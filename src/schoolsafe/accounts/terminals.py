"""Receive-only terminals: which browser is a registered dispatch console, and whose sessions it exempts.

CJIS Security Policy 5.5.5 (Session Lock; AC-11 in the modernized policy): "devices used to perform
dispatch functions and located within a physically secure location" and "terminals designated solely for
the purpose of receiving alert notifications (i.e. receive only terminals or ROT) used within physically
secure location facilities that remain staffed when in operation" are exempt from the session lock. A
console registered here (by an administrator of its agency, with its location) carries a secret cookie;
a police member of that agency signed in on it is not locked for being idle. Writes are in actions.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db.models import Q
from django.utils import timezone

COOKIE = "schoolsafe_terminal"
# Long enough to outlive any shift; revocation, not expiry, is how a terminal stops being one.
COOKIE_AGE = 5 * 365 * 24 * 3600
SEEN_RESOLUTION = dt.timedelta(minutes=5)



def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return f"rot_{secrets.token_urlsafe(32)}"


def terminal_admin_agencies(user: Any) -> set[int]:
    """The agencies whose terminals `user` registers and revokes (agency administrators)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    from schoolsafe.core.models import Agency

    # The row "terminals" of core.agency (accounts/policies.py).
    return set(Agency.objects.restrict(user, "terminals").values_list("pk", flat=True))


def exempting_terminal(user: Any, raw: str) -> Any:
    """The live terminal that exempts `user`'s session from the idle lock on this browser, or None.

    The user must hold a police role (dispatcher, supervisor, officer, agency administrator) in the
    terminal's agency: a teacher signed in on a dispatch console gets no exemption.
    """
    from schoolsafe.access.roles import ROLES
    from schoolsafe.accounts.models import ReceiveOnlyTerminal

    if not raw or len(raw) > 100 or not getattr(user, "is_authenticated", False):
        return None
    terminal = ReceiveOnlyTerminal.objects.filter(secret_hash=hash_secret(raw), revoked_at__isnull=True).first()
    if terminal is None:
        return None
    police = [code for code, role in ROLES.items() if role.police]
    if not user.memberships.filter(agency_id=terminal.agency_id, role__in=police).exists():
        return None
    now = timezone.now()
    if terminal.last_seen_at is None or now - terminal.last_seen_at >= SEEN_RESOLUTION:
        ReceiveOnlyTerminal.objects.filter(pk=terminal.pk).filter(
            Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_RESOLUTION)).update(last_seen_at=now)
    return terminal
