"""Who an alert reaches: its audience keys (docs/alerts.md), and the same rule as a query.

One table drives both the event audience and who may see an alert in the API, so a person who can read
an alert through the API is exactly a person its events reach.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from schoolsafe.access.policy import memberships
from schoolsafe.alerts.models import DispatchLevel, Tier

# (organization kind, role) pairs each tier reaches. Emergency: police dispatch and supervisors of every
# agency serving the school, the school's SRO, all its staff, admins and threat-assessment team, and the
# district's safety director. Assist ("staff help needed"): the school's admins and SRO only.
TIER_AUDIENCE: dict[str, frozenset[tuple[str, str]]] = {
    Tier.EMERGENCY: frozenset({
        ("agency", "dispatcher"),
        ("agency", "police_supervisor"),
        ("school", "officer"),
        ("school", "staff"),
        ("school", "school_admin"),
        ("school", "ta_member"),
        ("district", "district_director"),
    }),
    Tier.ASSIST: frozenset({("school", "school_admin"), ("school", "officer")}),
}
# The people whose acknowledgement stops an escalation timer: police dispatch of a serving agency (a
# supervisor who acknowledges has taken it on, which is what escalation asks of them).
DISPATCH_ROLES = frozenset({"dispatcher", "police_supervisor"})


# Police dispatch and supervisors of the serving agencies: the agency side of an alert's audience, for every
# alert whose route sends it to dispatch (alerts/routing.py), whatever its tier; for no other alert.
DISPATCH_AUDIENCE = frozenset({("agency", "dispatcher"), ("agency", "police_supervisor")})


def audience_pairs(tier: str, dispatch: str = DispatchLevel.PRIORITY) -> frozenset[tuple[str, str]]:
    """The (organization kind, role) pairs an alert of `tier` reaches, with its route's `dispatch`."""
    at_school = frozenset(pair for pair in TIER_AUDIENCE[tier] if pair[0] != "agency")
    return at_school | DISPATCH_AUDIENCE if dispatch != DispatchLevel.NONE else at_school


def audience_keys(
    tier: str, school_id: int, district_id: int, agency_ids: Iterable[int], raised_by_id: int | None,
    dispatch: str = DispatchLevel.PRIORITY,
) -> list[str]:
    """The audience keys of an alert of `tier` at a school; the agencies' people only when its route sends
    it to dispatch (alerts/routing.py)."""
    org_ids = {"school": [school_id], "district": [district_id], "agency": sorted(set(agency_ids))}
    keys = {f"{kind}:{org_id}:{role}" for kind, role in audience_pairs(tier, dispatch) for org_id in org_ids[kind]}
    if raised_by_id is not None:
        # The person who raised it sees acknowledgements and the all clear.
        keys.add(f"user:{raised_by_id}")
    return sorted(keys)


def escalation_role(role: str) -> str:
    """The role an escalation goes to: the policy's, if that role may see the alert; otherwise the police
    supervisor. An escalation is a call to act on the alert, so it must never go to someone who cannot open
    it (an agency administrator is a back-office role outside the alert's audience: a 404)."""
    if ("agency", role) in DISPATCH_AUDIENCE:
        return role
    return "police_supervisor"


def escalation_keys(role: str, agency_ids: Iterable[int], dispatch: str = DispatchLevel.PRIORITY) -> list[str]:
    """The keys of the people an escalation goes to: `role` in every agency serving the school, and only
    while that role is in the alert's audience (who may see it)."""
    if dispatch == DispatchLevel.NONE or ("agency", role) not in DISPATCH_AUDIENCE:
        return []
    return sorted(f"agency:{agency_id}:{role}" for agency_id in set(agency_ids))


def audience_q(user: Any) -> Q:
    """A Q over Alert matching the alerts whose audience includes `user` (the same rule as the keys)."""
    from schoolsafe.core.models import School

    q = Q(raised_by_id=user.pk) if getattr(user, "pk", None) else Q(pk__in=[])
    reach: dict[str, dict[str, set[int]]] = {tier: {"school": set(), "district": set()} for tier in TIER_AUDIENCE}
    agencies: set[int] = set()
    for m in memberships(user):
        kind = m.organization_kind
        if kind == "agency":
            if (kind, m.role) in DISPATCH_AUDIENCE and m.agency_id is not None:
                agencies.add(m.agency_id)
            continue
        for tier, pairs in TIER_AUDIENCE.items():
            if (kind, m.role) in pairs:
                org_id = m.school_id if kind == "school" else m.district_id
                if org_id is not None:  # the membership's constraint: the one of its kind is set
                    reach[tier][kind].add(org_id)
    for tier, by_kind in reach.items():
        if by_kind["school"]:
            q |= Q(reach=tier, school_id__in=sorted(by_kind["school"]))
        if by_kind["district"]:
            q |= Q(reach=tier, school__district_id__in=sorted(by_kind["district"]))
    if agencies:
        served = School.agencies.through.objects.filter(agency_id__in=sorted(agencies))
        # Only alerts routed to dispatch (a Hold, or a drill outside a registered window, stays at school).
        q |= Q(school_id__in=served.values("school_id")) & ~Q(dispatch=DispatchLevel.NONE)
    return q
