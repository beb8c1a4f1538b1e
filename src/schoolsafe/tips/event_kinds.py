"""The tip events: the data never holds tip text (who receives one loads the tip through the access policy).

An escalation and a tip sent to dispatch may also go out through notification channels (tips/notify.py).
"""

from schoolsafe.events.kinds import EventKind

ANALYSTS = "the tip's analysts (district and serving agencies)"

KINDS = (
    EventKind("tip.escalated", "A tip is escalated", ANALYSTS, notice="schoolsafe.tips.notify:escalation_notice"),
    EventKind("tip.dispatch", "A tip is sent to police dispatch", "police dispatch of the serving agencies",
              notice="schoolsafe.tips.notify:dispatch_notice"),
    EventKind("tip.received", "A tip is received", ANALYSTS),
    EventKind("tip.tipster_replied", "The tipster replies", "the tip's assignee or analysts"),
    EventKind("tip.assigned", "A tip is assigned to an analyst", "the assignee"),
    EventKind("tip.routed", "A tip is routed (school team, police)", "the destination's people"),
    EventKind("tip.dispatch_acknowledged", "Dispatch acknowledges a tip", "police dispatch of the serving agencies"),
    EventKind("tip.overdue", "An open tip is past its deadline", ANALYSTS),
)
