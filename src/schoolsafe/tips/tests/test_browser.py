"""In a real Chromium, against the real ASGI server (uvicorn, as `schoolsafe serve` runs it):

an anonymous person sends a tip in Spanish with a photo; an analyst sees it flagged urgent with the
reason, claims it and asks a question; the tipster, with code and passphrase, answers; the analyst
records an outcome and closes it; the tipster sees it closed. Then every table and the captured logs
are searched for the tipster's address and user agent, and the stored photo for EXIF. axe-core (from
the axe-playwright-python package) checks the portal's pages in English and Spanish for serious or critical violations.
"""

from __future__ import annotations

import logging

import pytest
from PIL import Image

from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, signed_in_cookie
from schoolsafe.testing.servers import ThreadServer
from schoolsafe.tips.tests.conftest import jpeg_with_gps
from schoolsafe.tips.tests.scan import find_in_database

# The server sees the tipster at 127.0.0.1 (a direct connection). Staff come through a "proxy" that
# names another address, so the search for 127.0.0.1 afterwards is about the tipster alone.
TIPSTER_ADDRESS = "127.0.0.1"
STAFF_ADDRESS = "198.51.100.20"
TIPSTER_AGENT = "Mozilla/5.0 (Linux; Android 14; SchoolSafeTipsterTestPhone) AppleWebKit/537.36 Mobile Safari/537.36"

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.mark.django_db(transaction=True)
def test_anonymous_spanish_tip_with_photo_through_triage_to_closed(world, analyst_a, caplog, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from schoolsafe.tips.attachments import media_dir
    from schoolsafe.tips.models import Tip, TipAttachment

    caplog.set_level(logging.DEBUG)
    photo = tmp_path / "IMG_20261128_foto.jpg"
    photo.write_bytes(jpeg_with_gps((800, 600)))
    staff_cookie = signed_in_cookie(analyst_a, REMOTE_ADDR=STAFF_ADDRESS)
    school = world.school_a
    problems: list[str] = []
    page_errors: list[str] = []

    # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
    with ThreadServer(proxy_headers=True, log_level="info") as server, sync_playwright() as p:
        base = server.url
        browser = launch(p)
        try:
            # bypass_csp: axe-core is injected as an inline script, which the site's CSP (rightly) refuses.
            tipster_context = browser.new_context(locale="es-MX", user_agent=TIPSTER_AGENT, bypass_csp=True,
                                                  viewport={"width": 390, "height": 844}, is_mobile=True)
            tipster = tipster_context.new_page()
            tipster.on("pageerror", lambda e: page_errors.append(str(e)))
            staff_context = browser.new_context(extra_http_headers={"X-Forwarded-For": STAFF_ADDRESS},
                                                viewport={"width": 1280, "height": 900})
            staff_context.add_cookies([{**staff_cookie, "url": base}])
            analyst = staff_context.new_page()
            analyst.on("pageerror", lambda e: page_errors.append(str(e)))

            # 1. The tipster finds the portal in Spanish (from the browser's language) and sends a tip.
            tipster.goto(f"{base}/public/")
            assert tipster.url == f"{base}/public/es/"
            tipster.click("text=Reportar una preocupación de forma anónima")
            expect(tipster.locator("h1")).to_have_text("Reportar una preocupación")
            tipster.check("label:has-text('Acoso escolar') input")
            tipster.fill("#school-filter", "a high")
            tipster.select_option("#id_school", str(school.pk))
            tipster.fill("#id_what", "Un chico de mi clase dijo que va a traer una pistola a la escuela mañana.")
            tipster.fill("#id_where_text", "En la cafetería")
            tipster.set_input_files("#id_attachments", str(photo))
            problems += axe_problems(tipster)
            tipster.click("button:has-text('Enviar el aviso')")
            expect(tipster.locator("h1")).to_have_text("Gracias. Recibimos su aviso.")
            code = tipster.inner_text("#tip-code").strip()
            passphrase = tipster.inner_text("#tip-passphrase").strip()
            problems += axe_problems(tipster)

            # 2. The analyst sees it at the top of the queue, urgent, with the reasons.
            analyst.goto(f"{base}/tips/")
            row = analyst.locator("tr", has_text=code)
            expect(row).to_contain_text("URGENT")
            expect(row).to_contain_text("Mentions a weapon: “pistola”")
            expect(row).to_contain_text("Mentions a time soon: “mañana”")
            row.locator(f"a:has-text('{code}')").click()
            expect(analyst.locator("#urgency")).to_contain_text("Mentions a weapon")
            expect(analyst.locator("img[alt^='Photo 1']")).to_be_visible()
            analyst.click("#claim")
            expect(analyst.locator("#claimed-by")).to_have_text("Analyst A")
            analyst.fill("#id_body", "Gracias. ¿Sabes en qué salón está ese chico?")
            analyst.click("#send-message")
            expect(analyst.locator("#thread")).to_contain_text("¿Sabes en qué salón")

            # 3. The tipster checks back with code and passphrase and answers.
            tipster.goto(f"{base}/public/es/follow-up/")
            tipster.fill("#id_code", code.lower())
            tipster.fill("#id_passphrase", passphrase)
            tipster.click("button:has-text('Consultar el aviso')")
            expect(tipster.locator("#tip-status")).to_have_text("En revisión")
            expect(tipster.locator(".thread")).to_contain_text("¿Sabes en qué salón está ese chico?")
            expect(tipster.locator("main")).to_contain_text("La línea de avisos le hizo una pregunta")
            problems += axe_problems(tipster)
            tipster.fill("#id_body", "En el salón 204, tercer periodo.")
            tipster.click("button:has-text('Enviar')")
            expect(tipster.locator("main")).to_contain_text("Su mensaje se envió a la línea de avisos.")

            # 4. The analyst reads the answer, records the outcome and closes the tip.
            analyst.reload()
            expect(analyst.locator("#thread")).to_contain_text("En el salón 204")
            analyst.select_option("#id_outcome", "threat_assessment")
            analyst.fill("#close #id_note", "Threat assessment opened with the school team.")
            analyst.click("button:has-text('Close the tip')")
            expect(analyst.locator("#outcome")).to_contain_text("Threat assessment opened")

            # 5. The tipster sees it closed, and the outcome stays private.
            tipster.goto(f"{base}/public/es/follow-up/")
            tipster.fill("#id_code", code)
            tipster.fill("#id_passphrase", passphrase)
            tipster.click("button:has-text('Consultar el aviso')")
            expect(tipster.locator("#tip-status")).to_have_text("Cerrado")
            assert "threat" not in tipster.content().lower() and "amenaza" not in tipster.inner_text(".details").lower()
            assert tipster_context.cookies() == [], "the tipster's browser was given a cookie"

            # 6. Under the site's real Content-Security-Policy (no bypass): the page's script runs and
            # nothing is refused.
            plain = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            console: list[str] = []
            plain.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            plain.goto(f"{base}/public/es/report/")
            expect(plain.locator("#school-filter")).to_be_visible()
            plain.fill("#school-filter", "elementary")
            expect(plain.locator("#id_school option", has_text="School A High")).to_be_hidden()
            assert console == [], console

            # 7. Accessibility of every portal page in both languages.
            for lang in ("en", "es"):
                for path in ("", "report/", "follow-up/", "safety/", "resources/", "privacy/", "events/",
                             "campaigns/", "statistics/"):
                    tipster.goto(f"{base}/public/{lang}/{path}")
                    problems += axe_problems(tipster)
            tipster.goto(f"{base}/public/en/follow-up/")
            tipster.click("button:has-text('Check the tip')")  # the error summary state
            problems += axe_problems(tipster)
        finally:
            browser.close()

    assert page_errors == []
    assert problems == [], "\n".join(problems)

    tip = Tip.objects.get(code=code)
    assert tip.status == "closed" and tip.outcome == "threat_assessment" and tip.language == "es"
    assert [m.from_tipster for m in tip.messages.all()] == [False, True]
    # Nothing that identifies the tipster, anywhere in the database or the logs.
    assert find_in_database([TIPSTER_ADDRESS, TIPSTER_AGENT, "SchoolSafeTipsterTestPhone", passphrase]) == []
    logged = "\n".join(f"{r.name} {r.getMessage()} {getattr(r, 'request', '')}" for r in caplog.records)
    assert TIPSTER_ADDRESS not in logged and "SchoolSafeTipsterTestPhone" not in logged
    # The stored photo has lost its EXIF (GPS position, phone make and model) and its file name.
    stored = TipAttachment.objects.get(tip=tip)
    assert "IMG_20261128" not in stored.stored_name
    with Image.open(media_dir() / stored.stored_name) as image:
        assert not image.getexif() and "exif" not in image.info and image.size == (800, 600)


@pytest.mark.django_db(transaction=True)
def test_the_open_queue_announces_a_tip_that_arrives_and_refreshes_to_show_it(world, analyst_a):
    """An analyst has the queue open; an urgent tip comes in through the public API: the queue says so at
    once (with the alert sound), and its button reloads the queue with the tip at the top."""
    import httpx
    from playwright.sync_api import expect, sync_playwright

    cookie = signed_in_cookie(analyst_a, REMOTE_ADDR=STAFF_ADDRESS)
    errors: list[str] = []
    with ThreadServer(proxy_headers=True) as server, sync_playwright() as p:
        base = server.url
        browser = launch(p)
        try:
            context = browser.new_context(extra_http_headers={"X-Forwarded-For": STAFF_ADDRESS})
            context.add_cookies([{**cookie, "url": base}])
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/tips/")
            expect(page.locator("h1")).to_have_text("Tip queue")
            expect(page.locator("text=No tips here.")).to_be_visible()
            expect(page.locator("#queue-news")).to_be_hidden()

            answer = httpx.post(f"{base}/api/v1/tips", timeout=10, json={
                "category": "weapon", "school": world.school_a.pk,
                "what": "He showed a knife on the bus and said he will use it tomorrow."})
            assert answer.status_code == 201, answer.text
            code = answer.json()["code"]

            expect(page.locator("#queue-news")).to_contain_text("A new tip arrived (urgent).", timeout=5000)
            assert int(page.evaluate("() => document.body.dataset.alertSignals || '0'")) == 1
            page.click("#queue-refresh")
            expect(page.locator(".tip-queue tbody tr").first).to_contain_text(code)
            expect(page.locator(".tip-queue tbody tr").first).to_contain_text("URGENT")
            # A fresh page does not announce what it already lists.
            page.wait_for_timeout(500)
            expect(page.locator("#queue-news")).to_be_hidden()
        finally:
            browser.close()
    assert not errors, errors
