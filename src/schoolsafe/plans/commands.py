"""`schoolsafe plans-remind`: send the yearly plan review reminders now (for cron, or by hand).

Imported before Django is set up: only argparse at the top level.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(sub: Any) -> dict[str, Any]:
    sub.add_parser("plans-remind", help="remind of emergency plans due for review within 30 days or overdue")
    return {"plans-remind": cmd_plans_remind}


def cmd_plans_remind(args: argparse.Namespace) -> int:
    from schoolsafe.plans.actions import do_send_plan_review_reminders

    sent = do_send_plan_review_reminders()
    print(f"plans-remind: {sent} reminder{'s' if sent != 1 else ''} sent")
    return 0
