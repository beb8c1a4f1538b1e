"""Where the public data files the importer tests use live: `../shared/data/` beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

SCHOOLS_FILE = ("schools_fl", "Public_Schools_FL_HIFLD.csv")
AGENCIES_FILE = ("police_fl", "Local_Law_Enforcement_Locations_FL.csv")


def repo_root() -> Path:
    """The folder holding pyproject.toml, found by walking up from this file (no git needed)."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    raise RuntimeError("pyproject.toml not found above the tests")


def shared_file(parts: tuple[str, str]) -> Path:
    """The shared data file, or skip the test saying which file is absent."""
    path = repo_root().parent / "shared" / "data" / Path(*parts)
    if not path.is_file():
        pytest.skip(f"shared data file {path} is absent (it sits beside the repository, not in it)")
    return path
