"""Background work for tips, run by `schoolsafe worker`: escalation of unclaimed urgent tips and
reminders for tips past their deadline.

Why one idempotent sweep rather than one task per timer: the tip row is the only record of what is
due (claimed? escalated? reminded?), each step claims its work with a conditional UPDATE, and a sweep
that failed is simply done again by the next one. Submitting a tip enqueues a sweep for the moment
it falls due (a row in the same transaction as the tip, so it survives any restart); each sweep
enqueues the next. `schoolsafe tips-sweep` does the same from cron, as a backstop.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from schoolsafe.tips.actions import sweep_due_tips


def _pending_sweep_at_or_before(when: Any) -> bool:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=sweep_tips.module_path, status=TaskResultStatus.READY, run_after__lte=when
    ).exists()


@task()
def sweep_tips() -> dict[str, Any]:
    """Escalate and remind what is due, then schedule the next sweep when something else falls due."""
    result = sweep_due_tips()
    if result.next_due is not None and not _pending_sweep_at_or_before(result.next_due):
        sweep_tips.using(run_after=result.next_due).enqueue()
    return {"escalated": result.escalated, "reminded": result.reminded,
            "next_due": result.next_due.isoformat() if result.next_due else None}
