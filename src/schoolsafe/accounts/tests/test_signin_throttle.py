"""Sign-in attempts are bounded per client (before any password is hashed) and in total."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, get_hasher
from django.test import Client

from schoolsafe.accounts import throttle
from schoolsafe.accounts.hashers import BoundedArgon2PasswordHasher
from schoolsafe.accounts.tests.helpers import sign_in
from schoolsafe.testing.personas import PASSWORD


def test_25_1_one_client_gets_429_after_its_failed_sign_ins_and_others_still_sign_in(teacher_a, monkeypatch):
    assert throttle.ATTEMPTS == 20
    monkeypatch.setattr(throttle, "ATTEMPTS", 4)  # the rule, with a smaller limit (each sign-in hashes)
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for n in range(throttle.ATTEMPTS):
        assert sign_in(attacker, f"ghost{n}", "wrong password").status_code == 200
    refused = sign_in(attacker, "teacher_a")  # even the right password: this client must wait
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many sign-in attempts" in refused.content.decode()
    elsewhere = sign_in(Client(REMOTE_ADDR="198.51.100.20"), "teacher_a")
    assert elsewhere.status_code == 302


def test_25_1_successful_sign_ins_from_one_school_address_are_not_limited(teacher_a, monkeypatch):
    """A school's staff share one address: sign-ins that succeed give their count back."""
    monkeypatch.setattr(throttle, "ATTEMPTS", 3)  # the rule, with a smaller limit (each sign-in hashes)
    assert sign_in(Client(REMOTE_ADDR="192.0.2.10"), "teacher_a", "typo").status_code == 200
    for _ in range(throttle.ATTEMPTS + 2):
        assert sign_in(Client(REMOTE_ADDR="192.0.2.10"), "teacher_a").status_code == 302


def test_25_1_passwords_are_hashed_by_the_bounded_argon2_hasher_and_old_hashes_still_verify(teacher_a):
    hasher = get_hasher("argon2")
    assert isinstance(hasher, BoundedArgon2PasswordHasher)
    assert teacher_a.password.startswith("argon2$") and check_password(PASSWORD, teacher_a.password)
    plain_django = "argon2$argon2id$v=19$m=102400,t=2,p=8$" + teacher_a.password.split("$", 4)[4]
    assert check_password(PASSWORD, plain_django)
