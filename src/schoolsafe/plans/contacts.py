"""The school's 24/7 contacts: one source of contact numbers for the responder packet and for every page
that shows a school's people during an incident (the dispatcher's console, the incident page).

A person's 24/7 number is the one in the school's contact list (EmergencyContact) when they are on it;
their account's phone only when they are not. So the dispatcher never reads "no phone on file" for the
principal or the SRO whose numbers the packet prints.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from schoolsafe.partnership.reads import directory_for_school
from schoolsafe.plans.models import EmergencyContact


def person_named(school: Any, name: str) -> Any:
    """The one active person of the school, its district or an agency serving it whose name is `name`
    (an "Officer" in front is a title, not a name), or None if none or several."""
    from schoolsafe.accounts.models import User

    wanted = " ".join(name.split()).casefold().removeprefix("officer ").strip()
    if not wanted:
        return None
    reach = (Q(memberships__school=school) | Q(memberships__district_id=school.district_id)
             | Q(memberships__agency__in=school.agencies.all()))
    matches = [u for u in User.objects.filter(reach, is_active=True).distinct()
               if " ".join(u.display_name.split()).casefold().removeprefix("officer ").strip() == wanted]
    return matches[0] if len(matches) == 1 else None


def contact_list(school: Any) -> list[dict[str, Any]]:
    """The school's 24/7 contacts in the packet's order: name, role, phone, alternate phone, the account
    (`person`: its id, or None) and when it was last verified (`verified_on`, the directory's entries)."""
    contacts = [{"name": c.name, "role": c.role, "phone": c.phone, "alternate_phone": c.alternate_phone,
                 "person": c.person_id, "verified_on": None}
                for c in EmergencyContact.objects.filter(school=school).order_by("position", "pk")]
    # Then the partnership's verified 24/7 directory (the school's, its agencies' and their PSAPs'), skipping a
    # number already listed: one person, one line.
    phones = {c["phone"] for c in contacts}
    for entry in directory_for_school(school):
        if entry["phone"] not in phones:
            phones.add(entry["phone"])
            contacts.append(entry)
    return contacts


def phones_of(school: Any) -> dict[int, tuple[str, str]]:
    """Each listed person's 24/7 number and alternate at the school, by account id."""
    out: dict[int, tuple[str, str]] = {}
    for contact in contact_list(school):
        if contact["person"] is not None and contact["person"] not in out:
            out[contact["person"]] = (contact["phone"], contact["alternate_phone"])
    return out
