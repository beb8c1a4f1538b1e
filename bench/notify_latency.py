"""Benchmark: from an alert POST to a webhook receiver, through the notification channels.

    .venv/bin/python bench/notify_latency.py [--alerts 30]

A fresh embedded SQLite database in a temporary data folder (or, when DATABASE_URL is set, a fresh
PostgreSQL database created beside the one it names and dropped afterwards); one school whose serving agency
has a webhook channel pointing at a local receiver that verifies each signature. `schoolsafe serve` and
`schoolsafe worker` run in their own processes, as in production. Alerts are POSTed one at a time; for each,
the time from the 201 answer (the alert and its notification are committed) to the receiver's arrival.

Two runs: with the kick (the web process makes the first attempt right after the commit, the default), and
without it (SCHOOLSAFE_NOTIFY_KICK=0: the worker's scan, every SCHOOLSAFE_NOTIFY_POLL seconds, sends it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BIN = Path(sys.executable).parent


def setup_child(receiver_url: str) -> None:
    """Runs in a fresh process whose environment names the database: migrate, create the school, the
    teacher with a token, and the agency's webhook channel."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.accounts.models import Membership, User
    from schoolsafe.core.models import Agency, District, School
    from schoolsafe.notifications.actions import do_create_channel

    call_command("migrate", interactive=False, verbosity=0)
    district = District.objects.create(name="Bench District")
    agency = Agency.objects.create(name="Bench Police")
    school = School.objects.create(name="Bench High", district=district)
    school.agencies.add(agency)
    teacher = User.objects.create_user("bench_teacher", full_name="Bench Teacher")
    Membership.objects.create(user=teacher, role="staff", school=school)
    _token, raw = do_create_api_token("bench", teacher, "bench")
    _channel, secret = do_create_channel("bench", agency, "webhook", name="CAD", url=receiver_url,
                                         event_kinds=["alert.raised"])
    # The benchmark's alerts are exercises: they reach the agency's CAD only inside a registered drill window.
    from django.utils import timezone

    from schoolsafe.alerts.models import DrillWindow

    now = timezone.now()
    DrillWindow.objects.create(school=school, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=11),
                               contact="benchmark", registered_by=teacher, registered_at=now)
    print(json.dumps({"token": raw, "school": school.pk, "secret": secret}))


class Receiver:
    """A webhook receiver on 127.0.0.1 recording when each alert id arrived and whether it verified."""

    def __init__(self) -> None:
        self.arrivals: dict[int, float] = {}
        self.bad = 0
        self.secret = ""
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.perf_counter()
                timestamp = self.headers.get("X-SchoolSafe-Timestamp", "")
                mac = hmac.new(receiver.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
                ok = hmac.compare_digest("sha256=" + mac.hexdigest(), self.headers.get("X-SchoolSafe-Signature", ""))
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver.arrived:
                    if ok:
                        receiver.arrivals[json.loads(body)["data"]["alert"]["id"]] = at
                    else:
                        receiver.bad += 1
                    receiver.arrived.notify_all()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait(self, alert_id: int, timeout: float = 15.0) -> float | None:
        with self.arrived:
            self.arrived.wait_for(lambda: alert_id in self.arrivals, timeout)
            return self.arrivals.get(alert_id)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def measure(env: dict[str, str], receiver: Receiver, setup: dict, alerts: int, kick: bool) -> list[float]:
    import httpx

    run_env = {**env, "SCHOOLSAFE_NOTIFY_KICK": "1" if kick else "0"}
    port = free_port()
    server = subprocess.Popen([str(BIN / "schoolsafe"), "serve", "--port", str(port)], env=run_env)
    worker = subprocess.Popen([str(BIN / "schoolsafe"), "worker"], env=run_env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("the server did not start")
        time.sleep(2)  # let the worker start its threads
        body = {"school": setup["school"], "action": "lockdown", "tier": "emergency", "reason": "benchmark",
                "location": {"building": "A", "room": "101"}, "exercise": True}
        latencies = []
        with httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {setup['token']}"}) as client:
            for n in range(alerts + 1):
                response = client.post("/api/v1/alerts", json=body)
                answered = time.perf_counter()
                if response.status_code != 201:
                    sys.exit(f"POST /api/v1/alerts answered {response.status_code}: {response.text}")
                arrived = receiver.wait(response.json()["id"])
                if arrived is None:
                    sys.exit("the webhook never arrived")
                if n:  # the first one warms up connections and the sender's HTTP client
                    latencies.append((arrived - answered) * 1000)
                time.sleep(0.05)
        return latencies
    finally:
        for proc in (server, worker):
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--setup":
        setup_child(sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=30)
    args = parser.parse_args()

    receiver = Receiver()
    data = tempfile.TemporaryDirectory(prefix="schoolsafe-bench-")
    # The receiver listens on 127.0.0.1, which channels may reach only with the operator's setting; each POST
    # a new incident with its own notification (merged reports send none).
    env = {**os.environ, "SCHOOLSAFE_DATA": data.name, "LOG_LEVEL": "WARNING", "SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE": "1",
           "SCHOOLSAFE_ALERT_MERGE_WINDOW": "0", "SCHOOLSAFE_ALERT_FLOOD_PER_MINUTE": "1000000"}
    pg_name = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        pg_name = f"schoolsafe_bench_notify_{os.getpid()}"
        with psycopg.connect(with_database(os.environ["DATABASE_URL"], "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = with_database(os.environ["DATABASE_URL"], pg_name)
    else:
        env.pop("DATABASE_URL", None)
    try:
        result = subprocess.run([sys.executable, __file__, "--setup", receiver.url], env=env, capture_output=True,
                                text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"setup failed:\n{result.stderr.strip()}")
        setup = json.loads(result.stdout.strip().splitlines()[-1])
        receiver.secret = setup["secret"]
        vendor = "postgresql" if pg_name else "sqlite"
        poll = env.get("SCHOOLSAFE_NOTIFY_POLL", "1")
        print(f"alert POST answered (201) -> signed webhook verified at the receiver; {vendor}; "
              f"schoolsafe serve + schoolsafe worker; {args.alerts} alerts one at a time")
        print(f"{'first attempt by':<34} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
        for kick, label in ((True, "the web process, after commit"), (False, f"the worker's scan (every {poll} s)")):
            lat = measure(env, receiver, setup, args.alerts, kick)
            print(f"{label:<34} {percentile(lat, 50):>7.1f} {percentile(lat, 95):>7.1f} {max(lat):>7.1f}")
        if receiver.bad:
            print(f"{receiver.bad} request(s) failed signature verification")
            return 1
        return 0
    finally:
        receiver.server.shutdown()
        if pg_name:
            import psycopg

            with psycopg.connect(with_database(os.environ["DATABASE_URL"], "postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        data.cleanup()


if __name__ == "__main__":
    sys.exit(main())
