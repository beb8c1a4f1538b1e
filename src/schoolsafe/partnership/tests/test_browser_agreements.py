"""In a real Chromium, phone-sized: the district director opens the MOU (sees it due for review and that it
cannot be signed without the discipline statement), the sharing agreements and a school's 24/7 directory; every
page passes the accessibility check and nothing is wider than the phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, signed_in_cookie, watch

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_the_director_reads_the_mou_agreements_and_directory_on_a_phone(app_server, world, director_a, principal_a):
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.partnership import actions as partnership
    from schoolsafe.sro import actions as sro

    today = timezone.localdate()
    mou = sro.do_create_mou(director_a, agency=world.agency_a, district=world.district_a, title="SRO program MOU",
                            effective_date=today - dt.timedelta(days=300), expiry_date=today + dt.timedelta(days=400))
    sro.do_change_mou_section(director_a, mou, key="roles", text="SROs enforce the law.")
    partnership.do_create_agreement(director_a, agencies=[world.agency_a], districts=[world.district_a],
                                    title="Emergency sharing", data_categories=["incident_reports"],
                                    legal_basis="ferpa_health_safety", retention_days=365,
                                    effective_date=today - dt.timedelta(days=10),
                                    expiry_date=today + dt.timedelta(days=20), status="active")
    entry = partnership.do_create_contact(principal_a, kind="school", school=world.school_a, role="Principal",
                                          name="Janet Moore", phone="(352) 555-0181")
    partnership.do_verify_contact(principal_a, entry, on=today - dt.timedelta(days=200))
    cookie = signed_in_cookie(director_a)
    base = app_server.url
    errors: list[str] = []
    problems: list[str] = []
    widths: dict[str, int] = {}

    # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 375, "height": 740})
            context.add_cookies([{**cookie, "url": base}])
            page = context.new_page()
            watch(page, errors, base)

            page.goto(f"{base}/sro/mou/{mou.pk}/")
            expect(page.get_by_role("heading", name="3. Information sharing and FERPA")).to_be_visible()
            expect(page.get_by_label("Text of “Funding”")).to_be_visible()
            expect(page.locator("text=must state that SROs do not administer school discipline")).to_be_visible()
            problems += axe_problems(page)
            widths["mou"] = page.evaluate("document.documentElement.scrollWidth")
            page.get_by_role("button", name="Mark the MOU signed").click()
            expect(page.get_by_role("alert")).to_contain_text("not administer school discipline")

            page.goto(f"{base}/partnership/agreements/")
            expect(page.locator("strong.badge", has_text="Expiring")).to_be_visible()
            problems += axe_problems(page)
            widths["agreements"] = page.evaluate("document.documentElement.scrollWidth")

            page.goto(f"{base}/partnership/directory/schools/{world.school_a.pk}/")
            expect(page.locator("strong.badge", has_text="Not verified since")).to_be_visible()
            page.get_by_role("button", name="Verified today Janet Moore").click()
            expect(page.locator(".messages")).to_contain_text("marked verified today")
            problems += axe_problems(page)
            widths["directory"] = page.evaluate("document.documentElement.scrollWidth")
        finally:
            browser.close()

    assert problems == [], "\n".join(problems)
    assert [e for e in errors if not e.startswith("422 ")] == [], errors
    assert all(w <= 375 for w in widths.values()), widths
    entry.refresh_from_db()
    assert entry.last_verified == today
