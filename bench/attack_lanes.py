"""Benchmark: alerts raised while the server is under attack (a flood of sign-ins and tips; docs/security.md).

    .venv/bin/python bench/attack_lanes.py [--seconds 20] [--alerts-every 0.1]

Starts `schoolsafe serve` (a subprocess, a fresh SQLite data folder: a school, a teacher with an API
token) on 127.0.0.1. Raises alerts one at a time with nothing else running (unloaded), then again
while an attacker process (a separate process, so that its work does not skew this one's clock) keeps up,
in waves for the whole measurement, the attack seen on the demo: eight anonymous tips at once, each with
five 7,740 x 7,740 greyscale PNGs of zeros (58 KB, 60 megapixels each), and forty failed sign-ins at once;
then unloaded again once the attack is over. The unloaded figure is both quiet phases together, one before
and one after, so that a machine shared with other work (whose load drifts) does not bias the ratio.
Prints p50/p95/p99/max of the alert POST (201 to the client) for each phase, what the attack got back
(status counts, its own latencies), the server's peak resident memory, and exits 1 when the attacked p99
is over twice the unloaded p99 (the acceptance rule of the issue) or an alert was not answered 201.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET_RATIO = 2.0
TIPS_PER_WAVE = 8
PICTURES_PER_TIP = 5
SIGN_INS_PER_WAVE = 40
SIDE = 7740


def prepare() -> None:
    """In a child process with SCHOOLSAFE_DATA set: migrate, create the school and the teacher's token."""
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
    teacher = User.objects.create_user("bench_teacher", password="correct horse battery staple",
                                       full_name="Bench Teacher")
    Membership.objects.create(user=teacher, role="staff", school=school)
    _, raw = do_create_api_token("bench", teacher, "attack benchmark")
    print(json.dumps({"token": raw, "school": school.pk}))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (f"n={len(values):>4}  p50 {percentile(values, 50):8.1f}  p95 {percentile(values, 95):8.1f}  "
            f"p99 {percentile(values, 99):8.1f}  max {max(values):8.1f} ms")


# --- the attacker (its own process) ---------------------------------------------------------------------------


def zeros_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (SIDE, SIDE)).save(out, "PNG")
    return out.getvalue()


async def attack(url: str, school: int, seconds: float) -> dict:
    import httpx

    picture = zeros_png()
    statuses: dict[str, dict[int, int]] = {"tip": {}, "sign-in": {}}
    latencies: dict[str, list[float]] = {"tip": [], "sign-in": []}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=TIPS_PER_WAVE + SIGN_INS_PER_WAVE)

    async def timed(kind: str, call) -> None:
        started = time.perf_counter()
        try:
            response = await call()
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        latencies[kind].append((time.perf_counter() - started) * 1000)
        statuses[kind][status] = statuses[kind].get(status, 0) + 1

    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        page = await client.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

        def tip():
            files = [("attachments", (f"zeros{n}.png", picture, "image/png")) for n in range(PICTURES_PER_TIP)]
            return client.post("/api/v1/tips", files=files, data={
                "category": "weapon", "school": str(school), "what": "see the pictures"})

        def sign_in(n: int):
            return client.post("/accounts/login/", data={
                "username": f"nobody{n}", "password": "wrong password", "csrfmiddlewaretoken": csrf},
                headers={"Referer": f"{url}/accounts/login/"})

        waves = 0
        while time.perf_counter() < deadline:
            waves += 1
            await asyncio.gather(*(timed("tip", tip) for _ in range(TIPS_PER_WAVE)),
                                 *(timed("sign-in", lambda n=n: sign_in(n)) for n in range(SIGN_INS_PER_WAVE)))
    return {"waves": waves, "statuses": statuses, "latencies": latencies}


# --- the measurement ------------------------------------------------------------------------------------------


async def raise_alerts(url: str, token: str, school: int, seconds: float, every: float) -> tuple[list[float], dict]:
    import httpx

    body = {"school": school, "action": "lockdown", "tier": "emergency", "reason": "benchmark",
            "location": {"building": "A", "room": "101"}, "exercise": True}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"}) as client:
        await client.post("/api/v1/alerts", json=body)  # the connection and the first request: not measured
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status = (await client.post("/api/v1/alerts", json=body)).status_code
            except httpx.HTTPError:  # no answer within the timeout (status 0)
                status = 0
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            await asyncio.sleep(every)
    return latencies, statuses


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--prepare":
        prepare()
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--attack":
        url, school, seconds = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
        print(json.dumps(asyncio.run(attack(url, school, seconds))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--alerts-every", type=float, default=0.1, help="pause between two alerts (seconds)")
    args = parser.parse_args()

    data = tempfile.TemporaryDirectory(prefix="schoolsafe-attack-")
    env = {**os.environ, "SCHOOLSAFE_DATA": data.name, "LOG_LEVEL": "ERROR"}
    env.pop("DATABASE_URL", None)
    server = None
    try:
        prepared = subprocess.run([sys.executable, __file__, "--prepare"], env=env, capture_output=True, text=True,
                                  check=True)
        setup = json.loads(prepared.stdout.strip().splitlines()[-1])
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(BIN / "schoolsafe"), "serve", "--port", str(port)], env=env)
        import httpx

        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("the server did not start")

        print(f"Alert POSTs against `schoolsafe serve` (SQLite) on 127.0.0.1, one every {args.alerts_every} s "
              f"for {args.seconds:.0f} s per phase")
        unloaded, unloaded_statuses = asyncio.run(
            raise_alerts(url, setup["token"], setup["school"], args.seconds, args.alerts_every))
        print(f"  unloaded: {summary(unloaded)}  {unloaded_statuses}")

        attacker = subprocess.Popen([sys.executable, __file__, "--attack", url, str(setup["school"]),
                                     str(args.seconds)], env=env, stdout=subprocess.PIPE, text=True)
        time.sleep(1.0)  # the first wave is under way
        loaded, loaded_statuses = asyncio.run(
            raise_alerts(url, setup["token"], setup["school"], args.seconds - 1.0, args.alerts_every))
        out, _ = attacker.communicate(timeout=600)
        report = json.loads(out.strip().splitlines()[-1])
        print(f"  attacked: {summary(loaded)}  {loaded_statuses}")
        after, after_statuses = asyncio.run(
            raise_alerts(url, setup["token"], setup["school"], args.seconds, args.alerts_every))
        print(f"  unloaded again: {summary(after)}  {after_statuses}")
        unloaded += after
        print(f"  unloaded, both: {summary(unloaded)}")
        print(f"  attack: {report['waves']} waves of {TIPS_PER_WAVE} tips x {PICTURES_PER_TIP} PNGs of "
              f"{SIDE}x{SIDE} zeros and {SIGN_INS_PER_WAVE} failed sign-ins")
        for kind in ("tip", "sign-in"):
            print(f"    {kind:<8} {summary(report['latencies'][kind])}  statuses {report['statuses'][kind]}")
        print(f"  server peak resident memory: {peak_rss_mib(server.pid):.0f} MiB")
        ratio = percentile(loaded, 99) / percentile(unloaded, 99)
        ok = ratio <= TARGET_RATIO and set(unloaded_statuses) == set(loaded_statuses) == set(after_statuses) == {201}
        print(f"  attacked p99 / unloaded p99 = {ratio:.2f} (target <= {TARGET_RATIO}): {'met' if ok else 'MISSED'}")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        data.cleanup()


if __name__ == "__main__":
    sys.exit(main())
