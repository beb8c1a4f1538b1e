"""The JSON API's root: one NinjaAPI, each capability's router mounted under /api/v1/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from schoolsafe import __version__
from schoolsafe.api.auth import api_auth

api = NinjaAPI(
    title="SchoolSafe API",
    version=__version__,
    description=(
        "School safety, run together by a police department and its school districts. "
        "Authenticate with `Authorization: Bearer TOKEN` (see `schoolsafe token create`) or a "
        "signed-in browser session. Errors are JSON `{\"detail\": ...}` with a 4xx status."
    ),
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _location(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [f"{_location(list(e.get('loc', [])))}: {e.get('msg', 'invalid')}" for e in exc.errors]
    return api.create_response(
        request, {"detail": "; ".join(problems) or "invalid input", "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "authentication required"}, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


def mount_routers() -> None:
    from schoolsafe.accounts.api import router as accounts_router
    from schoolsafe.alerts.api import router as alerts_router
    from schoolsafe.alerts.incident_api import router as alert_incident_router
    from schoolsafe.alerts.panic_api import router as alert_panic_router
    from schoolsafe.api.health import router as health_router
    from schoolsafe.core.api import router as core_router
    from schoolsafe.events.api import router as events_router
    from schoolsafe.notifications.api import router as notifications_router
    from schoolsafe.plans.api import router as plans_router
    from schoolsafe.reach.api import router as reach_router
    from schoolsafe.threats.api import router as threats_router
    from schoolsafe.tips.api import router as tips_router

    api.add_router("", health_router)
    api.add_router("", accounts_router)
    api.add_router("", core_router)
    api.add_router("", events_router)
    api.add_router("", notifications_router)
    api.add_router("", alert_panic_router)
    api.add_router("", alerts_router)
    api.add_router("", alert_incident_router)
    api.add_router("", plans_router)
    api.add_router("", reach_router)
    api.add_router("", threats_router)
    api.add_router("", tips_router)


mount_routers()
