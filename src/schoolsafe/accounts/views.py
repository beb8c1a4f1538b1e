"""Pages: sign-in, the second factor (enrol, verify, recovery codes) and the user's API tokens."""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from schoolsafe.accounts import actions, mfa, throttle
from schoolsafe.accounts.http import AuthenticatedHttpRequest
from schoolsafe.accounts.models import ApiToken, LoginLock

PENDING_KEY = "schoolsafe_mfa_pending_key"


def _safe_next(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


# --- Sign-in --------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in, behind django-axes; also a moment to write the end of any lock that is over."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            # Before any database work: a refused attempt costs nothing but a cache increment.
            wait = throttle.attempt(request)
            if wait:
                return throttle.refused(request, wait)
            actions.do_end_expired_locks()
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        # A teacher (school staff and nothing else) signs in to raise or receive an alert: they land on the
        # panic page, not on a list of schools.
        from schoolsafe.access.policy import roles_of

        if roles_of(self.request.user) == {"staff"}:
            return reverse("alerts:panic")
        return super().get_default_redirect_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        locked = locked_user(self.request)
        if locked is not None:
            # The lock screen: alert headlines still arrive (the session's stream is alert-only while
            # locked), with sound; their details need the password. Where its stream starts: events/context.py.
            context.update({"locked_user": locked, "listens_for_alerts": True})
        return context


def locked_user(request: HttpRequest) -> Any:
    """The person whose session on this browser is locked (SessionRulesMiddleware), or None."""
    from django.contrib.auth import SESSION_KEY

    from schoolsafe.accounts import sessions
    from schoolsafe.accounts.models import User

    session = request.session
    if not session.get(sessions.LOCKED_KEY) or session.get(SESSION_KEY) is None:
        return None
    return User.objects.filter(pk=session[SESSION_KEY], is_active=True).first()


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page a locked account sees, saying when it opens again."""
    username = (credentials or {}).get("username") if isinstance(credentials, dict) else None
    username = username or request.POST.get("username", "")
    lock = LoginLock.objects.filter(username=username, ended_at__isnull=True).order_by("-locked_at").first()
    return render(request, "accounts/locked.html", {"username": username, "lock": lock}, status=429)


# --- Second factor --------------------------------------------------------------------------------


@login_required
@never_cache
def mfa_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's second factor: whether it is set up, how many recovery codes remain."""
    user = request.user
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return render(request, "accounts/mfa_settings.html", {
        "totp": totp,
        "recovery_left": recovery.token_set.count() if recovery else 0,
        "required": mfa.needs_mfa(user),
    })


@login_required
@never_cache
def mfa_enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, confirm with a code; then the recovery codes, once."""
    user = request.user
    if mfa.has_totp(user) and not user.is_verified():
        # A password alone must not be enough to replace the second factor.
        return HttpResponseRedirect(reverse("account-mfa-verify") + "?" + request.GET.urlencode())
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = mfa.new_totp_key()
    error = ""
    if request.method == "POST":
        if mfa.totp_matches(key, request.POST.get("code", "")):
            device, codes = actions.do_enrol_totp(user, user, key)
            del request.session[PENDING_KEY]
            django_otp.login(request, device)
            return render(request, "accounts/recovery_codes.html", {
                "codes": codes, "next": _safe_next(request), "enrolled": True,
            })
        error = "That is not the code your app shows now. Check the app and try again."
    uri = mfa.provisioning_uri(user.get_username(), key)
    return render(request, "accounts/mfa_enrol.html", {
        "qr_svg": mfa.qr_svg(uri),
        "secret": mfa.readable_secret(key),
        "error": error,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "replacing": mfa.has_totp(user),
    }, status=400 if error else 200)


@login_required
@never_cache
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or one recovery code."""
    user = request.user
    if not mfa.has_totp(user):
        return HttpResponseRedirect(reverse("account-mfa-enrol") + "?" + request.GET.urlencode())
    if user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    error = ""
    if request.method == "POST":
        code = "".join(request.POST.get("code", "").split()).replace("-", "").lower()
        device = None
        if code:
            # Each device throttles its own failures (django-otp), so guessing gets slower and slower.
            for candidate in devices_for_user(user, confirmed=True):
                if django_otp.verify_token(user, candidate.persistent_id, code):
                    device = candidate
                    break
        if device is not None:
            django_otp.login(request, device)
            actions.do_record_second_factor(
                user, passed=True, device_kind="recovery code" if isinstance(device, StaticDevice) else "authenticator app"
            )
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(request, f"You used a recovery code; {left} remain. "
                                          "Make new ones in Security settings if you are running low.")
            return HttpResponseRedirect(_safe_next(request))
        actions.do_record_second_factor(user, passed=False)
        error = "That code was not accepted. Wait for the next code and try again."
    return render(request, "accounts/mfa_verify.html", {
        "error": error, "next": request.POST.get("next") or request.GET.get("next", ""),
    }, status=400 if error else 200)


@login_required
@never_cache
@require_POST
def mfa_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Replace the recovery codes; the new ones are shown this once."""
    try:
        codes = actions.do_generate_recovery_codes(request.user, request.user)
    except actions.AccountError as exc:
        messages.error(request, str(exc))
        return redirect("account-mfa")
    return render(request, "accounts/recovery_codes.html", {
        "codes": codes, "next": reverse("account-mfa"), "enrolled": False,
    })


# --- API tokens -----------------------------------------------------------------------------------


@login_required
@never_cache
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's API tokens: create one (its secret shown once), see when each was last used, revoke."""
    user = request.user
    new_token, raw, error, label = None, "", "", ""
    status = 200
    if request.method == "POST":
        label = request.POST.get("label", "")
        try:
            # The token keeps the assurance of this session (CJIS 6 IA-2): see ApiToken.assurance.
            assurance = ApiToken.SECOND_FACTOR if user.is_verified() else ApiToken.PASSWORD
            new_token, raw = actions.do_create_api_token(user, user, label, assurance=assurance)
            label = ""
        except actions.AccountError as exc:
            error, status = str(exc), 400
    listed = list(ApiToken.objects.filter(user=user).select_related("user"))
    for token in listed:
        token.suspended = token.is_live and token.lacks_second_factor()  # type: ignore[attr-defined]
    return render(request, "accounts/tokens.html", {
        "tokens": listed, "verified": user.is_verified(),
        "new_token": new_token, "raw": raw, "error": error, "label": label,
        "label_max": actions.LABEL_MAX, "now": timezone.now(),
    }, status=status)


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    # Someone else's token does not exist for this user: 404, not 403.
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id, user=request.user)
    if actions.do_revoke_api_token(request.user, token):
        messages.success(request, f"Token “{token.label}” ({token.prefix}…) is revoked; it no longer works.")
    return redirect("account-tokens")


# --- Receive-only terminals -------------------------------------------------------------------------


@login_required
@never_cache
def terminals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An agency administrator's dispatch consoles registered as receive-only terminals (exempt from the idle
    lock, CJIS Security Policy 5.5.5): register this browser, see when each was last used, revoke."""
    from schoolsafe.accounts.models import ReceiveOnlyTerminal
    from schoolsafe.accounts.terminals import COOKIE, COOKIE_AGE, terminal_admin_agencies
    from schoolsafe.core.models import Agency

    agencies = list(Agency.objects.filter(pk__in=terminal_admin_agencies(request.user)).order_by("name"))
    if not agencies:
        return render(request, "accounts/terminals.html", {"agencies": []}, status=403)
    error, registered, status = "", None, 200
    if request.method == "POST":
        agency = next((a for a in agencies if str(a.pk) == request.POST.get("agency", str(agencies[0].pk))), None)
        try:
            if agency is None:
                raise actions.AccountError("agency: choose one of your agencies")
            registered, raw = actions.do_register_terminal(
                request.user, agency, request.POST.get("name", ""), request.POST.get("location", ""))
        except actions.AccountError as exc:
            error, status = str(exc), 400
    current = request.COOKIES.get(COOKIE, "")
    response = render(request, "accounts/terminals.html", {
        "agencies": agencies, "error": error, "registered": registered,
        "terminals": ReceiveOnlyTerminal.objects.filter(agency__in=agencies).select_related(
            "agency", "registered_by", "revoked_by"),
        "this_browser": registered is not None or bool(current), "post": request.POST,
    }, status=status)
    if registered is not None:
        response.set_cookie(COOKIE, raw, max_age=COOKIE_AGE, httponly=True, samesite="Strict",
                            secure=settings.SESSION_COOKIE_SECURE)
    return response


@login_required
@require_POST
def terminal_revoke(request: AuthenticatedHttpRequest, terminal_id: int) -> HttpResponse:
    from schoolsafe.accounts.models import ReceiveOnlyTerminal
    from schoolsafe.accounts.terminals import terminal_admin_agencies

    terminal = get_object_or_404(ReceiveOnlyTerminal, pk=terminal_id,
                                 agency_id__in=terminal_admin_agencies(request.user))
    if actions.do_revoke_terminal(request.user, terminal):
        messages.success(request, f"“{terminal.name}” is no longer a receive-only terminal: its sessions lock "
                                  "after 30 idle minutes again.")
    return redirect("account-terminals")

@login_required
@require_POST
def token_confirm(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    """Restore a token suspended for lack of a second factor, from a session that passed one."""
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id, user=request.user)
    if not request.user.is_verified():
        # Only a person who has just passed the second factor may vouch for the token with it.
        return HttpResponseRedirect(reverse("account-mfa-verify") + "?next=" + reverse("account-tokens"))
    if actions.do_confirm_api_token(request.user, token):
        messages.success(request, f"Token “{token.label}” ({token.prefix}…) is confirmed with your second factor.")
    return redirect("account-tokens")
