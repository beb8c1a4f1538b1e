"""The CSTAG workflow, path by path: each step is a recorded decision, none may be skipped, and a case
closes only with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from schoolsafe.audit.models import AuditEntry
from schoolsafe.threats import actions
from schoolsafe.threats.actions import ThreatError, WorkflowError
from schoolsafe.threats.models import Case, Decision, FollowUp, Stage
from schoolsafe.threats.tests.conftest import intake

TODAY = dt.date.today


def steps(case):
    return [(d.step, d.outcome, d.decided_by.username) for d in Decision.objects.filter(case=case)]


def evaluate(actor, case):
    return actions.do_record_evaluation(
        actor, case, person_interview="Jordan said it was anger, admitted access to a locked gun safe.",
        witness_interviews="Two witnesses confirm the words.", target_interviews="Targets frightened.",
        records_reviewed="Discipline file: none. Attendance: normal.", rationale="Statement confirmed by witnesses.",
    )


@pytest.fixture
def case_a(lead_a, clinician_a, officer_a):
    return actions.do_open_case(lead_a, lead_a.threat_team_seats.get().team, **intake())


def test_transient_threat_is_resolved_then_closed_with_how(case_a, lead_a):
    evaluate(lead_a, case_a)
    actions.do_classify_threat(lead_a, case_a, classification="transient",
                               rationale="A figure of speech in an argument; no intent.",
                               resolution="Apologised to the classmates; conflict mediated by the counselor.")
    case_a.refresh_from_db()
    assert case_a.stage == Stage.RESOLVED and case_a.classification == "transient"
    assert case_a.resolution.startswith("Apologised")
    assert case_a.classified_at is not None
    actions.do_close_case(lead_a, case_a, outcome="resolved", reason="Resolved by apology and mediation.")
    case_a.refresh_from_db()
    assert case_a.stage == Stage.CLOSED and case_a.closed_at is not None
    assert case_a.closure_reason == "Resolved by apology and mediation."
    assert steps(case_a) == [("evaluate", "evaluated", "lead_a"), ("classify", "transient", "lead_a"),
                             ("close", "resolved", "lead_a")]
    audit = list(AuditEntry.objects.filter(object_type="threats.case", object_id=str(case_a.pk))
                 .values_list("action", flat=True))
    assert audit == ["threats.case_opened", "threats.decision_evaluate", "threats.decision_classify",
                     "threats.decision_close"]


def test_serious_substantive_threat_with_protective_actions_and_notifications(case_a, lead_a, clinician_a):
    evaluate(lead_a, case_a)
    actions.do_classify_threat(lead_a, case_a, classification="substantive", rationale="Intent to harm stated.")
    case_a.refresh_from_db()
    assert case_a.stage == Stage.RESPOND
    actions.do_record_substantive_response(
        lead_a, case_a, seriousness="serious", rationale="Fight threat, no weapon.",
        protective_actions="Separate schedules; supervision at lunch.",
        notifications=[{"recipient": "target_parent", "name": "Parents of both classmates", "method": "phone"},
                       {"recipient": "person_parent", "name": "Jordan's mother", "method": "meeting"}],
    )
    case_a.refresh_from_db()
    assert case_a.classification == "serious"
    # Serious threats go straight to the safety plan; step 4 is for very serious ones.
    assert case_a.stage == Stage.SAFETY_PLAN
    decision = case_a.decisions.get(step="respond")
    assert decision.details["protective_actions"] == "Separate schedules; supervision at lunch."
    assert sorted(case_a.notifications.values_list("recipient", flat=True)) == ["person_parent", "target_parent"]
    with pytest.raises(WorkflowError, match="Step 4"):
        actions.do_record_safety_evaluation(lead_a, case_a, mental_health_assessment="x",
                                            law_enforcement_investigation="x", interim_measures="x", rationale="x")
    actions.do_adopt_safety_plan(lead_a, case_a, interventions="Weekly counselling", responsible=clinician_a,
                                 monitoring_schedule="Weekly", monitoring_dates=[TODAY()], rationale="Standard plan.")
    follow_up = case_a.follow_ups.get()
    actions.do_record_follow_up(clinician_a, follow_up, summary="Calm, engaged in counselling.")
    actions.do_close_case(lead_a, case_a, outcome="plan_completed", reason="No further concern after a month.")
    assert [s for s, _, _ in steps(case_a)] == ["evaluate", "classify", "respond", "safety_plan", "follow_up", "close"]


def test_a_substantive_response_needs_protective_actions_and_a_notification(case_a, lead_a):
    evaluate(lead_a, case_a)
    actions.do_classify_threat(lead_a, case_a, classification="substantive", rationale="Intent stated.")
    with pytest.raises(ThreatError) as excinfo:
        actions.do_record_substantive_response(lead_a, case_a, seriousness="serious", protective_actions="",
                                               rationale="r", notifications=[{"recipient": "target", "name": "A",
                                                                               "method": "phone"}])
    assert excinfo.value.field == "protective_actions"
    with pytest.raises(ThreatError) as excinfo:
        actions.do_record_substantive_response(lead_a, case_a, seriousness="serious", protective_actions="Supervision",
                                               rationale="r")
    assert excinfo.value.field == "notifications"
    with pytest.raises(ThreatError) as excinfo:
        actions.do_record_substantive_response(lead_a, case_a, seriousness="grave", protective_actions="Supervision",
                                               rationale="r")
    assert excinfo.value.field == "seriousness"
    # Nothing half-written: no notification survives a refused step.
    case_a.refresh_from_db()
    assert case_a.stage == Stage.RESPOND and not case_a.notifications.exists()


def test_very_serious_threat_safety_evaluation_plan_and_follow_ups_until_closure(
        case_a, lead_a, clinician_a, officer_a, django_capture_on_commit_callbacks, mailoutbox):
    evaluate(lead_a, case_a)
    actions.do_classify_threat(lead_a, case_a, classification="substantive", rationale="Weapon named, access likely.")
    actions.do_record_substantive_response(
        lead_a, case_a, seriousness="very_serious", rationale="Threat to shoot, with access to a firearm.",
        protective_actions="Parents asked to secure the firearm; student kept home pending evaluation.",
        notifications=[{"recipient": "target", "name": "Both classmates", "method": "in person"}],
    )
    case_a.refresh_from_db()
    assert case_a.stage == Stage.SAFETY_EVALUATION
    with pytest.raises(WorkflowError, match="Step 4"):
        actions.do_adopt_safety_plan(lead_a, case_a, interventions="x", responsible=clinician_a,
                                     monitoring_schedule="x", monitoring_dates=[TODAY()], rationale="x")
    actions.do_record_safety_evaluation(
        officer_a, case_a, mental_health_assessment="Completed by the school psychologist; see clinical notes.",
        law_enforcement_investigation="Home visit: firearm now in a locked safe, key with the father.",
        interim_measures="Re-entry meeting; daily check-in.", rationale="Risk reduced with supervision.",
    )
    case_a.refresh_from_db()
    assert case_a.stage == Stage.SAFETY_PLAN
    first, second = TODAY() + dt.timedelta(days=7), TODAY() + dt.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        plan = actions.do_adopt_safety_plan(
            lead_a, case_a, interventions="Weekly counselling; mentor; bag checks.", responsible=clinician_a,
            monitoring_schedule="Weekly for two weeks", monitoring_dates=[second, first],
            rationale="Interventions address the stressors.",
        )
    assert plan.responsible == clinician_a
    assert list(case_a.follow_ups.values_list("due_on", flat=True)) == [first, second]
    # The reminders are rows in the task queue, due on the follow-up dates.
    from django_tasks_db.models import DBTaskResult

    reminders = DBTaskResult.objects.filter(task_path="schoolsafe.threats.tasks.send_follow_up_reminders")
    assert sorted(r.run_after.date() for r in reminders) == [first, second]
    with pytest.raises(WorkflowError, match="at least one follow-up"):
        actions.do_close_case(lead_a, case_a, outcome="plan_completed", reason="Done.")
    f1, f2 = case_a.follow_ups.all()
    actions.do_record_follow_up(clinician_a, f1, summary="Attending counselling.", next_due_on=TODAY() + dt.timedelta(days=21))
    with pytest.raises(WorkflowError, match="already recorded"):
        actions.do_record_follow_up(clinician_a, f1, summary="Again.")
    actions.do_record_follow_up(clinician_a, f2, summary="Improving.")
    assert case_a.follow_ups.filter(completed_at__isnull=True).count() == 1
    actions.do_close_case(lead_a, case_a, outcome="plan_completed", reason="Plan completed; concern reduced.")
    case_a.refresh_from_db()
    assert case_a.stage == Stage.CLOSED
    # The check still open when the case closed is cancelled, not left overdue forever.
    assert case_a.follow_ups.filter(cancelled_at__isnull=False).count() == 1
    assert [s for s, _, _ in steps(case_a)] == ["evaluate", "classify", "respond", "safety_evaluation", "safety_plan",
                                                "follow_up", "follow_up", "close"]
    assert case_a.decisions.get(step="safety_evaluation").decided_by == officer_a


def test_no_step_can_be_skipped(case_a, lead_a, clinician_a):
    with pytest.raises(WorkflowError, match="Step 1"):
        actions.do_classify_threat(lead_a, case_a, classification="substantive", rationale="Skip.")
    with pytest.raises(WorkflowError):
        actions.do_record_substantive_response(lead_a, case_a, seriousness="serious", protective_actions="x",
                                               rationale="x")
    with pytest.raises(WorkflowError):
        actions.do_adopt_safety_plan(lead_a, case_a, interventions="x", responsible=clinician_a,
                                     monitoring_schedule="x", monitoring_dates=[TODAY()], rationale="x")
    with pytest.raises(WorkflowError, match="closing the case"):
        actions.do_close_case(lead_a, case_a, outcome="other", reason="Skip everything.")
    evaluate(lead_a, case_a)
    with pytest.raises(WorkflowError, match="Step 2"):
        evaluate(lead_a, case_a)
    actions.do_classify_threat(lead_a, case_a, classification="substantive", rationale="r")
    with pytest.raises(WorkflowError):
        actions.do_close_case(lead_a, case_a, outcome="other", reason="Substantive cases need a plan first.")
    case_a.refresh_from_db()
    assert case_a.stage == Stage.RESPOND
    assert [s for s, _, _ in steps(case_a)] == ["evaluate", "classify"]


def test_a_case_cannot_close_without_a_reason(case_a, lead_a):
    evaluate(lead_a, case_a)
    actions.do_classify_threat(lead_a, case_a, classification="transient", rationale="r", resolution="Apology.")
    for reason in ("", "   "):
        with pytest.raises(ThreatError) as excinfo:
            actions.do_close_case(lead_a, case_a, outcome="resolved", reason=reason)
        assert excinfo.value.field == "reason" and "reason" in excinfo.value.message
    with pytest.raises(ThreatError) as excinfo:
        actions.do_close_case(lead_a, case_a, outcome="", reason="Done.")
    assert excinfo.value.field == "outcome"
    case_a.refresh_from_db()
    assert case_a.stage == Stage.RESOLVED and case_a.closed_at is None
    actions.do_close_case(lead_a, case_a, outcome="resolved", reason="Done.")
    with pytest.raises(WorkflowError, match="closed"):
        actions.do_close_case(lead_a, case_a, outcome="resolved", reason="Twice.")


def test_when_in_doubt_the_threat_is_substantive(case_a, lead_a):
    evaluate(lead_a, case_a)
    with pytest.raises(ThreatError, match="When in doubt") as excinfo:
        actions.do_classify_threat(lead_a, case_a, classification="transient", rationale="Unsure.",
                                   resolution="Apology.", in_doubt=True)
    assert excinfo.value.field == "classification"
    with pytest.raises(ThreatError) as excinfo:
        actions.do_classify_threat(lead_a, case_a, classification="transient", rationale="Joke.")
    assert excinfo.value.field == "resolution"
    actions.do_classify_threat(lead_a, case_a, classification="substantive", rationale="Unsure.", in_doubt=True)
    assert case_a.decisions.get(step="classify").details == {"in_doubt": True}


def test_a_safety_plan_needs_a_team_member_responsible_and_future_dates(case_a, lead_a, teacher_a, member_b):
    evaluate(lead_a, case_a)
    actions.do_classify_threat(lead_a, case_a, classification="substantive", rationale="r")
    actions.do_record_substantive_response(lead_a, case_a, seriousness="serious", protective_actions="p", rationale="r",
                                           notifications=[{"recipient": "person_parent", "name": "Mother",
                                                           "method": "phone"}])
    for responsible in (teacher_a, member_b, None):
        with pytest.raises(ThreatError) as excinfo:
            actions.do_adopt_safety_plan(lead_a, case_a, interventions="i", responsible=responsible,
                                         monitoring_schedule="s", monitoring_dates=[TODAY()], rationale="r")
        assert excinfo.value.field == "responsible"
    for dates in ([], [TODAY() - dt.timedelta(days=1)], ["not a date"]):
        with pytest.raises(ThreatError) as excinfo:
            actions.do_adopt_safety_plan(lead_a, case_a, interventions="i", responsible=lead_a,
                                         monitoring_schedule="s", monitoring_dates=dates, rationale="r")
        assert excinfo.value.field == "monitoring_dates"
    assert not FollowUp.objects.exists()


def test_investigative_themes_are_a_checklist_with_notes(case_a, lead_a):
    changed = actions.do_record_themes(lead_a, case_a, {
        "weapons_access": {"finding": "concern", "notes": "Father's handgun at home."},
        "protective_factors": {"finding": "no_concern", "notes": ""},
        "planning": {"finding": "", "notes": ""},
    })
    assert {t.theme for t in changed} == {"weapons_access", "protective_factors"}
    # Recording the same again changes nothing and writes no audit row.
    before = AuditEntry.objects.count()
    assert actions.do_record_themes(lead_a, case_a, {"weapons_access": {"finding": "concern",
                                                                        "notes": "Father's handgun at home."}}) == []
    assert AuditEntry.objects.count() == before
    with pytest.raises(ThreatError, match="Unknown investigative theme"):
        actions.do_record_themes(lead_a, case_a, {"horoscope": {"finding": "concern"}})
    with pytest.raises(ThreatError) as excinfo:
        actions.do_record_themes(lead_a, case_a, {"motive": {"finding": "maybe"}})
    assert excinfo.value.field == "motive.finding"


def test_intake_is_validated_field_by_field(lead_a, team_a):
    cases_before = Case.objects.count()
    for field, value in (("person_name", ""), ("behaviour", " "), ("mode", "telepathy"), ("how_received", ""),
                         ("occurred_at", "yesterday"), ("person_kind", "alien"),
                         ("occurred_at", timezone.now() + dt.timedelta(days=3))):
        with pytest.raises(ThreatError) as excinfo:
            actions.do_open_case(lead_a, team_a, **intake(**{field: value}))
        assert excinfo.value.field == field, (field, value)
    assert Case.objects.count() == cases_before


def test_a_tip_opens_a_case_once_for_the_team(world, team_a, lead_a):
    analyst = __import__("schoolsafe.testing.personas", fromlist=["make_person"]).make_person(
        "analyst_a", "tip_analyst", world.district_a, "district")
    case = actions.do_open_case_from_tip(analyst, tip_reference="TIP-42", school=world.school_a.pk,
                                         category="Threat of violence", text="He said he'd bring a gun Friday.")
    assert case.source == "tip" and case.team == team_a and case.school == world.school_a
    assert case.behaviour == "He said he'd bring a gun Friday." and "Threat of violence" in case.context
    assert case.stage == Stage.EVALUATE
    again = actions.do_open_case_from_tip(analyst, tip_reference="TIP-42", school=world.school_a,
                                          category="Threat of violence", text="He said he'd bring a gun Friday.")
    assert again.pk == case.pk and Case.objects.count() == 1
    # The analyst opened it but is not on the team: it does not exist for them.
    assert not Case.objects.restrict(analyst, "view").exists()
    assert Case.objects.restrict(lead_a, "view").get() == case
    # The team completes the intake once the person is identified.
    actions.do_update_intake(lead_a, case, person_kind="student", person_name="Sam Example", person_grade="9")
    case.refresh_from_db()
    assert (case.person_kind, case.person_name) == ("student", "Sam Example")


def test_a_tip_for_a_school_the_actor_does_not_reach_is_refused(world, team_b, teacher_a):
    analyst = __import__("schoolsafe.testing.personas", fromlist=["make_person"]).make_person(
        "analyst_a", "tip_analyst", world.district_a, "district")
    for actor in (analyst, teacher_a):
        with pytest.raises(actions.NotFound):
            actions.do_open_case_from_tip(actor, tip_reference="TIP-9", school=world.school_b, category="c", text="t")
    assert not Case.objects.exists()


def test_a_referral_goes_to_the_team_and_the_referrer_cannot_see_it(world, team_a, lead_a, teacher_a, teacher_b):
    case = actions.do_refer_concern(teacher_a, world.school_a, **intake(how_received="in_person"))
    assert case.source == "referral" and case.referred_by == teacher_a and case.reporter_name == "Teacher A"
    assert not Case.objects.restrict(teacher_a, "view").exists()
    assert Case.objects.restrict(lead_a, "view").get() == case
    # A teacher of another school cannot refer to school A (and the refusal reveals nothing).
    with pytest.raises(actions.NotFound):
        actions.do_refer_concern(teacher_b, world.school_a, **intake())


def test_a_referral_where_no_team_exists_says_so(world, teacher_b):
    with pytest.raises(ThreatError, match="No threat-assessment team serves School B High") as excinfo:
        actions.do_refer_concern(teacher_b, world.school_b, **intake())
    assert excinfo.value.field == "school"


def test_a_tip_about_no_particular_school_goes_to_the_district_team(world, coordinator_a):
    from schoolsafe.testing.personas import make_person
    from schoolsafe.threats.models import Team

    analyst = make_person("analyst_a", "tip_analyst", world.district_a, "district")
    with pytest.raises(ThreatError, match="no district-level") as excinfo:
        actions.do_open_case_from_tip(analyst, tip_reference="tip-7", school=None, district=world.district_a,
                                      category="Weapon", text="Someone has a gun on the bus.")
    assert excinfo.value.field == "district"
    team = Team.objects.create(name="District A team", district=world.district_a)
    case = actions.do_open_case_from_tip(analyst, tip_reference="tip-7", school=None, district=world.district_a.pk,
                                         category="Weapon", text="Someone has a gun on the bus.",
                                         context="When: this morning\nWhere: bus 14")
    assert case.team == team and case.school is None
    assert case.context == "Tip category: Weapon\nWhen: this morning\nWhere: bus 14"
    assert list(Case.objects.restrict(coordinator_a, "view")) == [case]
    with pytest.raises(actions.NotFound):
        actions.do_open_case_from_tip(analyst, tip_reference="tip-8", school=None, district=world.district_b,
                                      category="Weapon", text="x")
