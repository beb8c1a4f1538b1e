"""Browser test (real Chromium): a teacher's cancel of a real lockdown shows on the dispatch console as a
request; dispatch confirms it there after the call-back, naming whom they reached."""

from __future__ import annotations

import pytest

from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, sign_in, watch
from schoolsafe.testing.personas import TOTP_KEY
from schoolsafe.testing.servers import ServeProcess

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_the_console_confirms_a_requested_cancel_after_the_call_back(people, world, tmp_path):
    import httpx
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.alerts.models import Alert

    _, token = do_create_api_token(people["teacher"], people["teacher"], "teacher's phone")
    auth = {"Authorization": f"Bearer {token}"}
    errors: list[str] = []
    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        raised = httpx.post(f"{base}/api/v1/alerts", headers=auth, timeout=10,
                            json={"school": world.school_a.pk, "action": "lockdown", "location": {"room": "C-12"}})
        assert raised.status_code == 201, raised.text
        alert_id = raised.json()["id"]
        cancel = httpx.post(f"{base}/api/v1/alerts/{alert_id}/cancel", headers=auth, timeout=10)
        assert cancel.status_code == 202 and cancel.json()["status"] == "active", cancel.text

        browser = launch(p)
        try:
            console = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            watch(console, errors, base)
            sign_in(console, base, "dispatch_dana", "/alerts/dispatch/", TOTP_KEY)
            card = console.locator(f'[data-alert="{alert_id}"]')
            expect(card).to_contain_text("CANCEL REQUESTED: CALL BACK")
            form = console.locator("#confirm-cancel")
            expect(form).to_be_visible()
            problems = axe_problems(console)  # the console asking for the call-back
            console.fill("#cancel-reached", "Taylor Teacher on her cell, code word given")
            console.click("#confirm-cancel button[type=submit]")
            expect(console.locator("#control-status")).to_have_text("Cancel confirmed.")
            expect(card).to_contain_text("CANCELLED")
            expect(form).to_be_hidden()
        finally:
            browser.close()

    assert not errors, errors
    assert problems == [], problems
    alert = Alert.objects.get(pk=alert_id)
    assert alert.status == "cancelled"
    assert alert.cancel_confirmation == "Taylor Teacher on her cell, code word given"
    assert alert.cancelled_by == people["dispatcher"]
