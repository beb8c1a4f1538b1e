"""Who may read and change the SRO program records."""

from __future__ import annotations
