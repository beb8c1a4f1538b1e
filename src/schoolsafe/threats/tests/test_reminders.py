"""Follow-up reminders and the team's new-case mail: sent by the real task worker, once, without details."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from schoolsafe import cli
from schoolsafe.audit.models import AuditEntry
from schoolsafe.threats import actions
from schoolsafe.threats.models import FollowUp, Stage
from schoolsafe.threats.tests.conftest import intake


@pytest.fixture
def monitored_case(team_a, lead_a, clinician_a, officer_a):
    case = actions.do_open_case(lead_a, team_a, **intake())
    FollowUp.objects.create(case=case, due_on=timezone.localdate() - dt.timedelta(days=2), responsible=clinician_a)
    FollowUp.objects.create(case=case, due_on=timezone.localdate(), responsible=clinician_a)
    FollowUp.objects.create(case=case, due_on=timezone.localdate() + dt.timedelta(days=5), responsible=clinician_a)
    case.stage = Stage.MONITORING
    case.save()
    return case


def test_due_follow_ups_are_reminded_once_to_the_responsible_member(monitored_case, clinician_a, mailoutbox):
    assert actions.do_send_follow_up_reminders() == 2
    assert [m.to for m in mailoutbox] == [[clinician_a.email], [clinician_a.email]]
    mail = mailoutbox[0]
    assert monitored_case.number in mail.subject and "School A High" in mail.body
    # Mail leaves SchoolSafe: no name, no words of the threat.
    assert "Jordan" not in mail.body + mail.subject and "gun" not in mail.body
    assert actions.do_send_follow_up_reminders() == 0
    assert len(mailoutbox) == 2
    assert FollowUp.objects.filter(reminded_at__isnull=False).count() == 2
    rows = AuditEntry.objects.filter(action="threats.follow_up_reminded")
    assert rows.count() == 2 and {r.actor_name for r in rows} == {"schoolsafe worker"}


def test_a_closed_case_sends_no_reminder(monitored_case, mailoutbox):
    monitored_case.stage = Stage.CLOSED
    monitored_case.save()
    assert actions.do_send_follow_up_reminders() == 0 and mailoutbox == []


# The worker closes its database connection between tasks, as a real one does: a transactional test.
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_reminder_scheduled_by_the_safety_plan(
        team_a, lead_a, clinician_a, mailoutbox, django_capture_on_commit_callbacks):
    case = actions.do_open_case(lead_a, team_a, **intake())
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_record_evaluation(lead_a, case, person_interview="Met.", rationale="ok")
        actions.do_classify_threat(lead_a, case, classification="substantive", rationale="r")
        actions.do_record_substantive_response(lead_a, case, seriousness="serious", protective_actions="p",
                                               rationale="r", notifications=[{"recipient": "target", "name": "T",
                                                                               "method": "phone"}])
        actions.do_adopt_safety_plan(lead_a, case, interventions="i", responsible=clinician_a,
                                     monitoring_schedule="weekly",
                                     monitoring_dates=[timezone.localdate(), timezone.localdate() + dt.timedelta(days=7)],
                                     rationale="r")
    # The real worker, as `schoolsafe worker` runs it: today's reminder is due now, next week's waits.
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    reminders = [m for m in mailoutbox if m.subject.startswith("Follow-up due")]
    assert [m.subject for m in reminders] == [f"Follow-up due: threat-assessment case {case.number}"]
    assert reminders[0].to == [clinician_a.email]
    assert list(FollowUp.objects.filter(reminded_at__isnull=False).values_list("due_on", flat=True)) == [
        timezone.localdate()]


# The worker closes its database connection between tasks, as a real one does: a transactional test.
@pytest.mark.django_db(transaction=True)
def test_a_new_case_mails_its_team_without_details(world, team_a, lead_a, clinician_a, officer_a, teacher_a,
                                                   mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.do_refer_concern(teacher_a, world.school_a, **intake())
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == sorted([lead_a.email, clinician_a.email, officer_a.email])
    assert case.number in mail.subject and "Jordan" not in mail.body and "gun" not in mail.body
    assert teacher_a.email not in mail.to


def test_the_remind_command_for_cron(monitored_case, mailoutbox, capsys):
    assert cli.main(["threats", "remind"]) == 0
    assert capsys.readouterr().out.strip() == "2 follow-up reminders sent."
    assert cli.main(["threats", "remind"]) == 0
    assert capsys.readouterr().out.strip() == "0 follow-up reminders sent."
