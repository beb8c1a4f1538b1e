"""Test helpers: a data folder of its own for `schoolsafe serve` (the process itself: `schoolsafe.testing.servers`).

    python -m schoolsafe.events.tests.servers prepare   (with SCHOOLSAFE_DATA set: migrate, create a
    school and a teacher with a token; prints them as JSON)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def prepare_data_dir(data_dir: Path) -> dict[str, Any]:
    """A fresh embedded SQLite database in `data_dir`, migrated, with a school and a teacher holding a token."""
    env = sqlite_env(data_dir)
    done = subprocess.run([sys.executable, "-m", "schoolsafe.events.tests.servers", "prepare"], env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"prepare failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sqlite_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SCHOOLSAFE_DATA"] = str(data_dir)
    env["LOG_LEVEL"] = "WARNING"
    # Each alert these tests post is its own incident with its own alert.raised (alerts: one incident per
    # emergency would otherwise merge raises at the one school into reports).
    env["SCHOOLSAFE_ALERT_MERGE_WINDOW"] = "0"
    return env


def _prepare() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.accounts.models import Membership, User
    from schoolsafe.core.models import Agency, District, School

    call_command("migrate", interactive=False, verbosity=0)
    district = District.objects.create(name="Failure District", state="FL")
    agency = Agency.objects.create(name="Failure Police", state="FL")
    school = School.objects.create(name="Failure High", district=district, state="FL")
    school.agencies.add(agency)
    teacher = User.objects.create_user("failure_teacher", full_name="Failure Teacher")
    Membership.objects.create(user=teacher, role="staff", school=school)
    _, raw = do_create_api_token("test", teacher, "failure test")
    print(json.dumps({"token": raw, "school": school.pk}))


if __name__ == "__main__" and sys.argv[1:] == ["prepare"]:
    _prepare()
