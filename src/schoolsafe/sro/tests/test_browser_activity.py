"""In a real Chromium on a phone-sized screen (375 × 667): an officer logs a mentoring contact in three taps and a
number; the supervisor, signed in in another browser context, sees it in the officer's monthly report and marks
the month reviewed. Both pages pass the accessibility check."""

from __future__ import annotations

import pytest
from django.utils import timezone

from schoolsafe.testing.browser import assert_accessible, launch, needs_chromium, signed_in_cookie, watch

pytestmark = [pytest.mark.browser, needs_chromium]

PHONE = {"width": 375, "height": 667}


@pytest.mark.django_db(transaction=True)
def test_an_officer_logs_a_mentoring_contact_in_three_taps_and_the_supervisor_reviews_the_month(
        app_server, world, officer_a, supervisor_a):
    from playwright.sync_api import sync_playwright

    from schoolsafe.sro.models import ActivityEntry, ActivityReview

    base = app_server.url
    officer_cookie, supervisor_cookie = signed_in_cookie(officer_a), signed_in_cookie(supervisor_a)
    month = f"{timezone.localdate():%Y-%m}"
    report_url = f"{base}/sro/activity/officers/{officer_a.pk}/{month}/"
    errors: list[str] = []

    # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
    with sync_playwright() as p:
        browser = launch(p)
        try:
            phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
            phone.add_cookies([{**officer_cookie, "url": base}])
            page = phone.new_page()
            watch(page, errors, base)
            page.goto(f"{base}/sro/activity/log/")
            assert_accessible(page)
            role = page.get_by_role("link", name="Informal counsellor / mentor")
            box = role.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 300, box
            role.tap()                                                  # tap 1: the triad role
            page.get_by_role("link", name="Mentoring contact").tap()    # tap 2: the kind
            assert page.get_by_label("Minutes").input_value() == "15"
            assert page.get_by_label("School").locator("option:checked").inner_text() == "School A High"
            page.get_by_label("Students reached").fill("2")             # the number
            save = page.get_by_role("button", name="Save")
            assert save.bounding_box()["height"] >= 44
            assert_accessible(page)
            save.tap()                                                  # tap 3: Save
            page.wait_for_selector("#saved")
            assert "Saved." in page.inner_text("#saved")
            # Nothing runs off the side of a phone's screen.
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

            desk = browser.new_context(viewport=PHONE)
            desk.add_cookies([{**supervisor_cookie, "url": base}])
            report = desk.new_page()
            watch(report, errors, base)
            report.goto(report_url)
            entries = report.inner_text("#entries")
            assert "Mentoring contact" in entries and "School A High" in entries
            mix = report.inner_text("#triad-mix")
            assert "Informal counsellor / mentor" in mix and "100%" in mix
            assert_accessible(report)
            report.get_by_label("Review comment").fill("Good mentoring this month.")
            report.get_by_role("button", name="reviewed").click()
            report.wait_for_selector("#review:has-text('Reviewed by')")
            assert "Good mentoring this month." in report.inner_text("#review")
            assert_accessible(report)
        finally:
            browser.close()
    assert errors == []
    entry = ActivityEntry.objects.get()
    assert (entry.officer_id, entry.kind, entry.students_reached, entry.minutes) == (officer_a.pk, "mentoring", 2, 15)
    assert ActivityReview.objects.get().reviewer_id == supervisor_a.pk
