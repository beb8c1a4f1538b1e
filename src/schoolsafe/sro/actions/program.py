"""Writes to assignments and the activity log.

An SRO's access to a school's pages comes from an `officer` membership at the school (accounts). Creating a
sworn assignment (SRO, school safety officer) grants that membership when the officer does not hold it yet,
in the same transaction and audited; ending the assignment takes it away again, but only if this assignment
granted it and no other current sworn assignment of the person at that school still needs it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.accounts.models import Membership, User
from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.core.models import Agency, School
from schoolsafe.events.emit import emit_event
from schoolsafe.sro.models.program import (
    ACTIVITY_KINDS,
    SWORN_KINDS,
    WEEKDAYS,
    ActivityEntry,
    ActivityReview,
    Assignment,
    AssignmentKind,
    AssignmentRole,
    InstructionHours,
    ScheduleBlock,
)
from schoolsafe.sro.policies import POLICE_LEADS, agencies_where

__all__ = [
    "AssignmentError",
    "ActivityError",
    "check_schedule",
    "do_change_assignment",
    "do_create_assignment",
    "do_end_assignment",
    "do_log_activity",
    "do_review_activity_month",
    "do_set_instruction_hours",
]


class AssignmentError(ActionError):
    """An assignment that cannot be made or changed as asked."""


class ActivityError(ActionError):
    """An activity entry or a review that cannot be written as asked."""


Block = tuple[int, dt.time, dt.time]


def _time(value: Any, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise AssignmentError(f"{value!r} is not a time (HH:MM)", field=field) from None


def check_schedule(blocks: Iterable[Mapping[str, Any] | Block]) -> list[Block]:
    """The weekly blocks as (weekday, starts, ends), sorted; refuses (field `schedule`) a weekday outside
    0–6, a block that ends before it starts, and two blocks of the same day that overlap."""
    parsed: list[Block] = []
    for raw in blocks:
        if isinstance(raw, Mapping):
            weekday, starts, ends = raw.get("weekday"), raw.get("starts"), raw.get("ends")
        else:
            weekday, starts, ends = raw
        if isinstance(weekday, str) and weekday[:3].title() in WEEKDAYS:
            weekday = WEEKDAYS.index(weekday[:3].title())
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise AssignmentError(f"{weekday!r} is not a weekday (0 = Monday … 6 = Sunday)", field="schedule")
        begin, end = _time(starts, "schedule"), _time(ends, "schedule")
        if end <= begin:
            raise AssignmentError(f"the block on {WEEKDAYS[weekday]} ends ({end:%H:%M}) before it starts "
                                  f"({begin:%H:%M})", field="schedule")
        parsed.append((weekday, begin, end))
    parsed.sort()
    for (day_a, start_a, end_a), (day_b, start_b, end_b) in zip(parsed, parsed[1:], strict=False):
        if day_a == day_b and start_b < end_a:
            raise AssignmentError(f"two blocks on {WEEKDAYS[day_a]} overlap ({start_a:%H:%M}–{end_a:%H:%M} and "
                                  f"{start_b:%H:%M}–{end_b:%H:%M})", field="schedule")
    return parsed


def _check_dates(start_date: dt.date | None, end_date: dt.date | None) -> None:
    if start_date is None:
        raise AssignmentError("a start date is required", field="start_date")
    if end_date is not None and end_date < start_date:
        raise AssignmentError(f"the end date ({end_date}) is before the start date ({start_date})", field="end_date")


def _school(school: Any) -> School:
    if isinstance(school, School):
        return school
    found = School.objects.filter(pk=school).first() if str(school).isdigit() else None
    if found is None:
        raise AssignmentError(f"no school {school!r}", field="school")
    return found


def _agency(actor: Any, agency: Any, school: School) -> Agency:
    found = agency if isinstance(agency, Agency) else (
        Agency.objects.filter(pk=agency).first() if str(agency).isdigit() else None)
    if found is None:
        raise AssignmentError(f"no agency {agency!r}", field="agency")
    if found.pk not in agencies_where(actor, POLICE_LEADS):
        raise AssignmentError(f"you may not post people for {found.name}", field="agency", status=403)
    if not school.agencies.filter(pk=found.pk).exists():
        raise AssignmentError(f"{found.name} does not serve {school.name}", field="agency")
    return found


def _person(person: Any) -> User:
    found = person if isinstance(person, User) else (
        User.objects.filter(pk=person, is_active=True).first() if str(person).isdigit() else None)
    if found is None:
        raise AssignmentError(f"no person {person!r}", field="person")
    return found


def _check_person(person: User, kind: str, school: School, agency: Agency) -> None:
    if kind in SWORN_KINDS:
        # A sworn officer comes from an agency that serves the school.
        if not Membership.objects.filter(user=person, role="officer", agency=agency).exists():
            raise AssignmentError(f"{person} is not an officer of {agency.name}, which serves {school.name}",
                                  field="person")
        return
    # A guardian (s. 30.15, Florida Statutes) is school staff; contracted security answers to the school or the
    # agency: either way, a person the school or the agency knows.
    if not Membership.objects.filter(user=person).filter(school=school).exists() and not (
            Membership.objects.filter(user=person, agency=agency).exists()):
        raise AssignmentError(f"{person} holds no membership at {school.name} or {agency.name}", field="person")


def _supervisor(supervisor: Any, agency: Agency) -> User | None:
    if supervisor in (None, ""):
        return None
    found = _person(supervisor) if not isinstance(supervisor, User) else supervisor
    if not Membership.objects.filter(user=found, role="police_supervisor", agency=agency).exists():
        raise AssignmentError(f"{found} is not a police supervisor of {agency.name}", field="supervisor")
    return found


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise AssignmentError(f"{value!r} is not one of {', '.join(choices.values)}", field=field)
    return str(value)


def _save_blocks(assignment: Assignment, blocks: list[Block]) -> None:
    assignment.blocks.all().delete()
    ScheduleBlock.objects.bulk_create(
        [ScheduleBlock(assignment=assignment, weekday=d, starts=s, ends=e) for d, s, e in blocks])


def _summary(assignment: Assignment, blocks: list[Block] | None = None) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "person": assignment.person.username, "kind": assignment.kind, "school": assignment.school_id,
        "agency": assignment.agency_id, "start_date": assignment.start_date, "end_date": assignment.end_date,
        "role": assignment.role, "supervisor": assignment.supervisor.username if assignment.supervisor else None,
    }
    if blocks is not None:
        summary["schedule"] = [f"{WEEKDAYS[d]} {s:%H:%M}-{e:%H:%M}" for d, s, e in blocks]
    return summary


def _audience(assignment: Assignment) -> list[str]:
    return [f"agency:{assignment.agency_id}:police_supervisor", f"agency:{assignment.agency_id}:agency_admin",
            f"school:{assignment.school_id}:school_admin", f"user:{assignment.person_id}"]


def _emit(kind: str, actor: Any, assignment: Assignment) -> None:
    emit_event(kind, {"assignment": assignment.pk, "school": assignment.school_id, "kind": assignment.kind},
               _audience(assignment), school=assignment.school, subject=assignment,
               context={"actor": actor, "organizations": [str(OrgKey.of(assignment.agency)),
                                                          str(OrgKey.of(assignment.school))]})


def _grant_membership(actor: Any, assignment: Assignment) -> None:
    if assignment.kind not in SWORN_KINDS:
        return
    membership, created = Membership.objects.get_or_create(user=assignment.person, role="officer",
                                                           school=assignment.school)
    if created:
        assignment.granted_membership = True
        assignment.save(update_fields=["granted_membership"])
        record(actor, "sro.grant_school_membership", membership,
               summary={"assignment": assignment.pk, "person": assignment.person.username, "role": "officer"},
               organization=OrgKey.of(assignment.school))


def _revoke_membership(actor: Any, assignment: Assignment, today: dt.date) -> None:
    if not assignment.granted_membership:
        return
    others = (Assignment.objects.filter(person=assignment.person, school=assignment.school, kind__in=SWORN_KINDS)
              .exclude(pk=assignment.pk).exclude(end_date__lt=today))
    if others.exists():
        return
    membership = Membership.objects.filter(user=assignment.person, role="officer", school=assignment.school).first()
    if membership is not None:
        record(actor, "sro.revoke_school_membership", membership,
               summary={"assignment": assignment.pk, "person": assignment.person.username, "role": "officer"},
               organization=OrgKey.of(assignment.school))
        membership.delete()
    assignment.granted_membership = False
    assignment.save(update_fields=["granted_membership"])


def do_create_assignment(actor: Any, *, person: Any, school: Any, agency: Any, start_date: dt.date | None,
                         kind: str = AssignmentKind.SRO, end_date: dt.date | None = None,
                         role: str = AssignmentRole.PRIMARY, supervisor: Any = None,
                         schedule: Iterable[Mapping[str, Any] | Block] = ()) -> Assignment:
    """Post `person` to `school` for `agency`; refuses, naming the field, anything it cannot write."""
    found_school = _school(school)
    kind = _choice(kind, AssignmentKind, "kind")
    role = _choice(role, AssignmentRole, "role")
    found_agency = _agency(actor, agency, found_school)
    found_person = _person(person)
    _check_person(found_person, kind, found_school, found_agency)
    _check_dates(start_date, end_date)
    assert start_date is not None  # (checked: a missing one is refused, naming start_date)
    boss = _supervisor(supervisor, found_agency)
    blocks = check_schedule(schedule)
    with transaction.atomic():
        assignment = Assignment.objects.create(
            person=found_person, kind=kind, school=found_school, agency=found_agency, start_date=start_date,
            end_date=end_date, role=role, supervisor=boss)
        _save_blocks(assignment, blocks)
        today = timezone.localdate()
        if assignment.end_date is None or assignment.end_date >= today:
            _grant_membership(actor, assignment)
        record(actor, "sro.create_assignment", assignment, summary=_summary(assignment, blocks),
               organization=OrgKey.of(found_agency))
        _emit("sro.assignment_created", actor, assignment)
    return assignment


CHANGEABLE = ("kind", "start_date", "end_date", "role", "supervisor", "schedule")


def do_change_assignment(actor: Any, assignment: Assignment, **changes: Any) -> Assignment:
    """Change an assignment's kind, dates, role, supervisor or schedule (the person, school and agency stay:
    a new posting is a new assignment)."""
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise AssignmentError(f"cannot be changed: {', '.join(unknown)}", field=unknown[0])
    if assignment.pk not in set(Assignment.objects.restrict(actor, "change").values_list("pk", flat=True)):
        raise AssignmentError("you may not change this assignment", field="", status=403)
    kind = _choice(changes.get("kind", assignment.kind), AssignmentKind, "kind")
    role = _choice(changes.get("role", assignment.role), AssignmentRole, "role")
    start_date = changes.get("start_date", assignment.start_date)
    end_date = changes.get("end_date", assignment.end_date)
    _check_dates(start_date, end_date)
    if kind != assignment.kind:
        _check_person(assignment.person, kind, assignment.school, assignment.agency)
    boss = _supervisor(changes["supervisor"], assignment.agency) if "supervisor" in changes else assignment.supervisor
    blocks = check_schedule(changes["schedule"]) if "schedule" in changes else None
    with transaction.atomic():
        before = _summary(assignment)
        assignment.kind, assignment.role, assignment.supervisor = kind, role, boss
        assignment.start_date, assignment.end_date = start_date, end_date
        assignment.save()
        if blocks is not None:
            _save_blocks(assignment, blocks)
        after = _summary(assignment, blocks)
        record(actor, "sro.change_assignment", assignment,
               summary={"changed": {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}},
               organization=OrgKey.of(assignment.agency))
        _emit("sro.assignment_changed", actor, assignment)
    return assignment


def do_end_assignment(actor: Any, assignment: Assignment, end_date: dt.date | None = None) -> Assignment:
    """End an assignment on `end_date` (today by default); the school membership it granted goes with it."""
    if assignment.pk not in set(Assignment.objects.restrict(actor, "change").values_list("pk", flat=True)):
        raise AssignmentError("you may not end this assignment", field="", status=403)
    today = timezone.localdate()
    end_date = end_date or today
    _check_dates(assignment.start_date, end_date)
    with transaction.atomic():
        assignment.end_date = end_date
        assignment.save(update_fields=["end_date"])
        if end_date <= today:
            _revoke_membership(actor, assignment, end_date)
        record(actor, "sro.end_assignment", assignment, summary={"end_date": end_date},
               organization=OrgKey.of(assignment.agency))
        _emit("sro.assignment_ended", actor, assignment)
    return assignment


def do_set_instruction_hours(actor: Any, school: School, blocks: Iterable[Mapping[str, Any] | Block]) -> list[Block]:
    """Replace the school's instruction hours: at most one block a weekday (field `hours`); none at all goes
    back to the default week (Mon–Fri 07:30–14:30)."""
    from schoolsafe.access.policy import allowed_roles_for_label, reached_schools

    if not reached_schools(actor, allowed_roles_for_label("sro.instructionhours", "change")).filter(
            pk=school.pk).exists():
        raise AssignmentError(f"you may not set the hours of {school.name}", field="hours", status=403)
    try:
        parsed = check_schedule(blocks)
    except AssignmentError as exc:
        raise AssignmentError(exc.message, field="hours") from None
    days = [d for d, _, _ in parsed]
    if len(days) != len(set(days)):
        raise AssignmentError("one block a weekday: classes start once and end once", field="hours")
    with transaction.atomic():
        InstructionHours.objects.filter(school=school).delete()
        InstructionHours.objects.bulk_create(
            [InstructionHours(school=school, weekday=d, starts=s, ends=e) for d, s, e in parsed])
        record(actor, "sro.set_instruction_hours", school,
               summary={"hours": [f"{WEEKDAYS[d]} {s:%H:%M}-{e:%H:%M}" for d, s, e in parsed]},
               organization=OrgKey.of(school))
    return parsed


# --- the activity log ---------------------------------------------------------------------------------------


def do_log_activity(actor: Any, *, school: Any, kind: str, students_reached: int = 0, minutes: int | None = None,
                    occurred_at: dt.datetime | None = None, note: str = "") -> ActivityEntry:
    """The acting officer's own entry, at a school they reach as an officer; minutes default from the kind."""
    from schoolsafe.access.policy import allowed_roles_for_label, reached_schools

    if kind not in ACTIVITY_KINDS:
        raise ActivityError(f"{kind!r} is not a kind of activity", field="kind")
    found = School.objects.filter(pk=school.pk if isinstance(school, School) else school).first() \
        if str(getattr(school, "pk", school)).isdigit() else None
    if found is None:
        raise ActivityError(f"no school {school!r}", field="school")
    if not reached_schools(actor, allowed_roles_for_label("sro.activityentry", "log")).filter(pk=found.pk).exists():
        raise ActivityError(f"you are not an officer at {found.name}", field="school", status=403)
    role, _label, default_minutes = ACTIVITY_KINDS[kind]
    minutes = default_minutes if minutes in (None, "") else minutes
    for name, value, top in (("minutes", minutes, 24 * 60), ("students_reached", students_reached, 10000)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise ActivityError(f"must be a whole number from 0 to {top}", field=name)
    if len(note) > 500:
        raise ActivityError("at most 500 characters", field="note")
    with transaction.atomic():
        entry = ActivityEntry.objects.create(
            officer=actor, school=found, occurred_at=occurred_at or timezone.now(), role=str(role), kind=kind,
            minutes=minutes, students_reached=students_reached, note=note)
        record(actor, "sro.log_activity", entry, summary={"kind": kind, "minutes": minutes,
                                                           "students_reached": students_reached},
               organization=OrgKey.of(found))
    return entry


def month_start(month: dt.date) -> dt.date:
    return month.replace(day=1)


def do_review_activity_month(actor: Any, officer: User, month: dt.date, comment: str) -> ActivityReview:
    """The supervisor marks the officer's month reviewed, once (a second review is a 409)."""
    from schoolsafe.access.policy import allowed_roles_for_label

    comment = (comment or "").strip()
    if not comment:
        raise ActivityError("a comment is required", field="comment")
    month = month_start(month)
    if month > timezone.localdate():
        raise ActivityError("a month that has not begun cannot be reviewed", field="month")
    supervising = agencies_where(actor, allowed_roles_for_label("sro.activityreview", "review"))
    agency_id = (Membership.objects.filter(user=officer, role="officer", agency_id__in=sorted(supervising))
                 .order_by("agency_id").values_list("agency_id", flat=True).first())
    if agency_id is None:
        raise ActivityError(f"you are not a supervisor of {officer}'s agency", field="officer", status=403)
    if ActivityReview.objects.filter(officer=officer, month=month).exists():
        raise ActivityError(f"{month:%B %Y} is already reviewed for {officer}", field="month", status=409)
    try:
        with transaction.atomic():
            review = ActivityReview.objects.create(officer=officer, agency_id=agency_id, month=month, reviewer=actor,
                                                   comment=comment)
            record(actor, "sro.review_activity_month", review,
                   summary={"officer": officer.username, "month": f"{month:%Y-%m}"},
                   organization=OrgKey("agency", agency_id))
            emit_event("sro.activity_reviewed", {"officer": officer.pk, "month": f"{month:%Y-%m}"},
                       [f"user:{officer.pk}"], subject=review, context={"actor": actor})
    except IntegrityError:
        # Two supervisors at once: the constraint keeps the second out.
        raise ActivityError(f"{month:%B %Y} is already reviewed for {officer}", field="month", status=409) from None
    return review
