"""Who may do what with alerts (registered in the shared access policy table).

- raise: the people in the building or responsible for it: a school's staff and administrators, its SRO
  (an officer of the school, or of an agency serving it: police on scene raise through the same path), the
  district's safety director, and dispatchers and police supervisors of a serving agency (a 911 call
  about the school becomes an alert). Not: threat-assessment members as such (they are school staff and
  raise as staff), tip analysts, programme coordinators, community liaisons, agency administrators (back
  office roles; they call 911). A hardware trigger raises with an integration user holding `staff`.
- view / acknowledge: exactly the alert's audience (see audience.py), plus the person who raised it.
- all_clear / cancel: those who command the response: police (dispatch, supervisors, the SRO), the
  principal and the district director. Not every teacher: one teacher must not end a lockdown for the
  whole school. The person who raised an alert may also cancel it (raised by mistake).
- delivery: the delivery report names every recipient; for those who run the response only.
- room_status: the alert's audience at the school itself (staff, admins, SRO, threat-assessment members).
- message: the thread between dispatch and the school, for the whole audience.
- export: the ICS 214 activity log, for those who run the response (it names missing students).
- student_names: the names of missing and extra students on the board and in the timeline, for the same
  people as the export, each read audited; everyone else sees counts.
- release_room: a lockdown is released room by room in person by an officer or an administrator on site
  (SRP lockdown release); not dispatch, who is not on site.
- threat_location: where the threat is, reported by anyone the alert reaches (to dispatch, top priority).
- change_action: a more protective action for the incident, by whoever may raise alerts there.
- confirm_cancel: police dispatch (or a supervisor) of a serving agency confirms a requested cancel of a
  real lockdown after calling back (see actions.cancel_needs_confirmation).
An alert the user may not see is a 404; one they see but may not act on is a 403.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.loaders import get_or_404
from schoolsafe.access.policy import memberships, reached_schools, register
from schoolsafe.alerts.audience import DISPATCH_ROLES, TIER_AUDIENCE, audience_q
from schoolsafe.alerts.models import Alert

# The panic page is for the people in the building: staff, administrators, the SRO (dispatch raises from the console).
PANIC_PAGE_ROLES = frozenset({"staff", "school_admin", "officer"})
RAISE_ROLES = frozenset({"staff", "school_admin", "officer", "district_director", "dispatcher", "police_supervisor"})
VIEW_ROLES = frozenset(role for pairs in TIER_AUDIENCE.values() for _, role in pairs)
COMMAND_ROLES = frozenset({"dispatcher", "police_supervisor", "officer", "school_admin", "district_director"})
# Room status (accounting for all persons) comes from the people in the building: the alert's audience
# at the school itself (its staff, admins, SRO and threat-assessment members), not dispatch or the district.
ROOM_STATUS_ROLES = frozenset({"staff", "school_admin", "officer", "ta_member"})
# SRP lockdown release: law enforcement (the SRO, a police supervisor) or a school administrator, in person.
RELEASE_ROLES = frozenset({"officer", "police_supervisor", "school_admin"})


# Pages about a school or an agency rather than one alert, as rows of the organizations' table (so the
# navigation and the page ask the same row): the panic page, for the people in the building; panic
# credentials, issued by the school's principal; the dispatch console, for an agency's dispatch.
register("core.school", {"panic_page": PANIC_PAGE_ROLES, "panic_credentials": frozenset({"school_admin"})})
register("core.agency", {"dispatch_console": DISPATCH_ROLES})

# Drill windows: registered by those who run drills at the school (its administrators, its SRO, the
# district's safety director); seen by them and by dispatch, who take the drill's alerts as exercises.
DRILL_WINDOW_ROLES = frozenset({"school_admin", "officer", "district_director"})
register("alerts.drillwindow", {"view": DRILL_WINDOW_ROLES | DISPATCH_ROLES, "change": DRILL_WINDOW_ROLES},
         school_path="school")


def restrict_alerts(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """Alerts `user` may `action`: visible ones (the audience rule) that a membership with one of `roles`
    reaches; the person who raised an alert may also cancel it."""
    if action == "raise":
        # Raising is decided on the school (reaches_school), before any alert exists.
        return queryset.none()
    visible = audience_q(user)
    if action == "view":
        return queryset.filter(visible)
    acting = Q(school_id__in=reached_schools(user, roles).values("pk"))
    q = visible & acting
    if action == "cancel":
        q |= Q(raised_by_id=user.pk)
    return queryset.filter(q)


register("alerts.alert", {
    "view": VIEW_ROLES,
    "raise": RAISE_ROLES,
    "acknowledge": VIEW_ROLES,
    "all_clear": COMMAND_ROLES,
    "cancel": COMMAND_ROLES,
    "delivery": COMMAND_ROLES,
    "room_status": ROOM_STATUS_ROLES,
    # The thread between dispatch and the school: everyone the alert reaches may read and write in it.
    "message": VIEW_ROLES,
    # The ICS 214 activity log names students (missing, extra): for those who run the response.
    "export": COMMAND_ROLES,
    "student_names": COMMAND_ROLES,
    "release_room": RELEASE_ROLES,
    "threat_location": VIEW_ROLES,
    # A more protective action (Secure -> Lockdown): whoever may raise it may change the incident to it.
    "change_action": RAISE_ROLES,
    # A requested cancel of a real lockdown is confirmed by police dispatch, after a call-back.
    "confirm_cancel": DISPATCH_ROLES,
}, school_path="school", restrict=restrict_alerts)


def reaches_school(user: Any, school: Any, roles: frozenset[str]) -> bool:
    """Whether one of `user`'s memberships with a role in `roles` reaches `school` (a SchoolRef: id,
    district_id, agency_ids). The same reach rule as access.policy, decided without a query."""
    agencies = set(school.agency_ids)
    for m in memberships(user):
        if m.role in roles and (
            m.school_id == school.id or m.district_id == school.district_id or (m.agency_id in agencies)
        ):
            return True
    return False


def access_alert(user: Any, alert_id: int, action: str = "view") -> Alert:
    """The alert `user` may `action`: 404 if they cannot see it, 403 if they see it but may not."""
    return get_or_404(Alert.objects.select_related("school", "raised_by", "school__district"), user, action,
                      pk=alert_id)
