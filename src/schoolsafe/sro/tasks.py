"""Background work for the MOU register, run by `schoolsafe worker`: the review reminders.

A scan of the MOU rows (one indexed query a minute) rather than a task deferred per MOU: the review date may
change, and the MOU row is then the only record of what is owed. Each reminder stage ("30 days away",
"reached") is claimed with a conditional UPDATE of the MOU's row (sro/actions/mou.py), so several workers
scanning at once send it once.
"""

from __future__ import annotations

import logging
from typing import Any

from schoolsafe.events.kinds import Notice
from schoolsafe.events.scanner import RowScanner

logger = logging.getLogger(__name__)

SCAN_INTERVAL_SECONDS = 60.0


def mou_review_notice(event: Any, context: dict[str, Any]) -> Notice:
    """The reminder as notification channels send it: the MOU's title, parties and review date."""
    data = event.data
    when = "is due for review today" if data["stage"] == "due" else f"is due for review on {data['review_date']}"
    return Notice(
        subject=f"MOU review: {data['title']}",
        text=f"The MOU \"{data['title']}\" between {data['agency']} and {data['district']} {when}. "
             f"Open it at /sro/mou/{data['mou_id']}/",
        payload={k: data[k] for k in ("mou_id", "title", "stage", "review_date", "agency", "district")},
    )


class MouReviewScanner(RowScanner):
    """A thread of the worker process that sends due MOU review reminders."""

    thread_name = "mou-review-reminders"
    description = "MOU review reminder scan"

    def scan(self) -> None:
        from schoolsafe.sro.actions import do_send_mou_review_reminders

        sent = do_send_mou_review_reminders()
        if sent:
            logger.info("sent %d MOU review reminder(s)", sent)


def start_mou_review_scanner(worker_id: str | None = None, interval: float = SCAN_INTERVAL_SECONDS) -> MouReviewScanner:
    """Start the MOU review scan in a daemon thread of the current process (the worker)."""
    scanner = MouReviewScanner(interval, worker_id)
    scanner.start()
    return scanner
