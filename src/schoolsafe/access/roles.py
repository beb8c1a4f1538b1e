"""The role table: every role SchoolSafe grants, in one place.

A role is granted per organization through a Membership. What a role may do with each protected model
is in `schoolsafe.access.policy.PERMISSIONS`; both tables are read by the permission-matrix test, so a
role or a model cannot be added without the matrix covering it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    # Which kinds of organization may grant this role.
    org_kinds: frozenset[str]
    police: bool = False
    admin: bool = False
    # CJIS 6 and ASVS L2: police, threat-assessment, tip and admin roles need a second factor.
    needs_mfa: bool = False


AGENCY, DISTRICT, SCHOOL = "agency", "district", "school"

ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        Role("dispatcher", "Dispatcher", frozenset({AGENCY}), police=True, needs_mfa=True),
        # An officer's membership in a school is the officer's assignment there as its SRO.
        Role("officer", "School resource officer", frozenset({AGENCY, SCHOOL}), police=True, needs_mfa=True),
        Role("police_supervisor", "Police supervisor", frozenset({AGENCY}), police=True, needs_mfa=True),
        Role("agency_admin", "Agency administrator", frozenset({AGENCY}), police=True, admin=True,
             needs_mfa=True),
        Role("district_director", "District safety director", frozenset({DISTRICT}), admin=True,
             needs_mfa=True),
        Role("school_admin", "School administrator (principal)", frozenset({SCHOOL}), admin=True,
             needs_mfa=True),
        Role("staff", "Teacher or staff", frozenset({SCHOOL})),
        Role("ta_member", "Threat-assessment team member", frozenset({SCHOOL, DISTRICT}), needs_mfa=True),
        # A qualification, not access: only a holder may take a team's mental-health seat (and so read its
        # clinical notes). Granted by an administrator, never by the team (threats.actions).
        Role("clinician", "School counsellor, psychologist or social worker", frozenset({SCHOOL, DISTRICT})),
        Role("tip_analyst", "Tip analyst", frozenset({DISTRICT, AGENCY}), needs_mfa=True),
        Role("program_coordinator", "Program coordinator", frozenset({DISTRICT, SCHOOL})),
        Role("community_liaison", "Community liaison", frozenset({AGENCY, DISTRICT})),
    ]
}

ROLE_CHOICES = [(r.code, r.label) for r in ROLES.values()]
