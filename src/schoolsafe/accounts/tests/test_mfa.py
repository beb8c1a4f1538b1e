"""The second factor: a role that needs it reaches no page before a code from the authenticator app."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from schoolsafe.accounts.tests.helpers import code_for_key, sign_in
from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.factories import UserFactory
from schoolsafe.testing.personas import client_for

ENROL = "/accounts/security/authenticator/"
VERIFY = "/accounts/security/verify/"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def pending_key(client: Client) -> str:
    return client.session["schoolsafe_mfa_pending_key"]


def test_dispatcher_without_an_authenticator_is_sent_to_set_one_up_before_any_page(dispatcher, world):
    client = Client()
    response = sign_in(client, "dispatcher_a", next_url=f"/schools/{world.school_a.pk}/")
    assert response.status_code == 302
    for page in ["/", f"/schools/{world.school_a.pk}/", "/accounts/tokens/", "/no-such-page/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(ENROL + "?next="), page
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "second factor" in response.json()["detail"]


def test_enrolment_shows_a_qr_code_without_scripts_and_a_real_code_confirms_it(dispatcher, world):
    client = Client()
    sign_in(client, "dispatcher_a")
    page = client.get(ENROL + "?next=/schools/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<script" not in html
    key = pending_key(client)

    wrong = client.post(ENROL, {"code": "000000" if code_for_key(key) != "000000" else "111111", "next": "/"})
    assert wrong.status_code == 400
    assert "code:" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=dispatcher).exists()

    response = client.post(ENROL, {"code": code_for_key(key), "next": f"/schools/{world.school_a.pk}/"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert f"/schools/{world.school_a.pk}/" in response.content.decode()
    assert client.get("/").status_code == 200
    assert client.get(f"/schools/{world.school_a.pk}/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert TOTPDevice.objects.get(user=dispatcher).key == key
    actions = set(AuditEntry.objects.filter(object_id=str(dispatcher.pk)).values_list("action", flat=True))
    assert {"accounts.mfa_enrolled", "accounts.recovery_codes_generated"} <= actions


def test_enrolled_user_must_enter_the_current_totp_code(dispatcher, world):
    device = enrolled(dispatcher)
    client = Client()
    sign_in(client, "dispatcher_a", next_url=f"/schools/{world.school_a.pk}/")
    response = client.get(f"/schools/{world.school_a.pk}/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get(response["Location"]).status_code == 200

    right = code_for_key(device.key)
    wrong = client.post(VERIFY, {"code": f"{(int(right) + 1) % 1_000_000:06d}", "next": "/"})
    assert wrong.status_code == 400
    assert client.get("/").status_code == 302

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(VERIFY, {"code": right, "next": f"/schools/{world.school_a.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/schools/{world.school_a.pk}/"
    assert client.get("/").status_code == 200


def test_a_totp_code_cannot_be_used_twice(dispatcher):
    device = enrolled(dispatcher)
    code = code_for_key(device.key)
    first, second = Client(), Client()
    sign_in(first, "dispatcher_a")
    sign_in(second, "dispatcher_a")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    assert second.post(VERIFY, {"code": code}).status_code == 400
    assert second.get("/").status_code == 302


def test_a_recovery_code_signs_in_once(dispatcher):
    client = Client()
    sign_in(client, "dispatcher_a")
    client.get(ENROL)
    response = client.post(ENROL, {"code": code_for_key(pending_key(client))})
    code = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())[0]
    client.post("/accounts/logout/")

    again = Client()
    sign_in(again, "dispatcher_a")
    assert again.post(VERIFY, {"code": code.upper()}).status_code == 302
    assert again.get("/").status_code == 200
    assert StaticDevice.objects.get(user=dispatcher).token_set.count() == 9

    third = Client()
    sign_in(third, "dispatcher_a")
    assert third.post(VERIFY, {"code": code}).status_code == 400, "used up"


def test_new_recovery_codes_replace_the_old_ones(dispatcher):
    client = client_for(dispatcher)
    old = client.post("/accounts/security/recovery-codes/")
    old_codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", old.content.decode())
    new = client.post("/accounts/security/recovery-codes/")
    new_codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", new.content.decode())
    assert len(new_codes) == 10 and not set(old_codes) & set(new_codes)
    tokens = set(StaticDevice.objects.get(user=dispatcher).token_set.values_list("token", flat=True))
    assert tokens == set(new_codes)
    assert AuditEntry.objects.filter(action="accounts.recovery_codes_generated", object_id=str(dispatcher.pk)).count() == 2


def test_a_password_alone_cannot_replace_the_authenticator(dispatcher):
    enrolled(dispatcher)
    client = Client()
    sign_in(client, "dispatcher_a")
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    response = client.post(ENROL, {"code": "123456"})
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=dispatcher).count() == 1


def test_a_teacher_needs_no_second_factor(teacher_a):
    client = Client()
    sign_in(client, "teacher_a")
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_django_staff_and_superusers_need_it_too(db, flag):
    UserFactory(username="operator", **{flag: True})
    client = Client()
    sign_in(client, "operator")
    assert client.get("/").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_mfa_pages_are_listed_in_navigation(teacher_a):
    html = client_for(teacher_a).get("/").content.decode()
    assert 'href="/accounts/security/"' in html and 'href="/accounts/tokens/"' in html


def test_26_13_a_teacher_who_set_up_an_authenticator_is_always_asked_for_it(teacher_a, world):
    """An enrolled second factor is required even where the role does not need one."""
    device = enrolled(teacher_a)
    client = Client()
    response = sign_in(client, "teacher_a", next_url=f"/schools/{world.school_a.pk}/")
    assert response.status_code == 302
    for page in ["/", f"/schools/{world.school_a.pk}/", "/accounts/tokens/"]:
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY + "?next="), page
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and "second factor" in response.json()["detail"]

    response = client.post(VERIFY, {"code": code_for_key(device.key), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_26_13_the_event_stream_refuses_a_half_signed_in_session_of_an_enrolled_teacher(teacher_a):
    from schoolsafe.accounts.sessions import user_for_session_key

    enrolled(teacher_a)
    client = Client()
    sign_in(client, "teacher_a")
    assert user_for_session_key(client.session.session_key) is None
