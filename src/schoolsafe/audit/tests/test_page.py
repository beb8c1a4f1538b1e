"""The audit log page: who may open it, what each administrator sees, and its filters."""

from __future__ import annotations

import datetime as dt

import pytest

from schoolsafe.audit.log import record
from schoolsafe.audit.models import AuditEntry
from schoolsafe.audit.tests.helpers import append_at
from schoolsafe.testing.factories import UserFactory
from schoolsafe.testing.personas import client_for, make_person

URL = "/audit/"


@pytest.fixture
def rows(world) -> dict[str, AuditEntry]:
    """One row for each organization of the world, plus one without an organization."""
    return {
        "school_a": record("system", "alerts.raise_alert", organization=f"school:{world.school_a.pk}",
                           object_type="alerts.alert", object_id="7", summary={"action": "lockdown"}),
        "school_a2": record("system", "drills.schedule_drill", organization=f"school:{world.school_a2.pk}"),
        "school_b": record("system", "alerts.raise_alert", organization=f"school:{world.school_b.pk}",
                           object_type="alerts.alert", object_id="8"),
        "district_a": record("system", "core.change_district", organization=f"district:{world.district_a.pk}"),
        "district_b": record("system", "core.change_district", organization=f"district:{world.district_b.pk}"),
        "agency_a": record("system", "sro.assign_officer", organization=f"agency:{world.agency_a.pk}"),
        "agency_b": record("system", "sro.assign_officer", organization=f"agency:{world.agency_b.pk}"),
        "platform": record("schoolsafe import-schools", "core.import_schools"),
    }


def shown_ids(response) -> set[int]:
    return {entry.pk for entry, _name in response.context["rows"]}


def ids(rows, *names) -> set[int]:
    return {rows[name].pk for name in names}


def test_a_teacher_gets_404(teacher_a, rows):
    assert client_for(teacher_a).get(URL).status_code == 404


@pytest.mark.parametrize("role,kind", [("school_admin", "school"), ("dispatcher", "agency"), ("tip_analyst", "district")])
def test_other_roles_get_404(world, rows, role, kind):
    org = {"school": world.school_a, "agency": world.agency_a, "district": world.district_a}[kind]
    user = make_person(f"{role}_x", role, org, kind)
    assert client_for(user).get(URL).status_code == 404


def test_a_user_without_membership_gets_404(outsider, rows):
    assert client_for(outsider).get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, rows):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_district_director_sees_only_their_districts_rows(director_a, rows):
    response = client_for(director_a).get(URL)
    assert response.status_code == 200
    assert shown_ids(response) == ids(rows, "school_a", "school_a2", "district_a")
    html = response.content.decode()
    assert "School A High" in html and "School B High" not in html
    assert 'aria-current="page"' in html and ">Audit log</a>" in html


def test_an_agency_admin_sees_the_schools_their_agency_serves(world, rows):
    admin = make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")
    response = client_for(admin).get(URL)
    assert shown_ids(response) == ids(rows, "school_a", "agency_a")


def test_a_platform_administrator_sees_everything(rows):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = client_for(superuser).get(URL)
    assert shown_ids(response) == {entry.pk for entry in rows.values()}


def test_a_director_cannot_reach_another_districts_rows_by_filtering(director_a, world, rows):
    response = client_for(director_a).get(URL, {"organization": f"school:{world.school_b.pk}"})
    # Not one of their choices: refused as bad input, and nothing of school B shown.
    assert response.status_code == 400
    assert shown_ids(response) == set()


def test_filters(director_a, world, rows):
    client = client_for(director_a)
    assert shown_ids(client.get(URL, {"action": "alerts."})) == ids(rows, "school_a")
    assert shown_ids(client.get(URL, {"object_type": "alerts.alert", "object_id": "7"})) == ids(rows, "school_a")
    assert shown_ids(client.get(URL, {"organization": f"school:{world.school_a2.pk}"})) == ids(rows, "school_a2")
    mine = record(director_a, "core.change_school", world.school_a, organization=f"school:{world.school_a.pk}")
    assert shown_ids(client.get(URL, {"actor": "director"})) >= {mine.pk}
    assert rows["school_a"].pk not in shown_ids(client.get(URL, {"actor": "director"}))


def test_date_range_is_inclusive_in_local_time(director_a, world, rows):
    org = f"district:{world.district_a.pk}"
    # 23:30 on 9 March in New York (EDT, UTC-4) is 03:30 on the 10th in UTC.
    late = append_at(dt.datetime(2026, 3, 10, 3, 30, tzinfo=dt.UTC), organization=org)
    next_day = append_at(dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC), organization=org)
    client = client_for(director_a)
    assert shown_ids(client.get(URL, {"date_from": "2026-03-09", "date_to": "2026-03-09"})) == {late.pk}
    assert shown_ids(client.get(URL, {"date_from": "2026-03-10", "date_to": "2026-03-10"})) == {next_day.pk}


def test_bad_filters_answer_400_naming_the_field(director_a, rows):
    response = client_for(director_a).get(URL, {"date_from": "yesterday"})
    assert response.status_code == 400
    assert "From (date): Enter a valid date." in response.content.decode()
    response = client_for(director_a).get(URL, {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


def test_pages_keep_the_filters(director_a, world):
    org = f"school:{world.school_a.pk}"
    for i in range(60):
        record("system", "test.bulk", organization=org, summary={"i": i})
    client = client_for(director_a)
    first = client.get(URL, {"action": "test."})
    assert len(first.context["rows"]) == 50
    assert "action=test.&amp;page=2" in first.content.decode()
    second = client.get(URL, {"action": "test.", "page": "2"})
    assert len(second.context["rows"]) == 10
    newest_first = [entry.pk for entry, _ in first.context["rows"]]
    assert newest_first == sorted(newest_first, reverse=True)


def test_searching_the_log_is_itself_recorded(director_a, world, rows):
    client_for(director_a).get(URL, {"action": "alerts."})
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "audit.search_log"
    assert entry.actor_name == "director_a"
    assert entry.summary["filters"] == {"action": "alerts."}
    assert entry.organization == f"district:{world.district_a.pk}"


def test_navigation_shows_the_audit_log_to_its_readers_only(director_a, teacher_a):
    assert 'href="/audit/"' in client_for(director_a).get("/").content.decode()
    assert 'href="/audit/"' not in client_for(teacher_a).get("/").content.decode()
