"""Signing in: Argon2, password rules, and the account lock after 5 failed attempts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from schoolsafe.accounts.actions import do_end_expired_locks
from schoolsafe.accounts.models import LoginLock
from schoolsafe.accounts.tasks import end_expired_locks
from schoolsafe.accounts.tests.helpers import sign_in
from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.personas import PASSWORD

T0 = dt.datetime(2030, 3, 4, 14, 0, tzinfo=dt.UTC)


def fail_five_times(client: Client, username: str) -> None:
    for attempt in range(5):
        response = sign_in(client, username, "wrong password " + str(attempt))
    assert response.status_code == 429, "the fifth failure locks"


def test_sign_in_with_the_right_password_reaches_home(teacher_a):
    client = Client()
    response = sign_in(client, "teacher_a")
    # A teacher lands on the panic page.
    assert response.status_code == 302 and response["Location"] == "/alerts/"
    assert client.get("/").status_code == 200


def test_passwords_are_hashed_with_argon2(teacher_a):
    assert teacher_a.password.startswith("argon2$")


@pytest.mark.parametrize("password", ["short1!", "password123", "qwertyuiop"])
def test_short_or_common_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_needs_no_digits_or_symbols():
    # CJIS 6 / NIST 800-63B: length and a blocklist, no composition rules.
    validate_password("purple elephant umbrella")


def test_sixth_attempt_is_refused_even_with_the_right_password_and_the_account_opens_after_ten_minutes(teacher_a):
    client = Client()
    with time_machine.travel(T0, tick=False) as traveller:
        for attempt in range(4):
            response = sign_in(client, "teacher_a", f"guess {attempt}")
            assert response.status_code == 200
            assert "correct username and password" in response.content.decode()
        response = sign_in(client, "teacher_a", "guess 5")
        assert response.status_code == 429
        assert "Account locked" in response.content.decode()

        traveller.shift(dt.timedelta(minutes=1))
        response = sign_in(client, "teacher_a", PASSWORD)
        assert response.status_code == 429, "the right password does not open a locked account"
        assert "_auth_user_id" not in client.session
        ends = timezone.localtime(T0 + dt.timedelta(minutes=10))
        assert f"{ends:%-I:%M %p}" in response.content.decode(), "the page says when the lock ends"

        traveller.shift(dt.timedelta(minutes=8, seconds=59))  # 9:59 after the fifth failure
        assert sign_in(client, "teacher_a", PASSWORD).status_code == 429

        traveller.shift(dt.timedelta(seconds=2))  # 10:01 after the fifth failure
        response = sign_in(client, "teacher_a", PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/alerts/"
        assert client.get("/").status_code == 200


def test_lock_and_its_end_are_audited_once_each(teacher_a):
    with time_machine.travel(T0, tick=False) as traveller:
        fail_five_times(Client(), "teacher_a")
        sign_in(Client(), "teacher_a", PASSWORD)  # refused during the lock: no second "locked" row
        locked = AuditEntry.objects.filter(action="accounts.locked")
        assert locked.count() == 1
        assert locked[0].object_id == str(teacher_a.pk)
        assert locked[0].summary["username"] == "teacher_a"
        assert locked[0].summary["ends_at"] == (T0 + dt.timedelta(minutes=10)).isoformat()
        assert not AuditEntry.objects.filter(action="accounts.unlocked").exists()

        traveller.shift(dt.timedelta(minutes=11))
        assert sign_in(Client(), "teacher_a", PASSWORD).status_code == 302
        unlocked = AuditEntry.objects.filter(action="accounts.unlocked")
        assert unlocked.count() == 1
        assert unlocked[0].summary["ended_at"] == (T0 + dt.timedelta(minutes=10)).isoformat()
        assert do_end_expired_locks() == 0, "the end is written once"


def test_background_task_writes_the_end_when_the_lock_runs_out(teacher_a):
    with time_machine.travel(T0, tick=False) as traveller:
        fail_five_times(Client(), "teacher_a")
        traveller.shift(dt.timedelta(minutes=5))
        assert end_expired_locks.call() == 0, "not over yet"
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        assert end_expired_locks.call() == 1
    assert LoginLock.objects.get().ended_at == T0 + dt.timedelta(minutes=10)
    assert AuditEntry.objects.filter(action="accounts.unlocked").count() == 1


def test_the_lock_is_per_account_not_per_address(teacher_a, teacher_b):
    # Everyone in a school shares one NAT address: one person's typos must not lock the others out.
    fail_five_times(Client(), "teacher_a")
    assert sign_in(Client(), "teacher_b").status_code == 302


def test_failed_attempts_keep_no_address_or_browser(teacher_a):
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 (Tipster's phone)")
    sign_in(client, "teacher_a", "wrong")
    attempt = AccessAttempt.objects.get(username="teacher_a")
    assert attempt.ip_address is None
    assert attempt.user_agent == ""
    assert "203.0.113.9" not in attempt.post_data + attempt.get_data
    assert "wrong" not in attempt.post_data, "the password is masked"


def test_success_resets_the_count(teacher_a):
    client = Client()
    for attempt in range(4):
        sign_in(client, "teacher_a", f"guess {attempt}")
    assert sign_in(client, "teacher_a").status_code == 302
    client.post("/accounts/logout/")
    for attempt in range(4):
        assert sign_in(client, "teacher_a", f"again {attempt}").status_code == 200, "a fresh count of five"


def test_an_administrator_reset_opens_the_account_at_once_and_is_audited(teacher_a):
    from django.core.management import call_command

    with time_machine.travel(T0, tick=False) as traveller:
        fail_five_times(Client(), "teacher_a")
        traveller.shift(dt.timedelta(minutes=3))
        call_command("axes_reset_username", "teacher_a", stdout=io.StringIO())
        assert sign_in(Client(), "teacher_a").status_code == 302
        unlocked = AuditEntry.objects.get(action="accounts.unlocked")
        assert unlocked.summary["early"] is True
        assert unlocked.summary["ended_at"] == (T0 + dt.timedelta(minutes=3)).isoformat()
        traveller.shift(dt.timedelta(minutes=10))
        assert do_end_expired_locks() == 0
    assert AuditEntry.objects.filter(action="accounts.unlocked").count() == 1
