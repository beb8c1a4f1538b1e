"""Alert personas beyond the shared ones, and an API client that calls with a bearer token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from schoolsafe.accounts.actions import do_create_api_token
from schoolsafe.alerts.models import EscalationPolicy

ALERTS_URL = "/api/v1/alerts"


class Api:
    """A client calling the JSON API as one user, with a real API token (police roles need MFA for a
    browser session; integrations and these tests use tokens)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        if user is None:
            self.client = Client()
        else:
            _token, raw = do_create_api_token("tests", user, "tests")
            self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, **params: Any):
        return self.client.get(path, params)

    def post(self, path: str, body: Any = None, *, raw: bytes | str | None = None, **headers: Any):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data=data, content_type="application/json", headers=headers)


def lockdown(at_school: Any, **overrides: Any) -> dict[str, Any]:
    body = {"school": at_school.pk, "action": "lockdown", "tier": "emergency", "reason": "intruder in building C",
            "location": {"building": "C", "room": "C-12", "text": "east stairwell"}, "exercise": False}
    body.update(overrides)
    return body


@pytest.fixture
def api():
    return Api


@pytest.fixture
def quick_escalation(world):
    """Agency A escalates after one second without a dispatch acknowledgement."""
    return EscalationPolicy.objects.create(agency=world.agency_a, ack_timeout_seconds=1)
