"""The outline of a school emergency operations plan and the built-in district template.

The outline follows the public federal "Guide for Developing High-Quality School Emergency Operations
Plans" (2013): a basic plan, goals and objectives, functional annexes and threat- and hazard-specific
annexes, built on a risk assessment of the school's threats and hazards. The starter text is ours.
"""

from __future__ import annotations

from dataclasses import dataclass

BASIC, GOALS, FUNCTIONAL, THREAT = "basic", "goals", "functional", "threat"
SECTION_KINDS = [
    (BASIC, "Basic plan"),
    (GOALS, "Goals and objectives"),
    (FUNCTIONAL, "Functional annex"),
    (THREAT, "Threat- and hazard-specific annex"),
]
KIND_ORDER = {BASIC: 0, GOALS: 1, FUNCTIONAL: 2, THREAT: 3}

# Annexes that the serving police agency signs off before a plan is approved: the parts of the plan
# that tell officers what the school will do while they respond.
POLICE_SIGNOFF_ANNEXES = ("lockdown", "security", "active_assailant")


@dataclass(frozen=True)
class SectionDef:
    key: str
    kind: str
    title: str
    body: str


SECTIONS: list[SectionDef] = [
    SectionDef("purpose_scope", BASIC, "Purpose, scope, situation overview and assumptions",
               "**Purpose.** This plan sets out what the school does before, during and after an emergency.\n\n"
               "**Scope.** It covers students, staff and visitors on campus, on buses and at school events.\n\n"
               "**Situation overview.** Describe the campus, its population and its ranked threats and hazards.\n\n"
               "**Assumptions.** Emergencies can happen without warning; responders may be delayed."),
    SectionDef("concept_of_operations", BASIC, "Concept of operations",
               "The principal (or a designee) activates this plan and directs the first actions using the "
               "Standard Response Protocol (Hold, Secure, Lockdown, Evacuate, Shelter) until responders arrive."),
    SectionDef("organization_responsibilities", BASIC, "Organization and assignment of responsibilities",
               "- **Principal:** incident commander until relieved.\n- **Teachers:** account for students, "
               "follow the announced action.\n- **School resource officer:** liaison to responding officers.\n"
               "- **Custodial staff:** utilities and building access."),
    SectionDef("direction_control", BASIC, "Direction, control and coordination",
               "The school uses the Incident Command System. When police or fire arrive, command passes to "
               "them under unified command; the principal stays in the command post."),
    SectionDef("information", BASIC, "Information collection, analysis and dissemination",
               "Weather alerts, police notifications and staff reports reach the front office, which passes "
               "them to the principal and the district safety director."),
    SectionDef("training_exercises", BASIC, "Training and exercises",
               "Staff are trained on this plan each year; drills follow the state's schedule and include at "
               "least one joint drill with the serving police agency."),
    SectionDef("administration", BASIC, "Administration, finance and logistics",
               "Records of emergencies and drills are kept for three years. Emergency purchases follow district "
               "procedures."),
    SectionDef("maintenance", BASIC, "Plan development and maintenance",
               "The planning team reviews this plan every year and after every incident or exercise."),
    SectionDef("authorities", BASIC, "Authorities and references",
               "State school safety statutes, district board policy and the memorandum of understanding with "
               "the serving police agency."),
    SectionDef("goals_objectives", GOALS, "Goals and objectives",
               "For each ranked threat or hazard and each function, state goals (before, during and after) "
               "and the objectives that reach them.\n\n*Example:* Goal: keep everyone safe during a lockdown. "
               "Objective: every classroom door can be locked from inside within one minute."),
    SectionDef("evacuation", FUNCTIONAL, "Evacuation annex",
               "Evacuation routes are posted in every room. Staff take the class roster and go-bag to the "
               "announced rally point and report accounting there."),
    SectionDef("shelter_in_place", FUNCTIONAL, "Shelter-in-place annex",
               "Used when it is safer inside: the hazard and the safety strategy are announced (tornado: "
               "evacuate to shelter area; hazmat: seal the room; earthquake: drop, cover and hold)."),
    SectionDef("lockdown", FUNCTIONAL, "Lockdown annex",
               "Locks, lights, out of sight. Doors locked, lights off, everyone out of sight and silent. Doors "
               "are not opened until police or administrators with keys clear the room."),
    SectionDef("accounting", FUNCTIONAL, "Accounting for all persons annex",
               "Teachers report missing, extra and injured people for their room; the front office reconciles "
               "against attendance and visitor logs."),
    SectionDef("communications", FUNCTIONAL, "Communications and warning annex",
               "Actions are announced in plain language over the PA and through SchoolSafe alerts. Families are "
               "informed by the district through its mass-notification system."),
    SectionDef("reunification", FUNCTIONAL, "Family reunification annex",
               "Reunification follows the Standard Reunification Method: greeters, reunification cards, "
               "checkers verify identity and custody, reunifiers bring the student, every release is logged."),
    SectionDef("continuity", FUNCTIONAL, "Continuity of operations annex",
               "Essential functions (instruction, meals, student records, payroll) and how they continue if "
               "the building is closed."),
    SectionDef("recovery", FUNCTIONAL, "Recovery annex",
               "Academic, physical, fiscal and psychological recovery, led by the district."),
    SectionDef("health", FUNCTIONAL, "Public health, medical and mental health annex",
               "First aid and AED-trained staff, Stop the Bleed kits, communicable disease procedures and "
               "mental-health support after an incident."),
    SectionDef("security", FUNCTIONAL, "Security annex",
               "Controlled entrances, visitor management, camera coverage and the routine patrols of the "
               "school resource officer."),
    SectionDef("active_assailant", THREAT, "Active assailant annex",
               "On report of an armed intruder: call 911, announce Lockdown, and give responders the site map, "
               "keys and camera access. Staff outside go to the nearest safe room or leave the area."),
    SectionDef("severe_weather", THREAT, "Severe weather annex",
               "Tornado warnings: Shelter (evacuate to shelter area). Hurricanes: closures decided by the "
               "district with county emergency management."),
    SectionDef("fire", THREAT, "Fire annex",
               "On alarm: Evacuate by the posted routes to the rally points; account for everyone; do not "
               "re-enter until the fire department allows."),
    SectionDef("hazmat", THREAT, "Hazardous materials annex",
               "Spill or release outside: Shelter (seal the room), ventilation shut off. Inside: Evacuate upwind."),
]

SECTION_BY_KEY = {s.key: s for s in SECTIONS}

# A starting list for the risk assessment; each school rates its own.
# (name, category, probability, magnitude, warning time, duration) on the guide's 1–4 scales.
HAZARDS: list[tuple[str, str, int, int, int, int]] = [
    ("Hurricane", "natural", 3, 3, 1, 3),
    ("Tornado", "natural", 2, 3, 4, 1),
    ("Fire", "technological", 2, 3, 4, 1),
    ("Hazardous materials release", "technological", 2, 2, 4, 1),
    ("Active assailant", "adversarial", 1, 4, 4, 1),
    ("Medical emergency", "biological", 4, 1, 4, 1),
]
