"""In a real Chromium, against `schoolsafe serve`: what a newcomer's walk-through found.

A double-click on a panic button confirms the action pressed and sends nothing; a delivery receipt survives
leaving the page at once.
"""

from __future__ import annotations

import time

import pytest

from schoolsafe.testing.browser import ARTIFACTS, axe_problems, launch, needs_chromium, sign_in, watch
from schoolsafe.testing.personas import TOTP_KEY
from schoolsafe.testing.servers import ServeProcess

# `people` (alerts/tests/conftest.py): a teacher in C-12, a colleague in C-14, the SRO, principal and dispatcher.

pytestmark = [pytest.mark.browser, needs_chromium]

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CONFIRMS = {"lockdown": "LOCKDOWN", "hold": "HOLD", "secure": "SECURE", "evacuate": "EVACUATE", "shelter": "SHELTER",
            "assist": "a call for staff help"}


def wait_for(predicate, seconds: float = 5.0) -> bool:
    """Polls the database for what the server process writes (a receipt), for a few seconds at most."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_26_1_a_double_click_on_any_panic_button_confirms_that_action_and_sends_nothing(people, tmp_path, size):
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.alerts.models import Alert

    errors: list[str] = []
    seen: list[tuple[str, str]] = []
    moved: list[str] = []
    problems: list[str] = []

    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p)
        try:
            page = browser.new_context(**(DESKTOP if size == "desktop" else PHONE)).new_page()
            watch(page, errors, base)
            sign_in(page, base, "teacher_c12", "/alerts/")
            confirm = page.locator("#confirm")
            gestures = ["double-click"] + (["double tap"] if size == "phone" else [])
            for gesture in gestures:
                for action, expected in CONFIRMS.items():
                    button = page.locator(f"#srp-{action}")
                    button.scroll_into_view_if_needed()
                    before = button.bounding_box()
                    if gesture == "double-click":
                        button.dblclick()
                    else:
                        x, y = before["x"] + before["width"] / 2, before["y"] + before["height"] / 2
                        page.touchscreen.tap(x, y)
                        page.touchscreen.tap(x, y)
                    expect(confirm).to_be_visible()
                    seen.append((action, page.inner_text("#confirm-action")))
                    if button.bounding_box() != before:
                        moved.append(f"{gesture} on {action}: {before} -> {button.bounding_box()}")
                    if (gesture, action) == ("double-click", "evacuate"):
                        problems.extend(axe_problems(page))
                    page.wait_for_timeout(800)  # past the double-click interval, as a person deciding
                    page.click("#confirm-cancel")
                    expect(confirm).to_be_hidden()
        finally:
            browser.close()

    assert not errors, errors
    assert seen == [(action, expected) for _ in gestures for action, expected in CONFIRMS.items()]
    # Nothing moved under the pointer, and nothing was sent: a double-click is one press, not a confirmation.
    assert moved == []
    assert not Alert.objects.exists()
    assert not problems, problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["new incident", "action changed"])
def test_26_3_a_receipt_is_recorded_even_when_the_page_is_left_at_once(people, world, tmp_path, monkeypatch, second):
    """The receipt of an alert is batched a quarter of a second after arrival; a person who leaves the page
    sooner (to another page, or away from the site) must still be counted as reached. The second alert is
    either an incident of its own (merging off) or, one incident per emergency, the Lockdown becoming an
    Evacuate (alert.action_changed): shown like a raise, and its receipt recorded too."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx
    from django.db import connection
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.events.models import Event, Receipt

    # The server's merge window: 0 makes the Evacuate an incident of its own.
    monkeypatch.setenv("SCHOOLSAFE_ALERT_MERGE_WINDOW", "0" if second == "new incident" else "600")

    _, token = do_create_api_token(people["teacher"], people["teacher"], "panic button in C-12")
    errors: list[str] = []
    raised: list[int] = []

    def panic_button(base: str, action: str, **extra: str) -> None:
        answer = httpx.post(f"{base}/api/v1/alerts", headers={"Authorization": f"Bearer {token}"}, timeout=10,
                            json={"school": world.school_a.pk, "action": action, "tier": "emergency", "exercise": True,
                                  "location": {"room": "C-12"}, **extra})
        assert answer.status_code == 201, answer.text
        raised.append(answer.json()["id"])

    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p)
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            watch(page, errors, base)
            sign_in(page, base, "teacher_c14", "/")
            banner = page.locator("#incoming")

            # Seen, then straight on to another page of the site.
            panic_button(base, "lockdown")
            expect(banner).to_contain_text("LOCKDOWN", timeout=5000)
            page.goto(f"{base}/accounts/security/")
            expect(page.locator("h1")).to_be_visible()

            # Seen, then away from the site at once. The person left the page, not the browser: it stays
            # open (on the blank page) while the server is asked, as a phone's browser would. (Closing the
            # browser at once would kill the receipt's keepalive request in flight, which no page can help.)
            panic_button(base, "evacuate", evacuate_to="North field")
            expect(banner).to_contain_text("EVACUATE", timeout=5000)
            page.goto("about:blank")

            # Each press made news for the teacher: a new alert, or (merged) the incident's action changed.
            # (The database is read from a thread: Playwright's sync API runs an event loop in this one.)
            def news_and_receipts() -> tuple[list, set[int]]:
                try:
                    news = list(Event.objects.filter(kind__in=["alert.raised", "alert.action_changed"])
                                .order_by("id").values_list("id", "kind", "subject_id"))
                    return news, set(Receipt.objects.filter(user__username="teacher_c14")
                                     .values_list("event_id", flat=True))
                finally:
                    connection.close()

            def read() -> tuple[list, set[int]]:
                with ThreadPoolExecutor(1) as pool:
                    return pool.submit(news_and_receipts).result()

            news, _ = read()
            expected_kinds = ["alert.raised", "alert.raised" if second == "new incident" else "alert.action_changed"]
            assert [kind for _, kind, _ in news] == expected_kinds, news
            assert {str(alert_id) for alert_id in raised} == {subject for _, _, subject in news}, (raised, news)
            assert wait_for(lambda: {event_id for event_id, _, _ in news} <= read()[1]), (news, read()[1])
            assert page.url == "about:blank"  # no page of the site was opened again to send it
        finally:
            browser.close()

    assert not errors, errors


EVIL = "<a href=//evil.example>x</a>"


@pytest.fixture
def incident_with_site_map(people, world, api):
    """A lockdown at school A, whose site map is the demo campus (buildings, doors, rally points, shut-offs)
    plus a point whose name is HTML."""
    from schoolsafe.alerts.tests.incident import raise_alert
    from schoolsafe.plans.demo import site_map_for
    from schoolsafe.plans.models import SiteMap

    school = world.school_a
    campus = site_map_for(school.latitude, school.longitude)
    campus["features"].append({"type": "Feature", "properties": {"kind": "camera", "name": EVIL},
                               "geometry": {"type": "Point", "coordinates": [school.longitude + 0.0009,
                                                                             school.latitude - 0.0006]}})
    SiteMap.objects.filter(school=school).update(geojson=campus)
    register_drill_window(school)
    return raise_alert(api, people["teacher"], school, exercise=True), campus


def register_drill_window(school):
    """A drill reaches dispatch (as an exercise) only inside a registered drill window (routing by action)."""
    import datetime as dt

    from django.utils import timezone

    from schoolsafe.accounts.models import User
    from schoolsafe.alerts.actions import do_register_drill_window, load_school

    now = timezone.now()
    do_register_drill_window(User.objects.get(username="principal_pat"), load_school(school.pk),
                             starts_at=now - dt.timedelta(minutes=1), ends_at=now + dt.timedelta(hours=1),
                             contact="Principal, 555-0101")


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


@pytest.mark.django_db(transaction=True)
def test_26_7_and_25_7_the_incident_map_reads_without_tiles_and_its_labels_are_text(incident_with_site_map, tmp_path):
    from playwright.sync_api import expect, sync_playwright


    alert, campus = incident_with_site_map
    buildings = [f["properties"]["name"] for f in campus["features"] if f["properties"]["kind"] == "building"]
    errors: list[str] = []
    seen: dict = {}
    problems: list[str] = []

    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p)
        try:
            signed_in = None
            for size, context in (("desktop", DESKTOP), ("phone", PHONE)):
                # Signed in once: an authenticator code is accepted only once (RFC 6238 replay protection), so
                # the phone carries on the desktop's session rather than signing in again within the same step.
                page = browser.new_context(**context, storage_state=signed_in).new_page()
                watch(page, errors, base)
                if signed_in is None:
                    sign_in(page, base, "dispatch_dana", f"/alerts/{alert.pk}/", TOTP_KEY)
                    signed_in = page.context.storage_state()
                else:
                    page.goto(f"{base}/alerts/{alert.pk}/")
                the_map = page.locator("#incident-map")
                expect(the_map.locator(".map-label").first).to_be_visible()
                the_map.scroll_into_view_if_needed()
                ARTIFACTS.mkdir(exist_ok=True)
                the_map.screenshot(path=str(ARTIFACTS / f"incident-map-{size}.png"))
                box = the_map.bounding_box()
                labels = the_map.locator(".map-label")
                seen[size] = {
                    "labels": [(labels.nth(i).inner_text(), labels.nth(i).bounding_box()) for i in range(labels.count())
                               if labels.nth(i).is_visible()],
                    "hidden": labels.count() - sum(labels.nth(i).is_visible() for i in range(labels.count())),
                    "listed": page.inner_text("[data-part=features]"),
                    "outlines": [b for b in (the_map.locator("path.map-outline").nth(i).bounding_box()
                                             for i in range(the_map.locator("path.map-outline").count())) if b],
                    "legend": page.locator(".map-legend").inner_text() if page.locator(".map-legend").count() else "",
                    "links": the_map.locator("a[href*='evil']").count(),
                    "box": box,
                }
                if size == "desktop":
                    problems.extend(axe_problems(page))
        finally:
            browser.close()

    assert not errors, errors
    assert not problems, problems
    for size, found in seen.items():
        texts = [t for t, _ in found["labels"]]
        # The features on the campus are labelled, in short words or (where the campus is crowded) by their number
        # in the list under the map, which names every feature; the one far away is listed, not drawn into the view.
        assert len(texts) >= 2 * (len(texts) + found["hidden"]) // 3, (size, texts, found["hidden"])
        assert all(len(t) <= 32 for t in texts), (size, texts)
        assert "School A High" in texts and "Gymnasium" in texts, (size, texts)
        assert "Cedar Falls Community Church (reunification) (off the map" in found["listed"]
        # The HTML name is shown as text, and is no link.
        assert EVIL in texts or f". Camera: {EVIL}" in found["listed"], (size, texts)
        assert found["links"] == 0, size
        # No label covers another, and every label is inside the map.
        boxes = [b for _, b in found["labels"]]
        clashes = [(texts[i], texts[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                   if overlaps(boxes[i], boxes[j])]
        assert clashes == [], (size, clashes)
        # The buildings' outlines are drawn, each with a size on screen.
        assert len(found["outlines"]) >= len(buildings), size
        assert all(b["width"] > 20 and b["height"] > 10 for b in found["outlines"]), (size, found["outlines"])
        # A legend says what the marks mean.
        for kind in ("Building", "Rally point", "Exit"):
            assert kind in found["legend"], (size, found["legend"])


@pytest.mark.django_db(transaction=True)
def test_25_7_the_site_map_editor_shows_a_feature_name_as_text_never_a_link(incident_with_site_map,
                                                                                      world, tmp_path):
    from playwright.sync_api import expect, sync_playwright


    school = world.school_a
    errors: list[str] = []
    found: dict[str, tuple[int, str]] = {}

    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p)
        try:
            page = browser.new_context(**DESKTOP).new_page()
            watch(page, errors, base)
            sign_in(page, base, "dispatch_dana", f"/plans/schools/{school.pk}/site-map/", TOTP_KEY)
            expect(page.locator("#feature-list li").first).to_be_visible()
            page.locator("#site-map-editor .leaflet-tooltip").first.wait_for(state="attached")
            # Zoomed in to where every name shows on the map.
            page.evaluate("() => window.schoolsafeSiteMap.map.setZoom(20)")
            page.wait_for_timeout(300)
            found["editor"] = (page.locator("#site-map-editor a[href*='evil']").count(),
                               page.inner_text("#site-map-editor .leaflet-tooltip-pane") + page.inner_text("#feature-list"))
            problems = axe_problems(page)
        finally:
            browser.close()

    assert not errors, errors
    assert problems == [], problems
    links, text = found["editor"]
    assert links == 0 and EVIL in text


@pytest.mark.django_db(transaction=True)
def test_26_10_and_26_19_every_time_in_the_schools_zone_and_the_ended_incident_no_longer_looks_live(
        people, world, api, tmp_path):
    """The browser is in UTC, the school in New York: every time on the incident page (rendered by the server
    or by the page's script) is New York time with its abbreviation. After the all clear the banner no
    longer heads the page as a live lockdown, and a room named "Room 212" is not "room Room 212"."""
    import re
    from zoneinfo import ZoneInfo

    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.alerts.tests.incident import raise_alert

    world.school_a.time_zone = "America/New_York"
    world.school_a.save()
    register_drill_window(world.school_a)
    alert = raise_alert(api, people["teacher"], world.school_a, exercise=True, location={"room": "Room 212"})
    assert api(people["dispatcher"]).post(f"/api/v1/alerts/{alert.pk}/all-clear").status_code == 200
    alert.refresh_from_db()
    new_york = alert.raised_at.astimezone(ZoneInfo("America/New_York"))
    errors: list[str] = []
    seen: dict = {}

    with ServeProcess(log_path=tmp_path / "serve.log") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p)
        try:
            page = browser.new_context(timezone_id="UTC", **DESKTOP).new_page()
            watch(page, errors, base)
            sign_in(page, base, "dispatch_dana", f"/alerts/{alert.pk}/", TOTP_KEY)
            expect(page.locator("#ended")).to_contain_text("ALL CLEAR — given at")
            expect(page.locator("[data-part=timeline] li").first).to_be_visible()
            seen["text"] = page.inner_text("#incident")
            seen["banner"] = page.get_attribute(".directive-banner", "class")
            seen["banner_text"] = page.inner_text(".directive-banner")
            seen["browser_zone"] = page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone")
            seen["axe"] = axe_problems(page)
        finally:
            browser.close()

    assert not errors, errors
    assert seen["axe"] == [], seen["axe"]
    assert seen["browser_zone"] == "UTC"
    times = re.findall(r"\b(\d{2}:\d{2}:\d{2})( [A-Z]{3,4})?", seen["text"])
    assert len(times) >= 3, seen["text"]
    # Every time carries the school's zone; none is the browser's.
    abbreviation = new_york.strftime("%Z")
    assert {zone.strip() for _, zone in times} == {abbreviation}, times
    assert f"at {new_york:%H:%M:%S} {abbreviation}" in seen["text"]
    # Over: the banner says so and is no longer the red live banner.
    assert "is-over" in seen["banner"] and "ALL CLEAR" in seen["banner_text"]
    assert "room Room" not in seen["text"] and "Room 212" in seen["text"]
