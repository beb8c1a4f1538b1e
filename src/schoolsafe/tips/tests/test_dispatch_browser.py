"""An urgent tip routed to dispatch appears on the dispatch console (real
Chromium) with the repeating tone until a dispatcher acknowledges it, and reaches a webhook receiver on a
loopback port. Neither shows the tip's text or code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.accounts.actions import do_create_api_token
from schoolsafe.notifications.actions import do_create_channel
from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, signed_in_cookie
from schoolsafe.testing.personas import make_person
from schoolsafe.testing.servers import HTTPReceiver, ThreadServer
from schoolsafe.tips.tests.factories import TipFactory

WHAT = "Jordan has a gun in his locker, number 214"

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.mark.django_db(transaction=True)
def test_12_9_an_urgent_tip_routed_to_dispatch_sounds_on_the_console_and_reaches_the_webhook(
        world, analyst_a, dispatcher, settings):
    import httpx
    from playwright.sync_api import expect, sync_playwright

    settings.SCHOOLSAFE_NOTIFY_KICK = True  # the committing process sends at once, as in production
    settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    received = timezone.now() - dt.timedelta(minutes=1)
    tip = TipFactory(school=world.school_a, category="weapon", urgent=True, urgency_score=100, received_at=received,
                     deadline=received + dt.timedelta(hours=1), what=WHAT)
    from schoolsafe.accounts.models import ApiToken

    # Made after the second factor, as the analyst's role requires.
    _, analyst_token = do_create_api_token(analyst_a, analyst_a, "triage script", assurance=ApiToken.SECOND_FACTOR)
    cookie = signed_in_cookie(dispatcher)
    admin = make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")
    errors: list[str] = []
    with HTTPReceiver() as receiver:
        do_create_channel(admin, world.agency_a, "webhook", name="CAD", event_kinds=["tip.dispatch"], url=receiver.url)
        # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
        with ThreadServer() as server, sync_playwright() as p:
            browser = launch(p)
            try:
                context = browser.new_context()
                context.add_cookies([{**cookie, "url": server.url}])
                page = context.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.clock.install()
                page.goto(f"{server.url}/alerts/dispatch/")
                expect(page.locator("#stream-state")).not_to_contain_text("Connecting", timeout=10_000)
                expect(page.locator("#dispatch-tips")).to_be_hidden()

                routed = httpx.post(f"{server.url}/api/v1/tips/{tip.pk}/routes", json={"destination": "police"},
                                    headers={"Authorization": f"Bearer {analyst_token}"}, timeout=20)
                assert routed.status_code == 201, routed.text

                item = page.locator(f"#tip-list li[data-tip='{tip.pk}']")
                expect(item).to_contain_text("URGENT TIP — Weapon", timeout=10_000)
                expect(item).to_contain_text("School A High")
                expect(item).to_contain_text("NOT ACKNOWLEDGED")
                expect(page.locator("#tips-count")).to_have_text("(1 not acknowledged)")
                text = page.locator("#dispatch-tips").inner_text()
                assert WHAT not in text and tip.code not in text
                problems = axe_problems(page)  # the console with the urgent tip on it

                def signals() -> int:
                    return int(page.evaluate("document.body.dataset.alertSignals || '0'"))

                first = signals()
                assert first >= 1, "the tone sounds when the tip arrives"
                page.clock.run_for(11_000)
                assert signals() > first, "the tone repeats while nobody acknowledged"

                item.get_by_role("button", name="Acknowledge").click()
                expect(item).to_contain_text("Acknowledged by Dispatcher A")
                quiet = signals()
                page.clock.run_for(25_000)
                assert signals() == quiet, "silent once acknowledged"
                # The analyst's link opens the tip itself (the audited read), which dispatch may now see.
                assert item.get_by_role("link", name="Open the tip").get_attribute("href") == f"/tips/{tip.pk}/"
            finally:
                browser.close()
        hooks = receiver.wait_for(1, timeout=10)
    assert not errors
    assert problems == [], problems
    assert len(hooks) == 1
    body = hooks[0].json()
    assert body["event"] == "tip.dispatch" and body["data"]["tip_id"] == tip.pk and body["data"]["urgent"] is True
    assert WHAT not in hooks[0].body.decode() and tip.code not in hooks[0].body.decode()
