"""Audience keys: the access rule for events."""

from __future__ import annotations

import pytest

from schoolsafe.events.audience import check_key, keys_for_user, users_for_keys
from schoolsafe.testing.personas import make_person

pytestmark = pytest.mark.django_db


def emergency_keys(world) -> list[str]:
    school, district, agency = world.school_a, world.district_a, world.agency_a
    return [f"agency:{agency.pk}:dispatcher", f"agency:{agency.pk}:police_supervisor", f"school:{school.pk}:officer",
            f"school:{school.pk}:staff", f"school:{school.pk}:school_admin", f"school:{school.pk}:ta_member",
            f"district:{district.pk}:district_director"]


def test_keys_are_one_per_membership_plus_the_user(world, teacher_a, dispatcher, director_a):
    assert keys_for_user(teacher_a) == {f"school:{world.school_a.pk}:staff", f"user:{teacher_a.pk}"}
    assert keys_for_user(dispatcher) == {f"agency:{world.agency_a.pk}:dispatcher", f"user:{dispatcher.pk}"}
    assert keys_for_user(director_a) == {f"district:{world.district_a.pk}:district_director", f"user:{director_a.pk}"}


def test_person_with_two_roles_has_both_keys(world, teacher_a):
    from schoolsafe.accounts.models import Membership

    Membership.objects.create(user=teacher_a, role="ta_member", school=world.school_a2)
    assert keys_for_user(teacher_a) == {f"school:{world.school_a.pk}:staff", f"school:{world.school_a2.pk}:ta_member",
                                        f"user:{teacher_a.pk}"}


def test_inactive_or_anonymous_user_has_no_keys(teacher_a):
    from django.contrib.auth.models import AnonymousUser

    teacher_a.is_active = False
    assert keys_for_user(teacher_a) == frozenset()
    assert keys_for_user(AnonymousUser()) == frozenset()
    assert keys_for_user(None) == frozenset()


def test_emergency_audience_reaches_dispatch_school_and_district_but_not_school_b(
        world, teacher_a, principal_a, dispatcher, director_a, teacher_b, outsider):
    sro = make_person("sro_a", "officer", world.school_a, "school")
    other_agency = make_person("dispatcher_b", "dispatcher", world.agency_b, "agency")
    reached = set(users_for_keys(emergency_keys(world)))
    assert reached == {teacher_a, principal_a, dispatcher, director_a, sro}
    assert teacher_b not in reached and other_agency not in reached and outsider not in reached


def test_user_key_reaches_that_user_and_inactive_users_are_left_out(world, teacher_a, outsider):
    assert list(users_for_keys([f"user:{outsider.pk}"])) == [outsider]
    teacher_a.is_active = False
    teacher_a.save()
    assert list(users_for_keys([f"school:{world.school_a.pk}:staff"])) == []


@pytest.mark.parametrize("key", ["school:1", "school:x:staff", "school:1:janitor", "user:", "user:0", "campus:1:staff",
                                 "school:1:staff ", "", 7])
def test_malformed_keys_are_refused(key):
    with pytest.raises(ValueError, match="not an audience key"):
        check_key(key)
