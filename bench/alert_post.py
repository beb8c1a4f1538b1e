"""Benchmark: POST /api/v1/alerts against `schoolsafe serve`, as a panic button or a phone would.

    .venv/bin/python bench/alert_post.py [--seconds 10] [--concurrency 1,16] [--idempotency]

A fresh embedded SQLite database in a temporary data folder (or, when DATABASE_URL is set, a fresh
PostgreSQL database created beside the one it names and dropped afterwards). One school, one teacher with
an API token; the server runs in its own process exactly as `schoolsafe serve` starts it; the client (httpx,
asyncio) keeps `concurrency` requests in flight for `seconds`. Prints requests per second and latency
percentiles per concurrency, and checks that every 201 left exactly one alert and one alert.raised event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def setup_child() -> None:
    """Runs in a fresh process whose environment names the database: migrate, create the school and user."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.accounts.models import Membership, User
    from schoolsafe.core.models import Agency, District, School

    call_command("migrate", interactive=False, verbosity=0)
    district = District.objects.create(name="Bench District")
    agency = Agency.objects.create(name="Bench Police")
    school = School.objects.create(name="Bench High", district=district)
    school.agencies.add(agency)
    teacher = User.objects.create_user("bench_teacher", full_name="Bench Teacher")
    Membership.objects.create(user=teacher, role="staff", school=school)
    # Recipients, so the audience is not trivially small (they are not connected: this measures the POST).
    for n in range(50):
        Membership.objects.create(user=User.objects.create_user(f"staff{n}"), role="staff", school=school)
    _token, raw = do_create_api_token("bench", teacher, "bench")
    print(json.dumps({"token": raw, "school": school.pk}))


def count_child() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from schoolsafe.alerts.models import Alert
    from schoolsafe.events.models import Event

    print(json.dumps({"alerts": Alert.objects.count(), "events": Event.objects.filter(kind="alert.raised").count()}))


def run_child(flag: str, env: dict[str, str]) -> dict:
    result = subprocess.run([sys.executable, __file__, flag], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"benchmark process failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def load(url: str, token: str, school: int, concurrency: int, seconds: float, idempotency: bool) -> dict:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    body = {"school": school, "action": "lockdown", "tier": "emergency", "reason": "benchmark",
            "location": {"building": "A", "room": "101"}, "exercise": True}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as client:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                headers = {"Idempotency-Key": uuid.uuid4().hex} if idempotency else {}
                started = time.perf_counter()
                response = await client.post("/api/v1/alerts", json=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": elapsed, "statuses": statuses, "latencies": latencies}


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--setup":
        setup_child()
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--count":
        count_child()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--idempotency", action="store_true", help="send a fresh Idempotency-Key with each POST")
    args = parser.parse_args()

    data = tempfile.TemporaryDirectory(prefix="schoolsafe-bench-")
    # Each POST a new incident (the path measured since part 1), not a report merged into the first.
    env = {**os.environ, "SCHOOLSAFE_DATA": data.name, "LOG_LEVEL": "WARNING", "SCHOOLSAFE_ALERT_MERGE_WINDOW": "0",
           "SCHOOLSAFE_ALERT_FLOOD_PER_MINUTE": "1000000"}
    pg_name = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        pg_name = f"schoolsafe_bench_alerts_{os.getpid()}"
        admin = with_database(os.environ["DATABASE_URL"], "postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = with_database(os.environ["DATABASE_URL"], pg_name)
    else:
        env.pop("DATABASE_URL", None)
    server = None
    try:
        setup = run_child("--setup", env)
        port = free_port()
        server = subprocess.Popen([str(BIN / "schoolsafe"), "serve", "--port", str(port)], env=env)
        url = f"http://127.0.0.1:{port}"
        import httpx

        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("the server did not start")
        vendor = "postgresql" if pg_name else "sqlite"
        print(f"POST /api/v1/alerts on {vendor}, one uvicorn process, client on the same machine"
              f"{', with Idempotency-Key' if args.idempotency else ''}")
        print(f"{'concurrency':>11} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
              f"{'max ms':>7}  statuses")
        total_201 = 0
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            # A short warm-up so the first connection's setup is not measured.
            warm = asyncio.run(load(url, setup["token"], setup["school"], concurrency, 1.0, args.idempotency))
            total_201 += warm["statuses"].get(201, 0)
            result = asyncio.run(load(url, setup["token"], setup["school"], concurrency, args.seconds,
                                      args.idempotency))
            lat = [x * 1000 for x in result["latencies"]]
            print(f"{concurrency:>11} {result['requests']:>8} {result['requests'] / result['seconds']:>7.1f} "
                  f"{percentile(lat, 50):>7.1f} {percentile(lat, 95):>7.1f} {percentile(lat, 99):>7.1f} "
                  f"{max(lat):>7.1f}  {result['statuses']}")
            total_201 += result["statuses"].get(201, 0)
        counts = run_child("--count", env)
        # Warm-ups count too: every 201 answered must be exactly one stored alert and one event.
        ok = counts["alerts"] == counts["events"] == total_201 > 0
        print(f"201 answers: {total_201}, alerts stored: {counts['alerts']}, alert.raised events: {counts['events']} "
              f"({'consistent' if ok else 'MISMATCH'})")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if pg_name:
            import psycopg

            with psycopg.connect(with_database(os.environ["DATABASE_URL"], "postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        data.cleanup()


if __name__ == "__main__":
    sys.exit(main())
