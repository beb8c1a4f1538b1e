"""Who may read and change the partnership records."""

from __future__ import annotations

# --- Information-sharing agreements and the 24/7 contact directory (models/agreements.py) -------------
from typing import Any as _Any  # noqa: E402

from django.db import models as _models  # noqa: E402
from django.db.models import Q as _Q  # noqa: E402

from schoolsafe.access.loaders import get_or_404 as _get_or_404  # noqa: E402
from schoolsafe.access.orgkey import OrgKey as _OrgKey  # noqa: E402
from schoolsafe.access.policy import memberships as _memberships  # noqa: E402
from schoolsafe.access.policy import organizations_of as _organizations_of  # noqa: E402
from schoolsafe.access.policy import register as _register  # noqa: E402

AGREEMENT_READERS = frozenset({"agency_admin", "police_supervisor", "district_director", "school_admin"})
AGREEMENT_EDITORS = frozenset({"agency_admin", "district_director"})
POLICE = frozenset({"dispatcher", "officer", "police_supervisor", "agency_admin"})
DIRECTORY_READERS = POLICE | {"district_director", "school_admin", "staff"}
DIRECTORY_EDITORS = frozenset({"school_admin", "agency_admin", "district_director"})


def restrict_agreements(queryset: _models.QuerySet, user: _Any, action: str,
                        roles: frozenset[str]) -> _models.QuerySet:
    """An agreement is seen by its parties: an agency membership reaches the agency's agreements, a district
    membership the district's, a school membership those of the school's district."""
    from schoolsafe.core.models import School

    agencies: set[int] = set()
    districts: set[int] = set()
    schools: set[int] = set()
    for key in _organizations_of(user, roles):
        {"agency": agencies, "district": districts, "school": schools}[key.kind].add(key.id)
    districts |= set(School.objects.filter(pk__in=sorted(schools)).values_list("district_id", flat=True))
    matching = queryset.model.objects.filter(_Q(agencies__in=sorted(agencies)) | _Q(districts__in=sorted(districts)))
    return queryset.filter(pk__in=matching.values("pk"))


def restrict_directory(queryset: _models.QuerySet, user: _Any, action: str,
                       roles: frozenset[str]) -> _models.QuerySet:
    """Who reads and changes which 24/7 entries:

    - police (an agency membership) read their agency's entries and its PSAP's, and the entries of the
      schools the agency serves; the agency administrator changes the agency's and the PSAP's only;
    - the district safety director reads and changes every entry of the district: its schools', and those of
      the agencies serving them and their PSAPs;
    - at a school, its administrator, staff and SRO read the school's entries and those of the agencies serving
      it; staff not the PSAP's (staff call the school's people and the police, not the 911 centre's desk); the
      administrator changes the school's entries only."""
    q = _Q(pk__in=[])
    for m in _memberships(user):
        if m.role not in roles:
            continue
        key = _OrgKey.owner_of(m)
        if key.kind == "agency":
            q |= _Q(agency_id=key.id)
            if action == "view":
                q |= _Q(school__agencies=key.id)
        elif key.kind == "district":
            q |= _Q(school__district_id=key.id) | _Q(agency__schools__district_id=key.id)
        else:
            q |= _Q(school_id=key.id)
            if action == "view":
                kinds = ["agency"] if m.role == "staff" else ["agency", "psap"]
                q |= _Q(agency__schools=key.id, kind__in=kinds)
    matching = queryset.model.objects.filter(q)
    return queryset.filter(pk__in=matching.values("pk"))


_register("partnership.sharingagreement", {"view": AGREEMENT_READERS, "change": AGREEMENT_EDITORS},
          restrict=restrict_agreements)
_register("partnership.directoryentry", {"view": DIRECTORY_READERS, "change": DIRECTORY_EDITORS},
          restrict=restrict_directory)


def access_agreement(user: _Any, agreement_id: int, action: str = "view") -> _Any:
    from schoolsafe.partnership.models import SharingAgreement

    return _get_or_404(SharingAgreement.objects.all(), user, action, pk=agreement_id)


def access_directory_entry(user: _Any, entry_id: int, action: str = "view") -> _Any:
    from schoolsafe.partnership.models import DirectoryEntry

    return _get_or_404(DirectoryEntry.objects.select_related("school", "agency"), user, action, pk=entry_id)


def access_directory_agency(user: _Any, agency_id: int) -> _Any:
    """The agency, for its directory page or a new entry of it: 404 unless the user sees the agency (a member,
    or one of the schools it serves)."""
    from schoolsafe.core.models import Agency

    return _get_or_404(Agency.objects.all(), user, "view", pk=agency_id)


def may_add_directory_entry(user: _Any, *, school: _Any = None, agency: _Any = None) -> bool:
    """Whether `user` may add an entry of this school (or this agency or its PSAP): the "change" half of
    restrict_directory for a row not yet written."""
    from schoolsafe.core.models import School

    roles = DIRECTORY_EDITORS
    for m in _memberships(user):
        if m.role not in roles:
            continue
        key = _OrgKey.owner_of(m)
        if school is not None and ((key.kind == "school" and key.id == school.pk)
                                   or (key.kind == "district" and key.id == school.district_id)):
            return True
        if agency is not None and ((key.kind == "agency" and key.id == agency.pk) or (
                key.kind == "district" and School.objects.filter(district_id=key.id, agencies=agency).exists())):
            return True
    return False
