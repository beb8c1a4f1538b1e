"""In a real Chromium on a phone: the case page fits the screen, nothing scrolls sideways (issue 26, item 19)."""

from __future__ import annotations

import pytest
from django.test import Client

from schoolsafe.core.browsertest import ARGS, CHROMIUM, axe_problems, needs_chromium
from schoolsafe.threats.tests.conftest import intake

pytestmark = [pytest.mark.browser, needs_chromium]


def signed_in_cookie(user) -> dict:
    from schoolsafe.accounts.testing import pass_mfa

    client = Client()
    client.force_login(user)
    pass_mfa(client, user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value}


@pytest.mark.django_db(transaction=True)
def test_26_19_the_case_page_does_not_overflow_a_phone_screen(app_server, world, team_a, lead_a):
    from playwright.sync_api import sync_playwright

    from schoolsafe.threats.actions import do_classify_threat, do_open_case, do_record_evaluation

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

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 320, "height": 720}, is_mobile=True,
                                          has_touch=True)  # WCAG 2.1 1.4.10 Reflow: 320 CSS px
            context.add_cookies([{**cookie, "url": app_server.url}])
            page = context.new_page()
            page.goto(f"{app_server.url}/threats/cases/{case.pk}/")
            page.wait_for_selector("h1")
            widths["case"] = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            wide = page.evaluate("""() => Array.from(document.querySelectorAll('main *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)""")
            problems.extend(axe_problems(page))
        finally:
            browser.close()

    scroll_width, viewport = widths["case"]
    assert scroll_width <= viewport, (scroll_width, viewport, wide)
    assert not problems, problems
