"""The SRO program's events. Each part adds its kinds in its own section."""

from schoolsafe.events.kinds import EventKind

KINDS: tuple[EventKind, ...] = ()

# --- MOU register: review reminders (sro/tasks.py) ---
KINDS += (
    EventKind("sro.mou_review_due", "An MOU's review date is 30 days away, or reached",
              "the agency's administrators and the district's safety director",
              notice="schoolsafe.sro.tasks:mou_review_notice"),
)
