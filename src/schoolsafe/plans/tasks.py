"""Background work for plans: the yearly review reminders.

Approving a version enqueues two sweeps, one when the review falls due within 30 days and one the day after
it is overdue; each sweep reminds every plan that needs it (once per plan, kind and due date), so a sweep
that runs late or twice does no harm. `schoolsafe plans-remind` runs the same sweep from cron as a backstop.
"""

from __future__ import annotations

from django_tasks import task


@task()
def send_plan_review_reminders() -> int:
    """Remind school administrators and district directors of plans due for review or overdue."""
    from schoolsafe.plans.actions import do_send_plan_review_reminders

    return do_send_plan_review_reminders()
