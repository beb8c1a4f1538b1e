"""Session rules and the second-factor gate, applied to every request that carries a signed-in session."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from schoolsafe.accounts import sessions, terminals
from schoolsafe.accounts.mfa import has_totp, second_factor_required
from schoolsafe.accounts.terminals import exempting_terminal

if TYPE_CHECKING:
    from schoolsafe.accounts.models import User

API_PREFIX = "/api/"

_ENDED = {
    sessions.IDLE: "Your session was locked after 30 minutes without activity. Alerts still show here; "
                   "sign in again to see their details.",
    sessions.EXPIRED: "Your session ended 12 hours after you signed in. Please sign in again.",
    sessions.UNKNOWN: "Please sign in again.",
}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _with_next(url: str, request: HttpRequest) -> str:
    # After a POST the form is gone; come back to the page, not to the form's action.
    target = request.get_full_path() if request.method in ("GET", "HEAD") else request.path
    return f"{url}?{urlencode({'next': target})}"


# What a locked session may still reach: the sign-in page (the lock screen, which shows alert headlines),
# sign-out, static files, the device panic page, and delivery receipts (a locked screen that received an
# alert has received it: the delivery report must say so).
LOCKED_OPEN_PATHS = ("/accounts/login/", "/accounts/logout/", "/alerts/panic/device/", "/api/v1/events/receipts")


class SessionRulesMiddleware:
    """Locks a session idle for 30 minutes (unless on a registered receive-only terminal), ends one signed
    in 12 hours ago; otherwise notes the activity.

    A locked session is kept (its event stream still delivers alert headlines); until the password is given
    again the request is anonymous, pages go to the sign-in page and the API answers 401.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            problem = sessions.problem(request.session)
            if problem == sessions.IDLE and exempting_terminal(
                    request.user, request.COOKIES.get(terminals.COOKIE, "")) is not None:
                problem = None
            if problem == sessions.IDLE:
                return self._locked(request, request.user)
            if problem is not None:
                logout(request)
                if _is_api(request) and not request.headers.get("Authorization"):
                    return JsonResponse({"detail": _ENDED[problem]}, status=401)
                if not _is_api(request):
                    messages.info(request, _ENDED[problem])
                    return HttpResponseRedirect(_with_next(reverse(settings.LOGIN_URL), request))
            else:
                sessions.touch(request.session)
        return self.get_response(request)

    def _locked(self, request: HttpRequest, user: User) -> HttpResponse:
        if not request.session.get(sessions.LOCKED_KEY):
            request.session[sessions.LOCKED_KEY] = True
            # CJIS AU-2: a session lock is an audit event, like the sign-in that ends it.
            from schoolsafe.accounts.actions import do_record_session_locked

            do_record_session_locked(user)
        if request.path.startswith(LOCKED_OPEN_PATHS) or request.path.startswith(settings.STATIC_URL):
            if request.path != "/api/v1/events/receipts":
                request.user = AnonymousUser()
            return self.get_response(request)
        request.user = AnonymousUser()
        if _is_api(request):
            if request.headers.get("Authorization"):
                return self.get_response(request)
            return JsonResponse({"detail": _ENDED[sessions.IDLE]}, status=401)
        messages.info(request, _ENDED[sessions.IDLE])
        return HttpResponseRedirect(_with_next(reverse(settings.LOGIN_URL), request))


class MFARequiredMiddleware:
    """A signed-in user whose roles need a second factor, or who set one up, reaches no other page before
    passing it.

    Must come after django_otp's OTPMiddleware, which tells whether this session passed it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def _open_paths(self) -> tuple[str, ...]:
        # Resolved lazily: the URL map is not importable while middleware is built.
        if self._open is None:
            self._open = (
                reverse("login"), reverse("logout"), reverse("account-mfa-verify"), reverse("account-mfa-enrol"),
                settings.STATIC_URL,
            )
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not second_factor_required(user) or user.is_verified():  # type: ignore[attr-defined]  # added by django_otp's OTPMiddleware
            return self.get_response(request)
        if _is_api(request):
            if request.headers.get("Authorization"):
                # The caller also sends a token: let the token decide, not this half-finished session.
                request.user = AnonymousUser()
                return self.get_response(request)
            return JsonResponse({"detail": "second factor required: finish signing in on the web page first"},
                                status=401)
        if request.path.startswith(self._open_paths()):
            return self.get_response(request)
        target = "account-mfa-verify" if has_totp(user) else "account-mfa-enrol"
        return HttpResponseRedirect(_with_next(reverse(target), request))
