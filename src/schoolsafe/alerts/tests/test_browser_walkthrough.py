"""In a real Chromium, against `schoolsafe serve`: what a newcomer's walk-through found (issue 26).

A double-click on a panic button confirms the action pressed and sends nothing; a delivery receipt survives
leaving the page at once.
"""

from __future__ import annotations

import time

import pytest

from schoolsafe.alerts.tests import test_browser
from schoolsafe.alerts.tests.test_browser import ARGS, ServeProcess, sign_in, watch
from schoolsafe.core.browsertest import CHROMIUM, axe_problems, needs_chromium

# The alerts browser tests' school: a teacher in C-12, a colleague in C-14, the SRO, principal and dispatcher.
people = test_browser.people

pytestmark = [pytest.mark.browser, needs_chromium]

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CONFIRMS = {"lockdown": "LOCKDOWN", "hold": "HOLD", "secure": "SECURE", "evacuate": "EVACUATE", "shelter": "SHELTER",
            "assist": "a call for staff help"}


def wait_for(predicate, seconds: float = 5.0) -> bool:
    """Polls the database for what the server process writes (a receipt), for a few seconds at most."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_26_1_a_double_click_on_any_panic_button_confirms_that_action_and_sends_nothing(people, tmp_path, size):
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.alerts.models import Alert

    errors: list[str] = []
    seen: list[tuple[str, str]] = []
    moved: list[str] = []
    problems: list[str] = []

    with ServeProcess(tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(**(DESKTOP if size == "desktop" else PHONE)).new_page()
            watch(page, errors, base)
            sign_in(page, base, "teacher_c12", "/alerts/")
            confirm = page.locator("#confirm")
            gestures = ["double-click"] + (["double tap"] if size == "phone" else [])
            for gesture in gestures:
                for action, expected in CONFIRMS.items():
                    button = page.locator(f"#srp-{action}")
                    button.scroll_into_view_if_needed()
                    before = button.bounding_box()
                    if gesture == "double-click":
                        button.dblclick()
                    else:
                        x, y = before["x"] + before["width"] / 2, before["y"] + before["height"] / 2
                        page.touchscreen.tap(x, y)
                        page.touchscreen.tap(x, y)
                    expect(confirm).to_be_visible()
                    seen.append((action, page.inner_text("#confirm-action")))
                    if button.bounding_box() != before:
                        moved.append(f"{gesture} on {action}: {before} -> {button.bounding_box()}")
                    if (gesture, action) == ("double-click", "evacuate"):
                        problems.extend(axe_problems(page))
                    page.wait_for_timeout(800)  # past the double-click interval, as a person deciding
                    page.click("#confirm-cancel")
                    expect(confirm).to_be_hidden()
        finally:
            browser.close()

    assert not errors, errors
    assert seen == [(action, expected) for _ in gestures for action, expected in CONFIRMS.items()]
    # Nothing moved under the pointer, and nothing was sent: a double-click is one press, not a confirmation.
    assert moved == []
    assert not Alert.objects.exists()
    assert not problems, problems


@pytest.mark.django_db(transaction=True)
def test_26_3_a_receipt_is_recorded_even_when_the_page_is_left_at_once(people, world, tmp_path):
    """The receipt of an alert is batched a quarter of a second after arrival; a person who leaves the page
    sooner (to another page, or away from the site) must still be counted as reached."""
    import httpx
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.events.models import Receipt

    _, token = do_create_api_token(people["teacher"], people["teacher"], "panic button in C-12")
    errors: list[str] = []
    raised: list[int] = []

    def panic_button(base: str, action: str, **extra: str) -> None:
        answer = httpx.post(f"{base}/api/v1/alerts", headers={"Authorization": f"Bearer {token}"}, timeout=10,
                            json={"school": world.school_a.pk, "action": action, "tier": "emergency", "exercise": True,
                                  "location": {"room": "C-12"}, **extra})
        assert answer.status_code == 201, answer.text
        raised.append(answer.json()["id"])

    with ServeProcess(tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            watch(page, errors, base)
            sign_in(page, base, "teacher_c14", "/")
            banner = page.locator("#incoming")

            # Seen, then straight on to another page of the site.
            panic_button(base, "lockdown")
            expect(banner).to_contain_text("LOCKDOWN", timeout=5000)
            page.goto(f"{base}/accounts/security/")
            expect(page.locator("h1")).to_be_visible()

            # Seen, then away from the site at once.
            panic_button(base, "evacuate", evacuate_to="North field")
            expect(banner).to_contain_text("EVACUATE", timeout=5000)
            page.goto("about:blank")
        finally:
            browser.close()

    assert not errors, errors

    def received() -> set[str]:
        return set(Receipt.objects.filter(user__username="teacher_c14").values_list("event__subject_id", flat=True))

    assert wait_for(lambda: {str(alert_id) for alert_id in raised} <= received()), (raised, received())
