"""Benchmark: from an alert's POST to the arrival of its Web Push message at the push service, for N devices.

    .venv/bin/python bench/push_fanout.py [--devices 1000] [--alerts 3]

A fresh embedded SQLite database in a temporary data folder (or, when DATABASE_URL is set, a fresh PostgreSQL
database beside the one it names, dropped afterwards); one school with N staff, each with one subscribed device
whose endpoint is a push service on loopback in THIS process (schoolsafe/reach/tests/pushservice.py). The
devices' keys are made here, so every message received is decrypted (RFC 8291, aes128gcm) and its headline
checked. `schoolsafe serve` and `schoolsafe worker` run in their own processes, as in production: the web
process sends the first attempt right after the commit (the kick), the worker retries. For each device, the
time from just before the POST is written to the arrival of its message (one clock: this process's monotonic).
Prints p50/p95/p99/max over all devices and alerts (the first alert warms connections and is not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from notify_latency import free_port, percentile, with_database  # noqa: E402

from schoolsafe.reach.tests.pushservice import PushService  # noqa: E402

BIN = Path(sys.executable).parent


def setup_child(devices_file: str) -> None:
    """In a fresh process whose environment names the database: migrate, the school, N staff with one device
    each, and a teacher with an API token who raises the alerts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.accounts.models import Membership, User
    from schoolsafe.alerts.models import EscalationPolicy
    from schoolsafe.core.models import Agency, District, School
    from schoolsafe.reach.models import PushSubscription

    call_command("migrate", interactive=False, verbosity=0)
    devices = json.loads(Path(devices_file).read_text())
    district = District.objects.create(name="Bench District")
    agency = Agency.objects.create(name="Bench Police")
    school = School.objects.create(name="Bench High", district=district)
    school.agencies.add(agency)
    # No escalation during the run: its pushes would mix with the ones measured.
    EscalationPolicy.objects.create(agency=agency, enabled=False)
    teacher = User.objects.create_user("bench_teacher", full_name="Bench Teacher")
    Membership.objects.create(user=teacher, role="staff", school=school)
    staff = User.objects.bulk_create([User(username=f"staff{n}", full_name=f"Staff {n}") for n in range(len(devices))])
    staff = list(User.objects.filter(username__startswith="staff").order_by("pk"))
    Membership.objects.bulk_create([Membership(user=u, role="staff", school=school) for u in staff])
    now = timezone.now()
    PushSubscription.objects.bulk_create([
        PushSubscription(user=u, device_name="phone", endpoint=d["endpoint"], p256dh=d["keys"]["p256dh"],
                         auth=d["keys"]["auth"], created_at=now) for u, d in zip(staff, devices, strict=True)])
    _token, raw = do_create_api_token("bench", teacher, "bench")
    print(json.dumps({"token": raw, "school": school.pk}))


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--setup":
        setup_child(sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--alerts", type=int, default=3)
    args = parser.parse_args()
    import httpx

    service = PushService().__enter__()
    devices = [service.device(f"d{n}") for n in range(args.devices)]
    by_path = {f"/push/d{n}": device for n, device in enumerate(devices)}
    data = tempfile.TemporaryDirectory(prefix="schoolsafe-bench-")
    devices_file = Path(data.name) / "devices.json"
    devices_file.write_text(json.dumps([{"endpoint": d.endpoint, "keys": d.keys} for d in devices]))
    env = {**os.environ, "SCHOOLSAFE_DATA": data.name, "LOG_LEVEL": "WARNING"}
    pg_name = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        pg_name = f"schoolsafe_bench_push_{os.getpid()}"
        with psycopg.connect(with_database(os.environ["DATABASE_URL"], "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = with_database(os.environ["DATABASE_URL"], pg_name)
    else:
        env.pop("DATABASE_URL", None)
    procs: list[subprocess.Popen] = []
    try:
        result = subprocess.run([sys.executable, __file__, "--setup", str(devices_file)], env=env,
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"setup failed:\n{result.stderr.strip()}")
        setup = json.loads(result.stdout.strip().splitlines()[-1])
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        procs.append(subprocess.Popen([str(BIN / "schoolsafe"), "serve", "--port", str(port)], env=env))
        procs.append(subprocess.Popen([str(BIN / "schoolsafe"), "worker"], env=env))
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("the server did not start")
        time.sleep(2)
        body = {"school": setup["school"], "action": "hold", "tier": "emergency", "reason": "benchmark",
                "location": {"building": "A", "room": "101"}, "exercise": True}
        latencies: list[float] = []
        bad = 0
        with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {setup['token']}"}) as client:
            for n in range(args.alerts + 1):
                before = len(service.received)
                start = time.monotonic()
                response = client.post("/api/v1/alerts", json=body)
                if response.status_code != 201:
                    sys.exit(f"POST /api/v1/alerts answered {response.status_code}: {response.text}")
                alert_id = response.json()["id"]
                if not service.wait_for(before + args.devices, timeout=120):
                    sys.exit(f"only {len(service.received) - before} of {args.devices} messages arrived")
                batch = service.received[before:before + args.devices]
                # Decrypted after the timing (in this process, it would slow the push service's threads).
                for received in batch:
                    headline = by_path[received.path].decrypt(received.body)
                    bad += headline["alert"] != alert_id or headline["title"] != "EXERCISE: HOLD"
                if n:  # the first alert warms connections and is not counted
                    latencies.extend((r.at - start) * 1000 for r in batch)
                time.sleep(1)
        vendor = "postgresql" if pg_name else "sqlite"
        print(f"alert POST -> encrypted push message at a loopback push service; {args.devices} devices; {vendor}; "
              f"{args.alerts} alerts (after one warm-up)")
        print(f"p50 {percentile(latencies, 50):.0f} ms  p95 {percentile(latencies, 95):.0f} ms  "
              f"p99 {percentile(latencies, 99):.0f} ms  max {max(latencies):.0f} ms; "
              f"{len(latencies)} messages decrypted, {bad} with a wrong headline")
        return 1 if bad else 0
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        service.__exit__(None, None, None)
        if pg_name:
            import psycopg

            with psycopg.connect(with_database(os.environ["DATABASE_URL"], "postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        data.cleanup()


if __name__ == "__main__":
    sys.exit(main())
