"""The kinds of event the SRO program emits (each part adds its own section)."""

from schoolsafe.events.kinds import EventKind

KINDS: tuple[EventKind, ...] = ()


# --- MOU register: review reminders (sro/tasks.py) ---
KINDS += (
    EventKind("sro.mou_review_due", "An MOU's review date is 30 days away, or reached",
              "the agency's administrators and the district's safety director",
              notice="schoolsafe.sro.tasks:mou_review_notice"),
)


# --- Assignments and the activity log (actions/program.py) ---
_POSTING = "the agency's supervisors and administrators, the school's administrators and the person posted"
KINDS += (
    EventKind("sro.assignment_created", "A person is posted to a school", _POSTING),
    EventKind("sro.assignment_changed", "A posting's dates, role or schedule change", _POSTING),
    EventKind("sro.assignment_ended", "A posting ends", _POSTING),
    EventKind("sro.activity_reviewed", "A supervisor reviews an officer's month of activity", "the officer"),
)
