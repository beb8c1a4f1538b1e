"""Shared test fixtures: factories and named personas.

Personas make permission tests read like sentences: `teacher_a` teaches at school A, `teacher_b` at
school B in another district; `dispatcher` works for the agency that serves school A.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from schoolsafe.accounts.models import User
from schoolsafe.core.tests.factories import (
    AgencyFactory,
    DistrictFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True, scope="session")
def _audit_log_flushable_in_tests() -> None:
    """Transactional tests empty every table afterwards (Django's flush). The audit table refuses
    DELETE and TRUNCATE, so only the test suite lets flush lift its triggers (audit's flush command)."""
    from django.conf import settings

    settings.SCHOOLSAFE_AUDIT_FLUSHABLE = True


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters (sign-ins, tips) live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class World:
    """Two districts, each with schools, and an agency serving district A's first school."""

    district_a: object
    district_b: object
    school_a: object
    school_a2: object
    school_b: object
    agency_a: object
    agency_b: object


@pytest.fixture
def app_server(transactional_db):
    """SchoolSafe's ASGI application on uvicorn in a thread, as `schoolsafe serve` runs it (the event stream
    included, which Django's live_server does not serve); `.url`. Data must be committed to be seen."""
    from schoolsafe.core.testserver import ThreadServer

    with ThreadServer() as server:
        yield server


@pytest.fixture
def world(db) -> World:
    district_a, district_b = DistrictFactory(name="District A"), DistrictFactory(name="District B")
    agency_a, agency_b = AgencyFactory(name="Agency A Police"), AgencyFactory(name="Agency B Sheriff")
    school_a = SchoolFactory(name="School A High", district=district_a)
    school_a2 = SchoolFactory(name="School A Elementary", district=district_a)
    school_b = SchoolFactory(name="School B High", district=district_b)
    school_a.agencies.add(agency_a)
    school_b.agencies.add(agency_b)
    return World(district_a, district_b, school_a, school_a2, school_b, agency_a, agency_b)


def make_person(username: str, role: str, org: object, kind: str) -> User:
    user = UserFactory(username=username, password=PASSWORD)
    MembershipFactory(user=user, role=role, **{kind: org})
    return user


@pytest.fixture
def teacher_a(world: World) -> User:
    return make_person("teacher_a", "staff", world.school_a, "school")


@pytest.fixture
def teacher_b(world: World) -> User:
    return make_person("teacher_b", "staff", world.school_b, "school")


@pytest.fixture
def principal_a(world: World) -> User:
    return make_person("principal_a", "school_admin", world.school_a, "school")


@pytest.fixture
def dispatcher(world: World) -> User:
    return make_person("dispatcher_a", "dispatcher", world.agency_a, "agency")


@pytest.fixture
def director_a(world: World) -> User:
    return make_person("director_a", "district_director", world.district_a, "district")


@pytest.fixture
def sro_a(world):
    return make_person("sro_a", "officer", world.school_a, "school")


@pytest.fixture
def supervisor_a(world):
    return make_person("supervisor_a", "police_supervisor", world.agency_a, "agency")


@pytest.fixture
def dispatcher_b(world):
    return make_person("dispatcher_b", "dispatcher", world.agency_b, "agency")


@pytest.fixture
def teacher_a2(world):
    """A teacher at the other school of district A (same district, another building)."""
    return make_person("teacher_a2", "staff", world.school_a2, "school")


@pytest.fixture
def analyst_a(world):
    """A district tip analyst: sees district A's schools, may not raise alerts."""
    return make_person("analyst_a", "tip_analyst", world.district_a, "district")


@pytest.fixture
def outsider(db) -> User:
    """A signed-in user with no membership anywhere."""
    return UserFactory(username="outsider", password=PASSWORD)


def client_for(user: User) -> Client:
    """A client signed in as `user`, past the second factor when the user's roles need one."""
    from schoolsafe.accounts.testing import pass_mfa

    client = Client()
    client.force_login(user)
    pass_mfa(client, user)
    return client
