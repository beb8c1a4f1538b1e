"""The whole suite's fixtures: the named personas (defined in `schoolsafe.testing.personas`), the live
server, and the state every test starts from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from schoolsafe.testing.personas import (  # noqa: F401 - fixtures, registered for every test by being here
    analyst_a,
    analyst_agency,
    analyst_b,
    director_a,
    director_b,
    dispatcher,
    dispatcher_b,
    outsider,
    principal_a,
    sro_a,
    supervisor_a,
    teacher_a,
    teacher_a2,
    teacher_b,
    world,
)
from schoolsafe.testing.servers import ThreadServer


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


@pytest.fixture
def app_server(transactional_db) -> Iterator[ThreadServer]:
    """SchoolSafe's ASGI application on uvicorn in a thread, as `schoolsafe serve` runs it (the event stream
    included, which Django's live_server does not serve); `.url`. Data must be committed to be seen."""
    with ThreadServer() as server:
        yield server
