"""Who may read and change the partnership records."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.loaders import get_or_404
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import ALL_ROLES, memberships, organizations_of, register

# --- Information-sharing agreements and the 24/7 contact directory (models/agreements.py) -------------


AGREEMENT_READERS = frozenset({"agency_admin", "police_supervisor", "district_director", "school_admin"})
AGREEMENT_EDITORS = frozenset({"agency_admin", "district_director"})
POLICE = frozenset({"dispatcher", "officer", "police_supervisor", "agency_admin"})
DIRECTORY_READERS = POLICE | {"district_director", "school_admin", "staff"}
DIRECTORY_EDITORS = frozenset({"school_admin", "agency_admin", "district_director"})


def restrict_agreements(queryset: models.QuerySet, user: Any, action: str,
                        roles: frozenset[str]) -> models.QuerySet:
    """An agreement is seen by its parties: an agency membership reaches the agency's agreements, a district
    membership the district's, a school membership those of the school's district."""
    from schoolsafe.core.models import School

    agencies: set[int] = set()
    districts: set[int] = set()
    schools: set[int] = set()
    for key in organizations_of(user, roles):
        {"agency": agencies, "district": districts, "school": schools}[key.kind].add(key.id)
    districts |= set(School.objects.filter(pk__in=sorted(schools)).values_list("district_id", flat=True))
    matching = queryset.model.objects.filter(Q(agencies__in=sorted(agencies)) | Q(districts__in=sorted(districts)))
    return queryset.filter(pk__in=matching.values("pk"))


def restrict_directory(queryset: models.QuerySet, user: Any, action: str,
                       roles: frozenset[str]) -> models.QuerySet:
    """Who reads and changes which 24/7 entries:

    - police (an agency membership) read their agency's entries and its PSAP's, and the entries of the
      schools the agency serves; the agency administrator changes the agency's and the PSAP's only;
    - the district safety director reads and changes every entry of the district: its schools', and those of
      the agencies serving them and their PSAPs;
    - at a school, its administrator, staff and SRO read the school's entries and those of the agencies serving
      it; staff not the PSAP's (staff call the school's people and the police, not the 911 centre's desk); the
      administrator changes the school's entries only."""
    q = Q(pk__in=[])
    for m in memberships(user):
        if m.role not in roles:
            continue
        key = OrgKey.owner_of(m)
        if key.kind == "agency":
            q |= Q(agency_id=key.id)
            if action == "view":
                q |= Q(school__agencies=key.id)
        elif key.kind == "district":
            q |= Q(school__district_id=key.id) | Q(agency__schools__district_id=key.id)
        else:
            q |= Q(school_id=key.id)
            if action == "view":
                kinds = ["agency"] if m.role == "staff" else ["agency", "psap"]
                q |= Q(agency__schools=key.id, kind__in=kinds)
    matching = queryset.model.objects.filter(q)
    return queryset.filter(pk__in=matching.values("pk"))


register("partnership.sharingagreement", {"view": AGREEMENT_READERS, "change": AGREEMENT_EDITORS},
          restrict=restrict_agreements)
register("partnership.directoryentry", {"view": DIRECTORY_READERS, "change": DIRECTORY_EDITORS},
          restrict=restrict_directory)


def access_agreement(user: Any, agreement_id: int, action: str = "view") -> Any:
    from schoolsafe.partnership.models import SharingAgreement

    return get_or_404(SharingAgreement.objects.all(), user, action, pk=agreement_id)


def access_directory_entry(user: Any, entry_id: int, action: str = "view") -> Any:
    from schoolsafe.partnership.models import DirectoryEntry

    return get_or_404(DirectoryEntry.objects.select_related("school", "agency"), user, action, pk=entry_id)


def access_directory_agency(user: Any, agency_id: int) -> Any:
    """The agency, for its directory page or a new entry of it: 404 unless the user sees the agency (a member,
    or one of the schools it serves)."""
    from schoolsafe.core.models import Agency

    return get_or_404(Agency.objects.all(), user, "view", pk=agency_id)


def may_add_directory_entry(user: Any, *, school: Any = None, agency: Any = None) -> bool:
    """Whether `user` may add an entry of this school (or this agency or its PSAP): the "change" half of
    restrict_directory for a row not yet written."""
    from schoolsafe.core.models import School

    roles = DIRECTORY_EDITORS
    for m in memberships(user):
        if m.role not in roles:
            continue
        key = OrgKey.owner_of(m)
        if school is not None and ((key.kind == "school" and key.id == school.pk)
                                   or (key.kind == "district" and key.id == school.district_id)):
            return True
        if agency is not None and ((key.kind == "agency" and key.id == agency.pk) or (
                key.kind == "district" and School.objects.filter(district_id=key.id, agencies=agency).exists())):
            return True
    return False


# --- Joint meetings and action items ----------------------------------------------------------------------
# The partnership is led, on each side, by the people who answer for it: the agency's administrators and
# supervisors, the district's safety director, and the principal of the meeting's school. They see and change
# the meetings and items of their side. Attendees see the meetings they were invited to and their items; an
# item's owner sees the item and may update its status and evidence. Anyone else, a teacher of the same
# school included, gets a 404: minutes of a threat-assessment coordination meeting are not staff reading.


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
