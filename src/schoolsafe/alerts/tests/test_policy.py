"""The alerts policy as a matrix: every role, in the organization that grants it, against an alert at school A.

And the rule that ties the API to the stream: a person may read an alert through the API exactly when its
events reach them (their audience keys meet the event's).
"""

from __future__ import annotations

import pytest

from schoolsafe.access.roles import ROLES
from schoolsafe.alerts.models import Alert
from schoolsafe.alerts.tests.conftest import ALERTS_URL, lockdown
from schoolsafe.events.audience import keys_for_user
from schoolsafe.events.models import Event
from schoolsafe.testing.personas import make_person

pytestmark = pytest.mark.django_db

# (role, organization) -> (raise for school A, see an emergency there, see an assist call there, all clear of
# that real lockdown alone). SRP lockdown release: a real lockdown is released by law enforcement; dispatch,
# the principal and the district director may end other alerts, and a lockdown only with an officer named
# (test_lockdown_release.py).
# "raise" is 201, 403 (sees the school, may not raise) or 404 (does not see it).
MATRIX = {
    ("dispatcher", "agency_a"): (201, True, False, False),
    ("police_supervisor", "agency_a"): (201, True, False, True),
    ("officer", "agency_a"): (201, False, False, False),  # raises as police on scene; not assigned: not told
    ("officer", "school_a"): (201, True, True, True),  # the SRO
    ("agency_admin", "agency_a"): (403, False, False, False),
    ("district_director", "district_a"): (201, True, False, False),
    ("school_admin", "school_a"): (201, True, True, False),
    ("staff", "school_a"): (201, True, False, False),
    ("ta_member", "school_a"): (403, True, False, False),
    ("clinician", "school_a"): (403, False, False, False),  # a qualifying staff role for a team seat only
    ("ta_member", "district_a"): (403, False, False, False),
    ("tip_analyst", "district_a"): (403, False, False, False),
    ("program_coordinator", "school_a"): (403, False, False, False),
    ("community_liaison", "agency_a"): (403, False, False, False),
    ("dispatcher", "agency_b"): (404, False, False, False),
    ("staff", "school_b"): (404, False, False, False),
    ("district_director", "district_b"): (404, False, False, False),
    ("staff", "school_a2"): (404, False, False, False),
}


def test_the_matrix_covers_every_role():
    assert {role for role, _org in MATRIX} == set(ROLES)


@pytest.mark.parametrize(("role", "org"), sorted(MATRIX))
def test_what_each_role_may_do_with_an_alert_at_school_a(api, world, teacher_a, role, org, settings):
    settings.SCHOOLSAFE_ALERT_MERGE_WINDOW = 0  # the emergency and the assist call: two incidents
    may_raise, sees_emergency, sees_assist, may_clear = MATRIX[(role, org)]
    kind = org.split("_")[0]
    person = make_person(f"{role}_{org}", role, getattr(world, org), kind)
    emergency = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]
    assist = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a, tier="assist", action="hold")).json()["id"]
    client = api(person)

    raised = client.post(ALERTS_URL, lockdown(world.school_a))
    assert raised.status_code == may_raise, raised.content
    assert (client.get(f"{ALERTS_URL}/{emergency}").status_code == 200) is sees_emergency
    assert (client.get(f"{ALERTS_URL}/{assist}").status_code == 200) is sees_assist
    listed = {a["id"] for a in client.get(ALERTS_URL).json()["items"]}
    assert (emergency in listed, assist in listed) == (sees_emergency, sees_assist)
    expected_clear = 200 if may_clear else (403 if sees_emergency else 404)
    assert client.post(f"{ALERTS_URL}/{emergency}/all-clear").status_code == expected_clear

    # The API and the event stream agree: the person sees the alert iff its raised event reaches them.
    keys = keys_for_user(person)
    for alert_id, sees in ((emergency, sees_emergency), (assist, sees_assist)):
        event = Event.objects.get(kind="alert.raised", subject_id=str(alert_id))
        assert (not keys.isdisjoint(event.audience)) is sees, (alert_id, sorted(keys), event.audience)


def test_a_teacher_of_school_b_receives_nothing_about_school_a(api, world, teacher_a, teacher_b, principal_a,
                                                                dispatcher):
    alert_id = api(teacher_a).post(ALERTS_URL, lockdown(world.school_a)).json()["id"]
    api(dispatcher).post(f"{ALERTS_URL}/{alert_id}/acknowledge")
    api(principal_a).post(f"{ALERTS_URL}/{alert_id}/all-clear", {"concurring_officer": "Officer Ruiz, badge 4411"})

    assert Event.objects.filter(subject_id=str(alert_id)).count() == 3
    assert not Event.objects.visible_to(keys_for_user(teacher_b)).exists()
    assert api(teacher_b).get(ALERTS_URL).json()["count"] == 0
    assert Alert.objects.restrict(teacher_b, "view").count() == 0
