"""Panic credentials: issued and revoked by the principal, audited, rate limited; they
raise an alert for their school in their holder's name, naming the device, and read nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from schoolsafe.alerts.credentials import PanicCredentialError, do_issue_panic_credential
from schoolsafe.alerts.models import Alert, PanicCredential
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.stream import authenticate
from schoolsafe.testing.personas import client_for

PANIC_URL = "/api/v1/alerts/panic"


def panic(raw: str, **body):
    return Client().post(PANIC_URL, data=body or {"action": "lockdown"}, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Panic {raw}")


@pytest.fixture
def issued(principal_a, teacher_a, world):
    teacher_a.full_name, teacher_a.room = "Taylor Teacher", "C-12"
    teacher_a.save()
    return do_issue_panic_credential(principal_a, world.school_a, teacher_a, "Taylor's phone")


def test_the_principal_issues_one_with_a_qr_code_and_it_is_listed_with_its_last_use(principal_a, teacher_a, world):
    client = client_for(principal_a)
    page = client.post("/alerts/panic/credentials/", {"holder": teacher_a.pk, "device": "Taylor's phone", "room": "C-12"})
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "Enrol “Taylor&#x27;s phone” now" in html
    url = re.search(r'id="enrol-url" value="([^"]+)"', html).group(1)
    assert "/alerts/panic/device/#enrol=pc_" in url, "the secret travels in the fragment, never to a server"
    raw = re.search(r"enrol=(pc_[^&]+)", url).group(1)
    credential = PanicCredential.objects.get()
    assert credential.secret_hash != raw and raw not in credential.secret_hash, "only a hash is stored"
    entry = AuditEntry.objects.get(action="alerts.panic_credential_issued")
    assert entry.organization == f"school:{world.school_a.pk}" and entry.summary["device"] == "Taylor's phone"
    assert panic(raw).status_code == 201
    listing = client.get("/alerts/panic/credentials/").content.decode()
    assert "Taylor&#x27;s phone" in listing and "never" not in listing.split("Taylor&#x27;s phone")[1].split("</tr>")[0]


def test_only_the_schools_administrator_issues_and_revokes(issued, teacher_a, principal_a, world):
    from schoolsafe.testing.personas import make_person

    credential, _ = issued
    other_principal = make_person("principal_b", "school_admin", world.school_b, "school")
    with pytest.raises(PanicCredentialError):
        do_issue_panic_credential(teacher_a, world.school_a, teacher_a, "my phone")
    with pytest.raises(PanicCredentialError):
        do_issue_panic_credential(other_principal, world.school_a, teacher_a, "phone")
    with pytest.raises(PanicCredentialError, match="holder"):
        do_issue_panic_credential(principal_a, world.school_a, other_principal, "phone")
    assert client_for(teacher_a).get("/alerts/panic/credentials/").status_code == 403
    assert client_for(other_principal).post(f"/alerts/panic/credentials/{credential.pk}/revoke/").status_code == 404


def test_it_raises_at_its_school_in_the_holders_name_naming_the_device(issued, teacher_a, world, api):
    credential, raw = issued
    answer = panic(raw, action="lockdown", exercise=True)
    assert answer.status_code == 201
    assert set(answer.json()) == {"id", "action", "school", "raised_at", "exercise"}
    alert = Alert.objects.get(pk=answer.json()["id"])
    assert (alert.school_id, alert.raised_by, alert.room, alert.panic_credential) == (
        world.school_a.pk, teacher_a, "C-12", credential)
    entry = AuditEntry.objects.get(action="alerts.raise_alert")
    assert entry.summary["panic_credential"] == credential.prefix
    shown = api(teacher_a).get(f"/api/v1/alerts/{alert.pk}").json()
    assert shown["raised_by"]["name"] == "Taylor Teacher"
    assert shown["raised_with"] == {"device": "Taylor's phone", "prefix": credential.prefix}
    credential.refresh_from_db()
    assert credential.last_used_at is not None
    # It raises nothing but the actions of a tap, and nowhere but its school.
    assert panic(raw, action="evacuate").status_code == 400
    assert panic(raw, action="lockdown", school=world.school_b.pk).json()["id"] != 0
    assert set(Alert.objects.values_list("school_id", flat=True)) == {world.school_a.pk}


def test_revoked_it_raises_nothing_and_the_revocation_is_audited(issued, principal_a):
    credential, raw = issued
    response = client_for(principal_a).post(f"/alerts/panic/credentials/{credential.pk}/revoke/")
    assert response.status_code == 302
    answer = panic(raw)
    assert answer.status_code == 401 and "panic credential" in answer.json()["detail"]
    assert AuditEntry.objects.filter(action="alerts.panic_credential_revoked").count() == 1
    assert not Alert.objects.exists()


@override_settings(SCHOOLSAFE_PANIC_RATE=(3, 600))
def test_it_is_rate_limited(issued, settings):
    """Presses within the incident's window join it (merged, flagged past the flood rate, never refused); a
    credential that keeps opening new incidents (each merge window off here) is refused past its rate."""
    _, raw = issued
    assert [panic(raw).status_code for _ in range(6)] == [201] * 6
    assert Alert.objects.count() == 1 and Alert.objects.get().reports.count() == 6
    Alert.objects.all().delete()
    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 0
    assert [panic(raw).status_code for _ in range(4)] == [201, 201, 201, 429]
    assert "call 911" in panic(raw).json()["detail"]
    assert Alert.objects.count() == 3


def test_it_reads_nothing_every_read_endpoint_refuses_it(issued, world):
    """Every GET of the API answers a stolen credential as it answers no credential at all; as a bearer token it
    is refused; the event stream refuses it."""
    from schoolsafe.api.api import api as ninja_api

    _, raw = issued
    Client().get("/")  # nothing signed in anywhere
    schema = ninja_api.get_openapi_schema()
    checked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        anonymous = Client().get(url)
        for header in (f"Panic {raw}", f"Bearer {raw}"):
            answer = Client().get(url, HTTP_AUTHORIZATION=header)
            assert answer.status_code >= 400 or anonymous.status_code == answer.status_code == 200, (url, header)
            if anonymous.status_code == 200:
                assert answer.content == anonymous.content or answer.status_code >= 400, url
            else:
                assert answer.status_code in (401, 403, 404, 503), (url, header, answer.status_code)
        checked += 1
    assert checked > 15
    assert authenticate(f"Panic {raw}", "") is None and authenticate(f"Bearer {raw}", "") is None
