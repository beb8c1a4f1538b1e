"""GET /api/v1/me, and the demo's authenticators (`schoolsafe demo-otp`)."""

from __future__ import annotations

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from schoolsafe.accounts.county import DEMO_LOGINS, DEMO_PASSWORD, load_demo
from schoolsafe.accounts.tests.helpers import sign_in
from schoolsafe.cli import main
from schoolsafe.testing.factories import MembershipFactory
from schoolsafe.testing.personas import client_for


def test_me_answers_username_name_roles_and_memberships(teacher_a, world):
    MembershipFactory(user=teacher_a, role="program_coordinator", district=world.district_a)
    body = client_for(teacher_a).get("/api/v1/me").json()
    assert body["username"] == "teacher_a"
    assert body["name"] == "Teacher A"
    assert body["roles"] == ["program_coordinator", "staff"]
    assert body["memberships"] == [
        {"role": "program_coordinator", "role_label": "Program coordinator",
         "organization": {"kind": "district", "id": world.district_a.pk, "name": "District A"}},
        {"role": "staff", "role_label": "Teacher or staff",
         "organization": {"kind": "school", "id": world.school_a.pk, "name": "School A High"}},
    ]


def test_me_for_a_dispatcher_names_the_agency(dispatcher, world):
    body = client_for(dispatcher).get("/api/v1/me").json()
    assert body["memberships"] == [{"role": "dispatcher", "role_label": "Dispatcher",
                                    "organization": {"kind": "agency", "id": world.agency_a.pk,
                                                     "name": "Agency A Police"}}]


def test_demo_otp_refuses_on_data_that_is_not_the_demo(dispatcher, capsys):
    TOTPDevice.objects.create(user=dispatcher, name="phone", confirmed=True)
    assert main(["demo-otp", "dispatcher_a"]) != 0
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.count("\n") == 1 and "demo" in out.err


def test_every_demo_user_signs_in_with_the_code_demo_otp_prints(db, capsys):
    load_demo()
    usernames = [u for u, _ in DEMO_LOGINS]
    assert TOTPDevice.objects.filter(user__username__in=usernames, confirmed=True).count() == len(usernames)
    assert load_demo() is False, "a second load adds nothing"
    for username in ["dispatcher", "principal", "admin"]:
        assert main(["demo-otp", username]) == 0
        code = capsys.readouterr().out.strip()
        assert len(code) == 6 and code.isdigit()
        client = Client()
        sign_in(client, username, DEMO_PASSWORD)
        response = client.post("/accounts/security/verify/", {"code": code, "next": "/"})
        assert response.status_code == 302 and response["Location"] == "/", username
        assert client.get("/").status_code == 200
