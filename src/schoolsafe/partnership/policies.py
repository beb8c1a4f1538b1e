"""Who may read and change the partnership records."""

from __future__ import annotations

# --- Joint meetings and action items ----------------------------------------------------------------------
# The partnership is led, on each side, by the people who answer for it: the agency's administrators and
# supervisors, the district's safety director, and the principal of the meeting's school. They see and change
# the meetings and items of their side. Attendees see the meetings they were invited to and their items; an
# item's owner sees the item and may update its status and evidence. Anyone else, a teacher of the same
# school included, gets a 404: minutes of a threat-assessment coordination meeting are not staff reading.
from typing import Any  # noqa: E402

from django.db import models  # noqa: E402
from django.db.models import Q  # noqa: E402

from schoolsafe.access.loaders import get_or_404  # noqa: E402
from schoolsafe.access.policy import ALL_ROLES, memberships, register  # noqa: E402

AGENCY_LEADS = frozenset({"agency_admin", "police_supervisor"})
DISTRICT_LEADS = frozenset({"district_director"})
SCHOOL_LEADS = frozenset({"school_admin"})
PARTNERSHIP_LEADS = AGENCY_LEADS | DISTRICT_LEADS | SCHOOL_LEADS


def _led(user: Any, roles: frozenset[str]) -> dict[str, set[int]]:
    """The agencies, districts and schools that `user` leads the partnership for, with one of `roles`."""
    led: dict[str, set[int]] = {"agency": set(), "district": set(), "school": set()}
    for m in memberships(user):
        if m.role not in roles:
            continue
        if m.agency_id and m.role in AGENCY_LEADS:
            led["agency"].add(m.agency_id)
        elif m.district_id and m.role in DISTRICT_LEADS:
            led["district"].add(m.district_id)
        elif m.school_id and m.role in SCHOOL_LEADS:
            led["school"].add(m.school_id)
    return led


def _meeting_leads_q(led: dict[str, set[int]], prefix: str = "") -> Q:
    return (Q(**{f"{prefix}agency_id__in": sorted(led["agency"])})
            | Q(**{f"{prefix}district_id__in": sorted(led["district"])})
            | Q(**{f"{prefix}school_id__in": sorted(led["school"])}))


def _attended(user: Any) -> models.QuerySet:
    from schoolsafe.partnership.models import JointMeeting

    return JointMeeting.attendees.through.objects.filter(user_id=user.pk).values("jointmeeting_id")


def restrict_meetings(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """Leads of either side (or of the meeting's school); for "view", also the attendees and items' owners."""
    q = _meeting_leads_q(_led(user, roles))
    if action == "view":
        from schoolsafe.partnership.models import ActionItem

        q |= Q(pk__in=_attended(user)) | Q(pk__in=ActionItem.objects.filter(owner_id=user.pk).values("meeting_id"))
    return queryset.filter(q)


def restrict_action_items(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """Leads of the item's meeting or of its own organization (a school's item: also its district's director);
    for "view", the meeting's attendees; for "view" and "update", the item's owner."""
    led = _led(user, roles)
    q = (_meeting_leads_q(led, "meeting__") | _meeting_leads_q(led)
         | Q(school__district_id__in=sorted(led["district"])))
    if action == "view":
        q |= Q(meeting_id__in=_attended(user))
    if action in ("view", "update"):
        q |= Q(owner_id=user.pk)
    return queryset.filter(q)


# "view" and "update" are open to every role because attendance and ownership are not roles; the rules
# above narrow them to the leads, the attendees and the owner.
register("partnership.jointmeeting", {"view": ALL_ROLES, "change": PARTNERSHIP_LEADS}, restrict=restrict_meetings)
register("partnership.actionitem", {"view": ALL_ROLES, "change": PARTNERSHIP_LEADS, "update": ALL_ROLES},
         restrict=restrict_action_items)


def leads_organization(user: Any, organization: Any) -> bool:
    """Whether `user` leads the partnership for `organization` (an agency, a district or a school; a school
    is led by its principal and by its district's director)."""
    led = _led(user, PARTNERSHIP_LEADS)
    kind = organization._meta.model_name
    if kind == "school":
        return organization.pk in led["school"] or organization.district_id in led["district"]
    return organization.pk in led.get(kind, set())


def leads_either_side(user: Any, agency: Any, district: Any, school: Any = None) -> bool:
    """Whether `user` may arrange a meeting between `agency` and `district` (about `school`)."""
    led = _led(user, PARTNERSHIP_LEADS)
    return (agency.pk in led["agency"] or district.pk in led["district"]
            or (school is not None and school.pk in led["school"]))


def access_meeting(user: Any, meeting_id: int, action: str = "view") -> Any:
    from schoolsafe.partnership.models import JointMeeting

    return get_or_404(JointMeeting.objects.select_related("agency", "district", "school", "organizer"), user,
                      action, pk=meeting_id)


def access_action_item(user: Any, item_id: int, action: str = "view") -> Any:
    from schoolsafe.partnership.models import ActionItem

    return get_or_404(ActionItem.objects.select_related("meeting", "owner", "agency", "district", "school"), user,
                      action, pk=item_id)
