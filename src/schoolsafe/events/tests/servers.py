"""Test helpers: `schoolsafe serve` as a real process, on a data folder of its own or on the test database.

    python -m schoolsafe.events.tests.servers prepare   (with SCHOOLSAFE_DATA set: migrate, create a
    school and a teacher with a token; prints them as JSON)
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


class ServeProcess:
    """`schoolsafe serve` on a free port."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = env
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process it records
        self.process = subprocess.Popen(
            [sys.executable, "-m", "schoolsafe.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.output()}")
            try:
                status, _ = self.request("GET", "/api/v1/health")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = json.dumps(body) if body is not None else None
            connection.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
            response = connection.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            connection.close()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 15.0) -> float:
        """SIGTERM, as an operator stops it; returns how long it took to exit."""
        if self.process.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - started


if __name__ == "__main__" and sys.argv[1:] == ["prepare"]:
    _prepare()
