"""In a real Chromium: the district's safety director opens the equity dashboard of the demo county and sees
a plot per dimension and the suppression of a small group, on a desktop and on a phone, with no CSP
violation and no serious accessibility problem."""

from __future__ import annotations

import os

import pytest

from schoolsafe.testing.browser import assert_accessible, launch, needs_chromium, signed_in_cookie, watch

pytestmark = [pytest.mark.browser, needs_chromium]

SHOTS = os.environ.get("SRO_EQUITY_SCREENSHOTS", "")


@pytest.mark.django_db(transaction=True)
def test_the_director_sees_plots_and_a_suppressed_small_group(app_server):
    from playwright.sync_api import sync_playwright

    from schoolsafe.accounts.county import load_demo
    from schoolsafe.accounts.models import User

    load_demo()
    cookie = signed_in_cookie(User.objects.get(username="director"))
    base = app_server.url
    errors: list[str] = []
    seen: dict[str, object] = {}

    with sync_playwright() as p:
        browser = launch(p)
        try:
            for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 375, "height": 740})):
                context = browser.new_context(viewport=viewport)
                context.add_cookies([{**cookie, "url": base}])
                page = context.new_page()
                watch(page, errors, base)
                page.goto(f"{base}/sro/equity/")
                page.click("a:has-text('Pine Ridge County Public Schools')")
                page.wait_for_selector("h1:has-text('Referral equity')")
                plots = page.locator("figure.equity-plot svg[role=img]")
                seen[f"{name}-plots"] = plots.count()
                seen[f"{name}-visible"] = all(plots.nth(i).is_visible() for i in range(plots.count()))
                seen[f"{name}-titles"] = [plots.nth(i).locator("title").text_content() for i in range(plots.count())]
                race = page.locator("table:has(caption:has-text('race and ethnicity'))").first
                seen[f"{name}-race"] = race.inner_text()
                seen[f"{name}-overflow"] = page.evaluate("document.documentElement.scrollWidth")
                if SHOTS:
                    page.screenshot(path=f"{SHOTS}/equity-{name}.png", full_page=True)
                assert_accessible(page)
                # A school's dashboard, a term filter.
                page.click("nav.equity-schools a:has-text('Cedar Falls High School')")
                page.select_option("#f-term", "fall")
                page.click("button:has-text('Show')")
                page.wait_for_selector("p.muted:has-text('Fall')")
                seen[f"{name}-school-plots"] = page.locator("figure.equity-plot svg[role=img]").count()
                seen[f"{name}-school-race"] = " ".join(page.locator(
                    "table:has(caption:has-text('race and ethnicity'))").first.locator(
                    "tr:has(th:has-text('Native Hawaiian'))").inner_text().split())
                assert_accessible(page)
                context.close()
        finally:
            browser.close()

    assert errors == [], errors  # a CSP violation is a console error, and would be listed here
    for name in ("desktop", "phone"):
        assert seen[f"{name}-plots"] == 5 and seen[f"{name}-visible"], seen  # four dimensions and the trend
        titles = seen[f"{name}-titles"]
        assert any("fewer than 10, not shown" in t for t in titles), titles
        assert "fewer than 10" in str(seen[f"{name}-race"])
        # At Cedar Falls High, 7 Native Hawaiian or Other Pacific Islander students: the table says so in words.
        row = str(seen[f"{name}-school-race"])
        assert "fewer than 10" in row and "suppressed" in row and row.count("suppressed") == 3
        assert seen[f"{name}-school-plots"] == 5
    assert seen["phone-overflow"] <= 375
