"""Background work for accounts."""

from __future__ import annotations

from django_tasks import task


@task()
def end_expired_locks() -> int:
    """Write the end of each account lock whose 10 minutes are over to the audit log."""
    from schoolsafe.accounts.actions import do_end_expired_locks

    return do_end_expired_locks()
