"""Fixtures for the event tests: a real server on a real socket, and bearer tokens for personas."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from schoolsafe.testing.servers import ThreadServer


@pytest.fixture
def server(transactional_db) -> Iterator[ThreadServer]:
    """SchoolSafe on uvicorn in a thread of this process (it sees the test database: data must be committed,
    hence transactional_db)."""
    running = ThreadServer().start()
    yield running
    running.stop()


def bearer(user) -> dict[str, str]:
    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.accounts.models import ApiToken

    _, raw = do_create_api_token(user, user, "event stream test", assurance=ApiToken.SECOND_FACTOR)
    return {"Authorization": f"Bearer {raw}"}
