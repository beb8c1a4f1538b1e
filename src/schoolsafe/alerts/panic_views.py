"""Pages for panic credentials: the principal's list (issue with a QR code, last use, revoke) and the device's
own panic page, which needs no sign-in (alerts/credentials.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from schoolsafe.access.loaders import NotVisible
from schoolsafe.alerts.credentials import (
    PanicCredentialError,
    do_issue_panic_credential,
    do_revoke_panic_credential,
    issuing_schools,
)
from schoolsafe.alerts.models import PanicCredential
from schoolsafe.alerts.policies import RAISE_ROLES
from schoolsafe.core.models import School


def _holders(school: School) -> list[Any]:
    from schoolsafe.accounts.models import User

    return list(User.objects.filter(is_active=True, memberships__school=school, memberships__role__in=RAISE_ROLES)
                .distinct().order_by("full_name", "username"))


def enrolment_url(request: HttpRequest, credential: PanicCredential, raw: str) -> str:
    """The address the phone opens from the QR code. The secret is in the fragment, which a browser never
    sends to a server (so it stays out of logs); the device page stores it and removes it from the address."""
    fragment = urlencode({"enrol": raw, "school": credential.school.name, "room": credential.room,
                          "holder": credential.holder.display_name, "device": credential.device})
    return request.build_absolute_uri(reverse("alerts:panic-device")) + "#" + fragment


@login_required
@never_cache
def panic_credentials(request: HttpRequest) -> HttpResponse:
    """A principal's panic credentials: issue one to a staff member's device (QR code), see last use, revoke."""
    from schoolsafe.accounts.mfa import qr_svg

    schools = list(School.objects.filter(pk__in=issuing_schools(request.user)).order_by("name"))
    if not schools:
        return render(request, "alerts/panic_credentials.html", {"schools": []}, status=403)
    school = next((s for s in schools if str(s.pk) == request.GET.get("school", "")), schools[0])
    holders = _holders(school)
    error, issued, qr, url, status = "", None, "", "", 200
    if request.method == "POST":
        holder = next((h for h in holders if str(h.pk) == request.POST.get("holder", "")), None)
        try:
            issued, raw = do_issue_panic_credential(request.user, school, holder, request.POST.get("device", ""),
                                                    request.POST.get("room", ""))
            url = enrolment_url(request, issued, raw)
            qr = qr_svg(url)
        except PanicCredentialError as exc:
            error, status = str(exc), exc.status
    return render(request, "alerts/panic_credentials.html", {
        "schools": schools, "school": school, "holders": holders, "error": error, "issued": issued,
        "qr_svg": qr, "enrol_url": url, "post": request.POST if error else {},
        "credentials": PanicCredential.objects.filter(school=school).select_related("holder", "issued_by",
                                                                                    "revoked_by"),
    }, status=status)


@login_required
@require_POST
def panic_credential_revoke(request: HttpRequest, credential_id: int) -> HttpResponse:
    credential = PanicCredential.objects.select_related("holder").filter(
        pk=credential_id, school_id__in=issuing_schools(request.user)).first()
    if credential is None:  # another school's credential does not exist for this user
        raise NotVisible()
    if do_revoke_panic_credential(request.user, credential):
        messages.success(request, f"The panic button of “{credential.device}” ({credential.holder.display_name}) is "
                                  "revoked: it can no longer raise alerts.")
    return redirect(f"{reverse('alerts:panic-credentials')}?school={credential.school_id}")


@never_cache
def panic_device(request: HttpRequest) -> HttpResponse:
    """This device's panic button: works with no session or a locked one. Everything it shows comes from the
    browser's own storage (set at enrolment); the server sends no data here."""
    return render(request, "alerts/panic_device.html", {})
