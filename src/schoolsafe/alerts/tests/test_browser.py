"""In a real Chromium, against `schoolsafe serve` (uvicorn in its own process, as in production; the event
stream is a raw ASGI app that Django's live_server would not serve):

a teacher raises a lockdown from the panic page in two taps; the dispatcher's console, open in a second
browser context, shows it without reload within a second and acknowledges; the teacher's page shows the
acknowledgement; the teacher reports the room; the board updates; the dispatcher gives the all clear; both
pages show it. And a raise that loses its network (offline, or the answer lost on the way back) is retried
with the same Idempotency-Key until it lands, raising one alert, not two.

People sign in through the login page; the dispatcher's second factor is a code computed here from the
authenticator's secret, as their phone would. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import time

import pytest

from schoolsafe.testing.browser import ARTIFACTS, axe_problems, launch, needs_chromium, sign_in, watch
from schoolsafe.testing.personas import TOTP_KEY
from schoolsafe.testing.servers import ServeProcess

# The console's beep must sound without a click first (a dispatcher's screen is left running).
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.mark.django_db(transaction=True)
def test_lockdown_in_two_taps_reaches_the_console_live_then_ack_room_report_and_all_clear(people, world, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.alerts.models import Acknowledgement, Alert, IdempotencyKey, RoomStatus

    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    problems: list[str] = []
    timings: dict[str, float] = {}

    # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p, AUTOPLAY)
        try:
            dispatch_context = browser.new_context(viewport={"width": 1400, "height": 1000})
            console = dispatch_context.new_page()
            watch(console, errors, base)
            sign_in(console, base, "dispatch_dana", "/alerts/dispatch/", TOTP_KEY)
            expect(console.locator("#stream-state")).to_contain_text("Live")
            expect(console.locator("#no-incidents")).to_be_visible()

            # The teacher, on a phone.
            teacher_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            teacher = teacher_context.new_page()
            watch(teacher, errors, base)
            sign_in(teacher, base, "teacher_c12", "/alerts/")
            expect(teacher.locator("#srp-lockdown")).to_contain_text("Locks, lights, out of sight.")
            teacher.screenshot(path=str(ARTIFACTS / "panic-page.png"), full_page=True)
            problems.extend(axe_problems(teacher))

            # A colleague down the hall has the panic page open (and asked the system for reduced motion).
            colleague_context = browser.new_context(viewport={"width": 1024, "height": 768}, reduced_motion="reduce")
            colleague = colleague_context.new_page()
            watch(colleague, errors, base)
            sign_in(colleague, base, "teacher_c14", "/alerts/")

            # Two taps: Lockdown, then the one confirmation (the room is already filled in from the profile).
            teacher.tap("#srp-lockdown")
            expect(teacher.locator("#confirm")).to_be_visible()
            expect(teacher.locator("#f-room")).to_have_value("C-12")
            expect(teacher.locator("#confirm-send")).to_have_text("Send lockdown")
            teacher.screenshot(path=str(ARTIFACTS / "panic-page-confirm.png"), full_page=True)
            started = time.monotonic()
            teacher.tap("#confirm-send")

            # The console shows it without a reload, within a second, with sound.
            card = console.locator("#incident-list .incident-card", has_text="School A High")
            expect(card).to_contain_text("LOCKDOWN", timeout=1000)
            timings["console_shows_alert_s"] = time.monotonic() - started
            expect(card).to_contain_text("NOT ACKNOWLEDGED")
            expect(card).to_contain_text("room C-12")
            assert int(console.evaluate("() => document.body.dataset.alertSignals || '0'")) >= 1
            expect(console.locator("#incoming")).to_be_visible()
            # The colleague's page tells them at once, with sound, and a still (not flashing) banner.
            expect(colleague.locator("#incoming")).to_contain_text("LOCKDOWN at School A High (room C-12)")
            expect(colleague.locator("#incoming")).to_contain_text("Locks, lights, out of sight.")
            assert int(colleague.evaluate("() => document.body.dataset.alertSignals || '0'")) >= 1
            animation = "() => getComputedStyle(document.getElementById('incoming')).animationName"
            assert colleague.evaluate(animation) == "none"
            assert console.evaluate(animation) == "ss-flash"
            panel = console.locator("#incident-panel")
            expect(panel.locator("[data-part=directive]")).to_have_text(
                "Locks, lights, out of sight. Prepare to evade or defend.")
            expect(panel.locator("[data-part=contacts]")).to_contain_text("Pat Principal")
            expect(panel.locator("[data-part=contacts]")).to_contain_text("555-0100")
            expect(panel.locator("[data-part=sros]")).to_contain_text("Officer Sam")
            expect(panel.locator("[data-part=features]")).to_contain_text("North field")
            expect(panel.locator("#console-map .leaflet-interactive").first).to_be_visible()
            expect(panel.locator("[data-part=delivery]")).to_contain_text("Taylor Teacher")

            # The teacher lands on the incident page.
            teacher.wait_for_url(f"{base}/alerts/*/")
            expect(teacher.locator("h1.directive")).to_have_text("Locks, lights, out of sight. Prepare to evade or defend.")
            expect(teacher.locator("#stream-state")).to_contain_text("Live")
            expect(teacher.locator("[data-part=dispatch-ack]")).to_contain_text("Waiting for dispatch")

            # A wall display of the board, open on the dispatcher's side too.
            board = dispatch_context.new_page()
            watch(board, errors, base)
            board.goto(teacher.url.replace(base, base) + "board/")
            expect(board.locator("#stream-state")).to_contain_text("Live")
            expect(board.locator("[data-part=board]")).to_contain_text("Not reported (2)")

            # Dispatch acknowledges; the teacher sees it without reloading.
            console.click("#ack-button")
            started = time.monotonic()
            expect(teacher.locator("[data-part=dispatch-ack]")).to_contain_text("Dispatch acknowledged: Dana Dispatch")
            timings["teacher_sees_ack_s"] = time.monotonic() - started
            expect(card).to_contain_text("Acknowledged")
            expect(console.locator("#ack-button")).to_be_hidden()

            # The teacher reports the room; the boards update.
            teacher.check("input[name=status][value=missing]")
            teacher.fill("#r-present", "23")
            teacher.fill("#r-missing", "Ana Diaz")
            teacher.fill("#r-note", "Ana went to the nurse before the lockdown")
            teacher.click("#room-send")
            started = time.monotonic()
            for view in (board, console.locator("#incident-panel"), teacher):
                where = view.locator("[data-part=board]")
                expect(where).to_contain_text("Missing students")
                expect(where).to_contain_text("Not reported (1)")
                expect(where).to_contain_text("C-14")
            timings["board_updates_s"] = time.monotonic() - started
            # Students' names for those who run the response; the teacher's board shows the count.
            expect(board.locator("[data-part=board]")).to_contain_text("Ana Diaz")
            expect(console.locator("#incident-panel [data-part=board]")).to_contain_text("Ana Diaz")
            expect(teacher.locator("[data-part=board] tr[data-room='C-12']")).not_to_contain_text("Ana Diaz")
            expect(teacher.locator("#room-status")).to_contain_text("Room C-12 reported.")
            console.screenshot(path=str(ARTIFACTS / "dispatch-console.png"), full_page=True)

            # Dispatch opens the incident page (timeline, thread) and writes to the school; the teacher answers.
            incident = dispatch_context.new_page()
            watch(incident, errors, base)
            incident.goto(base + console.locator("[data-part=incident-link]").get_attribute("href"))
            expect(incident.locator("[data-part=timeline]")).to_contain_text("Room C-12: missing students")
            expect(incident.locator("[data-part=timeline]")).to_contain_text("Acknowledged by dispatch")
            expect(incident.locator(".exports a", has_text="PDF")).to_have_attribute("href", re.compile(r"/ics214\.pdf$"))
            incident.fill("#m-text", "Officers entering building C from the east door. Keep doors locked.")
            incident.click("#message-form button[type=submit]")
            expect(teacher.locator("[data-part=thread]")).to_contain_text("Officers entering building C")
            teacher.fill("#m-text", "Understood. 23 with me in C-12.")
            teacher.click("#message-form button[type=submit]")
            expect(incident.locator("[data-part=thread]")).to_contain_text("Understood. 23 with me in C-12.")
            expect(incident.locator("[data-part=timeline]")).to_contain_text("Understood. 23 with me in C-12.")
            for page in (console, teacher, incident, board):
                problems.extend(axe_problems(page))

            # The dispatcher gives the all clear (with one confirmation), on behalf of the incident commander:
            # dispatch cannot end a real lockdown by themselves (SRP lockdown release). Both pages and the
            # board show it, and the teacher is told to stay locked until released in person.
            console.click("#all-clear-button")
            console.click("#incident-panel [data-confirm-end=yes]")
            expect(console.locator("#incident-panel [data-part=confirm-end]")).to_be_visible()  # the name is required
            console.fill("#incident-panel [data-part=confirm-end-input]", "Lt. Hart, incident commander")
            console.click("#incident-panel [data-confirm-end=yes]")
            started = time.monotonic()
            expect(teacher.locator("#ended")).to_contain_text("ALL CLEAR")
            timings["teacher_sees_all_clear_s"] = time.monotonic() - started
            expect(teacher.locator("#ended")).to_contain_text(
                "Stay locked until an officer or administrator releases your room in person.")
            expect(teacher.locator("#ended")).not_to_contain_text("over")
            expect(teacher.locator("[data-part=release]")).to_contain_text("C-12: not released")
            expect(console.locator("#incident-panel [data-part=ended]")).to_contain_text("ALL CLEAR")
            expect(card).to_contain_text("ALL CLEAR")
            expect(board.locator("#ended")).to_contain_text("ALL CLEAR")
            expect(incident.locator("#ended")).to_contain_text("ALL CLEAR")
            expect(incident.locator("[data-part=timeline]")).to_contain_text("All clear")
            expect(teacher.locator("#room-form")).to_be_hidden()
            expect(console.locator("#all-clear-button")).to_be_hidden()
            teacher.screenshot(path=str(ARTIFACTS / "incident-page-all-clear.png"), full_page=True)
            console.screenshot(path=str(ARTIFACTS / "dispatch-console-all-clear.png"), full_page=True)
        finally:
            browser.close()

    print("timings:", {k: round(v, 3) for k, v in timings.items()})
    assert not errors, errors
    assert not problems, problems
    assert timings["console_shows_alert_s"] < 1.0
    alert = Alert.objects.get()
    assert (alert.action, alert.status, alert.room, alert.raised_by_id) == ("lockdown", "all_clear", "C-12",
                                                                            people["teacher"].pk)
    assert alert.all_clear_by_id == people["dispatcher"].pk
    assert alert.all_clear_on_behalf_of == "Lt. Hart, incident commander"
    assert list(Acknowledgement.objects.values_list("user_id", flat=True)) == [people["dispatcher"].pk]
    report = RoomStatus.objects.get()
    assert (report.room, report.status, report.present, report.missing) == ("C-12", "missing", 23, ["Ana Diaz"])
    # The raise carried an Idempotency-Key (the page's protection against a retry raising twice).
    assert IdempotencyKey.objects.filter(user=people["teacher"]).count() == 1
    assert (ARTIFACTS / "dispatch-console.png").stat().st_size > 10_000
    assert (ARTIFACTS / "panic-page.png").stat().st_size > 10_000


@pytest.mark.django_db(transaction=True)
def test_a_raise_that_loses_the_network_is_retried_with_the_same_key_and_raises_once(people, world, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.setenv("SCHOOLSAFE_ALERT_MERGE_WINDOW", "0")  # the server's: the Secure and the Hold, two incidents
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.alerts.models import Alert

    errors: list[str] = []
    keys: list[str] = []
    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p, AUTOPLAY)
        try:
            # The page's own retry is tested here; Playwright's routes do not see requests a service worker
            # handles (the installed app's worker, reach/static/reach/sw.js, tested in reach/tests/test_browser.py).
            context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
            teacher = context.new_page()
            # Failed requests are the point of this test; only script errors count.
            teacher.on("pageerror", lambda e: errors.append(str(e)))
            sign_in(teacher, base, "teacher_c12", "/alerts/")

            # Shelter asks for the hazard (and fills in the school's strategy); evacuate asks where to.
            teacher.click("#srp-shelter")
            teacher.click("#confirm-send")
            expect(teacher.locator("#confirm-error")).to_have_text("Hazard: choose the hazard.")
            teacher.select_option("#f-hazard", "tornado")
            expect(teacher.locator("#f-strategy")).to_have_value("Evacuate to shelter area")
            teacher.click("#confirm-cancel")
            expect(teacher.locator("#confirm")).to_be_hidden()
            teacher.click("#srp-evacuate")
            expect(teacher.locator("#f-evacuate-to")).to_be_visible()
            expect(teacher.locator("#f-hazard")).to_be_hidden()
            teacher.fill("#f-evacuate-to", "")
            teacher.click("#confirm-send")
            expect(teacher.locator("#confirm-error")).to_have_text("Evacuate to: say where everyone goes.")
            teacher.keyboard.press("Escape")
            expect(teacher.locator("#confirm")).to_be_hidden()
            # The staff-help call looks and reads differently from an emergency.
            teacher.click("#srp-assist")
            expect(teacher.locator("#confirm-send")).to_have_text("Call for help")
            assert teacher.evaluate("() => getComputedStyle(document.getElementById('confirm-send')).borderStyle") == "dashed"
            teacher.click("#confirm-cancel")

            # 1. Offline when the teacher taps: the page keeps trying, and sends once the network is back.
            context.set_offline(True)
            teacher.click("#srp-secure")
            teacher.click("#confirm-send")
            expect(teacher.locator("#send-status")).to_contain_text("Sending… (retrying")
            context.set_offline(False)
            teacher.wait_for_url(f"{base}/alerts/*/")
            expect(teacher.locator("h1.directive")).to_have_text("Get inside. Lock outside doors.")

            # 2. The server raises the alert but the answer is lost on the way back: the retry with the same
            #    key is answered with the first alert, not a second one.
            lost = {"done": False}

            def lose_first_answer(route):
                keys.append(route.request.headers.get("idempotency-key", ""))
                if not lost["done"]:
                    lost["done"] = True
                    route.fetch()  # reaches the server, which commits the alert
                    route.abort("connectionreset")
                else:
                    route.continue_()

            teacher.route("**/api/v1/alerts", lose_first_answer)
            teacher.goto(f"{base}/alerts/")
            teacher.click("#srp-hold")
            teacher.click("#confirm-send")
            teacher.wait_for_url(f"{base}/alerts/*/")
            expect(teacher.locator("h1.directive")).to_have_text("In your room or area. Clear the halls.")
        finally:
            browser.close()

    assert not errors, errors
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 36, keys
    assert sorted(Alert.objects.values_list("action", flat=True)) == ["hold", "secure"]


@pytest.mark.django_db(transaction=True)
def test_every_signed_in_page_shows_a_new_alert_even_one_raised_between_two_pages(people, world, tmp_path,
                                                                                    monkeypatch):
    """A colleague is on an ordinary page (not an alert page) when a panic button raises a lockdown: the
    banner appears with its directive and a link to the incident, and the delivery report counts them as
    reached. They leave the site; an evacuation is raised meanwhile; the next page they open shows it."""
    monkeypatch.setenv("SCHOOLSAFE_ALERT_MERGE_WINDOW", "0")  # the server's: two incidents, two banners
    import httpx
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.events.models import Receipt

    _, token = do_create_api_token(people["teacher"], people["teacher"], "panic button in C-12")
    errors: list[str] = []
    problems: list[str] = []
    raised: list[int] = []

    def panic_button(base: str, action: str, **extra: str) -> None:
        answer = httpx.post(f"{base}/api/v1/alerts", headers={"Authorization": f"Bearer {token}"}, timeout=10,
                            json={"school": world.school_a.pk, "action": action, "tier": "emergency", "exercise": True,
                                  "location": {"room": "C-12"}, **extra})
        assert answer.status_code == 201, answer.text
        raised.append(answer.json()["id"])

    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p, AUTOPLAY)
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            watch(page, errors, base)
            sign_in(page, base, "teacher_c14", "/")
            expect(page.locator("#incoming")).to_be_hidden()

            panic_button(base, "lockdown")
            banner = page.locator("#incoming")
            expect(banner).to_contain_text("EXERCISE — LOCKDOWN at School A High (room C-12)", timeout=5000)
            expect(banner).to_contain_text("Locks, lights, out of sight.")
            expect(page.locator("#incoming-link")).to_have_attribute("href", f"/alerts/{raised[0]}/")
            assert int(page.evaluate("() => document.body.dataset.alertSignals || '0'")) == 1
            problems.extend(axe_problems(page))

            page.goto("about:blank")
            panic_button(base, "evacuate", evacuate_to="North field")
            page.goto(f"{base}/accounts/security/")
            expect(banner).to_contain_text("EXERCISE — EVACUATE at School A High (room C-12)", timeout=5000)
            expect(page.locator("#incoming-link")).to_have_attribute("href", f"/alerts/{raised[1]}/")
            # The lockdown, seen on the first page, is not announced again.
            assert int(page.evaluate("() => document.body.dataset.alertSignals || '0'")) == 1
            # Receipts are posted a quarter of a second after arrival.
            page.wait_for_timeout(800)
            # Both are on the list of alerts, newest first, on a phone and for a screen reader.
            page.click("text=Dismiss")
            page.goto(f"{base}/alerts/history/")
            rows = page.locator(".alert-history tbody tr")
            expect(rows).to_have_count(2)
            expect(rows.first).to_contain_text("Evacuate")
            problems.extend(axe_problems(page))
        finally:
            browser.close()

    assert not errors, errors
    assert not problems, problems
    received = set(Receipt.objects.filter(user__username="teacher_c14").values_list("event__subject_id", flat=True))
    assert {str(alert_id) for alert_id in raised} <= received
