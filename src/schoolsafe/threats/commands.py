"""`schoolsafe threats remind`: send the follow-up reminders that are due (for cron, when no worker runs).

Imported before Django is set up: keep the top level light.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(sub: Any) -> dict[str, Any]:
    threats = sub.add_parser("threats", help="threat assessment: send due follow-up reminders")
    threats_sub = threats.add_subparsers(dest="threats_command", metavar="SUBCOMMAND", parser_class=type(threats))
    threats_sub.required = True
    threats_sub.add_parser("remind", help="mail each responsible member the safety-plan follow-ups due today or overdue")
    return {"threats": cmd_threats}


def cmd_threats(args: argparse.Namespace) -> int:
    from schoolsafe.threats.actions import do_send_follow_up_reminders

    sent = do_send_follow_up_reminders()
    print(f"{sent} follow-up reminder{'s' if sent != 1 else ''} sent.")
    return 0
