"""The reach tests' push services and SMS gateways listen on 127.0.0.1, which the server may post to only with
the operator's setting (SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE, docs/webhooks.md); one test checks the default."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = True
