"""The permission matrix's object builders for the SRO program (protocol: core/tests/matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schoolsafe.core.tests.matrix import Spec
from schoolsafe.sro.models import ActivityEntry, ActivityReview, Assignment, InstructionHours, ScheduleBlock
from schoolsafe.sro.models.referrals import EnrollmentCount, StudentReferral
from schoolsafe.testing.factories import UserFactory

MATRIX: dict[str, Spec] = {}


# --- MOU register ---


def _mou(school: Any, user: Any = None) -> Any:
    from schoolsafe.sro.models import Mou

    return Mou.objects.create(agency=school.agencies.order_by("pk").first(), district=school.district,
                              title=f"MOU of {school.district.name}", effective_date=dt.date(2025, 8, 1))


MATRIX["sro.mou"] = Spec(build=_mou)


# --- Assignments, coverage and the activity log (models/program.py) ---


def _assignment(school: Any, user: Any) -> Assignment:
    return Assignment.objects.create(person=user, school=school, agency=school.agencies.order_by("pk").first(),
                                     start_date=dt.date(2026, 8, 10))


def _review(school: Any, user: Any) -> ActivityReview:
    # The officer reviewed is somebody else: the persona must see it through its agency, never as "its own".
    officer = UserFactory.create()
    return ActivityReview.objects.create(officer=officer, agency=school.agencies.order_by("pk").first(),
                                         month=dt.date(2026, 9, 1), reviewer=officer, comment="Good month.")


MATRIX.update({
    "sro.assignment": Spec(build=_assignment),
    "sro.scheduleblock": Spec(build=lambda school, user: ScheduleBlock.objects.create(
        assignment=_assignment(school, user), weekday=0, starts=dt.time(7, 30), ends=dt.time(14, 30))),
    "sro.instructionhours": Spec(build=lambda school, user: InstructionHours.objects.get_or_create(
        school=school, weekday=0, defaults={"starts": dt.time(8), "ends": dt.time(15)})[0]),
    "sro.activityentry": Spec(build=lambda school, user: ActivityEntry.objects.create(
        officer=user, school=school, occurred_at=dt.datetime(2026, 9, 14, 13, tzinfo=dt.UTC), role="mentor",
        kind="mentoring", minutes=15, students_reached=1)),
    # An officer sees only their own month's review (none here); the agency's leads see their officers'.
    "sro.activityreview": Spec(build=_review, sees=lambda role, kind, action: role != "officer"),
})


# --- sro equity: referrals and enrolment ---


def _referral(school: Any, user: Any) -> StudentReferral:
    from schoolsafe.accounts.models import User

    officer = User.objects.create(username=f"officer_for_{school.pk}")
    return StudentReferral.objects.create(
        school=school, kind="referral", offence="theft", date=dt.date(2025, 10, 1), school_year=2025, term="fall",
        grade="10", race="white", sex="female", disability="none", english_learner="no", officer=officer,
        recorded_by=officer)


MATRIX.update({
    "sro.studentreferral": Spec(build=_referral),
    "sro.enrollmentcount": Spec(build=lambda school, user: EnrollmentCount.objects.create(
        school=school, school_year=2025, dimension="race", group="white", count=100)),
})
