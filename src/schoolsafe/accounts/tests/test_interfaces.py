"""The two lookups other parts rely on: a token's user and a session's user (the event stream uses both)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from schoolsafe.accounts import actions
from schoolsafe.accounts.models import ApiToken
from schoolsafe.accounts.sessions import user_for_session_key
from schoolsafe.accounts.tokens import user_for_token
from schoolsafe.testing.personas import client_for


def test_token_resolves_to_its_user_until_revoked(teacher_a):
    token, raw = actions.do_create_api_token(teacher_a, teacher_a, "CAD bridge")
    assert user_for_token(raw) == teacher_a
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    actions.do_revoke_api_token(teacher_a, token)
    assert user_for_token(raw) is None
    assert user_for_token("ss_00000000_not-a-token") is None
    assert user_for_token("") is None


def test_token_of_a_deactivated_user_stops_working(teacher_a):
    _, raw = actions.do_create_api_token(teacher_a, teacher_a, "script")
    teacher_a.is_active = False
    teacher_a.save()
    assert user_for_token(raw) is None


def test_last_used_is_written_at_most_once_a_minute(teacher_a):
    token, raw = actions.do_create_api_token(teacher_a, teacher_a, "script")
    with time_machine.travel(dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        user_for_token(raw)
        first = ApiToken.objects.get(pk=token.pk).last_used_at
    with time_machine.travel(dt.datetime(2030, 1, 1, 12, 0, 30, tzinfo=dt.UTC), tick=False):
        user_for_token(raw)
        assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel(dt.datetime(2030, 1, 1, 12, 1, 30, tzinfo=dt.UTC), tick=False):
        user_for_token(raw)
        assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_session_key_resolves_while_the_session_is_valid(teacher_a):
    start = dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client = client_for(teacher_a)
        key = client.session.session_key
        assert user_for_session_key(key) == teacher_a
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert user_for_session_key(key) == teacher_a
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert user_for_session_key(key) is None, "idle for more than 30 minutes"


def test_session_key_ends_twelve_hours_after_sign_in_even_when_active(teacher_a):
    start = dt.datetime(2030, 1, 1, 6, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(teacher_a)
        key = client.session.session_key
        elapsed = dt.timedelta(0)
        while user_for_session_key(key) is not None and elapsed < dt.timedelta(hours=24):
            client.get("/")  # a page every 15 minutes all day: never idle
            traveller.shift(dt.timedelta(minutes=15))
            elapsed += dt.timedelta(minutes=15)
    assert elapsed == dt.timedelta(hours=12, minutes=15), "valid at 12:00 after sign-in, ended by 12:15"


def test_session_key_needs_the_second_factor_for_roles_that_need_it(dispatcher):
    client = Client()
    client.force_login(dispatcher)
    key = client.session.session_key
    assert user_for_session_key(key) is None, "signed in with a password only"
    verified = client_for(dispatcher)
    assert user_for_session_key(verified.session.session_key) == dispatcher


def test_unknown_or_ended_session_key_gives_none(teacher_a):
    client = client_for(teacher_a)
    key = client.session.session_key
    assert user_for_session_key("nonexistent0000000000000000000000") is None
    client.post("/accounts/logout/")
    assert user_for_session_key(key) is None
