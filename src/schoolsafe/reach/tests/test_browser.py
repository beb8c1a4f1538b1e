"""The installable app in a real Chromium against `schoolsafe serve`: the service worker installs; a push
delivered through the DevTools protocol (ServiceWorker.deliverPushMessage) is shown as a system notification
whose Acknowledge action records the acknowledgement; the desktop takeover page acknowledges; a raise made while
offline is queued and sent once when the network is back.

Headless Chromium cannot click a notification's action button; the test runs the worker's own click handler
(`self.onAlertNotificationClick`, the function the `notificationclick` listener calls) inside the service worker
through the DevTools protocol, with the notification the worker showed and the action "acknowledge".
"""

from __future__ import annotations

import json
import time

import pytest

from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, sign_in, watch
from schoolsafe.testing.personas import make_person
from schoolsafe.testing.servers import ServeProcess

pytestmark = [pytest.mark.browser, needs_chromium]


def wait(page, predicate, timeout: float = 15.0):
    """Poll through Playwright's own wait, so that its events (the DevTools protocol's) are processed meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(100)


@pytest.mark.django_db(transaction=True)
def test_service_worker_push_notification_acknowledges_and_offline_raise_is_sent_once(world, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.alerts.actions import do_raise_alert, load_school
    from schoolsafe.alerts.models import Acknowledgement, Alert
    from schoolsafe.events.models import Event, Receipt
    from schoolsafe.reach.actions import push_headline

    teacher = make_person("teacher_pwa", "staff", world.school_a, "school")
    teacher.full_name, teacher.room = "Pat Teacher", "C-12"
    teacher.save()
    principal = make_person("principal_pwa", "school_admin", world.school_a, "school")
    alert, _body = do_raise_alert(principal, load_school(world.school_a.pk), action="lockdown", reason="test",
                                  exercise=True)
    event = Event.objects.get(kind="alert.raised", subject_id=str(alert.pk))
    payload = push_headline(event, silent=True)
    errors: list[str] = []
    seen: dict = {}

    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.grant_permissions(["notifications"], origin=base)
            page = context.new_page()
            watch(page, errors, base)
            sign_in(page, base, "teacher_pwa", "/alerts/")
            # 1. The service worker installs, with the whole site as its scope, and controls the page.
            scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
            assert scope == f"{base}/"
            page.reload()
            assert page.evaluate("!!navigator.serviceWorker.controller")
            assert page.evaluate("fetch('/manifest.webmanifest').then(r => r.json()).then(m => m.start_url)") == "/alerts/"
            worker = wait(page, lambda: context.service_workers and context.service_workers[0])

            # 2. A push through the DevTools protocol, as a push service would deliver it.
            cdp = context.new_cdp_session(page)
            registrations: list[dict] = []
            cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
            cdp.send("ServiceWorker.enable")
            registration = wait(page, lambda: next((r for r in registrations if r["scopeURL"] == f"{base}/"), None))
            cdp.send("ServiceWorker.deliverPushMessage", {"origin": base, "registrationId": registration["registrationId"],
                                                          "data": json.dumps(payload)})
            shown = wait(page, lambda: worker.evaluate(
                "self.registration.getNotifications().then(ns => ns.map(n => ({title: n.title, body: n.body, "
                "silent: n.silent, actions: n.actions.map(a => a.title), tag: n.tag})))"))
            seen["notification"] = shown[0]
            # The Acknowledge action: the worker's own notificationclick path (see the module's docstring).
            status = worker.evaluate(
                "self.registration.getNotifications().then(ns => self.onAlertNotificationClick("
                "{notification: ns[0], action: 'acknowledge'})).then(r => r.status)")
            seen["ack_status"] = status

            # 3. The desktop takeover page: directive in large type, already acknowledged.
            page.goto(f"{base}/takeover/{alert.pk}/")
            expect(page.locator("#takeover-directive")).to_have_text(alert.directive)
            expect(page.locator("#takeover-ack")).to_have_text("Acknowledged")
            seen["axe"] = axe_problems(page)

            # 4. Offline: the panic page still opens (its shell), and a raise made now is sent once when back online.
            page.goto(f"{base}/alerts/")
            context.set_offline(True)
            page.reload()
            expect(page.locator("#srp-hold")).to_be_visible()
            page.click("#srp-hold")
            page.click("#confirm-send")
            expect(page.locator("#send-status")).to_contain_text("retrying")
            page.wait_for_timeout(1500)
            context.set_offline(False)
            page.wait_for_url(f"{base}/alerts/*/", timeout=20000)
        finally:
            browser.close()

    assert seen["notification"]["title"] == "EXERCISE: LOCKDOWN"
    assert "School A High" in seen["notification"]["body"]
    assert seen["notification"]["actions"] == ["Acknowledge"] and seen["notification"]["silent"] is True
    assert seen["ack_status"] == 200
    assert seen["axe"] == [], seen["axe"]
    assert Acknowledgement.objects.filter(alert=alert, user=teacher).exists()
    assert Receipt.objects.filter(event=event, user=teacher).exists()
    assert list(Alert.objects.filter(action="hold").values_list("raised_by__username", flat=True)) == ["teacher_pwa"]
    assert not [e for e in errors if "sw.js" in e or "manifest" in e], errors
