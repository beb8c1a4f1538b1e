"""Health: whether this instance can answer and reach its database."""


from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from schoolsafe import __version__

router = Router(tags=["health"])


class HealthOut(Schema):
    status: str
    database: str
    version: str


class HealthFailure(Schema):
    status: str
    database: str
    detail: str


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthFailure})
def health(request: HttpRequest):
    """200 when this instance answers and its database does; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure is "unhealthy"
        return Status(503, {"status": "unavailable", "database": connection.vendor, "detail": type(exc).__name__})
    return Status(200, {"status": "ok", "database": connection.vendor, "version": __version__})
