"""What other apps may read of alerts: an alert as a user may see it, what the user may do with it, its
directive in the school's words, whether a lockdown is in force, whether a person acknowledged.

The installed app and push (the reach app) read alerts only here; every load goes through the access policy.
"""

from __future__ import annotations

from typing import Any

from schoolsafe.alerts.delivery import PATH_REPORTERS, PathReporter
from schoolsafe.alerts.models import Acknowledgement, Alert, Status
from schoolsafe.alerts.notify import alert_message
from schoolsafe.alerts.policies import access_alert
from schoolsafe.alerts.wording import directive_of

__all__ = ["access_alert", "acknowledged", "alert_message", "directive_of", "is_active", "lockdown_in_force",
           "may", "register_path_reporter"]


def register_path_reporter(reporter: PathReporter) -> None:
    """Add the paths an app tries to reach people by (push, SMS) to every alert's delivery report."""
    if reporter not in PATH_REPORTERS:
        PATH_REPORTERS.append(reporter)


def may(user: Any, alert_id: int, *actions: str) -> dict[str, bool]:
    """For each action, whether the access policy lets `user` do it to the alert."""
    return {action: Alert.objects.restrict(user, action).filter(pk=alert_id).exists() for action in actions}


def is_active(alert: Alert) -> bool:
    """The alert is still in force (not ended or cancelled)."""
    return alert.status == Status.ACTIVE


def lockdown_in_force(school_id: int) -> bool:
    """A lockdown (not a staff-assist call) is in force at the school: its pages and pushes stay silent (SRP)."""
    return Alert.objects.filter(school_id=school_id, action="lockdown", status=Status.ACTIVE).exclude(
        tier="assist").exists()


def acknowledged(alert_id: int, user_id: int) -> bool:
    """The person acknowledged the alert."""
    return Acknowledgement.objects.filter(alert_id=alert_id, user_id=user_id).exists()
