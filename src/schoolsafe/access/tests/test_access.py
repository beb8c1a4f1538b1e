"""The access package: the organization key, the owner model, the loader's 404/403 rule, the table."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from schoolsafe.access import policy
from schoolsafe.access.loaders import NOT_FOUND, NotAllowed, NotVisible, get_or_404
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.accounts.models import Membership
from schoolsafe.core.models import School
from schoolsafe.core.policies import access_school


def test_an_organization_key_is_written_and_read_one_way(world):
    assert str(OrgKey.of(world.school_a)) == f"school:{world.school_a.pk}"
    assert str(OrgKey.of(world.district_a)) == f"district:{world.district_a.pk}"
    assert OrgKey.parse("agency:5") == OrgKey.agency(5)
    for bad in ("", "school", "school:", "school:x", "county:3"):
        with pytest.raises(ValueError):
            OrgKey.parse(bad)
    with pytest.raises(ValueError):
        OrgKey.of(School(name="unsaved"))


def test_a_membership_names_its_one_organization(world, teacher_a, director_a):
    teacher = Membership.objects.get(user=teacher_a)
    assert teacher.org_key == OrgKey.school(world.school_a.pk) and teacher.organization == world.school_a
    director = Membership.objects.get(user=director_a)
    assert director.organization_key == f"district:{world.district_a.pk}" and director.organization_kind == "district"
    assert Membership(role="staff").organization_kind == ""  # unsaved, no organization yet


def test_invisible_is_404_and_visible_but_not_allowed_is_403(world, teacher_a, principal_a):
    schools = School.objects.all()
    with pytest.raises(NotVisible) as missing:
        get_or_404(schools, teacher_a, pk=world.school_b.pk)
    assert isinstance(missing.value, Http404) and str(missing.value) == NOT_FOUND
    with pytest.raises(NotVisible):
        get_or_404(schools, teacher_a, pk=0)  # never existed: the same answer
    with pytest.raises(NotAllowed) as refused:
        get_or_404(schools, teacher_a, "change", pk=world.school_a.pk)
    assert isinstance(refused.value, PermissionDenied)
    assert get_or_404(schools, principal_a, "change", pk=world.school_a.pk) == world.school_a


def test_a_schools_plan_the_user_cannot_read_is_404_a_packet_they_may_not_open_is_403(world, teacher_a):
    assert access_school(teacher_a, world.school_a.pk, "plans.plan") == world.school_a
    with pytest.raises(NotAllowed):
        access_school(teacher_a, world.school_a.pk, "plans.sitemap", "packet")
    with pytest.raises(NotVisible):
        access_school(teacher_a, world.school_a.pk, "plans.plantemplate")  # not a teacher's to read


def test_a_row_is_extended_by_another_app_but_never_redefined():
    assert policy.allowed_roles_for_label("core.school", "panic_credentials") == {"school_admin"}
    with pytest.raises(ValueError):
        policy.register("core.school", {"change": {"staff"}})
    with pytest.raises(ValueError):
        policy.register("core.school", {}, school_path="district")
