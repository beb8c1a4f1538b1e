"""The demo's Cedar Falls High team: a teacher's referral reaches the principal, the psychologist and the SRO."""

from __future__ import annotations

import pytest

from schoolsafe.accounts.county import load_demo
from schoolsafe.accounts.models import User
from schoolsafe.core.models import School
from schoolsafe.threats import actions
from schoolsafe.threats.models import Case, Team
from schoolsafe.threats.tests.conftest import intake

pytestmark = pytest.mark.django_db


def test_the_demo_school_has_a_team_that_receives_a_teachers_referral():
    load_demo()
    team = Team.objects.get()
    assert team.school.name == "Cedar Falls High School"
    seats = {m.user.username: (m.team_role, m.is_lead) for m in team.active_members()}
    assert seats == {"principal": ("administrator", True), "counselor": ("mental_health", False),
                     "sro": ("law_enforcement", False)}
    users = {u.username: u for u in User.objects.all()}
    case = actions.do_refer_concern(users["teacher"], School.objects.get(name="Cedar Falls High School"), **intake())
    for username in ("principal", "counselor", "sro"):
        assert list(Case.objects.restrict(users[username], "view")) == [case], username
    for username in ("teacher", "teacher_b", "director", "dispatcher", "admin", "deputy"):
        assert not Case.objects.restrict(users[username], "view").exists(), username
    assert load_demo() is False
