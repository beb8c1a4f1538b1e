"""Session rules: a session locks after 30 idle minutes and ends 12 hours after sign-in.

CJIS Security Policy 6 (AC-11, AC-12) and ASVS L2 (3.3): the same rules hold for pages (the middleware
in `schoolsafe.accounts.middleware`) and for the event stream, which runs outside Django's middleware
and asks `stream_access`.

A lock is not a sign-out: the session is kept, its pages ask for the password again, and its event stream
keeps delivering alert headlines (nothing else) so that a locked screen still shows and sounds an alert
(delivery never depends on an active session; docs/accounts.md). A police member signed in on a registered
receive-only terminal is exempt from the idle lock (CJIS Security Policy 5.5.5; `terminals.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from schoolsafe.accounts.models import User

IDLE_LIMIT = dt.timedelta(minutes=30)
ABSOLUTE_LIMIT = dt.timedelta(hours=12)
# Activity is written to the session at most once a minute, so a page view is not always a write;
# a session therefore locks between 29 and 30 minutes after the last request.
SEEN_RESOLUTION = dt.timedelta(minutes=1)

LOGIN_AT_KEY = "schoolsafe_login_at"
SEEN_AT_KEY = "schoolsafe_seen_at"
# Set while a session is locked: the next sign-in (as the same person) asks for the second factor again.
LOCKED_KEY = "schoolsafe_locked"

IDLE, EXPIRED, UNKNOWN = "idle", "expired", "unknown"


def _now() -> float:
    return timezone.now().timestamp()


def start(session: Any) -> None:
    """Stamp a freshly signed-in session with its sign-in time."""
    now = _now()
    session[LOGIN_AT_KEY] = now
    session[SEEN_AT_KEY] = now


def problem(session: Any, now: float | None = None) -> str | None:
    """Why this signed-in session may no longer be used (IDLE, EXPIRED, UNKNOWN), or None."""
    now = _now() if now is None else now
    login_at, seen_at = session.get(LOGIN_AT_KEY), session.get(SEEN_AT_KEY)
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        # A session signed in without our stamps (older code, hand-made): no way to know its age.
        return UNKNOWN
    if now - login_at > ABSOLUTE_LIMIT.total_seconds():
        return EXPIRED
    if now - seen_at > IDLE_LIMIT.total_seconds():
        return IDLE
    return None


def touch(session: Any, now: float | None = None) -> None:
    """Record activity, at most once per SEEN_RESOLUTION."""
    now = _now() if now is None else now
    if now - session.get(SEEN_AT_KEY, 0) >= SEEN_RESOLUTION.total_seconds():
        session[SEEN_AT_KEY] = now


def seconds_until_problem(session: Any, now: float | None = None, exempt: bool = False) -> float:
    """How long this (valid) session has before it locks (or, when `exempt` from the idle lock, ends)."""
    now = _now() if now is None else now
    left = ABSOLUTE_LIMIT.total_seconds() - (now - session.get(LOGIN_AT_KEY, now))
    if not exempt:
        left = min(left, IDLE_LIMIT.total_seconds() - (now - session.get(SEEN_AT_KEY, now)))
    return max(left, 0.0)


@dataclass(frozen=True)
class StreamAccess:
    """What an event stream opened with a session may receive: everything the user may see (`locked`
    False) until `open_for` seconds have passed (then it must authenticate again), or, for a locked or
    ended session, alert headlines only (`locked` True)."""

    user: User
    locked: bool
    open_for: float | None


def stream_access(session_key: str, terminal_secret: str = "") -> StreamAccess | None:
    """The stream access of a Django session (see StreamAccess), or None for no usable session.

    A session whose password changed, whose user was deactivated, or which never passed its second factor
    gets nothing; one that is only idle (or past its 12 hours) still gets alert headlines. Does not count
    as activity: an open event stream must not keep an unattended screen signed in.
    """
    from django.contrib.auth import SESSION_KEY, get_user

    from schoolsafe.accounts.mfa import second_factor_required, verified_device
    from schoolsafe.accounts.terminals import exempting_terminal

    if not session_key or len(session_key) > 64:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if store.get(SESSION_KEY) is None:
        return None
    trouble = problem(store)
    if trouble == UNKNOWN:
        return None
    user = get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]  # it reads only request.session
    if not user.is_authenticated:
        return None
    if second_factor_required(user) and verified_device(store, user) is None:
        return None
    exempt = trouble != EXPIRED and exempting_terminal(user, terminal_secret) is not None
    if trouble == EXPIRED or (trouble == IDLE and not exempt):
        return StreamAccess(user, locked=True, open_for=None)
    return StreamAccess(user, locked=False, open_for=seconds_until_problem(store, exempt=exempt))


def user_for_session_key(session_key: str) -> User | None:
    """The user of a Django session still valid by every rule (idle, age, password, MFA), else None.

    Does not count as activity: an open event stream must not keep an unattended screen signed in.
    """
    from django.contrib.auth import SESSION_KEY, get_user

    from schoolsafe.accounts.mfa import second_factor_required, verified_device

    if not session_key or len(session_key) > 64:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if store.get(SESSION_KEY) is None or problem(store) is not None:
        return None
    # get_user checks the session's password hash (a changed password ends old sessions) and is_active.
    user = get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]  # it reads only request.session
    if not user.is_authenticated:
        return None
    if second_factor_required(user) and verified_device(store, user) is None:
        return None
    return user


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """`user_logged_in` signal: every sign-in (page, admin, test client) starts the session clocks."""
    session = getattr(request, "session", None)
    if session is not None:
        if session.pop(LOCKED_KEY, None):
            # Unlocking is a sign-in: a locked session's earlier second factor does not carry over (CJIS
            # Security Policy 5.5.5: the lock stays until the user re-establishes access by identification
            # and authentication procedures).
            from django_otp import DEVICE_ID_SESSION_KEY

            session.pop(DEVICE_ID_SESSION_KEY, None)
        start(session)
