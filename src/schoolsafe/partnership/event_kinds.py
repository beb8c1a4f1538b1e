"""The partnership's events."""

from schoolsafe.events.kinds import EventKind

# --- Joint meetings and action items ---------------------------------------------------------------------
ATTENDEES = "the meeting's attendees"
OWNER = "the action item's owner"
MEETING_KINDS = (
    EventKind("partnership.meeting_scheduled", "A joint meeting is scheduled", ATTENDEES),
    EventKind("partnership.meeting_changed", "A joint meeting is changed", ATTENDEES),
    EventKind("partnership.meeting_cancelled", "A joint meeting is cancelled", ATTENDEES),
    EventKind("partnership.action_item_due_soon", "An action item falls due in a few days", OWNER,
              notice="schoolsafe.partnership.tasks:due_soon_notice"),
    EventKind("partnership.action_item_overdue", "An action item is past its due date", OWNER,
              notice="schoolsafe.partnership.tasks:overdue_notice"),
)

KINDS = MEETING_KINDS
