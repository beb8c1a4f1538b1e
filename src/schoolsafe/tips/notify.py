"""The tip events as notification channels send them (email, SMS, webhooks): the message names the tip, never
its content, since channels leave the platform. Called by the notifications app as a consumer of the event
(tips/event_kinds.py), in the transaction of the action that emitted it."""

from __future__ import annotations

from typing import Any

from schoolsafe.events.kinds import Notice
from schoolsafe.events.models import Event
from schoolsafe.tips.urgency import rulebook


def dispatch_notice(event: Event, context: dict[str, Any]) -> Notice:
    """A tip sent to police dispatch, from the console item the event carries (tips/actions.py, dispatch_item)."""
    item = event.data
    label = "Urgent tip" if item["urgent"] else "Tip"
    where = f"{item['category_label']} at {item['school']['name']}"
    return Notice(
        subject=f"{label} for dispatch: {where}",
        text=f"{label} for police dispatch: {where} ({item['reason']}). Open it at /tips/{item['tip_id']}/",
        payload={k: item[k] for k in ("tip_id", "urgent", "category", "school", "received_at", "reason")},
    )


def escalation_notice(event: Event, context: dict[str, Any]) -> Notice:
    """An urgent tip nobody claimed in time; who is on call, or that nobody is."""
    tip, analyst = context["tip"], context.get("analyst")
    school = tip.school.name if tip.school_id else "school removed"
    who = f" On call: {analyst.display_name}." if analyst else " Nobody is on call: every analyst of the tip is told."
    minutes = int(rulebook().escalate_after.total_seconds() // 60)
    return Notice(
        subject=f"Urgent tip {tip.code} not claimed in time",
        text=(f"Urgent tip {tip.code} ({tip.get_category_display()}, {school}) was not claimed within "
              f"{minutes} minutes.{who} Open it at /tips/{tip.pk}/"),
        payload={"tip_id": tip.pk, "code": tip.code, "category": tip.category, "school_id": tip.school_id,
                 "on_call": analyst.username if analyst else None},
    )
