"""Pages: sign-in, the second factor (enrol, verify, recovery codes) and the user's API tokens."""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from schoolsafe.accounts import actions, mfa
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

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            actions.do_end_expired_locks()
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        # A teacher (school staff and nothing else) signs in to raise or receive an alert: they land on the
        # panic page, not on a list of schools.
        from schoolsafe.core.policy import roles_of

        if roles_of(self.request.user) == {"staff"}:
            return reverse("alerts:panic")
        return super().get_default_redirect_url()


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page a locked account sees, saying when it opens again."""
    username = (credentials or {}).get("username") if isinstance(credentials, dict) else None
    username = username or request.POST.get("username", "")
    lock = LoginLock.objects.filter(username=username, ended_at__isnull=True).order_by("-locked_at").first()
    return render(request, "accounts/locked.html", {"username": username, "lock": lock}, status=429)


# --- Second factor --------------------------------------------------------------------------------


@login_required
@never_cache
def mfa_settings(request: HttpRequest) -> HttpResponse:
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
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, confirm with a code; then the recovery codes, once."""
    user = request.user
    if mfa.has_totp(user) and not user.is_verified():  # type: ignore[union-attr]
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
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or one recovery code."""
    user = request.user
    if not mfa.has_totp(user):
        return HttpResponseRedirect(reverse("account-mfa-enrol") + "?" + request.GET.urlencode())
    if user.is_verified():  # type: ignore[union-attr]
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
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(request, f"You used a recovery code; {left} remain. "
                                          "Make new ones in Security settings if you are running low.")
            return HttpResponseRedirect(_safe_next(request))
        error = "That code was not accepted. Wait for the next code and try again."
    return render(request, "accounts/mfa_verify.html", {
        "error": error, "next": request.POST.get("next") or request.GET.get("next", ""),
    }, status=400 if error else 200)


@login_required
@never_cache
@require_POST
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
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
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: create one (its secret shown once), see when each was last used, revoke."""
    user = request.user
    new_token, raw, error, label = None, "", "", ""
    status = 200
    if request.method == "POST":
        label = request.POST.get("label", "")
        try:
            new_token, raw = actions.do_create_api_token(user, user, label)
            label = ""
        except actions.AccountError as exc:
            error, status = str(exc), 400
    return render(request, "accounts/tokens.html", {
        "tokens": ApiToken.objects.filter(user=user),
        "new_token": new_token, "raw": raw, "error": error, "label": label,
        "label_max": actions.LABEL_MAX, "now": timezone.now(),
    }, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    # Someone else's token does not exist for this user: 404, not 403.
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id, user=request.user)
    if actions.do_revoke_api_token(request.user, token):
        messages.success(request, f"Token “{token.label}” ({token.prefix}…) is revoked; it no longer works.")
    return redirect("account-tokens")
