"""Background work for the partnership, run by `schoolsafe worker`: reminders of action items.

Why a scan of the ActionItem rows rather than one deferred task per item: the item is the only record of
what is due (its due date, its status, which reminder stage was sent for which due date); moving the due
date or closing the item changes what the next scan finds, with nothing else to keep in step. Each reminder
is claimed with a conditional UPDATE of the item (actions/meetings.py, `_claim`), so two workers never send
the same one, and a reminder whose transaction rolled back is simply found again by the next scan.
"""

from __future__ import annotations

import logging
from typing import Any

from schoolsafe.events.kinds import Notice
from schoolsafe.events.scanner import RowScanner

logger = logging.getLogger(__name__)

# Reminders are by the day; a scan a minute is one indexed query and catches a new item's reminder promptly.
SCAN_INTERVAL_SECONDS = 60.0


class ReminderScanner(RowScanner):
    """A thread of the worker process that sends the action-item reminders that are due."""

    thread_name = "action-item-reminders"
    description = "action item reminder scan"

    def scan(self) -> None:
        from schoolsafe.partnership.actions import do_send_action_item_reminders

        sent = do_send_action_item_reminders()
        if sent:
            logger.info("sent %d action item reminder(s)", sent)


def start_reminder_scanner(worker_id: str | None = None, interval: float = SCAN_INTERVAL_SECONDS) -> ReminderScanner:
    """Start the action-item reminder scan in a daemon thread of the current process (the worker)."""
    scanner = ReminderScanner(interval, worker_id)
    scanner.start()
    return scanner


# --- the reminder events as notification channels word them (partnership/event_kinds.py) ------------------


def _notice(event: Any, lead: str) -> Notice:
    data = event.data
    return Notice(subject=f"{lead}: {data['title']}",
                  text=f"{lead} (due {data['due_on']}): {data['title']}. Open it at "
                       f"/partnership/action-items/{data['action_item_id']}/",
                  payload={k: data[k] for k in ("action_item_id", "due_on", "stage", "organization", "meeting_id")})


def due_soon_notice(event: Any, context: dict[str, Any]) -> Notice:
    """An action item falls due within the reminder window."""
    return _notice(event, "Action item due soon")


def overdue_notice(event: Any, context: dict[str, Any]) -> Notice:
    """An action item is past its due date and not done."""
    return _notice(event, "Action item overdue")
