"""Alert personas beyond the shared ones (`people`: the cast of the browser tests), and an API client that
calls with a bearer token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from schoolsafe.accounts.actions import do_create_api_token
from schoolsafe.alerts.models import EscalationPolicy
from schoolsafe.testing.personas import TOTP_KEY, make_person

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


@pytest.fixture
def people(world):
    """A teacher in room C-12 at school A, a colleague in C-14 (a room expected to report), the SRO, the
    principal, and a dispatcher of the agency serving the school with an authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from schoolsafe.plans.models import SiteMap

    school = world.school_a
    school.latitude, school.longitude, school.phone = 40.7128, -74.0060, "555-0100"
    school.save()
    SiteMap.objects.create(school=school, geojson={"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kind": "rally_point", "name": "North field"},
         "geometry": {"type": "Point", "coordinates": [-74.0058, 40.7134]}},
    ]})
    teacher = make_person("teacher_c12", "staff", school, "school")
    teacher.full_name, teacher.room = "Taylor Teacher", "C-12"
    teacher.save()
    colleague = make_person("teacher_c14", "staff", school, "school")
    colleague.room = "C-14"
    colleague.save()
    principal = make_person("principal_pat", "school_admin", school, "school")
    principal.full_name, principal.phone = "Pat Principal", "555-0101"
    principal.save()
    sro = make_person("sro_sam", "officer", school, "school")
    sro.full_name, sro.phone = "Officer Sam", "555-0111"
    sro.save()
    dispatcher = make_person("dispatch_dana", "dispatcher", world.agency_a, "agency")
    dispatcher.full_name = "Dana Dispatch"
    dispatcher.save()
    TOTPDevice.objects.create(user=dispatcher, name="phone", confirmed=True, key=TOTP_KEY)
    return {"teacher": teacher, "dispatcher": dispatcher}
