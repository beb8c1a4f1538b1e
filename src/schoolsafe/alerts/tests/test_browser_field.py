"""In a real Chromium against `schoolsafe serve`:

a teacher's session idles past its lock (its last activity set back 31 minutes, no sleep); the page shows the
lock screen; a lockdown raised elsewhere still reaches it within the usual time and is shown, silently (no
tone at a school under lockdown, the device vibrates); the teacher raises a lockdown from the device's panic
button without typing a password. The dispatch console's tone repeats until someone acknowledges (its clock
moved forward, no sleep).

Sound is observed through an audio hook: every tone creates oscillators on an AudioContext, and the hook
counts them (and calls to navigator.vibrate).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from schoolsafe.alerts.tests.test_browser import AUTOPLAY
from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, sign_in, watch
from schoolsafe.testing.personas import TOTP_KEY
from schoolsafe.testing.servers import ServeProcess

pytestmark = [pytest.mark.browser, needs_chromium]
# The console's tone must sound without a click first (a dispatcher's screen is left running).

AUDIO_HOOK = """
window.__tones = 0; window.__vibrations = 0;
(function () {
  var Ctx = window.AudioContext || window.webkitAudioContext;
  if (Ctx) {
    var create = Ctx.prototype.createOscillator;
    Ctx.prototype.createOscillator = function () { window.__tones += 1; return create.apply(this, arguments); };
  }
  navigator.vibrate = function () { window.__vibrations += 1; return true; };
})();
"""


def tones(page) -> int:
    return int(page.evaluate("() => window.__tones"))


@pytest.mark.django_db(transaction=True)
def test_a_locked_page_still_shows_a_lockdown_silently_and_the_panic_button_raises_it_without_a_password(
        people, world, tmp_path):
    import httpx
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.accounts.models import User
    from schoolsafe.accounts.sessions import SEEN_AT_KEY
    from schoolsafe.alerts.credentials import do_issue_panic_credential
    from schoolsafe.alerts.models import Alert
    from schoolsafe.events.models import Receipt

    teacher = people["teacher"]
    principal = User.objects.get(username="principal_pat")
    credential, raw = do_issue_panic_credential(principal, world.school_a, teacher, "Taylor's phone")
    _, colleague_token = do_create_api_token("tests", User.objects.get(username="teacher_c14"), "panic button C-14")
    fragment = urlencode({"enrol": raw, "school": "School A High", "room": "C-12", "holder": "Taylor Teacher",
                          "device": "Taylor's phone"})
    errors: list[str] = []
    raised: list[int] = []
    timings: dict[str, float] = {}

    def raise_elsewhere(base: str, action: str) -> None:
        answer = httpx.post(f"{base}/api/v1/alerts", headers={"Authorization": f"Bearer {colleague_token}"},
                            json={"school": world.school_a.pk, "action": action, "tier": "emergency",
                                  "exercise": True, "location": {"room": "C-14"}}, timeout=10)
        assert answer.status_code == 201, answer.text
        raised.append(answer.json()["id"])

    def idle_for_31_minutes(session_key: str) -> None:
        # The server's clock is not ours to move: the session's last activity goes back instead. The ORM runs
        # in a thread of its own (Playwright's sync API runs an event loop in this one).
        import threading

        def work() -> None:
            from django.db import connection

            store = SessionStore(session_key)
            store[SEEN_AT_KEY] = store[SEEN_AT_KEY] - 31 * 60
            store.save()
            connection.close()

        worker = threading.Thread(target=work)
        worker.start()
        worker.join()

    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p, AUTOPLAY)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            context.add_init_script(AUDIO_HOOK)
            page = context.new_page()
            watch(page, errors, base)
            sign_in(page, base, "teacher_c12", "/")
            # The principal's QR code opens this address on the phone: the panic button is enrolled.
            page.goto(f"{base}/alerts/panic/device/#{fragment}")
            expect(page.locator("#device-panic")).to_contain_text("School A High")
            assert "enrol" not in page.url, "the secret leaves the address bar at once"
            page.goto(f"{base}/")

            # The hook hears a tone when there is one: a Secure at the school, while the session is active.
            raise_elsewhere(base, "secure")
            expect(page.locator("#incoming")).to_contain_text("SECURE at School A High", timeout=5000)
            assert tones(page) > 0

            # Thirty-one idle minutes: the next page is the lock screen, which still listens.
            session_key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
            idle_for_31_minutes(session_key)
            page.reload()
            expect(page.locator("#locked-note")).to_contain_text("Locked: Taylor Teacher")
            assert "/accounts/login/" in page.url
            expect(page.locator("#incoming")).to_be_hidden()
            page.tap("#locked-note")  # the phone is in a hand (browsers vibrate only after a touch)
            page.wait_for_timeout(500)  # the stream connects

            started = time.monotonic()
            raise_elsewhere(base, "lockdown")
            banner = page.locator("#incoming")
            expect(banner).to_contain_text("EXERCISE — LOCKDOWN at School A High (room C-14)", timeout=5000)
            timings["locked_screen_shows_lockdown_s"] = time.monotonic() - started
            expect(banner).to_contain_text("Locks, lights, out of sight.")
            # SRP and Alyssa's Law: silent. Shown, and the phone vibrates; no tone.
            assert tones(page) == 0
            assert int(page.evaluate("() => window.__vibrations")) >= 1
            expect(page.locator("#incoming-silent")).to_contain_text("lockdown")
            problems = axe_problems(page)  # the locked screen with its lockdown banner
            # While the school is under lockdown nothing sounds, whatever the alert; a Hold raised now joins the
            # lockdown's incident as a report (one incident per emergency): the banner still says LOCKDOWN.
            raise_elsewhere(base, "hold")
            assert raised[-1] == raised[0], "the Hold joined the incident"
            page.wait_for_timeout(800)
            expect(banner).to_contain_text("LOCKDOWN at School A High")
            assert tones(page) == 0
            page.wait_for_timeout(800)  # receipts are posted a quarter of a second after arrival

            # The teacher raises a lockdown from the device's panic button: two taps, no password.
            page.click("#panic-device-link")
            expect(page.locator("#device-school")).to_have_text("School A High")
            page.tap("#device-lockdown")
            expect(page.locator("#device-send")).to_have_text("Send lockdown")
            page.tap("#device-send")
            expect(page.locator("#device-status")).to_contain_text("Sent: LOCKDOWN raised at School A High")
            assert page.locator("#id_password").count() == 0
        finally:
            browser.close()

    assert not errors, errors
    assert problems == [], problems
    print(f"timings: {timings}")
    assert timings["locked_screen_shows_lockdown_s"] < 5
    from_button = Alert.objects.exclude(pk__in=raised).get()
    assert (from_button.action, from_button.raised_by, from_button.panic_credential, from_button.room) == (
        "lockdown", teacher, credential, "C-12")
    # The locked screen's receipts count: the delivery report shows the lockdown reached the teacher.
    received = set(Receipt.objects.filter(user=teacher).values_list("event__subject_id", flat=True))
    assert str(raised[1]) in received


@pytest.mark.django_db(transaction=True)
def test_the_console_tone_repeats_until_someone_acknowledges(people, world, tmp_path):
    import httpx
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.accounts.actions import do_create_api_token

    _, token = do_create_api_token("tests", people["teacher"], "panic button C-12")
    errors: list[str] = []
    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p, AUTOPLAY)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_init_script(AUDIO_HOOK)
            console = context.new_page()
            console.clock.install()
            watch(console, errors, base)
            sign_in(console, base, "dispatch_dana", "/alerts/dispatch/", TOTP_KEY)
            expect(console.locator("#stream-state")).to_contain_text("Live")
            answer = httpx.post(f"{base}/api/v1/alerts", headers={"Authorization": f"Bearer {token}"}, timeout=10,
                                json={"school": world.school_a.pk, "action": "lockdown", "tier": "emergency",
                                      "location": {"room": "C-12"}})
            assert answer.status_code == 201, answer.text
            card = console.locator("#incident-list .incident-card", has_text="School A High")
            expect(card).to_contain_text("NOT ACKNOWLEDGED", timeout=5000)
            problems = axe_problems(console)
            first = tones(console)
            assert first > 0, "the console sounds for a lockdown (it is not in the building)"
            console.clock.fast_forward(10_500)
            second = tones(console)
            console.clock.fast_forward(10_500)
            third = tones(console)
            assert first < second < third, (first, second, third)

            console.click("#ack-button")
            expect(card).to_contain_text("Acknowledged")
            after_ack = tones(console)
            console.clock.fast_forward(35_000)
            assert tones(console) == after_ack, "silent once acknowledged"
        finally:
            browser.close()
    assert not errors, errors
    assert problems == [], problems
