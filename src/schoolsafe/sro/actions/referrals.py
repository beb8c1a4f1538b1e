"""Writes to referrals, citations, arrests and enrolment counts.

Each checks its input field by field and refuses with an ActionError naming the field, before anything is
written; each write is one transaction with its audit row. The audit summary names what changed and never
a student's groups (the row itself is the record; the log must not become a second copy of it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import memberships, reached_schools
from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.sro import policies
from schoolsafe.sro.models.referrals import (
    DIMENSIONS,
    GRADES,
    Disability,
    EnglishLearner,
    EnrollmentCount,
    Offence,
    Race,
    ReferralKind,
    Sex,
    StudentReferral,
)
from schoolsafe.sro.terms import school_year_of, term_of

__all__ = ["do_correct_referral", "do_record_referral", "do_set_enrollment"]

CHOICE_FIELDS = {
    "kind": ReferralKind, "offence": Offence, "race": Race, "sex": Sex, "disability": Disability,
    "english_learner": EnglishLearner,
}
CORRECTABLE = ("kind", "offence", "date", "grade", "race", "sex", "disability", "english_learner", "incident_id")


def _school(actor: Any, school: Any, roles: frozenset[str], action: str) -> Any:
    """The school by id or object: 404 naming the field when the actor does not see it (or there is none),
    403 when they see it but may not `action` there."""

    school_id = getattr(school, "pk", school)
    try:
        school_id = int(school_id)
    except (TypeError, ValueError):
        raise ActionError("unknown school", field="school", status=404) from None
    found = reached_schools(actor).filter(pk=school_id).select_related("district").first()
    if found is None:
        raise ActionError("unknown school", field="school", status=404)
    if not reached_schools(actor, roles).filter(pk=school_id).exists():
        raise ActionError(f"you may not {action} at this school", field="school", status=403)
    return found


def _grade_span(school: Any) -> list[str]:
    """The grades the school serves (all, when its span is not recorded)."""
    low, high = school.low_grade, school.high_grade
    if low in GRADES and high in GRADES:
        return list(GRADES[GRADES.index(low):GRADES.index(high) + 1])
    return list(GRADES)


def _clean(school: Any, fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, choices in CHOICE_FIELDS.items():
        if name in fields:
            value = fields[name]
            if value not in choices.values:
                raise ActionError(f"unknown value {value!r}; one of {', '.join(choices.values)}", field=name)
            out[name] = value
    if "date" in fields:
        day = fields["date"]
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day)
            except ValueError:
                raise ActionError("not a date (YYYY-MM-DD)", field="date") from None
        if not isinstance(day, dt.date):
            raise ActionError("a date is required", field="date")
        if day > timezone.localdate():
            raise ActionError("is in the future", field="date", status=422)
        if day < dt.date(2000, 7, 1):
            raise ActionError("is before the 2000–01 school year", field="date", status=422)
        out["date"] = day
        out["school_year"] = school_year_of(day)
        out["term"] = term_of(day)
    if "grade" in fields:
        grade = str(fields["grade"]).upper()
        if grade not in GRADES:
            raise ActionError(f"unknown grade {fields['grade']!r}; one of {', '.join(GRADES)}", field="grade")
        if grade not in _grade_span(school):
            raise ActionError(f"{school.name} does not serve grade {grade}", field="grade", status=422)
        out["grade"] = grade
    return out


def _incident(actor: Any, school: Any, incident_id: Any) -> int | None:
    """An alerts incident the actor may see, at the same school (checked through alerts.reads)."""
    if incident_id in (None, ""):
        return None
    from schoolsafe.alerts import reads as alert_reads

    try:
        alert = alert_reads.access_alert(actor, int(incident_id), "view")
    except (Http404, PermissionDenied, TypeError, ValueError):
        raise ActionError("unknown incident", field="incident_id", status=422) from None
    if alert.school_id != school.pk:
        raise ActionError("the incident is at another school", field="incident_id", status=422)
    return int(alert.pk)


def _officer(actor: Any, school: Any, officer: Any) -> Any:
    """Who made the referral: the actor by default; a supervisor may name an officer of an agency serving
    the school (or assigned to it)."""
    from schoolsafe.accounts.models import User

    officer_id = getattr(officer, "pk", officer)
    if officer_id in (None, "") or officer_id == actor.pk:
        return actor
    user = User.objects.filter(pk=int(officer_id)).first() if str(officer_id).isdigit() else None
    if user is None or not reached_schools(user, frozenset({"officer"})).filter(pk=school.pk).exists():
        raise ActionError("not an officer serving this school", field="officer", status=422)
    if "police_supervisor" not in {m.role for m in memberships(actor)}:
        raise ActionError("only a supervisor records for another officer", field="officer", status=403)
    return user


def do_record_referral(actor: Any, school: Any, *, kind: str, offence: str, date: Any, grade: str, race: str,
                       sex: str, disability: str, english_learner: str, officer: Any = None,
                       incident_id: Any = None) -> StudentReferral:
    """Record one referral, citation or arrest (an officer or police supervisor of an agency serving the
    school). No student name or id is taken: see models.referrals."""
    place = _school(actor, school, policies.REFERRAL_RECORDERS, "record a referral")
    values = _clean(place, {"kind": kind, "offence": offence, "date": date, "grade": grade, "race": race,
                            "sex": sex, "disability": disability, "english_learner": english_learner})
    who = _officer(actor, place, officer)
    incident = _incident(actor, place, incident_id)
    with transaction.atomic():
        referral = StudentReferral.objects.create(school=place, officer=who, recorded_by=actor,
                                                  incident_id=incident, **values)
        record(actor, "sro.record_referral", referral, organization=OrgKey.of(place),
               summary={"kind": referral.kind, "school_year": referral.school_year, "term": referral.term,
                        "incident_id": incident})
    return referral


def do_correct_referral(actor: Any, referral: Any, **changes: Any) -> StudentReferral:
    """Correct a row (a police supervisor of an agency serving the school, or the district's director)."""
    row = policies.access_referral(actor, getattr(referral, "pk", referral), "change")
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ActionError("may not be corrected", field=unknown[0])
    values = _clean(row.school, changes)
    if "incident_id" in changes:
        values["incident_id"] = _incident(actor, row.school, changes["incident_id"])
    changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
    if not changed:
        return row
    with transaction.atomic():
        for name in changed:
            setattr(row, name, values[name])
        row.corrected_at = timezone.now()
        row.save()
        record(actor, "sro.correct_referral", row, organization=OrgKey.of(row.school), summary={"fields": changed})
    return row


def do_set_enrollment(actor: Any, school: Any, *, school_year: Any, dimension: str, group: str,
                      count: Any) -> EnrollmentCount:
    """Set how many students of a group the school enrols in a school year (the district's director)."""
    place = _school(actor, school, policies.ENROLLMENT_SETTERS, "set enrolment")
    try:
        year = int(school_year)
    except (TypeError, ValueError):
        raise ActionError("not a year", field="school_year") from None
    if not 2000 <= year <= school_year_of(timezone.localdate()) + 1:
        raise ActionError("outside 2000 to next school year", field="school_year", status=422)
    if dimension not in DIMENSIONS:
        raise ActionError(f"unknown dimension; one of {', '.join(DIMENSIONS)}", field="dimension")
    if group not in DIMENSIONS[dimension][1].values:
        raise ActionError(f"unknown group of {dimension}", field="group")
    try:
        number = int(count)
    except (TypeError, ValueError):
        raise ActionError("not a whole number", field="count") from None
    if number < 0 or number > 100_000:
        raise ActionError("must be between 0 and 100,000", field="count", status=422)
    with transaction.atomic():
        row, created = EnrollmentCount.objects.update_or_create(
            school=place, school_year=year, dimension=dimension, group=group, defaults={"count": number})
        record(actor, "sro.set_enrollment", row, organization=OrgKey.of(place),
               summary={"school_year": year, "dimension": dimension, "group": group, "count": number,
                        "created": created})
    return row

