"""Who may do what with tips (need-to-know; the rules of reach are in `restrict_tips`).

- view: the tip analysts of the tip's district or of an agency serving its school; and whoever the tip
  was routed to: the school's administrators, the serving agencies' dispatchers and police supervisors,
  the school's (or district's) threat-assessment team.
- change (triage: claim, message, note, flag, route, close): the tip analysts.
- report (the annual report's counts): tip analysts and district safety directors.
- acknowledge_dispatch: the serving agencies' dispatchers and police supervisors, for tips routed to police.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.loaders import get_or_404
from schoolsafe.access.policy import memberships, register
from schoolsafe.audit.models import need_to_know
from schoolsafe.tips.models import Destination, Tip, TipRoute

ANALYSTS = frozenset({"tip_analyst"})
ROUTED_READERS = frozenset({"school_admin", "dispatcher", "police_supervisor", "ta_member"})



def _routed(destination: str) -> models.QuerySet:
    return TipRoute.objects.filter(destination=destination).values("tip_id")


def restrict_tips(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """Tips are need-to-know. Analysts of a district see its tips; analysts of an agency see tips
    about the schools it serves. A tip routed onward is also seen by who it was routed to: the
    school's administrators, the serving agencies' dispatch, the threat-assessment team. District
    directors get the annual report ("report") for their district, not the tips themselves."""
    from schoolsafe.core.models import School

    q = Q(pk__in=[])
    for m in memberships(user):
        if m.role not in roles:
            continue
        served = School.agencies.through.objects.filter(agency_id=m.agency_id).values("school_id")
        if m.role == "tip_analyst" or (m.role == "district_director" and action == "report"):
            if m.district_id:
                q |= Q(district_id=m.district_id)
            elif m.agency_id:
                q |= Q(school_id__in=served)
        elif m.role == "school_admin" and m.school_id:
            q |= Q(school_id=m.school_id, pk__in=_routed(Destination.SCHOOL))
        elif m.role in ("dispatcher", "police_supervisor") and m.agency_id:
            q |= Q(school_id__in=served, pk__in=_routed(Destination.POLICE))
        elif m.role == "ta_member":
            where = Q(school_id=m.school_id) if m.school_id else Q(district_id=m.district_id)
            q |= where & Q(pk__in=_routed(Destination.THREAT_ASSESSMENT))
    return queryset.filter(q)


register("tips.tip", {
    "view": ANALYSTS | ROUTED_READERS,
    "change": ANALYSTS,
    "report": ANALYSTS | {"district_director"},
    # Dispatch acknowledges a tip sent to it (the console's tone stops); only tips routed to police reach them.
    "acknowledge_dispatch": frozenset({"dispatcher", "police_supervisor"}),
}, restrict=restrict_tips)
# A tip's audit rows (its code, category, who handled it) are shown only to who may see the tip.
need_to_know("tips.tip")


def access_tip(user: Any, tip_id: int, action: str = "view") -> Tip:
    """The tip `user` may `action`: 404 if they cannot see it, 403 if they see it but may not."""
    return get_or_404(Tip.objects.select_related("claimed_by", "school", "district"), user, action, pk=tip_id)
