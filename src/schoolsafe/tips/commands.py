"""`schoolsafe tips-sweep`: escalations and deadline reminders now (kept light: Django loads later)."""

from __future__ import annotations

import argparse
from typing import Any


def cmd_tips_sweep(args: argparse.Namespace) -> int:
    from schoolsafe.tips.actions import sweep_due_tips

    result = sweep_due_tips()
    nxt = result.next_due.isoformat() if result.next_due else "nothing pending"
    print(f"escalated {result.escalated}, reminded {result.reminded}; next due: {nxt}")
    return 0


def add_commands(sub: Any) -> dict[str, Any]:
    sub.add_parser("tips-sweep", help="escalate unclaimed urgent tips and remind analysts of overdue tips now")
    return {"tips-sweep": cmd_tips_sweep}
