"""What other apps may read of the partnership: the 24/7 contact directory of a school, for the responder
packet and the dispatcher's console (plans' contact list appends it after the school's own contacts)."""

from __future__ import annotations

from typing import Any

from schoolsafe.partnership.models.agreements import DirectoryEntry

__all__ = ["directory_for_school"]


def directory_for_school(school: Any) -> list[dict[str, Any]]:
    """The school's directory entries, then those of the agencies serving it and of their PSAPs, each group in
    order of escalation: name, role, phone, alternate phone, person (None: an entry is not an account) and
    the date it was last verified."""
    agencies = list(school.agencies.order_by("name", "pk").values_list("pk", flat=True))
    own = DirectoryEntry.objects.filter(school=school).order_by("escalation_order", "pk")
    served = DirectoryEntry.objects.filter(agency_id__in=agencies).order_by("escalation_order", "pk")
    agency_entries = [e for e in served if e.kind == DirectoryEntry.Kind.AGENCY]
    psap_entries = [e for e in served if e.kind == DirectoryEntry.Kind.PSAP]
    out = []
    for entry in [*own, *agency_entries, *psap_entries]:
        role = f"{entry.role}, {entry.psap_name}" if entry.kind == DirectoryEntry.Kind.PSAP else entry.role
        out.append({"name": entry.name, "role": role, "phone": entry.phone, "alternate_phone": entry.alternate_phone,
                    "person": None, "verified_on": entry.last_verified})
    return out
