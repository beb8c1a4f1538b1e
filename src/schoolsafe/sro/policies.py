"""Who may read and change the SRO program records."""

from __future__ import annotations

# --- MOU register (models/mou.py) ---------------------------------------------------------------
# An MOU binds an agency and a district: read by the agency's administrators, supervisors and officers, the
# district's director and the administrators of the district's schools that the agency serves; changed by
# the two parties' administrators (the agency administrator and the district safety director).
from typing import Any as _Any  # noqa: E402

from django.db import models as _models  # noqa: E402
from django.db.models import Q as _Q  # noqa: E402

from schoolsafe.access.loaders import get_or_404 as _get_or_404  # noqa: E402
from schoolsafe.access.policy import organizations_of as _organizations_of  # noqa: E402
from schoolsafe.access.policy import register as _register  # noqa: E402

MOU_READERS = frozenset({"agency_admin", "police_supervisor", "officer", "district_director", "school_admin"})
MOU_EDITORS = frozenset({"agency_admin", "district_director"})


def restrict_mous(queryset: _models.QuerySet, user: _Any, action: str, roles: frozenset[str]) -> _models.QuerySet:
    """An agency membership reaches the agency's MOUs, a district membership the district's; a school
    membership the MOUs of the school's district with an agency that serves the school."""
    from schoolsafe.core.models import School

    q = _Q(pk__in=[])
    schools: set[int] = set()
    for key in _organizations_of(user, roles):
        if key.kind == "agency":
            q |= _Q(agency_id=key.id)
        elif key.kind == "district":
            q |= _Q(district_id=key.id)
        else:
            schools.add(key.id)
    for district_id, agency_id in School.objects.filter(pk__in=sorted(schools), agencies__isnull=False).values_list(
            "district_id", "agencies"):
        q |= _Q(district_id=district_id, agency_id=agency_id)
    return queryset.filter(q)


_register("sro.mou", {"view": MOU_READERS, "change": MOU_EDITORS}, restrict=restrict_mous)


def access_mou(user: _Any, mou_id: int, action: str = "view") -> _Any:
    from schoolsafe.sro.models import Mou

    return _get_or_404(Mou.objects.select_related("agency", "district"), user, action, pk=mou_id)
