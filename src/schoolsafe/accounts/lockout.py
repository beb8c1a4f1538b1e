"""django-axes, adapted: lock by username only, and keep no address or browser description.

The anonymous tip line promises that no IP address or user agent is kept; the sign-in lock keeps
none either, so that the promise holds for the whole database. (Staff share a school's NAT address:
locking by address would lock a whole school out.)
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.http import HttpRequest


def no_ip_address(request: HttpRequest) -> None:
    """AXES_CLIENT_IP_CALLABLE: axes never learns the address."""
    return None


def _forget_client(request: Any) -> None:
    if request is not None:
        request.axes_ip_address = None
        request.axes_user_agent = ""
        request.axes_http_accept = ""


class PrivateAxesHandler(AxesDatabaseHandler):
    """The database handler, storing failures without the client's address, user agent or Accept header."""

    def user_login_failed(self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
        _forget_client(request)
        super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        _forget_client(request)
        super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        _forget_client(request)
        super().user_logged_out(sender, request, user, **kwargs)


def on_user_locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    """axes' `user_locked_out` signal: sent when the lock starts and again on each attempt during it."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.db.models import Max
    from django.utils import timezone

    from schoolsafe.accounts.actions import do_lock_account

    if not username:
        return
    # The lock runs from the last counted failure (axes counts none during the lock) for the cool-off.
    last_failure = AccessAttempt.objects.filter(username=username).aggregate(at=Max("attempt_time"))["at"]
    locked_at = last_failure or getattr(request, "axes_attempt_time", None) or timezone.now()
    failures = getattr(request, "axes_failures_since_start", None)
    do_lock_account(username, locked_at, locked_at + get_cool_off(request), failures)


def on_access_attempt_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """axes deletes an account's failed attempts when they expire, after a successful sign-in, and when an
    administrator resets them (`schoolsafe manage axes_reset_username NAME`); only the last ends a lock early."""
    from schoolsafe.accounts.actions import do_end_expired_locks, do_end_lock_early

    do_end_expired_locks()
    if instance.username:
        do_end_lock_early("", instance.username, "failed attempts reset by an administrator")
