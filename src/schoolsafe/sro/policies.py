"""Who may read and change the SRO program records."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from schoolsafe.access.loaders import get_or_404
from schoolsafe.access.policy import organizations_of, reached_schools, register

# --- MOU register (models/mou.py) ---------------------------------------------------------------
# An MOU binds an agency and a district: read by the agency's administrators, supervisors and officers, the
# district's director and the administrators of the district's schools that the agency serves; changed by
# the two parties' administrators (the agency administrator and the district safety director).


MOU_READERS = frozenset({"agency_admin", "police_supervisor", "officer", "district_director", "school_admin"})
MOU_EDITORS = frozenset({"agency_admin", "district_director"})


def restrict_mous(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """An agency membership reaches the agency's MOUs, a district membership the district's; a school
    membership the MOUs of the school's district with an agency that serves the school."""
    from schoolsafe.core.models import School

    q = Q(pk__in=[])
    schools: set[int] = set()
    for key in organizations_of(user, roles):
        if key.kind == "agency":
            q |= Q(agency_id=key.id)
        elif key.kind == "district":
            q |= Q(district_id=key.id)
        else:
            schools.add(key.id)
    for district_id, agency_id in School.objects.filter(pk__in=sorted(schools), agencies__isnull=False).values_list(
            "district_id", "agencies"):
        q |= Q(district_id=district_id, agency_id=agency_id)
    return queryset.filter(q)


register("sro.mou", {"view": MOU_READERS, "change": MOU_EDITORS}, restrict=restrict_mous)


def access_mou(user: Any, mou_id: int, action: str = "view") -> Any:
    from schoolsafe.sro.models import Mou

    return get_or_404(Mou.objects.select_related("agency", "district"), user, action, pk=mou_id)
# --- Assignments, coverage and the activity log (models/program.py) ---------------------------------------


POLICE = frozenset({"agency_admin", "police_supervisor", "officer", "dispatcher"})
POLICE_LEADS = frozenset({"agency_admin", "police_supervisor"})
SCHOOL_LEADS = frozenset({"district_director", "school_admin"})
# Police of the serving agencies, the district's director and the school's administrators see who is posted.
COVERAGE_READERS = POLICE | SCHOOL_LEADS
ACTIVITY_READERS = POLICE_LEADS | {"officer"} | SCHOOL_LEADS


def agencies_where(user: Any, roles: frozenset[str]) -> set[int]:
    """The ids of the agencies where `user` holds one of `roles`."""
    return {key.id for key in organizations_of(user, roles) if key.kind == "agency"}


def restrict_assignments(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """Seen by whoever reaches the school with a reader's role; changed only by the leads of the assignment's
    own agency (a sheriff's sergeant does not move the city's officers)."""
    if action == "view":
        return queryset.filter(school__in=reached_schools(user, roles).values("pk"))
    return queryset.filter(agency_id__in=sorted(agencies_where(user, roles)))


def restrict_blocks(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    if action == "view":
        return queryset.filter(assignment__school__in=reached_schools(user, roles).values("pk"))
    return queryset.filter(assignment__agency_id__in=sorted(agencies_where(user, roles)))


def restrict_reviews(queryset: models.QuerySet, user: Any, action: str, roles: frozenset[str]) -> models.QuerySet:
    """A month's review belongs to the officer's agency: its leads see it, the officer sees their own."""
    own = models.Q(officer=user) if action == "view" and "officer" in roles else models.Q(pk__in=[])
    return queryset.filter(own | models.Q(agency_id__in=sorted(agencies_where(user, roles - {"officer"}))))


register("sro.assignment", {"view": COVERAGE_READERS, "change": POLICE_LEADS}, school_path="school",
         restrict=restrict_assignments)
register("sro.scheduleblock", {"view": COVERAGE_READERS, "change": POLICE_LEADS}, school_path="assignment__school",
         restrict=restrict_blocks)
register("sro.instructionhours", {"view": COVERAGE_READERS, "change": SCHOOL_LEADS}, school_path="school")
# An officer logs their own activity at a school they reach as an officer (the action checks "own").
register("sro.activityentry", {"view": ACTIVITY_READERS, "log": frozenset({"officer"})}, school_path="school")
register("sro.activityreview", {"view": POLICE_LEADS | {"officer"}, "review": frozenset({"police_supervisor"})},
         restrict=restrict_reviews)
# The coverage board and map: a page about the schools one reaches, not one model's rows.
register("core.school", {"sro_coverage": COVERAGE_READERS})


def access_assignment(user: Any, assignment_id: int, action: str = "view") -> Any:
    from schoolsafe.sro.models import Assignment

    return get_or_404(Assignment.objects.select_related("school", "agency", "person", "supervisor"), user, action,
                      pk=assignment_id)


def access_activity_entry(user: Any, entry_id: int, action: str = "view") -> Any:
    from schoolsafe.sro.models import ActivityEntry

    return get_or_404(ActivityEntry.objects.select_related("school", "officer"), user, action, pk=entry_id)


def access_officer(user: Any, officer_id: int) -> Any:
    """An officer whose activity report `user` may read: themselves, an officer of an agency where `user` is a
    lead, or one with assignments or entries `user` sees. Anyone else is a 404, like an unknown id."""
    from schoolsafe.access.loaders import NotVisible
    from schoolsafe.accounts.models import Membership, User
    from schoolsafe.sro.models import ActivityEntry, Assignment

    officer = User.objects.filter(pk=officer_id, is_active=True).first()
    if officer is None or not getattr(user, "is_authenticated", False):
        raise NotVisible()
    if officer.pk == user.pk:
        return officer
    leads = agencies_where(user, POLICE_LEADS)
    if leads and Membership.objects.filter(user=officer, role="officer", agency_id__in=sorted(leads)).exists():
        return officer
    if (ActivityEntry.objects.restrict(user, "view").filter(officer=officer).exists()
            or Assignment.objects.restrict(user, "view").filter(person=officer).exists()):
        return officer
    raise NotVisible()
