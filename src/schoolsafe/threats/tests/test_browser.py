"""In a real Chromium: a teacher refers a concern; the team lead records the CSTAG steps up to a very
serious classification and a safety plan; the psychologist records the follow-up; the lead closes the case."""

from __future__ import annotations

import pytest
from django.utils import timezone

from schoolsafe.testing.browser import axe_problems, launch, needs_chromium, signed_in_cookie

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.mark.django_db(transaction=True)
def test_referral_very_serious_safety_plan_and_follow_up_in_chromium(
        app_server, world, team_a, lead_a, clinician_a, officer_a, teacher_a):
    from playwright.sync_api import sync_playwright

    from schoolsafe.audit.models import AuditEntry
    from schoolsafe.threats.models import Case, Stage

    cookies = {u.username: signed_in_cookie(u) for u in (teacher_a, lead_a, clinician_a)}
    today = timezone.localdate().isoformat()
    base = app_server.url
    errors: list[str] = []
    failed: list[tuple[int, str]] = []
    seen: dict[str, str] = {}
    problems: list[str] = []

    # No ORM calls inside this block: Playwright's sync API runs an event loop in this thread.
    with sync_playwright() as p:
        browser = launch(p)
        try:
            def page_as(username: str):
                context = browser.new_context(viewport={"width": 1200, "height": 900})
                context.add_cookies([{**cookies[username], "url": base}])
                page = context.new_page()
                # Failed loads are checked by address below (the console does not name them).
                page.on("console", lambda m: errors.append(m.text)
                        if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
                page.on("response", lambda r: failed.append((r.status, r.url.replace(base, ""))) if r.status >= 400 else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                return page

            # 1. The teacher refers what she heard in class.
            teacher = page_as("teacher_a")
            teacher.goto(f"{base}/threats/refer/")
            problems += axe_problems(teacher)
            teacher.select_option("#f-school", label="School A High")
            teacher.select_option("#f-person_kind", "student")
            teacher.fill("#f-person_name", "Riley Sample")
            teacher.fill("#f-person_grade", "11")
            teacher.fill("#f-behaviour",
                         "\"Friday everyone in chem lab is going to find out. I know where my uncle keeps the rifle.\"")
            teacher.select_option("#f-mode", "spoken")
            teacher.fill("#f-targets", "Chemistry class, period 3")
            teacher.fill("#f-witnesses", "Two students at the next bench")
            teacher.click("text=Send the referral")
            teacher.wait_for_selector("h1:has-text('Referral sent')")

            # 2. The team lead finds it on the dashboard and walks the steps.
            lead = page_as("lead_a")
            lead.goto(f"{base}/threats/")
            lead.click("table a:has-text('TA-')")
            lead.wait_for_selector("h2:has-text('Next: Step 1')")
            seen["intake"] = lead.inner_text("#intake-heading + dl")
            lead.fill("#f-person_interview", "Riley said it was a joke but described the rifle and the lab schedule.")
            lead.fill("#f-witness_interviews", "Both witnesses confirm the words.")
            lead.fill("#f-rationale", "Statement confirmed; specific time, place and weapon.")
            lead.click("text=Record step 1")
            lead.wait_for_selector("h2:has-text('Next: Step 2')")
            lead.check("input[name=classification][value=substantive]")
            lead.fill("#f-rationale", "Specific target, time and weapon: substantive.")
            lead.click("text=Record step 2")
            lead.wait_for_selector("h2:has-text('Next: Step 3')")
            lead.check("input[name=seriousness][value=very_serious]")
            lead.fill("#f-protective_actions", "Riley kept home pending the safety evaluation; SRO informed.")
            lead.select_option("#f-recipient_0", "person_parent")
            lead.fill("#f-name_0", "Riley's father")
            lead.fill("#f-method_0", "phone, then meeting")
            lead.select_option("#f-recipient_1", "target_parent")
            lead.fill("#f-name_1", "Parents of the period 3 class")
            lead.fill("#f-method_1", "letter")
            lead.fill("#f-rationale", "A threat to shoot, with access to a rifle: very serious.")
            lead.click("text=Record step 3")
            lead.wait_for_selector("h2:has-text('Next: Step 4')")
            seen["classification"] = lead.inner_text("#case-classification")
            lead.fill("#f-mental_health_assessment", "Completed by the school psychologist on the day; see clinical notes.")
            lead.fill("#f-law_enforcement_investigation", "SRO home visit: rifle moved to the uncle's locked safe.")
            lead.fill("#f-interim_measures", "Re-entry meeting; daily check-in with the counselor; bag check.")
            lead.fill("#f-rationale", "Risk manageable with a safety plan.")
            lead.click("text=Record step 4")
            lead.wait_for_selector("h2:has-text('Next: Step 5: safety plan')")
            lead.fill("#f-interventions", "Weekly counselling; mentor; anger-management group.")
            lead.select_option("#f-responsible", label="Clinician A (Mental-health professional)")
            lead.fill("#f-monitoring_schedule", "Weekly check-in for two weeks")
            lead.fill("#f-first_date", today)
            lead.fill("#f-every_days", "7")
            lead.fill("#f-count", "2")
            lead.fill("#f-rationale", "Addresses the conflict behind the threat.")
            lead.click("text=Adopt the safety plan")
            lead.wait_for_selector("h2:has-text('Next: Step 5: monitoring')")
            seen["plan"] = lead.inner_text("#follow-ups")
            problems += axe_problems(lead)
            # Closing before any follow-up is refused, with the reason.
            lead.fill("#f-reason", "Too early.")
            lead.click("button:has-text('Close the case')")
            lead.wait_for_selector("#error")
            seen["refused"] = lead.inner_text("#error")
            case_url = lead.url.split("#")[0].rsplit("close/", 1)[0]

            # 3. The psychologist, responsible for the plan, records the first follow-up.
            clinician = page_as("clinician_a")
            clinician.goto(case_url)
            clinician.fill("#follow-ups textarea[name=summary] >> nth=0", "Attending counselling; calmer; no new statements.")
            clinician.click("#follow-ups button:has-text('Record follow-up') >> nth=0")
            clinician.wait_for_selector("text=Follow-up recorded.")
            seen["follow_up"] = clinician.inner_text("#follow-ups")

            # 4. The lead closes the case with a reason.
            lead.goto(case_url)
            lead.select_option("#f-outcome", "plan_completed")
            lead.fill("#f-reason", "Two weeks of monitoring without concern; plan completed.")
            lead.click("button:has-text('Close the case')")
            lead.wait_for_selector("h2:has-text('Closed')")
            seen["closed"] = lead.inner_text(".next-step")
            problems += axe_problems(lead)
        finally:
            browser.close()

    assert errors == []
    assert problems == [], "\n".join(problems)
    assert "Riley Sample" in seen["intake"] and "rifle" in seen["intake"]
    assert seen["classification"] == "Very serious substantive"
    assert "Weekly counselling" in seen["plan"] and "Clinician A" in seen["plan"]
    assert "at least one follow-up" in seen["refused"]
    assert "Attending counselling" in seen["follow_up"] and "Done" in seen["follow_up"]
    assert "Safety plan completed" in seen["closed"]

    case = Case.objects.get()
    # The one refusal (closing before a follow-up) is the only failed load besides the browser's favicon probe.
    assert [f for f in failed if f[1] != "/favicon.ico"] == [(409, f"/threats/cases/{case.pk}/close/")], failed
    assert case.stage == Stage.CLOSED and case.classification == "very_serious" and case.referred_by == teacher_a
    assert [d.step for d in case.decisions.all()] == ["evaluate", "classify", "respond", "safety_evaluation",
                                                      "safety_plan", "follow_up", "close"]
    assert case.notifications.count() == 2
    assert case.follow_ups.filter(completed_by=clinician_a).count() == 1
    assert case.follow_ups.filter(cancelled_at__isnull=False).count() == 1
    viewers = set(AuditEntry.objects.filter(action="threats.read_case", object_id=str(case.pk))
                  .values_list("actor__username", flat=True))
    assert viewers == {"lead_a", "clinician_a"}
