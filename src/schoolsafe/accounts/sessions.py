"""Session rules: a session locks after 30 idle minutes and ends 12 hours after sign-in.

CJIS Security Policy 6 (AC-11, AC-12) and ASVS L2 (3.3): the same rules hold for pages (the middleware
in `schoolsafe.accounts.middleware`) and for the event stream, which runs outside Django's middleware
and asks `user_for_session_key`.
"""

from __future__ import annotations

import datetime as dt
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
    user = get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]
    if not user.is_authenticated:
        return None
    if second_factor_required(user) and verified_device(store, user) is None:
        return None
    return user  # type: ignore[return-value]


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """`user_logged_in` signal: every sign-in (page, admin, test client) starts the session clocks."""
    session = getattr(request, "session", None)
    if session is not None:
        start(session)
