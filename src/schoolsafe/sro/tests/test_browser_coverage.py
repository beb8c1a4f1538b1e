"""In a real Chromium: the district's director opens the coverage board and the map; the map marks each school
"covered" or "gap" in words, the list beside it says the same, and both pages pass the accessibility check."""

from __future__ import annotations

import datetime as dt

import pytest

from schoolsafe.testing.browser import assert_accessible, launch, needs_chromium, signed_in_cookie, watch

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_the_board_and_the_map_say_covered_and_gap_in_words(app_server, world, supervisor_a, director_a):
    from playwright.sync_api import sync_playwright

    from schoolsafe.sro import actions
    from schoolsafe.testing.personas import make_person

    officer = make_person("officer_map", "officer", world.agency_a, "agency")
    for school, lat, lon in ((world.school_a, 28.90, -81.87), (world.school_a2, 28.89, -81.88)):
        school.latitude, school.longitude = lat, lon
        school.save()
    actions.do_create_assignment(supervisor_a, person=officer, school=world.school_a, agency=world.agency_a,
                                 start_date=dt.date(2026, 8, 10),
                                 schedule=[{"weekday": d, "starts": "07:00", "ends": "15:00"} for d in range(5)])
    base, cookie = app_server.url, signed_in_cookie(director_a)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{**cookie, "url": base}])
            page = context.new_page()
            watch(page, errors, base)
            page.goto(f"{base}/sro/coverage/?week=2026-09-14")
            gaps = page.inner_text("#gap-list")
            assert "School A Elementary: no coverage during instruction hours (Mon 07:30–14:30)" in gaps
            board = page.inner_text("#coverage-board")
            assert "Officer Map, 07:00–15:00" in board
            assert_accessible(page)
            page.goto(f"{base}/sro/coverage/map/?week=2026-09-14")
            page.wait_for_selector(".leaflet-tooltip")
            labels = sorted(page.locator(".leaflet-tooltip").all_inner_texts())
            assert labels == ["School A Elementary: gap", "School A High: covered"]
            listed = page.inner_text("#coverage-list")
            assert "School A High: covered" in listed and "School A Elementary: gap" in listed
            assert_accessible(page)
        finally:
            browser.close()
    assert errors == []
