"""Benchmark: anonymous tips (POST /api/v1/tips) against `schoolsafe serve`, as after an incident that many
people report at once; then a burst from one client past the rate limit.

    .venv/bin/python bench/tips.py [--seconds 10] [--concurrency 16] [--photos]

A fresh embedded SQLite database in a temporary data folder (or, when DATABASE_URL is set, a fresh
PostgreSQL database created beside the one it names and dropped afterwards), with twelve schools. The
server runs in its own process exactly as `schoolsafe serve` starts it (one uvicorn process, proxy
headers trusted from 127.0.0.1). Many tipsters are simulated by giving each request its own
X-Forwarded-For address from the benchmarking range 198.18.0.0/15 (RFC 2544): no traffic leaves
127.0.0.1; the header only tells the server which client the rate limit should count.

Prints tips per second, latency percentiles and the server's CPU time per tip (its own cost, which a
busy machine changes little; 1000 / that is what one process can take on a free core), then the
burst's answers (expected: the first 10 are 201, the rest 429, none 5xx), and checks that every 201
stored exactly one tip.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import ipaddress
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BIN = Path(sys.executable).parent
BENCH_NET = ipaddress.ip_network("198.18.0.0/15")
TEXTS = [
    "Someone posted that they will bring a gun tomorrow.",
    "Un estudiante vende pastillas en el baño de los varones.",
    "My friend keeps talking about hurting herself.",
    "A group keeps pushing a sixth grader around at the bus stop.",
]
CATEGORIES = ["weapon", "drugs", "self_harm", "bullying", "other"]


def setup_child() -> None:
    """Runs in a fresh process whose environment names the database: migrate and create the schools."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from schoolsafe.core.models import District, School

    call_command("migrate", interactive=False, verbosity=0)
    district = District.objects.create(name="Bench District")
    schools = [School.objects.create(name=f"Bench School {n}", district=district).pk for n in range(12)]
    print(json.dumps({"schools": schools}))


def count_child() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from schoolsafe.tips.models import Tip, TipAttachment

    print(json.dumps({"tips": Tip.objects.count(), "attachments": TipAttachment.objects.count()}))


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
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def photo_bytes() -> bytes:
    """A phone-sized JPEG (1600x1200) with EXIF, as a tipster's photo would come."""
    from PIL import Image

    image = Image.new("RGB", (1600, 1200), (40, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


async def sustained(url: str, schools: list[int], concurrency: int, seconds: float, photo: bytes | None,
                    addresses: itertools.count) -> dict:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker(n: int) -> None:
            for i in itertools.count():
                if time.perf_counter() >= deadline:
                    return
                # A new client address for every tip: the per-client limit is not what is measured here.
                address = str(BENCH_NET[next(addresses) % BENCH_NET.num_addresses])
                fields = {"category": CATEGORIES[(n + i) % len(CATEGORIES)], "school": schools[(n + i) % len(schools)],
                          "what": TEXTS[(n + i) % len(TEXTS)], "where_text": "cafeteria"}
                started = time.perf_counter()
                if photo is None:
                    response = await client.post("/api/v1/tips", json=fields, headers={"X-Forwarded-For": address})
                else:
                    response = await client.post("/api/v1/tips", data={k: str(v) for k, v in fields.items()},
                                                 files={"attachments": ("photo.jpg", photo, "image/jpeg")},
                                                 headers={"X-Forwarded-For": address})
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": elapsed, "statuses": statuses, "latencies": latencies}


async def burst(url: str, school: int, size: int) -> dict[int, int]:
    """`size` tips at once from a single client address."""
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        responses = await asyncio.gather(*(
            client.post("/api/v1/tips", json={"category": "other", "school": school, "what": "burst"},
                        headers={"X-Forwarded-For": "198.19.255.254"}) for _ in range(size)))
    statuses: dict[int, int] = {}
    for response in responses:
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return statuses


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time used by the process and its children still running (worker processes),
    from Linux /proc; None elsewhere."""
    stats: dict[int, tuple[int, float]] = {}
    try:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    except OSError:
        return None
    if pid not in stats:
        return None
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats[current][1]
        todo += [child for child, (parent, _cpu) in stats.items() if parent == current]
    return total


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def report(label: str, result: dict, cpu: float | None) -> None:
    lat = [x * 1000 for x in result["latencies"]]
    per_tip = f"{cpu * 1000 / result['requests']:>7.2f}" if cpu is not None and result["requests"] else "      -"
    print(f"{label:<24} {result['requests']:>8} {result['requests'] / result['seconds']:>8.1f} "
          f"{percentile(lat, 50):>7.1f} {percentile(lat, 95):>7.1f} {percentile(lat, 99):>7.1f} {max(lat or [0]):>7.1f}"
          f" {per_tip}  {result['statuses']}")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--setup":
        setup_child()
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--count":
        count_child()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--photos", action="store_true", help="also measure tips with a 1600x1200 JPEG attached")
    parser.add_argument("--burst", type=int, default=40, help="tips sent at once from one client (limit: 10)")
    parser.add_argument("--workers", type=int, default=1,
                        help="uvicorn worker processes (without REDIS_URL each counts its own rate limits)")
    args = parser.parse_args()

    data = tempfile.TemporaryDirectory(prefix="schoolsafe-bench-tips-")
    env = {**os.environ, "SCHOOLSAFE_DATA": data.name, "LOG_LEVEL": "ERROR"}
    pg_name = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        pg_name = f"schoolsafe_bench_tips_{os.getpid()}"
        with psycopg.connect(with_database(os.environ["DATABASE_URL"], "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = with_database(os.environ["DATABASE_URL"], pg_name)
    else:
        env.pop("DATABASE_URL", None)
    server = None
    try:
        setup = run_child("--setup", env)
        port = free_port()
        # The server's log goes to a file (Django logs every 429 of the burst as a warning); shown on 5xx.
        server_log = open(Path(data.name) / "server.log", "w")  # noqa: SIM115 - closed with the data folder
        server = subprocess.Popen([str(BIN / "schoolsafe"), "serve", "--port", str(port), "--workers", str(args.workers)],
                                  env=env,
                                  stdout=server_log, stderr=subprocess.STDOUT)
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
        processes = "one uvicorn process" if args.workers == 1 else f"{args.workers} uvicorn worker processes"
        print(f"POST /api/v1/tips on {vendor}, {processes}, client on the same machine, "
              f"{args.concurrency} requests in flight, {args.seconds:g} s")
        print(f"{'':<24} {'requests':>8} {'tips/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
              f" {'cpu ms':>7}  statuses")
        addresses = itertools.count()
        created = 0
        server_errors = 0
        runs = [("text tips (JSON)", None)] + ([("tips with a photo", photo_bytes())] if args.photos else [])
        for label, photo in runs:
            warm = asyncio.run(sustained(url, setup["schools"], args.concurrency, 1.0, photo, addresses))
            cpu_before = cpu_seconds(server.pid)
            result = asyncio.run(sustained(url, setup["schools"], args.concurrency, args.seconds, photo, addresses))
            cpu_after = cpu_seconds(server.pid)
            report(label, result, None if cpu_before is None or cpu_after is None else cpu_after - cpu_before)
            for run in (warm, result):
                created += run["statuses"].get(201, 0)
                server_errors += sum(n for status, n in run["statuses"].items() if status >= 500)
        statuses = asyncio.run(burst(url, setup["schools"][0], args.burst))
        print(f"burst of {args.burst} tips at once from one client: {dict(sorted(statuses.items()))}")
        created += statuses.get(201, 0)
        server_errors += sum(n for status, n in statuses.items() if status >= 500)
        # Each worker process keeps its own counters unless the cache is shared (REDIS_URL).
        allowed = 10 if args.workers == 1 or os.environ.get("REDIS_URL") else 10 * args.workers
        burst_ok = (10 <= statuses.get(201, 0) <= allowed and statuses.get(201, 0) + statuses.get(429, 0) == args.burst)
        counts = run_child("--count", env)
        stored_ok = counts["tips"] == created
        print(f"201 answers: {created}, tips stored: {counts['tips']}, attachments stored: {counts['attachments']}; "
              f"5xx answers: {server_errors}; burst {'as expected' if burst_ok else 'NOT AS EXPECTED'}; "
              f"storage {'consistent' if stored_ok else 'MISMATCH'}")
        if server_errors:
            print((Path(data.name) / "server.log").read_text()[-4000:], file=sys.stderr)
        return 0 if burst_ok and stored_ok and server_errors == 0 else 1
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
