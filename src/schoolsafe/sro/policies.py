"""Who may read and change the SRO program records."""

from __future__ import annotations

# --- Assignments, coverage and the activity log (models/program.py) ---------------------------------------
from typing import Any  # noqa: E402

from django.db import models  # noqa: E402

from schoolsafe.access.loaders import get_or_404  # noqa: E402
from schoolsafe.access.policy import organizations_of, reached_schools, register  # noqa: E402

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
