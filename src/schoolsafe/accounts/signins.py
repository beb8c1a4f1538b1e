"""Signal handlers that write sign-ins, failed sign-ins and sign-outs to the audit log (CJIS 6 AU-2).

The signals cover every way in: the sign-in page, the Django admin's sign-in page, and every sign-out
(the button, an idle or expired session). A login made in code without an HTTP request (a test client's
`force_login`) is not a person signing in and is not recorded.
"""

from __future__ import annotations

from typing import Any


def _is_http(request: Any) -> bool:
    return bool(getattr(request, "method", None))


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from schoolsafe.accounts.actions import do_record_sign_in

    if _is_http(request):
        do_record_sign_in(user)


def on_user_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    from schoolsafe.accounts.actions import do_record_failed_sign_in

    if not _is_http(request):
        return
    username = (credentials or {}).get("username") or ""
    do_record_failed_sign_in(str(username)[:150], locked=bool(getattr(request, "axes_locked_out", False)))


def on_user_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from schoolsafe.accounts import sessions
    from schoolsafe.accounts.actions import do_record_sign_out

    if not _is_http(request):
        return
    # Sent before the session is emptied, so its clocks still tell an idle lock from a sign-out.
    session = getattr(request, "session", None)
    reason = (sessions.problem(session) if session is not None else None) or "signed out"
    do_record_sign_out(user, reason)
