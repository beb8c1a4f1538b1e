"""Background work for threat assessment: telling the team about a new case, follow-up reminders.

Both run in the worker (`schoolsafe worker`, django-tasks' database backend), so a reminder due next
month survives restarts: it is a row with `run_after`, not a sleeping coroutine. `schoolsafe
threats-remind` sends the same reminders from cron, for an installation that runs no worker.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

# Reminders arrive at the start of the school day of the due date.
REMINDER_HOUR = 7


def reminder_time(due_on: dt.date) -> dt.datetime:
    """When the reminder for a follow-up due on `due_on` is sent: 07:00 that day (now, if that has passed)."""
    moment = timezone.make_aware(dt.datetime.combine(due_on, dt.time(REMINDER_HOUR)))
    return max(moment, timezone.now())


@task()
def notify_team_of_case(case_id: int) -> int:
    """Mail the members of a new case's team that a case needs them (without any detail of the case)."""
    from schoolsafe.threats.actions import do_notify_team_of_case

    return do_notify_team_of_case(case_id)


@task()
def send_follow_up_reminders() -> int:
    """Remind the responsible members of every follow-up that is due and not yet reminded."""
    from schoolsafe.threats.actions import do_send_follow_up_reminders

    return do_send_follow_up_reminders()
