"""In real Chromium: a principal adds a webhook channel from the settings page, copies its secret, sends a
test message that a real receiver verifies, and reads the delivery log; axe-core finds no serious WCAG 2.1
A/AA problem on any of the pages, including the form showing its errors."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from schoolsafe.notifications.models import Delivery, NotificationChannel
from schoolsafe.notifications.tests.conftest import documented_verifier
from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, signed_in_cookie
from schoolsafe.testing.servers import HTTPReceiver, Received, ThreadServer

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.mark.django_db(transaction=True)
def test_a_principal_sets_up_a_webhook_and_sees_the_test_message_delivered(world, principal_a, settings):
    from playwright.sync_api import expect, sync_playwright

    settings.SCHOOLSAFE_NOTIFY_KICK = True
    verify = documented_verifier()
    secret_box: dict[str, str] = {}

    def decide(request: Received) -> tuple[int, str]:
        ok = verify(secret_box.get("secret", ""), request.headers.get("x-schoolsafe-timestamp", ""),
                    request.headers.get("x-schoolsafe-signature", ""), request.body)
        return (200, "verified") if ok else (401, "bad signature")

    cookie = signed_in_cookie(principal_a)
    problems: list[str] = []
    page_errors: list[str] = []
    # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
    with HTTPReceiver(decide=decide) as receiver, ThreadServer() as server, sync_playwright() as p:
        browser = launch(p)
        try:
            # bypass_csp: axe-core is injected as an inline script, which the site's CSP (rightly) refuses.
            context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}, is_mobile=True)
            context.add_cookies([{**cookie, "url": server.url}])
            page = context.new_page()
            page.on("pageerror", lambda e: page_errors.append(str(e)))

            page.goto(f"{server.url}/")
            # On a phone the navigation is a menu that opens (base.html).
            page.click(".nav-narrow summary")
            page.click(".nav-narrow nav >> text=Notifications")
            expect(page.locator("h1")).to_have_text("Notification channels")
            problems += axe_problems(page)
            page.click("a:text-is('Webhook')")
            expect(page.locator("h1")).to_have_text("New webhook channel")

            # First with mistakes: the form says what is wrong, beside each field.
            page.select_option("#id_organization", label="School A High (school)")
            page.fill("#id_name", "Dispatch CAD")
            page.fill("#id_url", "ftp://cad.example.org")
            page.click("button:has-text('Create channel')")
            expect(page.locator("#id_url_error")).to_contain_text("use an https:// address, not ftp:")
            expect(page.locator("#id_event_kinds_error")).to_contain_text("choose at least one event")
            expect(page.locator("#id_url")).to_have_attribute("aria-invalid", "true")
            problems += axe_problems(page)

            page.fill("#id_url", receiver.url)
            page.check("label:has-text('An alert is raised')")
            page.check("label:has-text('The all clear is given')")
            page.click("button:has-text('Create channel')")
            expect(page.locator("h1")).to_have_text("Channel “Dispatch CAD” is created")
            secret_box["secret"] = page.input_value("#secret")
            assert secret_box["secret"].startswith("whsec_")
            problems += axe_problems(page)

            page.click("text=Back to “Dispatch CAD”")
            expect(page.locator("h1")).to_have_text("Dispatch CAD")
            assert secret_box["secret"] not in page.content()
            page.click("button:has-text('Send a test message')")
            expect(page.locator(".messages")).to_contain_text("A test message is on its way")
            deadline = time.monotonic() + 10
            while not receiver.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            # The receiver has it; the sender records the outcome a moment later.
            for _ in range(50):
                page.reload()
                if "Delivered (200)" in page.locator("table").inner_text():
                    break
                time.sleep(0.1)
            expect(page.locator("table")).to_contain_text("Delivered (200)")
            page.click("summary:has-text('1 attempt')")
            expect(page.locator("main details li")).to_contain_text("delivered (200)")
            problems += axe_problems(page)
            page.screenshot(path=str(Path(os.environ.get("SCHOOLSAFE_DATA", "/tmp")) / "notifications-channel.png"),
                            full_page=True)
        finally:
            browser.close()

    assert [r.answered for r in receiver.requests] == [200], "the test message arrived once, signature verified"
    assert receiver.requests[0].json()["event"] == "test"
    channel = NotificationChannel.objects.get()
    assert channel.event_kinds == ["alert.raised", "alert.all_clear"]
    assert Delivery.objects.get().status == "delivered"
    assert page_errors == []
    assert problems == [], "\n".join(problems)
