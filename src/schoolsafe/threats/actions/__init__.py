"""Every write to threat assessment: teams, intake, the CSTAG decisions, notes, disclosures.

One module per part (`common`: errors, input checks and loading a case to change it; `teams`; `intake`;
`cstag`: the steps; `records`: themes, notes, disclosures; `mail`: what the worker sends). Other apps and
the pages import from `schoolsafe.threats.actions` itself, which names every public action here.

Each action runs in one transaction, checks that the actor may do it (through the need-to-know policy; an
invisible case is `NotFound`, shown as 404), refuses a step out of order (`WorkflowError`, 409) or bad input
(`ThreatError` naming the field, 400), writes an audit row, and sends mail or schedules reminders only
after the commit.

Audit rows never carry the person of concern's name or the words of the threat: the audit log is
read by auditors who are not on the team. They carry the case number, the step and the outcome.
"""

from schoolsafe.threats.actions.common import (
    INTAKE_FIELDS,
    NotFound,
    ThreatError,
    WorkflowError,
    check_intake,
)
from schoolsafe.threats.actions.cstag import (
    do_adopt_safety_plan,
    do_classify_threat,
    do_close_case,
    do_record_evaluation,
    do_record_follow_up,
    do_record_notification,
    do_record_safety_evaluation,
    do_record_substantive_response,
)
from schoolsafe.threats.actions.intake import (
    do_open_case,
    do_open_case_from_tip,
    do_refer_concern,
    do_update_intake,
    team_for_school,
)
from schoolsafe.threats.actions.mail import (
    SYSTEM,
    do_notify_team_of_case,
    do_send_follow_up_reminders,
)
from schoolsafe.threats.actions.records import (
    THEME_CODES,
    do_add_note,
    do_record_disclosure,
    do_record_themes,
)
from schoolsafe.threats.actions.teams import (
    do_add_team_member,
    do_create_team,
    do_remove_team_member,
    do_set_team_lead,
)

__all__ = [
    "INTAKE_FIELDS",
    "NotFound",
    "SYSTEM",
    "THEME_CODES",
    "ThreatError",
    "WorkflowError",
    "check_intake",
    "do_add_note",
    "do_add_team_member",
    "do_adopt_safety_plan",
    "do_classify_threat",
    "do_close_case",
    "do_create_team",
    "do_notify_team_of_case",
    "do_open_case",
    "do_open_case_from_tip",
    "do_record_disclosure",
    "do_record_evaluation",
    "do_record_follow_up",
    "do_record_notification",
    "do_record_safety_evaluation",
    "do_record_substantive_response",
    "do_record_themes",
    "do_refer_concern",
    "do_remove_team_member",
    "do_send_follow_up_reminders",
    "do_set_team_lead",
    "do_update_intake",
    "team_for_school",
]
