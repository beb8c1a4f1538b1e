"""Background work for tips, run by `schoolsafe worker`: escalation of unclaimed urgent tips and
reminders for tips past their deadline.

Why one idempotent sweep rather than one task per timer: the tip row is the only record of what is
due (claimed? escalated? reminded?), each step claims its work with a conditional UPDATE, and a sweep
that failed is simply done again by the next one. Submitting a tip enqueues a sweep for the moment
it falls due (a row in the same transaction as the tip, so it survives any restart); each sweep
enqueues the next. `schoolsafe tips-sweep` does the same from cron, as a backstop.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from schoolsafe.tips.actions import sweep_due_tips


def _pending_sweep_at_or_before(when: Any) -> bool:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=sweep_tips.module_path, status=TaskResultStatus.READY, run_after__lte=when
    ).exists()


HINT_KEY = "tips:sweep-queued-at"


def ensure_sweep_by(when: Any) -> None:
    """Queue a sweep for `when` unless one is already queued for then or earlier.

    In a flood of tips most find a sweep already queued; a hint in the cache (the earliest sweep this
    instance saw queued, set only once its row committed, forgotten when it falls due) spares them the
    query. Without the hint, or past it, the task table is asked."""
    from django.core.cache import cache
    from django.db import transaction
    from django.utils import timezone

    now = timezone.now()
    hint = cache.get(HINT_KEY)
    if hint is not None and now < hint <= when:
        return
    if _pending_sweep_at_or_before(when):
        return
    sweep_tips.using(run_after=when).enqueue()
    seconds = (when - now).total_seconds()
    if seconds > 1:
        transaction.on_commit(lambda: _remember(when, seconds))


def _remember(when: Any, seconds: float) -> None:
    from django.core.cache import cache

    hint = cache.get(HINT_KEY)
    if hint is None or when < hint:
        cache.set(HINT_KEY, when, timeout=int(seconds))


@task()
def sweep_tips() -> dict[str, Any]:
    """Escalate and remind what is due, then queue the next sweep for whatever falls due next (also when
    this one failed half-way, so the chain of sweeps never breaks)."""
    try:
        result = sweep_due_tips()
    except Exception:
        retry_at = next_due_after_failure()
        if retry_at is not None:
            ensure_sweep_by(retry_at)
        raise
    if result.next_due is not None:
        ensure_sweep_by(result.next_due)
    return {"escalated": result.escalated, "reminded": result.reminded,
            "next_due": result.next_due.isoformat() if result.next_due else None}


def next_due_after_failure() -> Any:
    """After a failed sweep: try again in a minute while any tip is open."""
    from django.utils import timezone

    from schoolsafe.tips.models import Status, Tip

    if Tip.objects.exclude(status=Status.CLOSED).exists():
        return timezone.now() + dt.timedelta(minutes=1)
    return None
