"""Fixtures for the notification tests: real local servers, and the webhook verifier of docs/webhooks.md."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from schoolsafe.testing.servers import SMTPServer

DOCS = Path(__file__).resolve().parents[4] / "docs" / "webhooks.md"


@pytest.fixture(autouse=True)
def _no_kick(settings) -> None:
    """Tests drive the sending themselves (run_due_deliveries with a chosen time); the tests of the kick
    after commit turn it back on."""
    settings.SCHOOLSAFE_NOTIFY_KICK = False
    settings.SCHOOLSAFE_NOTIFY_BACKOFF = [10, 30, 90, 300, 900, 1800]
    settings.SCHOOLSAFE_NOTIFY_MAX_ATTEMPTS = 7
    settings.SCHOOLSAFE_NOTIFY_TIMEOUT = 5
    # The receivers of these tests listen on 127.0.0.1, which channels refuse by default (test_ssrf.py).
    settings.SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def smtp_server(settings) -> Iterator[SMTPServer]:
    """A real SMTP server, and Django's SMTP backend pointed at it."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.DEFAULT_FROM_EMAIL = "SchoolSafe <alerts@schoolsafe.test>"
        yield server


def documented_verifier() -> Callable[[str, str, str, bytes], bool]:
    """`verify_schoolsafe_webhook` exactly as docs/webhooks.md shows it to receivers."""
    text = DOCS.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    source = next(block for block in blocks if "def verify_schoolsafe_webhook" in block)
    namespace: dict = {}
    exec(compile(source, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation's snippet
    return namespace["verify_schoolsafe_webhook"]


@pytest.fixture
def verify_webhook() -> Callable[[str, str, str, bytes], bool]:
    return documented_verifier()
