"""The installable web app: its manifest, its icons and its service worker, served from the site's root so the
worker's scope is the whole site (a worker's scope is at most its script's folder unless the server allows more
with Service-Worker-Allowed; serving it at /sw.js needs neither)."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

STATIC = Path(__file__).resolve().parent / "static" / "reach"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    # A worker cannot read a page: the URLs it uses come first in its script, reversed here (`SCHOOLSAFE_URLS`).
    urls = {"shell": [reverse("alerts:panic")], "alerts": reverse("api:raise_alert"),
            "receipts": reverse("api:record_receipts"), "acknowledge": reverse("api:acknowledge_alert", args=[0]),
            "takeover": reverse("reach:takeover", args=[0]), "static": settings.STATIC_URL}
    head = f"self.SCHOOLSAFE_URLS = {json.dumps(urls)};\n".encode()
    response = HttpResponse(head + (STATIC / "sw.js").read_bytes(), content_type="text/javascript; charset=utf-8")
    # A browser checks for a new worker on navigation; it must not be served a stale copy from an HTTP cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest (W3C Web Application Manifest): staff install SchoolSafe from the browser."""
    body = {
        "name": "SchoolSafe", "short_name": "SchoolSafe", "id": "/alerts/", "start_url": "/alerts/", "scope": "/",
        "display": "standalone", "background_color": "#ffffff", "theme_color": "#b00020",
        "description": "Raise and receive school safety alerts (Standard Response Protocol).",
        "icons": [{"src": f"/icons/schoolsafe-{size}.png", "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": "any"} for size in (192, 512)],
    }
    response = JsonResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "max-age=3600"
    return response


@functools.cache
def _icon(size: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), "#b00020")
    draw = ImageDraw.Draw(image)
    # A white shield-like bar: recognisable at launcher size without a font file.
    draw.rounded_rectangle((size * 0.3, size * 0.2, size * 0.7, size * 0.8), radius=size // 10, fill="#ffffff")
    draw.rectangle((size * 0.45, size * 0.3, size * 0.55, size * 0.6), fill="#b00020")
    draw.rectangle((size * 0.45, size * 0.65, size * 0.55, size * 0.72), fill="#b00020")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@require_GET
def icon(request: HttpRequest, size: int) -> HttpResponse:
    if size not in (192, 512):
        return HttpResponse(status=404)
    response = HttpResponse(_icon(size), content_type="image/png")
    response["Cache-Control"] = "max-age=86400"
    return response


def takeover(request: HttpRequest, alert_id: int) -> HttpResponse:
    """The desktop takeover: one alert full screen, its directive (the school's wording) in large type
    and the acknowledge button. The installed app opens it when an alert's notification is clicked; a classroom
    computer in kiosk mode shows it over everything (docs/reaching-people.md)."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import render

    from schoolsafe.alerts.reads import access_alert, directive_of, may

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    alert = access_alert(request.user, alert_id)
    allowed = may(request.user, alert.pk, "acknowledge")
    acknowledged = alert.acknowledgements.filter(user=request.user).exists()
    response = render(request, "reach/takeover.html", {
        "alert": alert, "directive": directive_of(alert), "may": allowed, "acknowledged": acknowledged,
        "config": {"alert": alert.pk, "ackUrl": reverse("api:acknowledge_alert", args=[alert.pk]),
                   "incidentUrl": f"/alerts/{alert.pk}/"},
    })
    response["Cache-Control"] = "no-store"
    return response
