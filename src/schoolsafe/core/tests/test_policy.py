"""The access policy applied to organizations: who sees which school, district and agency."""

from __future__ import annotations

import pytest

from schoolsafe.access import policy
from schoolsafe.core.models import Agency, District, InstanceSetting, School
from schoolsafe.testing.factories import MembershipFactory


def visible(model, user, action="view") -> set[str]:
    return set(model.objects.restrict(user, action).values_list("name", flat=True))


def test_a_teacher_sees_their_school_its_district_and_the_agency_that_serves_it(world, teacher_a):
    assert visible(School, teacher_a) == {"School A High"}
    assert visible(District, teacher_a) == {"District A"}
    assert visible(Agency, teacher_a) == {"Agency A Police"}


def test_a_teacher_of_the_other_district_sees_only_that_side(world, teacher_b):
    assert visible(School, teacher_b) == {"School B High"}
    assert visible(District, teacher_b) == {"District B"}
    assert visible(Agency, teacher_b) == {"Agency B Sheriff"}


def test_a_principal_sees_and_may_change_their_school_only(world, principal_a):
    assert visible(School, principal_a) == {"School A High"}
    assert visible(School, principal_a, "change") == {"School A High"}
    assert visible(District, principal_a, "change") == set()
    assert visible(Agency, principal_a, "change") == set()


def test_a_teacher_may_change_nothing(world, teacher_a):
    for model in (School, District, Agency):
        assert visible(model, teacher_a, "change") == set(), model


def test_a_district_director_reaches_the_whole_district(world, director_a):
    assert visible(School, director_a) == {"School A High", "School A Elementary"}
    assert visible(School, director_a, "change") == {"School A High", "School A Elementary"}
    assert visible(District, director_a) == {"District A"}
    assert visible(District, director_a, "change") == {"District A"}
    # The agency serving one of the district's schools, not the other district's agency.
    assert visible(Agency, director_a) == {"Agency A Police"}
    assert visible(Agency, director_a, "change") == set()


def test_a_dispatcher_reaches_what_their_agency_serves(world, dispatcher):
    assert visible(School, dispatcher) == {"School A High"}
    assert visible(District, dispatcher) == {"District A"}
    assert visible(Agency, dispatcher) == {"Agency A Police"}
    # A dispatcher is not an agency administrator.
    assert visible(Agency, dispatcher, "change") == set()
    assert visible(School, dispatcher, "change") == set()


def test_an_agency_admin_may_change_their_agency_and_the_schools_it_serves(world):
    admin = MembershipFactory(role="agency_admin", agency=world.agency_a).user
    assert visible(Agency, admin, "change") == {"Agency A Police"}
    assert visible(School, admin, "change") == {"School A High"}


def test_serving_a_school_extends_the_agencys_reach_at_once(world, dispatcher):
    world.school_b.agencies.add(world.agency_a)
    assert visible(School, dispatcher) == {"School A High", "School B High"}
    assert visible(District, dispatcher) == {"District A", "District B"}


def test_an_outsider_sees_nothing(world, outsider):
    for model in (School, District, Agency):
        for action in ("view", "change"):
            assert visible(model, outsider, action) == set(), (model, action)


def test_an_inactive_member_sees_nothing(world, teacher_a):
    teacher_a.is_active = False
    teacher_a.save()
    teacher_a._schoolsafe_memberships = None  # a fresh request would load the user anew
    assert visible(School, teacher_a) == set()


def test_no_duplicates_when_several_memberships_reach_the_same_school(world, teacher_a):
    MembershipFactory(user=teacher_a, role="ta_member", school=world.school_a)
    MembershipFactory(user=teacher_a, role="program_coordinator", district=world.district_a)
    teacher_a._schoolsafe_memberships = None
    schools = list(School.objects.restrict(teacher_a, "view").values_list("name", flat=True))
    assert sorted(schools) == ["School A Elementary", "School A High"]
    assert len(list(Agency.objects.restrict(teacher_a, "view"))) == 1
    assert len(list(District.objects.restrict(teacher_a, "view"))) == 1


@pytest.mark.django_db
def test_a_model_missing_from_the_policy_cannot_be_restricted(teacher_a):
    with pytest.raises(LookupError, match="not in the access policy"):
        policy.restrict(InstanceSetting.objects.all(), teacher_a, "view")


@pytest.mark.django_db
def test_an_action_missing_from_the_policy_cannot_be_used(teacher_a):
    with pytest.raises(LookupError, match="no action 'delete'"):
        School.objects.restrict(teacher_a, "delete")
