"""Who may read and change the partnership records."""

from __future__ import annotations
