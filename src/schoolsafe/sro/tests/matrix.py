"""The permission matrix's object builders for the sro app (protocol: core/tests/matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schoolsafe.core.tests.matrix import Spec

# --- sro equity: referrals and enrolment ---
from schoolsafe.sro.models.referrals import EnrollmentCount, StudentReferral  # noqa: E402


def _referral(school: Any, user: Any) -> StudentReferral:
    from schoolsafe.accounts.models import User

    officer = User.objects.create(username=f"officer_for_{school.pk}")
    return StudentReferral.objects.create(
        school=school, kind="referral", offence="theft", date=dt.date(2025, 10, 1), school_year=2025, term="fall",
        grade="10", race="white", sex="female", disability="none", english_learner="no", officer=officer,
        recorded_by=officer)


MATRIX: dict[str, Spec] = {}
MATRIX.update({
    "sro.studentreferral": Spec(build=_referral),
    "sro.enrollmentcount": Spec(build=lambda school, user: EnrollmentCount.objects.create(
        school=school, school_year=2025, dimension="race", group="white", count=100)),
})
