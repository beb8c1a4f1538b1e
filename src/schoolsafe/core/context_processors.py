"""What every page's layout needs: the navigation for the user's roles, and whether the page listens for
alerts (every page of a fully signed-in user: alerts/static/alerts/listen.js)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from schoolsafe.accounts.mfa import second_factor_required
from schoolsafe.alerts.policies import VIEW_ROLES
from schoolsafe.core.policy import roles_of
from schoolsafe.events.bus import newest_event_id

# (label, url name, roles that see it; None: every signed-in user)
NAVIGATION: list[tuple[str, str, frozenset[str] | None]] = [
    ("My schools", "home", None),
    # Mirrors schoolsafe.alerts: the panic page for the people in the building, the console for police dispatch.
    ("Raise alert", "alerts:panic", frozenset({"staff", "school_admin", "officer"})),
    ("Dispatch console", "alerts:console", frozenset({"dispatcher", "police_supervisor"})),
    # Mirrors schoolsafe.alerts.policies.VIEW_ROLES.
    ("Alerts", "alerts:history", VIEW_ROLES),
    # Mirrors schoolsafe.plans.policies.PLAN_READERS.
    ("Emergency plans", "plans-dashboard", frozenset({"school_admin", "staff", "district_director", "ta_member",
                                                      "dispatcher", "officer", "police_supervisor", "agency_admin"})),
    # Mirrors schoolsafe.threats.policies: the team's dashboard, and the referral form for any adult of a school.
    ("Threat assessment", "threats:dashboard", frozenset({"ta_member"})),
    ("Refer a concern", "threats:refer", frozenset({"staff", "school_admin", "officer", "program_coordinator",
                                                     "district_director"})),
    ("Threat-assessment counts", "threats:report", frozenset({"school_admin", "district_director"})),
    # Mirrors schoolsafe.tips.policies: analysts, and those a tip can be routed to.
    ("Tip line", "tips:queue", frozenset({"tip_analyst", "school_admin", "dispatcher", "police_supervisor",
                                           "ta_member"})),
    # Mirrors schoolsafe.audit.policies.AUDIT_READERS (superusers see every entry).
    ("Audit log", "audit-log", frozenset({"agency_admin", "district_director"})),
    # Mirrors schoolsafe.notifications.policies.CHANNEL_ADMINS.
    ("Notifications", "notifications-channels", frozenset({"agency_admin", "district_director", "school_admin"})),
    # Mirrors schoolsafe.alerts.credentials.issuing_schools and schoolsafe.accounts.terminals.
    ("Panic buttons", "alerts:panic-credentials", frozenset({"school_admin"})),
    ("Receive-only terminals", "account-terminals", frozenset({"agency_admin"})),
    ("Security", "account-mfa", None),
    ("API tokens", "account-tokens", None),
]


# Pages about the organizations a person belongs to: a platform administrator with no membership has none,
# and would meet a bare 404 there, so these are shown to them only through a role (the Django admin is theirs).
NEEDS_MEMBERSHIP = frozenset({"threats:report", "notifications-channels", "alerts:panic-credentials",
                              "account-terminals"})


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = roles_of(user)
    items = []
    for label, url_name, allowed in NAVIGATION:
        if allowed is None or roles & allowed or (user.is_superuser and url_name not in NEEDS_MEMBERSHIP):
            url = reverse(url_name)
            items.append({"label": label, "url": url, "current": request.path == url})
    if user.is_staff:
        items.append({"label": "Admin", "url": reverse("admin:index"), "current": False})
    # A user still owing a second factor gets no event stream (it would answer 401) and no banner.
    listens = not second_factor_required(user) or bool(getattr(user, "is_verified", lambda: False)())
    # A callable: the template asks only when it renders the attribute (one query on the primary key).
    return {"nav_items": items, "user_roles": sorted(roles), "listens_for_alerts": listens,
            "events_since": newest_event_id, "lockdown_schools": lambda: lockdown_schools(user)}


def lockdown_schools(user: Any) -> str:
    """The schools (comma-separated ids) where a lockdown the user may see is in force: their pages stay silent
    (SRP; alerts/static/alerts/live.js, `SS.soundDecision`)."""
    from schoolsafe.alerts.models import Alert

    ids = (Alert.objects.restrict(user, "view").filter(status="active", action="lockdown")
           .exclude(tier="assist").values_list("school_id", flat=True).distinct())
    return ",".join(str(i) for i in sorted(set(ids)))
