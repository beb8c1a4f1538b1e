"""Every sign-in event is in the audit log (CJIS Security Policy 6 AU-2), without any
address or browser description of the person signing in."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from schoolsafe.accounts.actions import do_end_expired_locks
from schoolsafe.accounts.tests.helpers import code_for_key, sign_in
from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.factories import UserFactory
from schoolsafe.testing.personas import PASSWORD

T0 = dt.datetime(2030, 3, 4, 14, 0, tzinfo=dt.UTC)


def rows(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def assert_no_client_identifiers() -> None:
    """The test client's address and browser description appear in no audit row."""
    for entry in AuditEntry.objects.all():
        text = f"{entry.summary} {entry.object_repr}"
        assert "127.0.0.1" not in text and "REMOTE_ADDR" not in text and "user_agent" not in text.lower()


def test_25_8_a_successful_sign_in_is_audited(teacher_a, world):
    assert sign_in(Client(), "teacher_a").status_code == 302
    [entry] = rows("accounts.signed_in")
    assert entry.actor_id == teacher_a.pk and entry.object_id == str(teacher_a.pk)
    assert entry.organization == f"school:{world.school_a.pk}", "the school's administrators see it"
    assert entry.summary == {"username": "teacher_a", "second_factor_next": False}
    assert_no_client_identifiers()


def test_25_8_a_failed_sign_in_is_audited_naming_the_account_but_never_text_that_matches_none(teacher_a):
    assert sign_in(Client(), "teacher_a", "wrong password").status_code == 200
    assert sign_in(Client(), "Tr0ub4dor&3-typed-in-the-wrong-box", "x").status_code == 200
    known, unknown = rows("accounts.sign_in_failed")
    assert known.actor_id is None and known.object_id == str(teacher_a.pk)
    assert known.summary == {"username": "teacher_a", "locked": False}
    assert unknown.object_id == "" and unknown.summary == {"unknown_username": True, "locked": False}
    assert not AuditEntry.objects.filter(summary__icontains="Tr0ub4dor").exists()
    assert "Tr0ub4dor" not in str([(e.summary, e.object_repr) for e in AuditEntry.objects.all()])
    assert not rows("accounts.signed_in")
    assert_no_client_identifiers()


def test_25_8_a_second_factor_failure_and_success_are_audited(dispatcher):
    device = TOTPDevice.objects.create(user=dispatcher, name="phone", confirmed=True)
    client = Client()
    sign_in(client, "dispatcher_a")
    [signed_in] = rows("accounts.signed_in")
    assert signed_in.summary["second_factor_next"] is True
    right = code_for_key(device.key)
    assert client.post("/accounts/security/verify/", {"code": f"{(int(right) + 1) % 1_000_000:06d}"}).status_code == 400
    [failed] = rows("accounts.second_factor_failed")
    assert failed.actor_id == dispatcher.pk
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post("/accounts/security/verify/", {"code": right}).status_code == 302
    [passed] = rows("accounts.second_factor_passed")
    assert passed.summary == {"device": "authenticator app"}
    assert_no_client_identifiers()


def test_25_8_signing_out_and_an_idle_session_lock_are_audited(teacher_a):
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        sign_in(client, "teacher_a")
        client.post("/accounts/logout/")
        idle = Client()
        sign_in(idle, "teacher_a")
        traveller.shift(dt.timedelta(minutes=31))
        assert idle.get("/").status_code == 302
    # An idle session is locked, not ended (its stream still delivers alert headlines): the lock is audited.
    [out] = rows("accounts.signed_out")
    assert out.actor_id == teacher_a.pk and out.summary == {"reason": "signed out"}
    [locked] = rows("accounts.session_locked")
    assert locked.actor_id == teacher_a.pk and locked.summary == {"reason": "idle"}


def test_25_8_a_lock_its_refused_attempts_and_its_end_are_audited(teacher_a):
    with time_machine.travel(T0, tick=False) as traveller:
        for attempt in range(5):
            sign_in(Client(), "teacher_a", f"guess {attempt}")
        assert sign_in(Client(), "teacher_a", PASSWORD).status_code == 429
        [locked] = rows("accounts.locked")
        assert locked.object_id == str(teacher_a.pk)
        failures = rows("accounts.sign_in_failed")
        assert len(failures) == 6 and failures[-1].summary["locked"] is True
        traveller.shift(dt.timedelta(minutes=11))
        assert do_end_expired_locks() == 1
    [unlocked] = rows("accounts.unlocked")
    assert unlocked.object_id == str(teacher_a.pk)
    assert_no_client_identifiers()


def test_25_8_a_sign_in_to_the_django_admin_is_audited(db):
    operator = UserFactory(username="operator", password=PASSWORD, is_staff=True, is_superuser=True)
    response = Client().post("/admin/login/?next=/admin/", {"username": "operator", "password": PASSWORD,
                                                             "next": "/admin/"})
    assert response.status_code == 302
    [entry] = rows("accounts.signed_in")
    assert entry.actor_id == operator.pk
