"""The installable app's files at the site root, and the desktop takeover page."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.actions import do_raise_alert, load_school
from schoolsafe.testing.personas import client_for


@pytest.fixture
def alert(world, principal_a):
    alert, _body = do_raise_alert(principal_a, load_school(world.school_a.pk), action="lockdown", reason="test")
    return alert


def test_service_worker_manifest_and_icons_are_served_from_the_root(client, db):
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("text/javascript")
    assert sw["Service-Worker-Allowed"] == "/" and sw["Cache-Control"] == "no-cache"
    assert b"notificationclick" in sw.content
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/alerts/" and manifest.json()["display"] == "standalone"
    for icon in manifest.json()["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200 and response.content.startswith(b"\x89PNG")


def test_the_takeover_shows_the_directive_large_to_whoever_may_see_the_alert(client, alert, teacher_a, teacher_b):
    assert client.get(f"/takeover/{alert.pk}/").status_code == 302  # sign in first
    page = client_for(teacher_a).get(f"/takeover/{alert.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="takeover-directive"' in html and alert.directive in html
    assert 'id="takeover-ack"' in html and ">Acknowledge<" in html
    assert client_for(teacher_b).get(f"/takeover/{alert.pk}/").status_code == 404  # another school's alert
