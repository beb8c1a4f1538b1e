"""The demo county: deterministic, idempotent, and shaped the way the README promises."""

from __future__ import annotations

import pytest
from django.apps import apps

from schoolsafe.accounts.county import DEMO_LOGINS, DEMO_PASSWORD, is_demo_database, load_demo
from schoolsafe.accounts.models import Membership, User
from schoolsafe.core.models import District, School

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def only(user: User, role: str) -> Membership:
    found = [m for m in user.memberships.all() if m.role == role]
    assert len(found) == 1, (user.username, role, found)
    return found[0]


def test_loading_the_demo_twice_adds_nothing_the_second_time():
    assert load_demo() is True
    after_first = row_counts()
    assert after_first["core.School"] == 12
    assert load_demo() is False
    assert row_counts() == after_first
    assert is_demo_database()


def test_the_demo_has_one_finished_lockdown_drill_to_look_at():
    from schoolsafe.alerts.models import Alert
    from schoolsafe.events.models import Event

    load_demo()
    [drill] = Alert.objects.all()
    assert (drill.school.name, drill.action, drill.exercise, drill.status) == (
        "Cedar Falls High School", "lockdown", True, "all_clear")
    assert sorted(drill.acknowledgements.values_list("user__username", flat=True)) == ["dispatcher", "sro"]
    assert not drill.escalation_timers.filter(fired_at__isnull=False).exists()
    assert sorted(drill.room_statuses.values_list("room", flat=True)) == ["Main office", "Room 212"]
    assert drill.messages.count() == 2
    events = list(Event.objects.filter(subject_type="alerts.alert", subject_id=str(drill.pk)).order_by("id"))
    assert [e.kind for e in events] == [
        "alert.raised", "alert.acknowledged", "alert.acknowledged", "alert.message", "alert.room_status",
        "alert.room_status", "alert.threat_location", "alert.message", "alert.all_clear", "alert.room_released",
        "alert.room_released"]
    # Plausible: the principal starts it, law enforcement ends it and releases the rooms in person,
    # and it lasts about twelve minutes with its steps spread over that time, in the timeline as in the events.
    assert drill.raised_by.username == "principal" and drill.all_clear_by.username == "sro"
    assert list(drill.room_releases.values_list("room", "released_by__username")) == [
        ("Main office", "sro"), ("Room 212", "sro")]
    minutes = [(e.created_at - drill.raised_at).total_seconds() / 60 for e in events]
    assert minutes == sorted(minutes) and minutes[0] == 0 and 10 <= minutes[-1] <= 13
    assert all(later - earlier >= 0.4 for earlier, later in zip(minutes, minutes[1:], strict=False))
    assert 9 <= (drill.all_clear_at - drill.raised_at).total_seconds() / 60 <= 11
    from schoolsafe.alerts.timeline import timeline_for

    entries = timeline_for(drill)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert (entries[-1].at - entries[0].at).total_seconds() / 60 >= 11


def test_the_demo_is_deterministic():
    load_demo()
    first = sorted(School.objects.values_list("name", "latitude", "longitude", "level", "enrollment"))
    from schoolsafe.alerts.models import Alert

    Alert.objects.all().delete()  # an alert keeps its school (PROTECT)
    School.objects.all().delete()
    load_demo()
    assert sorted(School.objects.values_list("name", "latitude", "longitude", "level", "enrollment")) == first


def test_teacher_principal_and_sro_share_a_school_that_the_dispatchers_agency_serves():
    load_demo()
    teacher, principal, sro, dispatcher = (User.objects.get(username=u) for u in ("teacher", "principal", "sro", "dispatcher"))
    school = only(teacher, "staff").school
    assert school is not None
    assert only(principal, "school_admin").school == school
    assert [m.school for m in sro.memberships.all() if m.school_id and m.role == "officer"] == [school]
    agency = only(dispatcher, "dispatcher").agency
    assert agency in school.agencies.all()
    # The SRO works for that same agency.
    assert agency in [m.agency for m in sro.memberships.all() if m.agency_id]


def test_the_director_directs_the_district_of_about_twelve_schools_of_every_level():
    load_demo()
    district = only(User.objects.get(username="director"), "district_director").district
    assert isinstance(district, District)
    schools = district.schools.all()
    assert 10 <= schools.count() <= 14
    assert {"elementary", "middle", "high"} <= {s.level for s in schools}
    # Plausible coordinates: central Florida, every school placed, none on top of another.
    assert all(28.5 < s.latitude < 29.5 and -82.5 < s.longitude < -81.5 for s in schools)
    assert len({(s.latitude, s.longitude) for s in schools}) == schools.count()
    assert all(s.agencies.exists() for s in schools)


def test_every_listed_login_exists_and_signs_in_with_the_demo_password():
    load_demo()
    usernames = [username for username, _ in DEMO_LOGINS]
    assert {"dispatcher", "sro", "principal", "teacher", "director"} <= set(usernames)
    for username in usernames:
        user = User.objects.get(username=username)
        assert user.is_active and user.check_password(DEMO_PASSWORD), username
        assert user.is_superuser or user.memberships.exists(), username
    assert User.objects.get(username="admin").is_superuser
