"""The named people of the tests, defined once, and how a test client acts as one of them.

Personas make permission tests read like sentences: `teacher_a` teaches at school A, `teacher_b` at school B
in another district; `dispatcher` works for the agency that serves school A. They live in a `World` of two
districts (A and B), each with schools, and two agencies. Every persona's password is `PASSWORD`.

The fixtures are registered for the whole suite by the project's conftest (`schoolsafe/conftest.py`); an
app's own personas (a threat-assessment team, say) stay in that app's `tests/conftest.py` and are built
with `make_person`. Nothing outside the tests imports this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from schoolsafe.testing.factories import AgencyFactory, DistrictFactory, MembershipFactory, SchoolFactory, UserFactory

PASSWORD = "correct horse battery staple"
# The secret of a persona's authenticator app where a test signs in through the real second step (RFC 6238's
# own test secret): `code_for_key(TOTP_KEY)` is the code the phone shows now.
TOTP_KEY = "3132333435363738393031323334353637383930"


@dataclass
class World:
    """Two districts, each with schools, and an agency serving district A's first school."""

    district_a: Any
    district_b: Any
    school_a: Any
    school_a2: Any
    school_b: Any
    agency_a: Any
    agency_b: Any


def make_person(username: str, role: str, org: Any, kind: str) -> Any:
    """A user holding `role` at `org`, which is a `kind` ("school", "district" or "agency")."""
    user = UserFactory(username=username, password=PASSWORD)
    MembershipFactory(user=user, role=role, **{kind: org})
    return user


def pass_mfa(client: Any, user: Any) -> None:
    """Mark the client's session as verified with a (created if missing) authenticator of `user`.

    Tests of other capabilities are about their own pages, not about signing in; tests of MFA itself
    (accounts/tests) drive the real verification with a real code instead (`code_for_key`)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from schoolsafe.accounts.mfa import second_factor_required

    if not second_factor_required(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def client_for(user: Any) -> Client:
    """A client signed in as `user`, past the second factor when the user's roles need one."""
    client = Client()
    client.force_login(user)
    pass_mfa(client, user)
    return client


def code_for_key(key_hex: str) -> str:
    """The 6-digit code an authenticator app shows now for this secret (RFC 6238: SHA-1, 30 s steps)."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6):06d}"


@pytest.fixture
def world(db) -> World:
    district_a, district_b = DistrictFactory.create(name="District A"), DistrictFactory.create(name="District B")
    agency_a, agency_b = AgencyFactory.create(name="Agency A Police"), AgencyFactory.create(name="Agency B Sheriff")
    school_a = SchoolFactory.create(name="School A High", district=district_a)
    school_a2 = SchoolFactory.create(name="School A Elementary", district=district_a)
    school_b = SchoolFactory.create(name="School B High", district=district_b)
    school_a.agencies.add(agency_a)
    school_b.agencies.add(agency_b)
    return World(district_a, district_b, school_a, school_a2, school_b, agency_a, agency_b)


@pytest.fixture
def teacher_a(world: World) -> Any:
    return make_person("teacher_a", "staff", world.school_a, "school")


@pytest.fixture
def teacher_a2(world: World) -> Any:
    """A teacher at the other school of district A (same district, another building)."""
    return make_person("teacher_a2", "staff", world.school_a2, "school")


@pytest.fixture
def teacher_b(world: World) -> Any:
    return make_person("teacher_b", "staff", world.school_b, "school")


@pytest.fixture
def principal_a(world: World) -> Any:
    return make_person("principal_a", "school_admin", world.school_a, "school")


@pytest.fixture
def sro_a(world: World) -> Any:
    """School A's resource officer (an officer's membership at the school)."""
    return make_person("sro_a", "officer", world.school_a, "school")


@pytest.fixture
def dispatcher(world: World) -> Any:
    return make_person("dispatcher_a", "dispatcher", world.agency_a, "agency")


@pytest.fixture
def dispatcher_b(world: World) -> Any:
    return make_person("dispatcher_b", "dispatcher", world.agency_b, "agency")


@pytest.fixture
def supervisor_a(world: World) -> Any:
    return make_person("supervisor_a", "police_supervisor", world.agency_a, "agency")


@pytest.fixture
def director_a(world: World) -> Any:
    return make_person("director_a", "district_director", world.district_a, "district")


@pytest.fixture
def director_b(world: World) -> Any:
    return make_person("director_b", "district_director", world.district_b, "district")


@pytest.fixture
def analyst_a(world: World) -> Any:
    """A district tip analyst: sees district A's schools, may not raise alerts."""
    return make_person("analyst_a", "tip_analyst", world.district_a, "district")


@pytest.fixture
def analyst_b(world: World) -> Any:
    return make_person("analyst_b", "tip_analyst", world.district_b, "district")


@pytest.fixture
def analyst_agency(world: World) -> Any:
    """A tip analyst of agency A (the police side of the tip line)."""
    return make_person("analyst_agency", "tip_analyst", world.agency_a, "agency")


@pytest.fixture
def outsider(db) -> Any:
    """A signed-in user with no membership anywhere."""
    return UserFactory(username="outsider", password=PASSWORD)
