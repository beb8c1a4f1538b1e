"""The alert events (docs/events.md): what each means and who the stream sends it to.

The first six may be carried by notification channels (worded by alerts/notify.py); an incident that becomes
more protective reaches every channel that carries "alert.raised".
"""

from schoolsafe.events.kinds import EventKind

NOTICE = "schoolsafe.alerts.notify:alert_notice"
PEOPLE = "the alert's audience: its tier at the school, the district, the serving agencies, who raised it"

KINDS = (
    EventKind("alert.raised", "An alert is raised", PEOPLE, notice=NOTICE),
    EventKind("alert.escalated", "An alert is escalated (dispatch did not acknowledge in time)",
              f"{PEOPLE}, and the role it is escalated to", notice=NOTICE),
    EventKind("alert.action_changed", "An incident changes to a more protective action (Secure to Lockdown, ...)",
              "everyone the incident reached before, and everyone the new action reaches", notice=NOTICE,
              carried_with="alert.raised"),
    EventKind("alert.all_clear", "The all clear is given", PEOPLE, notice=NOTICE),
    EventKind("alert.cancelled", "An alert is cancelled", PEOPLE, notice=NOTICE),
    EventKind("alert.threat_location", "Where the threat is, reported during an alert (top priority for dispatch)",
              f"{PEOPLE}, and police dispatch of every serving agency", notice=NOTICE),
    EventKind("alert.acknowledged", "Someone has the alert (dispatch: the escalation timer stops)", PEOPLE),
    EventKind("alert.cancel_requested", "Someone asks for the alert to be cancelled", PEOPLE),
    EventKind("alert.report", "Another report of the same incident", PEOPLE),
    EventKind("alert.room_status", "A room reports its status during an alert", PEOPLE),
    EventKind("alert.room_released", "A room is released during a lockdown", PEOPLE),
    EventKind("alert.message", "A message to everyone on the alert", PEOPLE),
    EventKind("alerts.drill_window", "A drill window is registered (dispatch expects an exercise)",
              "police dispatch of the serving agencies"),
)
