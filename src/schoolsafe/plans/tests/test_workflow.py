"""The plan workflow: draft, review, sign-offs, approval, new versions, diffs, yearly review and reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from schoolsafe.audit.models import AuditEntry
from schoolsafe.plans import actions
from schoolsafe.plans.actions import PlanError
from schoolsafe.plans.models import Plan, PlanReminder, PlanVersion
from schoolsafe.plans.outline import POLICE_SIGNOFF_ANNEXES
from schoolsafe.plans.tests.helpers import police_lead
from schoolsafe.testing.personas import client_for, make_person

Status = PlanVersion.Status


@pytest.fixture
def plan(world, principal_a) -> Plan:
    return actions.do_create_plan(principal_a, world.school_a)


def version(plan: Plan, number: int = 1) -> PlanVersion:
    return plan.versions.get(number=number)


def sign_all(version_, principal, director, police) -> None:
    actions.do_sign_off_plan(principal, version_, "school_admin")
    actions.do_sign_off_plan(director, version_, "district_director")
    for annex in POLICE_SIGNOFF_ANNEXES:
        actions.do_sign_off_plan(police, version_, f"police:{annex}")


def approved_plan(world, plan, principal, director) -> PlanVersion:
    police = police_lead(world)
    v = version(plan)
    actions.do_submit_plan(principal, v)
    sign_all(v, principal, director, police)
    return actions.do_approve_plan(principal, v)


def test_a_new_plan_starts_as_a_draft_from_the_guides_outline(plan, principal_a):
    v = version(plan)
    assert v.status == Status.DRAFT
    keys = list(v.sections.values_list("key", flat=True))
    for key in ("purpose_scope", "goals_objectives", "evacuation", "shelter_in_place", "lockdown", "accounting",
                "communications", "reunification", "continuity", "recovery", "health", "security",
                "active_assailant", "severe_weather", "fire", "hazmat"):
        assert key in keys
    assert v.team.get().name == principal_a.display_name
    assert AuditEntry.objects.filter(action="plans.create_plan", organization=f"school:{plan.school_id}").exists()


def test_the_district_template_is_where_a_plan_starts(world, director_a, principal_a):
    actions.do_save_template_section(director_a, world.district_a, key="lockdown", kind="functional",
                                     title="Lockdown annex", body="District wording: doors locked within 60 seconds.")
    actions.do_save_template_section(director_a, world.district_a, key=None, kind="threat", title="Sinkhole annex",
                                     body="Florida karst.")
    plan = actions.do_create_plan(principal_a, world.school_a)
    sections = {s.key: s for s in version(plan).sections.all()}
    assert sections["lockdown"].body == "District wording: doors locked within 60 seconds."
    assert sections["sinkhole_annex"].title == "Sinkhole annex"
    # Another district's schools keep the built-in outline.
    other = actions.do_create_plan(None, world.school_b)
    assert "District wording" not in version(other).sections.get(key="lockdown").body


def test_the_risk_assessment_is_ranked_by_the_weighted_score(plan, principal_a):
    v = version(plan)
    v.hazards.all().delete()
    actions.do_save_hazard(principal_a, v, name="Flood", category="natural", probability=2, magnitude=2,
                           warning_time=1, duration=3)  # 0.9 + 0.6 + 0.15 + 0.3 = 1.95
    actions.do_save_hazard(principal_a, v, name="Hurricane", category="natural", probability=3, magnitude=3,
                           warning_time=1, duration=3)  # 1.35 + 0.9 + 0.15 + 0.3 = 2.7
    actions.do_save_hazard(principal_a, v, name="Active assailant", category="adversarial", probability=1,
                           magnitude=4, warning_time=4, duration=1)  # 0.45 + 1.2 + 0.6 + 0.1 = 2.35
    ranked = [(h.name, h.risk_score, h.priority) for h in v.ranked_hazards()]
    assert ranked == [("Hurricane", 2.7, "Medium"), ("Active assailant", 2.35, "Medium"), ("Flood", 1.95, "Low")]
    with pytest.raises(PlanError, match="probability: must be a rating from 1 to 4"):
        actions.do_save_hazard(principal_a, v, name="Bad", category="natural", probability=5, magnitude=1,
                               warning_time=1, duration=1)


def test_cannot_approve_without_the_required_signoffs(world, plan, principal_a, director_a):
    v = version(plan)
    with pytest.raises(PlanError, match="only a version in review can be approved"):
        actions.do_approve_plan(principal_a, v)
    actions.do_submit_plan(principal_a, v)
    actions.do_sign_off_plan(principal_a, v, "school_admin")
    actions.do_sign_off_plan(director_a, v, "district_director")
    with pytest.raises(PlanError) as caught:
        actions.do_approve_plan(principal_a, v)
    message = str(caught.value)
    assert message.startswith("cannot approve yet")
    for title in ("Lockdown annex", "Security annex", "Active assailant annex"):
        assert f"the serving police agency on the {title}" in message
    assert "school administrator" not in message
    v.refresh_from_db()
    assert v.status == Status.IN_REVIEW and v.approved_at is None
    assert Plan.objects.get(pk=plan.pk).review_due is None


def test_signoffs_need_the_right_role_at_the_right_organization(world, plan, principal_a, director_a, teacher_a):
    v = version(plan)
    actions.do_submit_plan(principal_a, v)
    other_police = police_lead(world, "supervisor_b", world.agency_b)
    with pytest.raises(PlanError, match="only the serving police agency"):
        actions.do_sign_off_plan(other_police, v, "police:lockdown")
    officer = make_person("officer_a", "officer", world.agency_a, "agency")
    with pytest.raises(PlanError, match="only the serving police agency"):
        actions.do_sign_off_plan(officer, v, "police:lockdown")
    with pytest.raises(PlanError, match="only the district safety director"):
        actions.do_sign_off_plan(principal_a, v, "district_director")
    with pytest.raises(PlanError, match="only the school administrator"):
        actions.do_sign_off_plan(teacher_a, v, "school_admin")
    police = police_lead(world)
    signoff = actions.do_sign_off_plan(police, v, "police:lockdown")
    assert signoff.organization == "Agency A Police"
    with pytest.raises(PlanError, match="already signed off"):
        actions.do_sign_off_plan(police, v, "police:lockdown")
    with pytest.raises(PlanError, match="unknown sign-off"):
        actions.do_sign_off_plan(police, v, "police:fire")


def test_a_draft_cannot_be_signed_and_review_freezes_the_text(world, plan, principal_a):
    v = version(plan)
    with pytest.raises(PlanError, match="send the draft for review first"):
        actions.do_sign_off_plan(principal_a, v, "school_admin")
    actions.do_submit_plan(principal_a, v)
    with pytest.raises(PlanError, match="only a draft can be edited"):
        actions.do_update_section(principal_a, v.sections.get(key="lockdown"), title="Lockdown", body="changed")


def test_returning_to_draft_withdraws_the_signoffs(world, plan, principal_a):
    v = version(plan)
    actions.do_submit_plan(principal_a, v)
    actions.do_sign_off_plan(principal_a, v, "school_admin")
    actions.do_return_plan_to_draft(principal_a, v, reason="Fix the reunification site")
    v.refresh_from_db()
    assert v.status == Status.DRAFT and not v.signoffs.exists()
    entry = AuditEntry.objects.get(action="plans.return_plan_to_draft")
    assert entry.summary["withdrawn_signoffs"] == ["school_admin"]


def test_approval_sets_the_yearly_review_and_a_new_version_starts_as_a_draft_with_a_diff(
        world, plan, principal_a, director_a):
    v1 = approved_plan(world, plan, principal_a, director_a)
    assert v1.status == Status.APPROVED
    plan.refresh_from_db()
    assert plan.review_due == timezone.localdate() + dt.timedelta(days=365)

    v2 = actions.do_start_plan_revision(principal_a, plan)
    assert (v2.number, v2.status, v2.based_on_id) == (2, Status.DRAFT, v1.pk)
    with pytest.raises(PlanError, match="already being written"):
        actions.do_start_plan_revision(principal_a, plan)
    lockdown = v2.sections.get(key="lockdown")
    actions.do_update_section(principal_a, lockdown, title=lockdown.title,
                              body=lockdown.body + "\n\nTeachers text the code word <b>CEDAR</b> to the office.")
    actions.do_add_team_member(principal_a, v2, name="Angela Price", role="School nurse")

    response = client_for(principal_a).get(f"/plans/versions/{v2.pk}/diff")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Changes from version 1 to version 2" in html
    assert "<strong>Lockdown annex</strong>" in html  # the summary names the changed section
    assert "CEDAR" in html and "Angela Price" in html
    assert "&lt;b&gt;CEDAR&lt;/b&gt;" in html and "<b>CEDAR</b>" not in html  # plan text is escaped
    assert 'class="diff_add"' in html

    # The approved version is untouched and still the one in force until v2 is approved.
    assert "CEDAR" not in v1.sections.get(key="lockdown").body
    actions.do_submit_plan(principal_a, v2)
    sign_all(v2, principal_a, director_a, police_lead(world, "supervisor_a2"))
    actions.do_approve_plan(director_a, v2)
    v1.refresh_from_db()
    assert v1.status == Status.ARCHIVED and v1.archived_at is not None


def test_the_overdue_dashboard_lists_a_plan_whose_review_date_passed(world, plan, principal_a, director_a):
    approved_plan(world, plan, principal_a, director_a)
    actions.do_create_plan(director_a, world.school_a2)  # a draft, never approved: not overdue
    client = client_for(director_a)
    html = client.get("/plans/?show=overdue").content.decode()
    assert "No plan is overdue for review." in html
    Plan.objects.filter(pk=plan.pk).update(review_due=timezone.localdate() - dt.timedelta(days=3))
    response = client.get("/plans/?show=overdue")
    html = response.content.decode()
    assert "School A High" in html and "Overdue by 3 days" in html
    assert "School A Elementary" not in html
    everything = client.get("/plans/").content.decode()
    assert "<strong>1</strong> overdue for review" in everything
    assert everything.index("School A High") < everything.index("School A Elementary")  # overdue first


def test_the_dashboard_shows_only_reached_schools(world, plan, teacher_b):
    html = client_for(teacher_b).get("/plans/").content.decode()
    assert "School B High" in html and "School A High" not in html


def test_reminders_go_once_to_the_principal_and_the_director(world, plan, principal_a, director_a):
    approved_plan(world, plan, principal_a, director_a)
    today = timezone.localdate()
    assert actions.do_send_plan_review_reminders(today) == 0
    due = plan.versions.get(number=1).approved_at.date() + dt.timedelta(days=365)
    with_lead = due - dt.timedelta(days=10)
    mail.outbox.clear()
    sent = actions.do_send_plan_review_reminders(with_lead)
    assert sent == 1
    assert PlanReminder.objects.get(plan=plan).kind == "due_soon"
    assert actions.do_send_plan_review_reminders(with_lead) == 0
    assert actions.do_send_plan_review_reminders(due + dt.timedelta(days=1)) == 1
    assert actions.do_send_plan_review_reminders(due + dt.timedelta(days=2)) == 0
    assert set(PlanReminder.objects.values_list("kind", flat=True)) == {"due_soon", "overdue"}


@pytest.mark.django_db(transaction=True)
def test_reminder_emails_are_sent_after_commit(world, principal_a, director_a):
    plan = actions.do_create_plan(principal_a, world.school_a)
    Plan.objects.filter(pk=plan.pk).update(review_due=timezone.localdate() - dt.timedelta(days=1))
    mail.outbox.clear()
    assert actions.do_send_plan_review_reminders() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "overdue for review" in message.subject and "School A High" in message.subject
    assert set(message.to) == {principal_a.email, director_a.email}


def test_the_remind_command_sends_reminders(world, plan, capsys):
    from schoolsafe.cli import main

    Plan.objects.filter(pk=plan.pk).update(review_due=timezone.localdate() - dt.timedelta(days=1))
    assert main(["plans-remind"]) == 0
    assert "1 reminder" in capsys.readouterr().out
    assert PlanReminder.objects.filter(plan=plan, kind="overdue").exists()


@pytest.mark.django_db(transaction=True)
def test_approval_queues_the_reminder_sweeps_for_the_review_date(world, principal_a, director_a):
    from django_tasks_db.models import DBTaskResult

    plan = actions.do_create_plan(principal_a, world.school_a)
    approved_plan(world, plan, principal_a, director_a)
    plan.refresh_from_db()
    queued = DBTaskResult.objects.filter(task_path="schoolsafe.plans.tasks.send_plan_review_reminders")
    days = sorted(timezone.localtime(t.run_after).date() for t in queued)
    assert days == [plan.review_due - dt.timedelta(days=30), plan.review_due + dt.timedelta(days=1)]
    # The sweep the worker runs sends nothing before its time, and the right reminder at it.
    assert actions.do_send_plan_review_reminders(days[0]) == 1
    assert PlanReminder.objects.get(plan=plan).kind == "due_soon"


def test_the_worker_task_runs_the_sweep(world, plan):
    from schoolsafe.plans.tasks import send_plan_review_reminders

    assert send_plan_review_reminders.call() == 0
    Plan.objects.filter(pk=plan.pk).update(review_due=timezone.localdate() - dt.timedelta(days=1))
    assert send_plan_review_reminders.call() == 1
    assert PlanReminder.objects.filter(plan=plan, kind="overdue").exists()
