"""In a real Chromium on a phone-sized screen: the director reads the meeting page (agenda, decisions, items,
the .ics link), the owner of an overdue item finds it on the overdue list and marks it done with evidence;
every page passes the accessibility check and fits 375 px without scrolling sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.testing.browser import assert_accessible, launch, needs_chromium, signed_in_cookie, watch

pytestmark = [pytest.mark.browser, needs_chromium]

PHONE = {"width": 375, "height": 740}


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_meeting_page_overdue_list_and_marking_an_item_done_on_a_phone(app_server, world, meeting, director,
                                                                       principal):
    from playwright.sync_api import sync_playwright

    from schoolsafe.partnership.actions import do_create_action_item
    from schoolsafe.partnership.models import ActionItem

    item = do_create_action_item(director, title="Send the drill calendar to the SRO", owner=principal,
                                 organization=world.school_a, due_on=timezone.localdate() - dt.timedelta(days=4),
                                 meeting=meeting)
    director_cookie, principal_cookie = signed_in_cookie(director), signed_in_cookie(principal)
    base = app_server.url
    errors: list[str] = []

    # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport=PHONE)
            context.add_cookies([{**director_cookie, "url": base}])
            page = context.new_page()
            watch(page, errors, base)
            page.goto(f"{base}/partnership/meetings/{meeting.pk}/")
            assert page.get_by_role("heading", level=1).inner_text() == "Quarterly partnership meeting"
            assert page.get_by_role("link", name="Add to my calendar (.ics)").get_attribute("href") == (
                f"/partnership/meetings/{meeting.pk}/invitation.ics")
            assert page.get_by_role("row", name="Send the drill calendar to the SRO").is_visible()
            assert fits_the_phone(page)
            assert_accessible(page)
            context.close()

            context = browser.new_context(viewport=PHONE)
            context.add_cookies([{**principal_cookie, "url": base}])
            page = context.new_page()
            watch(page, errors, base)
            page.goto(f"{base}/partnership/action-items/overdue/")
            assert page.get_by_role("heading", name="School A High").is_visible()
            assert fits_the_phone(page)
            assert_accessible(page)
            page.get_by_role("link", name="Send the drill calendar to the SRO").click()
            page.wait_for_url(f"**/partnership/action-items/{item.pk}/")
            page.get_by_label("Status").select_option("done")
            page.get_by_role("button", name="Save").click()
            # Done without evidence: refused, and the field says why.
            page.wait_for_selector("[aria-invalid='true']")
            assert_accessible(page)
            page.locator("#id_evidence").fill("Mailed to Officer Reyes on Monday")
            page.get_by_role("button", name="Save").click()
            page.wait_for_selector("#item-status")
            assert page.locator("#item-status").inner_text().startswith("Done")
            assert fits_the_phone(page)
            assert_accessible(page)
        finally:
            browser.close()
    # The refused save is answered 400 on purpose (the form with its error); nothing else may fail.
    assert [e for e in errors if e != f"400 /partnership/action-items/{item.pk}/"] == []
    assert ActionItem.objects.get(pk=item.pk).status == "done"
