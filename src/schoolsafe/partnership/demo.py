"""The partnership demo data."""

from __future__ import annotations

from typing import Any


def load_meetings(county: Any) -> bool:
    """A joint meeting with two open action items."""
    return False


def load_agreements(county: Any) -> bool:
    """An information-sharing agreement and the verified contact directory."""
    return False


def load_demo(county: Any) -> bool:
    created = load_meetings(county)
    return load_agreements(county) or created
