"""Each audit test anchors the chain in its own folder: an anchor left by another test (whose rows the
database has since emptied) would fail its verify."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_anchor(settings, tmp_path) -> None:
    settings.SCHOOLSAFE_AUDIT_ANCHOR = tmp_path / "audit-anchor.json"
