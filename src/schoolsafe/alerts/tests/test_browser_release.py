"""In a real Chromium, against `schoolsafe serve`: during a lockdown a teacher
reports where the threat is from the incident page and dispatch's console shows and signals it at once; the
SRO gives the all clear from the incident page; the teacher is told to stay locked; the SRO releases the
teacher's room in person through the page's form, and the teacher's board shows it released."""

from __future__ import annotations

import pytest

from schoolsafe.alerts.tests.test_browser import AUTOPLAY
from schoolsafe.testing.browser import ARTIFACTS, axe_problems, launch, needs_chromium, sign_in, watch
from schoolsafe.testing.personas import TOTP_KEY
from schoolsafe.testing.servers import ServeProcess

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]
# The console's signal must sound without a click first (a dispatcher's screen is left running).


def test_threat_location_reaches_the_console_and_rooms_are_released_in_person(people, world, tmp_path):  # noqa: F811
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.accounts.models import User
    from schoolsafe.alerts.actions import do_raise_alert, load_school
    from schoolsafe.alerts.models import RoomRelease, ThreatLocation

    sro = User.objects.get(username="sro_sam")
    TOTPDevice.objects.create(user=sro, name="phone", confirmed=True, key=TOTP_KEY)
    alert, _ = do_raise_alert(people["teacher"], load_school(world.school_a.pk), action="lockdown",
                              reason="intruder in building C", room="C-12")
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    incident_path = f"/alerts/{alert.pk}/"

    # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p, AUTOPLAY)
        try:
            console = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            watch(console, errors, base)
            sign_in(console, base, "dispatch_dana", "/alerts/dispatch/", TOTP_KEY)
            expect(console.locator("#stream-state")).to_contain_text("Live")
            console.locator("#incident-list .incident-card-button").first.click()

            teacher = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
            watch(teacher, errors, base)
            sign_in(teacher, base, "teacher_c12", incident_path)
            expect(teacher.locator("#stream-state")).to_contain_text("Live")
            expect(teacher.locator("#release-form")).to_have_count(0)  # a teacher does not release rooms

            # Where the threat is: the console shows it at once and signals it.
            signals = int(console.evaluate("() => document.body.dataset.alertSignals || '0'"))
            teacher.fill("#t-location", "near the gym")
            teacher.fill("#t-note", "shots heard")
            teacher.click("#threat-send")
            expect(teacher.locator("#threat-status")).to_contain_text("Sent to dispatch.")
            expect(console.locator("#incoming")).to_contain_text("THREAT LOCATION: near the gym: shots heard")
            expect(console.locator("#incident-panel [data-part=threats]")).to_contain_text("THREAT LOCATION: near the gym")
            assert int(console.evaluate("() => document.body.dataset.alertSignals || '0'")) > signals
            expect(teacher.locator("[data-part=threats]")).to_contain_text("near the gym")

            # The SRO gives the all clear from the incident page (law enforcement: nothing more to name).
            officer = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
            watch(officer, errors, base)
            sign_in(officer, base, "sro_sam", incident_path, TOTP_KEY)
            expect(officer.locator("[data-part=timeline]")).to_contain_text("Threat location reported: near the gym")
            officer.click("#all-clear-button")
            expect(officer.locator("[data-part=confirm-end-question]")).to_contain_text(
                "Staff will be told to stay locked until their room is released in person.")
            expect(officer.locator("[data-part=confirm-end-field]")).to_be_hidden()
            officer.click("[data-confirm-end=yes]")
            expect(teacher.locator("#ended")).to_contain_text("Stay locked until an officer or administrator releases "
                                                              "your room in person.")
            expect(teacher.locator("[data-part=release]")).to_contain_text("C-12: not released")

            # The SRO, at the door, releases C-12; the teacher's board shows it released.
            officer.fill("#rel-room", "C-12")
            officer.click("#release-send")
            expect(officer.locator("#release-status")).to_contain_text("Room C-12 released.")
            expect(teacher.locator("[data-part=release] [data-room='C-12']")).to_contain_text(
                "C-12: released by Officer Sam")
            expect(teacher.locator("[data-part=release]")).to_contain_text("C-14: not released")
            teacher.screenshot(path=str(ARTIFACTS / "incident-room-released.png"), full_page=True)
            problems = axe_problems(teacher) + axe_problems(console)
        finally:
            browser.close()

    assert not errors, errors
    assert problems == [], problems
    assert ThreatLocation.objects.get().location == "near the gym"
    assert list(RoomRelease.objects.values_list("room", "released_by__username")) == [("C-12", "sro_sam")]
