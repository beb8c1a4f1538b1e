"""Mail to the team, run by the worker."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from schoolsafe.audit.log import record
from schoolsafe.threats.models import (
    Case,
    FollowUp,
    Stage,
)

# Mail travels outside SchoolSafe: it names the case number and the school, never the person or the threat.
SYSTEM = "schoolsafe worker"


def do_notify_team_of_case(case_id: int) -> int:
    """Mail each active member of the case's team that a new case awaits them. Returns the recipients.

    The mail is a row first (notifications' worker mail): a mail server that is down delays it, the
    worker retries it and logs each failure, and it is never lost."""
    from schoolsafe.notifications.mail import attempt_mail, queue_mail

    case = Case.objects.select_related("team", "school").filter(pk=case_id).first()
    if case is None:
        return 0
    members = [m.user for m in case.team.active_members() if m.user.email and m.user.is_active]
    if not members:
        return 0
    place = case.school.name if case.school else case.team.name
    with transaction.atomic():
        mail = queue_mail(
            "threats.team_notified",
            f"New threat-assessment case {case.number} at {place}",
            f"A new case ({case.number}, {case.get_source_display().lower()}) needs {case.team.name}.\n"
            "Sign in to SchoolSafe and open Threat assessment to see it. Details are not sent by email.",
            [u.email for u in members],
        )
        record(SYSTEM, "threats.team_notified", case, organization=case.organization,
               summary={"case": case.number, "recipients": len(members)})
    attempt_mail(mail.pk)
    return len(members)


def do_send_follow_up_reminders(now: dt.datetime | None = None) -> int:
    """Remind the responsible member of each due follow-up once. Returns reminders sent.

    Each follow-up is claimed with a conditional update (reminded_at IS NULL), so two workers never
    both send it. The reminder is a worker mail row: a failed send is retried by the worker and logged.
    """
    from schoolsafe.notifications.mail import attempt_mail, queue_mail

    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (FollowUp.objects.filter(due_on__lte=today, reminded_at__isnull=True, completed_at__isnull=True,
                                   cancelled_at__isnull=True)
           .exclude(case__stage=Stage.CLOSED).select_related("case", "case__school", "case__team", "responsible"))
    sent = 0
    for follow_up in due:
        case = follow_up.case
        place = case.school.name if case.school else case.team.name
        with transaction.atomic():
            if not FollowUp.objects.filter(pk=follow_up.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            mail = queue_mail(
                "threats.follow_up_reminded",
                f"Follow-up due: threat-assessment case {case.number}",
                f"The safety-plan follow-up of case {case.number} at {place} is due on "
                f"{follow_up.due_on:%A %d %B %Y}.\nSign in to SchoolSafe and open Threat assessment to record it.",
                [follow_up.responsible.email],
            ) if follow_up.responsible.email else None
            record(SYSTEM, "threats.follow_up_reminded", follow_up, organization=case.organization,
                   summary={"case": case.number, "due_on": follow_up.due_on.isoformat(),
                            "to": follow_up.responsible.username})
        if mail is not None:
            attempt_mail(mail.pk)
        sent += 1
    return sent
