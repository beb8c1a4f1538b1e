"""The worker's mail when the mail server is down: kept, logged in one line, retried by the
worker's delivery scan, and delivered once the server (a real aiosmtpd on 127.0.0.1) is back."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.utils import timezone

from schoolsafe.notifications.mail import send_due_mail
from schoolsafe.notifications.models import WorkerMail
from schoolsafe.testing.servers import SMTPServer, free_port
from schoolsafe.threats import actions
from schoolsafe.threats.models import FollowUp, Stage
from schoolsafe.threats.tests.conftest import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    return settings


def test_26_11_team_mail_and_reminders_survive_a_mail_server_that_is_down(
        smtp_settings, team_a, lead_a, clinician_a, caplog):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        case = actions.do_open_case(lead_a, team_a, **intake())
        FollowUp.objects.create(case=case, due_on=timezone.localdate(), responsible=clinician_a)
        case.stage = Stage.MONITORING
        case.save()
        with caplog.at_level(logging.WARNING, logger="schoolsafe.notifications.mail"):
            # Nothing listens on the mail port: no exception reaches the worker, the mails wait.
            assert actions.do_notify_team_of_case(case.pk) >= 1
            assert actions.do_send_follow_up_reminders() == 1
    mails = list(WorkerMail.objects.order_by("pk"))
    assert [(m.purpose, m.status, m.attempts) for m in mails] == [
        ("threats.team_notified", "retrying", 1), ("threats.follow_up_reminded", "retrying", 1)]
    assert all("ConnectionRefusedError" in m.last_error for m in mails)
    assert all(m.next_attempt_at == start + dt.timedelta(seconds=10) for m in mails)
    # One line per failed try, saying when the next is; no traceback.
    failures = [r for r in caplog.records if "not sent (try 1)" in r.getMessage()]
    assert len(failures) == 2 and all(r.exc_info is None for r in failures)
    assert "next try at" in failures[0].getMessage()
    # The reminder is not sent twice by a second run while its mail waits.
    with time_machine.travel(start, tick=False):
        assert actions.do_send_follow_up_reminders() == 0

    # Still down at the first retry: tried again, the wait grows (30 s).
    with time_machine.travel(start + dt.timedelta(seconds=11), tick=False):
        assert send_due_mail() == 2
    assert {m.attempts for m in WorkerMail.objects.all()} == {2}

    # The server is back: the worker's next scan delivers each mail once.
    with SMTPServer() as server:
        smtp_settings.EMAIL_PORT = server.port
        with time_machine.travel(start + dt.timedelta(seconds=5), tick=False):
            assert send_due_mail() == 0  # not due yet
        with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
            assert send_due_mail() == 2
        received = server.wait_for(2)
        assert sorted(m["Subject"] for m in received) == sorted(m.subject for m in mails)
        assert {m.status for m in WorkerMail.objects.all()} == {"delivered"}
        with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
            assert send_due_mail() == 0
        assert len(server.messages) == 2


def test_26_11_a_mail_that_never_gets_through_fails_for_good_and_says_so(smtp_settings, team_a, lead_a, caplog):
    smtp_settings.SCHOOLSAFE_NOTIFY_MAX_ATTEMPTS = 2
    start = timezone.now().replace(microsecond=0)
    case = actions.do_open_case(lead_a, team_a, **intake())
    with time_machine.travel(start, tick=False):
        actions.do_notify_team_of_case(case.pk)
    with caplog.at_level(logging.ERROR, logger="schoolsafe.notifications.mail"), \
            time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        assert send_due_mail() == 1
    mail = WorkerMail.objects.get()
    assert (mail.status, mail.attempts) == ("failed", 2)
    assert any("failed for good after 2 tries" in r.getMessage() for r in caplog.records)
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        assert send_due_mail() == 0
