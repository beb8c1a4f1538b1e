"""Sessions lock after 30 idle minutes and end 12 hours after sign-in (time moved in the tests)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from schoolsafe.accounts.tests.helpers import code_for_key, sign_in
from schoolsafe.testing.personas import client_for

T0 = dt.datetime(2030, 9, 10, 7, 30, tzinfo=dt.UTC)


def test_idle_session_is_sent_to_sign_in_after_30_minutes_keeping_the_page(teacher_a, world):
    page = f"/schools/{world.school_a.pk}/?tab=plans"
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        sign_in(client, "teacher_a")
        traveller.shift(dt.timedelta(minutes=29, seconds=50))
        assert client.get(page).status_code == 200, "29:50 idle: still open"
        traveller.shift(dt.timedelta(minutes=30, seconds=10))
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=%2Fschools%2F" + f"{world.school_a.pk}%2F%3Ftab%3Dplans"
        login_page = client.get(response["Location"])
        assert "30 minutes without activity" in login_page.content.decode()
        assert client.get("/alerts/").status_code == 302, "the session is over, not just this request"
        # Signing in again goes back to the page the person was on.
        response = sign_in(client, "teacher_a", next_url=f"/schools/{world.school_a.pk}/?tab=plans")
        assert response["Location"] == page


def test_activity_keeps_the_session_open(teacher_a):
    with time_machine.travel(T0, tick=False) as traveller:
        client = client_for(teacher_a)
        for _ in range(8):  # a page every 25 minutes for more than three hours
            traveller.shift(dt.timedelta(minutes=25))
            assert client.get("/").status_code == 200


def test_session_ends_twelve_hours_after_sign_in_however_active(teacher_a):
    with time_machine.travel(T0, tick=False) as traveller:
        client = client_for(teacher_a)
        for _ in range(11 * 3 + 2):  # every 20 minutes until 11:40
            traveller.shift(dt.timedelta(minutes=20))
            assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(minutes=20, seconds=1))  # 12:00:01 after sign-in
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert "12 hours after you signed in" in client.get(response["Location"]).content.decode()


def test_idle_api_session_gets_401_json(teacher_a):
    with time_machine.travel(T0, tick=False) as traveller:
        client = client_for(teacher_a)
        assert client.get("/api/v1/me").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert "30 minutes" in response.json()["detail"]


def test_idle_lock_applies_after_the_second_factor_too(dispatcher):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=dispatcher, name="phone", confirmed=True)
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        sign_in(client, "dispatcher_a")
        assert client.post("/accounts/security/verify/", {"code": code_for_key(device.key)}).status_code == 302
        assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/")
        assert response["Location"].startswith("/accounts/login/"), "back to the password, not just the code"
