"""In a real Chromium: a principal draws a rally point and an exit, saves, reloads, and the packet lists them."""

from __future__ import annotations

import io
import os

import pytest

from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, signed_in_cookie

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


def draw_point(page, x: int, y: int, kind: str, name: str, door: str = "") -> None:
    page.click(".leaflet-draw-draw-circlemarker")
    page.mouse.click(x, y)
    page.wait_for_selector("#feature-form:not([hidden])")
    page.select_option("#feature-kind", kind)
    page.fill("#feature-name", name)
    if door:
        page.fill("#feature-door", door)
    page.click("#feature-ok")
    page.wait_for_selector("#feature-form", state="hidden")


@pytest.mark.django_db(transaction=True)
def test_a_principal_draws_saves_reloads_and_the_packet_lists_the_features(app_server, world, principal_a):
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    school = world.school_a
    cookie = signed_in_cookie(principal_a)
    url = f"{app_server.url}/plans/schools/{school.pk}/site-map/"
    console_errors: list[str] = []
    problems: list[str] = []

    # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{**cookie, "url": app_server.url}])
            page = context.new_page()
            # Resource failures are judged by their URL below (the browser asks for /favicon.ico on its own).
            page.on("console", lambda m: console_errors.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
            page.on("response", lambda r: console_errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
            page.on("pageerror", lambda e: console_errors.append(str(e)))
            page.goto(url)
            page.wait_for_selector(".leaflet-draw-draw-circlemarker")
            box = page.locator("#site-map-editor").bounding_box()
            cx, cy = int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2)

            draw_point(page, cx - 120, cy - 80, "rally_point", "North field rally point")
            draw_point(page, cx + 60, cy + 40, "exit", "Gym exit", door="7")
            # An exit without its door number is caught before it reaches the map.
            page.click(".leaflet-draw-draw-circlemarker")
            page.mouse.click(cx + 90, cy - 30)
            page.select_option("#feature-kind", "exit")
            page.click("#feature-ok")
            assert "door number" in page.inner_text("#map-errors")
            page.click("#feature-cancel")

            assert page.locator("#feature-list li").count() == 2
            page.click("#map-save")
            # (wait_for_function would evaluate a string: the CSP forbids that, as it should)
            page.wait_for_selector("#map-status:has-text('Saved')")
            assert page.inner_text("#map-status") == "Saved 2 features."

            page.reload()
            page.wait_for_selector(".leaflet-draw-draw-circlemarker")
            listed = page.inner_text("#feature-list")
            assert "Rally point: North field rally point" in listed
            assert "Exit: Gym exit (door 7)" in listed
            # Both are drawn on the map again, with their names as labels.
            assert page.locator(".leaflet-interactive").count() >= 2
            tooltips = page.inner_text(".leaflet-tooltip-pane")
            assert "North field rally point" in tooltips and "Gym exit" in tooltips
            problems += axe_problems(page)
            page.screenshot(path=os.path.join(os.environ.get("SCHOOLSAFE_DATA", "/tmp"), "site-map-editor.png"))

            packet = context.request.get(f"{app_server.url}/plans/schools/{school.pk}/responder-packet.pdf")
            assert packet.status == 200
            pdf = packet.body()
        finally:
            browser.close()

    assert not console_errors, console_errors
    assert problems == [], "\n".join(problems)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "North field rally point" in text
    assert "Gym exit" in text and "Door 7" in text

    from schoolsafe.plans.sitemap import features_for

    stored = features_for(school)["features"]
    assert [(f["properties"]["kind"], f["properties"].get("door")) for f in stored] == [("rally_point", None),
                                                                                          ("exit", "7")]
    # What was drawn lies on the campus, [longitude, latitude] in the right order.
    for feature in stored:
        lon, lat = feature["geometry"]["coordinates"]
        assert abs(lat - school.latitude) < 0.01 and abs(lon - school.longitude) < 0.01
