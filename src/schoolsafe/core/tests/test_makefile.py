"""The README's `make demo` on a fresh clone says what it is doing while it installs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_26_20_make_demo_says_what_it_is_doing_before_and_while_it_installs(tmp_path):
    # --dry-run: the commands a fresh clone's `make demo` runs, in order, without running them.
    plan = subprocess.run(["make", "--dry-run", "demo", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.splitlines()
    install = next(i for i, line in enumerate(plan) if " -m pip install " in line)
    said = [line for line in plan[:install] if line.startswith("echo ")]
    assert any("installing" in line and "minutes" in line for line in said), plan
    # pip shows its progress (not --quiet), and the start of the demo is announced.
    assert "--quiet" not in plan[install] and " -q " not in plan[install]
    assert any(line.startswith("echo ") and "starting the demo" in line for line in plan[install:]), plan
