"""In real Chromium: on a phone the site's navigation is a menu that opens, so that a page starts on its first
screen (an officer logging an activity, a teacher raising an alert); on a wide screen it is the list itself.
Either way every entry is reachable, by touch and by keyboard, and axe-core finds no serious problem."""

from __future__ import annotations

import pytest

from schoolsafe.testing.browser import assert_accessible, launch, needs_chromium, signed_in_cookie, watch
from schoolsafe.testing.servers import ThreadServer

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_the_navigation_is_a_menu_on_a_phone_and_a_list_on_a_wide_screen(world, director_a):
    from playwright.sync_api import expect, sync_playwright

    cookie = signed_in_cookie(director_a)
    errors: list[str] = []
    with ThreadServer() as server, sync_playwright() as p:
        browser = launch(p)
        try:
            phone = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True,
                                        bypass_csp=True)
            phone.add_cookies([{**cookie, "url": server.url}])
            page = phone.new_page()
            watch(page, errors, server.url)
            page.goto(f"{server.url}/partnership/meetings/")
            menu = page.locator(".nav-narrow")
            # The list is hidden, the menu names the page one is on, and the page's heading is on the first screen.
            expect(page.locator(".nav-wide")).to_be_hidden()
            expect(menu.locator("summary")).to_have_text("Menu: Partnership meetings")
            expect(menu.locator("nav")).to_be_hidden()
            assert page.locator("h1").bounding_box()["y"] < 250
            assert_accessible(page)
            menu.locator("summary").tap()
            expect(menu.locator("nav a[aria-current='page']")).to_have_text("Partnership meetings")
            assert_accessible(page)
            menu.locator("nav a", has_text="24/7 directory").tap()
            expect(page.locator("h1")).to_contain_text("directory")

            wide = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
            wide.add_cookies([{**cookie, "url": server.url}])
            page = wide.new_page()
            watch(page, errors, server.url)
            page.goto(f"{server.url}/partnership/meetings/")
            expect(page.locator(".nav-narrow")).to_be_hidden()
            expect(page.locator(".nav-wide a[aria-current='page']")).to_have_text("Partnership meetings")
            # By keyboard: the skip link, then the brand, then the first entry of the list.
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.closest('.nav-wide') !== null")
            assert_accessible(page)
        finally:
            browser.close()
    assert errors == []
