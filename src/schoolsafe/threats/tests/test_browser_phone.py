"""In a real Chromium on a phone: the case page fits the screen, nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, signed_in_cookie
from schoolsafe.threats.tests.conftest import intake

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_26_19_the_case_page_does_not_overflow_a_phone_screen(app_server, world, team_a, lead_a):
    from playwright.sync_api import sync_playwright

    from schoolsafe.threats.actions import (
        do_adopt_safety_plan,
        do_classify_threat,
        do_open_case,
        do_record_evaluation,
        do_record_substantive_response,
    )

    long_word = "https://social.example/some/very/long/path/that/does/not/break/anywhere/at/all/0123456789"
    case = do_open_case(lead_a, team_a, **intake(
        behaviour=f"Posted {long_word} and said \"you'll all see on Friday\".", targets=long_word,
        witnesses=long_word, context=long_word, person_name="Maximiliana-Alexandrina Oppenheimer-Wolfeschlegel"))
    # At step 3 (respond to a substantive threat): the form with the most controls side by side.
    do_record_evaluation(lead_a, case, person_interview=long_word, rationale="Confirmed.")
    do_classify_threat(lead_a, case, classification="substantive", rationale=long_word)
    cookie = signed_in_cookie(lead_a)
    widths: dict[str, tuple[int, int]] = {}
    problems: list[str] = []
    wide: list[str] = []

    def measure(page, stage: str) -> None:
        page.goto(f"{app_server.url}/threats/cases/{case.pk}/")
        page.wait_for_selector("h1")
        widths[stage] = tuple(page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]"))
        wide.extend(page.evaluate("""() => Array.from(document.querySelectorAll('main *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""))

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 320, "height": 720}, is_mobile=True,
                                          has_touch=True)  # WCAG 2.1 1.4.10 Reflow: 320 CSS px
            context.add_cookies([{**cookie, "url": app_server.url}])
            page = context.new_page()
            measure(page, "respond")
            problems.extend(axe_problems(page))
        finally:
            browser.close()

    # Then with a safety plan and its follow-ups (the monitoring step: tables, forms in table cells).
    do_record_substantive_response(lead_a, case, seriousness="serious", protective_actions=long_word,
                                   rationale=long_word, notifications=[{"recipient": "person_parent",
                                                                        "name": long_word, "method": "phone"}])
    do_adopt_safety_plan(lead_a, case, interventions=long_word, responsible=lead_a, monitoring_schedule=long_word,
                         monitoring_dates=[timezone.localdate() + dt.timedelta(days=d) for d in (1, 8)],
                         rationale=long_word)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            for width in (320, 390):
                context = browser.new_context(viewport={"width": width, "height": 780}, is_mobile=True, has_touch=True)
                context.add_cookies([{**cookie, "url": app_server.url}])
                measure(context.new_page(), f"monitoring at {width}")
        finally:
            browser.close()

    assert all(scroll <= viewport for scroll, viewport in widths.values()), (widths, wide)
    assert not problems, problems
