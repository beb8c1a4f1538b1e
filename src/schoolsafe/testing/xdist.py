"""Parallel test workers: each pytest-xdist worker gets its own data folder.

The data folder (SCHOOLSAFE_DATA) holds the secret key, the audit anchor, media, the file mailbox and the
SQLite test database; two workers sharing it would overwrite each other's. Loaded with `-p` (pyproject's
addopts), this module runs before pytest-django reads the settings, and xdist has already named the worker
in the environment then (PYTEST_XDIST_WORKER). PostgreSQL test databases are per worker by pytest-django.
"""

import os
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    os.environ["SCHOOLSAFE_DATA"] = str(Path(os.environ.get("SCHOOLSAFE_DATA", "var")) / f"worker-{_worker}")
