"""Escalate unclaimed urgent tips and remind analysts of overdue ones (what the worker does on its own;
this is the backstop for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from schoolsafe.tips.actions import sweep_due_tips


class Command(BaseCommand):
    help = "Escalate unclaimed urgent tips and send reminders for tips past their deadline."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep_due_tips()
        nxt = result.next_due.isoformat() if result.next_due else "nothing pending"
        self.stdout.write(f"escalated {result.escalated}, reminded {result.reminded}; next due: {nxt}")
