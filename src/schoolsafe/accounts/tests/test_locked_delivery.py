"""Delivery never depends on an active session: a locked session's stream gets alert headlines only; a
registered receive-only terminal (CJIS Security Policy 5.5.5) exempts a dispatch console from the idle lock."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from schoolsafe.accounts.actions import AccountError, do_register_terminal, do_revoke_terminal
from schoolsafe.accounts.sessions import stream_access
from schoolsafe.accounts.terminals import COOKIE
from schoolsafe.accounts.tests.helpers import code_for_key, sign_in
from schoolsafe.alerts.actions import do_raise_alert, load_school
from schoolsafe.alerts.models import Action, Tier
from schoolsafe.audit.models import AuditEntry
from schoolsafe.events.audience import keys_for_user
from schoolsafe.events.bus import visible_events_after
from schoolsafe.events.emit import emit_event
from schoolsafe.testing.personas import client_for, make_person

T0 = dt.datetime(2030, 9, 10, 7, 30, tzinfo=dt.UTC)


def _raise(user, school):
    alert, _ = do_raise_alert(user, load_school(school.pk), action=Action.LOCKDOWN, tier=Tier.EMERGENCY,
                              reason="intruder near the gym", room="C-12")
    return alert


def test_a_locked_session_streams_alert_headlines_and_nothing_else(teacher_a, principal_a, world):
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        sign_in(client, "teacher_a")
        key = client.session.session_key
        access = stream_access(key)
        assert access is not None and not access.locked
        assert 29 * 60 < access.open_for <= 30 * 60, "the stream ends when the session locks"

        traveller.shift(dt.timedelta(minutes=31))
        assert client.get("/").status_code == 302, "pages are locked"
        access = stream_access(key)
        assert access is not None and access.locked, "locked, not signed out: alerts still come"

        keys = keys_for_user(teacher_a)
        emit_event("tip.received", {"code": "ABC"}, [f"school:{world.school_a.pk}:staff"], school=world.school_a.pk)
        alert = _raise(principal_a, world.school_a)
        locked = [payload.decode() for _, payload in visible_events_after(keys, 0, 100, locked=True)]
        assert len(locked) == 1 and "event: alert.raised" in locked[0]
        assert "LOCKDOWN".lower() in locked[0] and "C-12" in locked[0]
        assert "intruder near the gym" not in locked[0], "the reason is a detail: it needs the password"
        assert "raised_by" not in locked[0]
        full = [payload.decode() for _, payload in visible_events_after(keys, 0, 100)]
        assert any("tip.received" in p for p in full) and any("intruder near the gym" in p for p in full)
        assert alert.pk


def test_the_lock_screen_names_the_person_listens_and_unlocking_needs_the_code_again(dispatcher, world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=dispatcher, name="phone", confirmed=True)
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        sign_in(client, "dispatcher_a")
        assert client.post("/accounts/security/verify/", {"code": code_for_key(device.key)}).status_code == 302
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/alerts/dispatch/")
        assert response["Location"].startswith("/accounts/login/")
        page = client.get(response["Location"]).content.decode()
        assert "Locked:" in page and "alerts/listen.js" in page and 'id="incoming"' in page
        assert "reach/install.js" not in page and "push-enable" not in page, "push belongs to a signed-in person"
        assert stream_access(client.session.session_key).locked
        assert client.get("/api/v1/me").status_code == 401
        sign_in(client, "dispatcher_a", next_url="/alerts/dispatch/")
        response = client.get("/alerts/dispatch/")
        assert response["Location"].startswith("/accounts/security/verify/"), "the second factor again"


def test_an_agency_administrator_registers_a_terminal_that_exempts_dispatch_from_the_idle_lock(
        dispatcher, teacher_a, world):
    admin = make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")
    page = client_for(admin).post("/accounts/terminals/", {"name": "Position 3", "location": "Dispatch floor, room 101"})
    assert page.status_code == 200 and "Position 3" in page.content.decode()
    secret = page.cookies[COOKIE].value
    assert page.cookies[COOKIE]["httponly"] and secret.startswith("rot_")
    entry = AuditEntry.objects.filter(action="accounts.terminal_registered").get()
    assert entry.organization == f"agency:{world.agency_a.pk}"

    with time_machine.travel(T0, tick=False) as traveller:
        console, phone = client_for(dispatcher), client_for(dispatcher)
        console.cookies[COOKIE] = secret
        traveller.shift(dt.timedelta(minutes=45))
        assert console.get("/alerts/dispatch/").status_code == 200, "the registered console stays open"
        assert phone.get("/alerts/dispatch/").status_code == 302, "the same person's phone locks"
        access = stream_access(console.session.session_key, secret)
        assert access is not None and not access.locked
        # A teacher signed in on the console gets no exemption.
        desk = client_for(teacher_a)
        desk.cookies[COOKIE] = secret
        traveller.shift(dt.timedelta(minutes=31))
        assert desk.get("/").status_code == 302

        from schoolsafe.accounts.models import ReceiveOnlyTerminal

        terminal = ReceiveOnlyTerminal.objects.get()
        assert terminal.last_seen_at is not None
        assert do_revoke_terminal(admin, terminal) and not do_revoke_terminal(admin, terminal)
        traveller.shift(dt.timedelta(minutes=31))
        assert console.get("/alerts/dispatch/").status_code == 302, "revoked: it locks again"
    assert AuditEntry.objects.filter(action="accounts.terminal_revoked").count() == 1


def test_only_the_agencys_administrator_registers_or_revokes_its_terminals(dispatcher, world):
    import pytest

    admin_b = make_person("agency_admin_b", "agency_admin", world.agency_b, "agency")
    with pytest.raises(AccountError):
        do_register_terminal(dispatcher, world.agency_a, "Position 1", "Dispatch floor")
    with pytest.raises(AccountError):
        do_register_terminal(admin_b, world.agency_a, "Position 1", "Dispatch floor")
    admin = make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")
    with pytest.raises(AccountError, match="location"):
        do_register_terminal(admin, world.agency_a, "Position 1", " ")
    terminal, _ = do_register_terminal(admin, world.agency_a, "Position 1", "Dispatch floor")
    with pytest.raises(AccountError):
        do_revoke_terminal(admin_b, terminal)
    assert client_for(dispatcher).get("/accounts/terminals/").status_code == 403
    assert client_for(admin_b).post(f"/accounts/terminals/{terminal.pk}/revoke/").status_code == 404
