"""Benchmark: from an alert's POST to its arrival on N open event streams, against the floor.

    .venv/bin/python bench/alert_fanout.py [--sizes 100,1000,5000] [--alerts 5]
    schoolsafe bench fanout [same options]

Starts the server as `schoolsafe serve` does (a subprocess: uvicorn, a fresh data folder with a migrated
SQLite database, a teacher with an API token), and a minimal asyncio SSE broadcaster (bench/sse_floor.py,
the floor). From THIS process (a separate one: raw asyncio sockets speaking HTTP/1.1 and parsing SSE, no
HTTP library) it opens N streams to each, then POSTs alerts one at a time: to SchoolSafe a real
`POST /api/v1/alerts` (emergency tier, exercise), to the floor a `POST /publish`. For each subscriber it
records the time from just before the POST is written to the arrival of that alert's event (one clock:
this process's time.monotonic). Prints p50/p95/p99/max per N and server, the servers' resident memory
with N streams open, the ratio of SchoolSafe's p99 to the floor's, checks that every subscriber received
every alert exactly once, and exits 1 if a target is missed (docs/events.md):
p99 <= 2x the floor's p99 at 1,000 and 5,000 subscribers, <= 250 ms at 1,000, <= 1 s at 5,000;
memory with 5,000 streams <= 300 MiB; every subscriber receives every alert.

Client and servers share this machine's cores: the figures include the
client's own work, for the floor and for SchoolSafe alike.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FLOOR = Path(__file__).resolve().parent / "sse_floor.py"
HOST = "127.0.0.1"
TARGET_RATIO = 2.0
TARGET_P99_MS = {1000: 250.0, 5000: 1000.0}
TARGET_RSS_MIB = 300.0
ROUND_TIMEOUT = 30.0


# --- the data folder (runs in a child process with SCHOOLSAFE_DATA set) -------------------------------------


def prepare() -> None:
    """Migrate a fresh SQLite database and create a school, its district and agency, and a teacher with a
    token. Prints {"token", "school"} as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from schoolsafe.accounts.actions import do_create_api_token
    from schoolsafe.accounts.models import Membership, User
    from schoolsafe.core.models import Agency, District, School

    call_command("migrate", interactive=False, verbosity=0)
    district = District.objects.create(name="Bench District", state="FL")
    agency = Agency.objects.create(name="Bench Police", state="FL")
    school = School.objects.create(name="Bench High", district=district, state="FL")
    school.agencies.add(agency)
    teacher = User.objects.create_user("bench_teacher", full_name="Bench Teacher")
    Membership.objects.create(user=teacher, role="staff", school=school)
    _, raw = do_create_api_token("bench", teacher, "alert fan-out benchmark")
    print(json.dumps({"token": raw, "school": school.pk}))


# --- processes -------------------------------------------------------------------------------------------


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    post_path: str
    headers: dict[str, str]
    stream_path: str
    body: Any

    def stop(self) -> None:
        if self.process.poll() is None:
            # SIGINT under a profiler: uvicorn re-raises the signal after its shutdown, and only a
            # KeyboardInterrupt (not SIGTERM's default action) lets cProfile write its file.
            self.process.send_signal(signal.SIGINT if os.environ.get("FANOUT_PROFILE") else signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode} before listening")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server did not listen on port {port} within {timeout:.0f} s")


def start_schoolsafe(data_dir: Path, http: str = "auto") -> Server:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SCHOOLSAFE_DATA"] = str(data_dir)
    # Each raise its own incident with its own alert.raised, as a new emergency's path (merged reports make
    # no alert.raised); and no flood flag on the benchmark's one token.
    env["SCHOOLSAFE_ALERT_MERGE_WINDOW"], env["SCHOOLSAFE_ALERT_FLOOD_PER_MINUTE"] = "0", "1000000"
    prepared = subprocess.run([sys.executable, __file__, "--prepare"], env=env, capture_output=True, text=True,
                              check=False)
    if prepared.returncode != 0:
        raise SystemExit(f"preparing the data folder failed:\n{prepared.stderr}")
    setup = json.loads(prepared.stdout.strip().splitlines()[-1])
    port = free_port()
    env["LOG_LEVEL"] = env.get("LOG_LEVEL", "WARNING")
    command = [sys.executable, "-m", "schoolsafe.cli", "serve", "--host", HOST, "--port", str(port)]
    if http != "auto":
        # Only to compare HTTP parsers: uvicorn's own command with the settings `schoolsafe serve` uses.
        command = [sys.executable, "-m", "uvicorn", "schoolsafe.asgi:application", "--host", HOST, "--port", str(port),
                   "--http", http, "--lifespan", "on", "--no-access-log", "--proxy-headers",
                   "--timeout-graceful-shutdown", "5", "--log-level", "warning"]
    if os.environ.get("FANOUT_PROFILE"):  # a profile of the server, for whoever tunes it
        command[1:1] = ["-m", "cProfile", "-o", os.environ["FANOUT_PROFILE"]]
    process = subprocess.Popen(command, env=env, preexec_fn=raise_nofile)  # noqa: PLW1509
    wait_until_listening(port, process)
    body = {"school": setup["school"], "action": "lockdown", "tier": "emergency", "exercise": True,
            "reason": "fan-out benchmark", "location": {"building": "B", "room": "101"}}
    return Server("schoolsafe", process, port, "/api/v1/alerts", {"Authorization": f"Bearer {setup['token']}"},
                  "/api/v1/events", body)


def start_floor(loop: str) -> Server:
    port = free_port()
    command = [sys.executable, str(FLOOR), "--port", str(port)] + (["--uvloop"] if loop == "uvloop" else [])
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, preexec_fn=raise_nofile)  # noqa: PLW1509
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise SystemExit("the floor broadcaster did not start")
    return Server("floor", process, port, "/publish", {}, "/events", {"action": "lockdown", "reason": "fan-out benchmark"})


# --- the subscribers ---------------------------------------------------------------------------------------


class Round:
    """One alert: how many subscribers have received it so far."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.done = asyncio.get_running_loop().create_future()


class Stream(asyncio.Protocol):
    """One SSE subscriber on a raw socket: HTTP/1.1 GET, chunked body, SSE events."""

    def __init__(self, request: bytes, ready: asyncio.Future, rounds: list[Round | None]) -> None:
        self.request = request
        self.ready = ready
        self.rounds = rounds  # rounds[0]: the alert now being measured (shared by all streams)
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.status = 0
        self.chunks = bytearray()
        self.need = -1  # bytes left in the current chunk (+2 for its CRLF); -1: reading a size line
        self.sse = bytearray()
        self.arrivals: list[tuple[int, float, bytes]] = []  # (event id, arrival, data) of alert events
        self.round_arrival: float | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(self.request)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"stream closed before it started ({exc})"))

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        if not self.status:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            self.status = int(self.head[9:12])
            data, self.head = self.head[end + 4:], b""
            if self.status != 200:
                if not self.ready.done():
                    self.ready.set_exception(ConnectionError(f"stream answered {self.status}"))
                return
        self.chunks += data
        buf = self.chunks
        pos = 0
        while True:
            if self.need < 0:
                end = buf.find(b"\r\n", pos)
                if end < 0:
                    break
                self.need = int(buf[pos:end], 16) + 2
                pos = end + 2
            if len(buf) - pos < self.need:
                break
            self.sse += buf[pos:pos + self.need - 2]
            pos += self.need
            self.need = -1
        del buf[:pos]
        self._events(now)

    def _events(self, now: float) -> None:
        sse = self.sse
        while True:
            end = sse.find(b"\n\n")
            if end < 0:
                return
            block = bytes(sse[:end])
            del sse[:end + 2]
            if not self.ready.done():
                self.ready.set_result(None)
            if not block.startswith(b"id: "):
                continue  # a comment (": connected", ": hb") or the retry field
            lines = block.split(b"\n")
            event_id = int(lines[0][4:])
            kind = lines[1][7:] if len(lines) > 1 and lines[1].startswith(b"event: ") else b"message"
            if kind != b"alert.raised":
                continue
            data = lines[2][6:] if len(lines) > 2 else b""
            self.arrivals.append((event_id, now, data))
            current = self.rounds[0]
            if current is not None and self.round_arrival is None:
                self.round_arrival = now
                current.count += 1
                if current.count == current.expected and not current.done.done():
                    current.done.set_result(None)


async def http_post(port: int, path: str, headers: dict[str, str], body: bytes) -> tuple[float, int, bytes]:
    """POST on a connection opened beforehand; returns (monotonic time just before writing, status, body)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    head = f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n" \
           f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    started = time.monotonic()
    writer.write(head.encode() + body)
    await writer.drain()
    head_bytes = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), ROUND_TIMEOUT)
    if os.environ.get("FANOUT_DEBUG"):
        print(f"    POST written {started:.4f}, answered in {(time.monotonic() - started) * 1000:.1f} ms", flush=True)
    length = 0
    for line in head_bytes.split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    answer = await asyncio.wait_for(reader.readexactly(length), ROUND_TIMEOUT)
    writer.close()
    return started, int(head_bytes[9:12]), answer


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


@dataclass
class Result:
    server: str
    subscribers: int
    latencies_ms: list[float] = field(default_factory=list)
    rss_mib: float = float("nan")
    missing: int = 0
    duplicates: int = 0
    post_failures: list[str] = field(default_factory=list)
    cpu_ms_per_alert: float = float("nan")

    def stat(self, q: float) -> float:
        values = sorted(self.latencies_ms)
        return values[-1] if q == 100 else percentile(values, q)


class Fleet:
    """N subscribers of one server, and what they measured."""

    def __init__(self, server: Server, n: int) -> None:
        self.server = server
        self.result = Result(server.name, n)
        self.rounds: list[Round | None] = [None]
        self.streams: list[Stream] = []
        self.posted: list[int] = []
        self.cpu_seconds = 0.0
        self.connect_seconds = 0.0

    async def connect(self, concurrency: int) -> None:
        loop = asyncio.get_running_loop()
        server = self.server
        request = (f"GET {server.stream_path} HTTP/1.1\r\nHost: {HOST}:{server.port}\r\nAccept: text/event-stream\r\n"
                   + "".join(f"{k}: {v}\r\n" for k, v in server.headers.items()) + "\r\n").encode()
        gate = asyncio.Semaphore(concurrency)

        async def open_one() -> None:
            async with gate:
                ready = loop.create_future()
                stream = Stream(request, ready, self.rounds)
                await loop.create_connection(lambda: stream, HOST, server.port)
                self.streams.append(stream)
                await asyncio.wait_for(ready, 120)

        started = time.monotonic()
        await asyncio.gather(*(open_one() for _ in range(self.result.subscribers)))
        self.connect_seconds = time.monotonic() - started

    async def alert(self, number: int) -> None:
        """POST one alert and wait until every subscriber has it (or ROUND_TIMEOUT)."""
        server, result = self.server, self.result
        current = Round(len(self.streams))
        for stream in self.streams:
            stream.round_arrival = None
        self.rounds[0] = current
        cpu_before = cpu_seconds(server.process.pid)
        body = dict(server.body, reason=f"fan-out benchmark {number + 1}")
        t0, status, answer = await http_post(server.port, server.post_path, server.headers, json.dumps(body).encode())
        if status != 201:
            result.post_failures.append(f"{status} {answer[:200]!r}")
        else:
            self.posted.append(json.loads(answer)["id"])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(current.done), ROUND_TIMEOUT)
        self.cpu_seconds += cpu_seconds(server.process.pid) - cpu_before
        self.rounds[0] = None
        result.latencies_ms.extend((s.round_arrival - t0) * 1000 for s in self.streams if s.round_arrival is not None)

    async def close(self) -> Result:
        result = self.result
        for stream in self.streams:
            got = [_alert_id(self.server.name, event_id, data) for event_id, _, data in stream.arrivals]
            result.missing += sum(1 for alert_id in self.posted if alert_id not in got)
            result.duplicates += len(got) - len(set(got))
            if stream.transport is not None:
                stream.transport.close()
        closed_at = time.monotonic()
        while any(not s.closed for s in self.streams) and time.monotonic() - closed_at < 10:
            await asyncio.sleep(0.05)
        if self.posted:
            result.cpu_ms_per_alert = self.cpu_seconds * 1000 / len(self.posted)
        print(f"  {self.server.name:<10} N={result.subscribers:>5}: connected in {self.connect_seconds:.1f} s, "
              f"p99 {result.stat(99):.0f} ms, {result.rss_mib:.0f} MiB, "
              f"server CPU {result.cpu_ms_per_alert:.0f} ms per alert", flush=True)
        return result


async def measure(servers: list[Server], n: int, alerts: int, connect_concurrency: int) -> list[Result]:
    """N subscribers on each server at once; alerts posted to each server in turn, so that whatever else
    the machine is doing falls on both alike."""
    fleets = [Fleet(server, n) for server in servers]
    for fleet in fleets:
        await fleet.connect(connect_concurrency)
    await asyncio.sleep(1.0)  # let the servers finish their connection work before measuring
    for fleet in fleets:
        fleet.result.rss_mib = rss_mib(fleet.server.process.pid)
    # The client is the instrument: its own garbage collector must not pause it while it times a round
    # (a full pass over 10,000 streams' objects took tens of ms, landing on one server or the other at
    # random). Collected between rounds instead; nothing in a round needs it.
    gc.collect()
    gc.freeze()
    for number in range(alerts):
        for fleet in fleets:
            gc.disable()
            try:
                await fleet.alert(number)
            finally:
                gc.enable()
            gc.collect()
            await asyncio.sleep(0.3)
    gc.unfreeze()
    results = [await fleet.close() for fleet in fleets]
    await asyncio.sleep(0.5)
    return results


def _alert_id(server: str, event_id: int, data: bytes) -> int:
    # The floor answers a publish with the event's id; SchoolSafe answers with the alert, which the event carries.
    return event_id if server == "floor" else json.loads(data)["id"]


# --- report ------------------------------------------------------------------------------------------------


def report(results: list[Result], alerts: int) -> list[str]:
    failures = []
    print()
    print(f"{'subscribers':>11} {'server':<11} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'RSS MiB':>8} {'received':>10} {'p99 ours/floor':>15}")
    sizes = sorted({r.subscribers for r in results})
    for n in sizes:
        floor = next((r for r in results if r.subscribers == n and r.server == "floor"), None)
        ours = next((r for r in results if r.subscribers == n and r.server == "schoolsafe"), None)
        for r in (floor, ours):
            if r is None:
                continue
            ratio = ""
            if r is ours and floor is not None and floor.latencies_ms:
                ratio = f"{r.stat(99) / floor.stat(99):.2f}"
            received = f"{len(r.latencies_ms)}/{n * alerts}"
            print(f"{n:>11,} {r.server:<11} {r.stat(50):>8.1f} {r.stat(95):>8.1f} {r.stat(99):>8.1f} "
                  f"{r.stat(100):>8.1f} {r.rss_mib:>8.0f} {received:>10} {ratio:>15}")
        if ours is None:
            continue
        if ours.post_failures:
            failures.append(f"N={n}: POST failed: {ours.post_failures[0]}")
        if len(ours.latencies_ms) != n * alerts or ours.missing or ours.duplicates:
            failures.append(f"N={n}: {n * alerts - len(ours.latencies_ms)} deliveries late or missing, "
                            f"{ours.missing} alerts missing, {ours.duplicates} duplicates")
        if n in TARGET_P99_MS:
            if floor is not None and floor.latencies_ms and ours.stat(99) > TARGET_RATIO * floor.stat(99):
                failures.append(f"N={n}: p99 {ours.stat(99):.0f} ms is more than {TARGET_RATIO:.0f}x the floor's "
                                f"{floor.stat(99):.0f} ms")
            if ours.stat(99) > TARGET_P99_MS[n]:
                failures.append(f"N={n}: p99 {ours.stat(99):.0f} ms is above {TARGET_P99_MS[n]:.0f} ms")
        if n >= 5000 and ours.rss_mib > TARGET_RSS_MIB:
            failures.append(f"N={n}: server memory {ours.rss_mib:.0f} MiB is above {TARGET_RSS_MIB:.0f} MiB")
    print()
    print("Latency: from just before the POST is written to the event's arrival at each subscriber; "
          f"{alerts} alerts per size; client, servers and anything else running share {os.cpu_count()} cores.")
    return failures


async def run(args: argparse.Namespace) -> int:
    sizes = [int(s) for s in args.sizes.split(",")]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="schoolsafe-fanout-") as tmp:
        print(f"Starting SchoolSafe (schoolsafe serve, fresh SQLite in {tmp}) and the floor ...", flush=True)
        ours = start_schoolsafe(Path(tmp), args.server_http)
        floor = start_floor(args.floor_loop)
        try:
            print(f"  schoolsafe idle: {rss_mib(ours.process.pid):.0f} MiB; floor idle: "
                  f"{rss_mib(floor.process.pid):.0f} MiB", flush=True)
            servers = [server for server in (floor, ours) if server.name not in args.skip]
            # Warm up (imports, first queries) outside the measurement.
            await measure(servers, 10, 1, 10)
            for n in sizes:
                results.extend(await measure(servers, n, args.alerts, args.connect_concurrency))
        finally:
            ours.stop()
            floor.stop()
    failures = report(results, args.alerts)
    if args.json:
        Path(args.json).write_text(json.dumps([
            {"server": r.server, "subscribers": r.subscribers, "p50": r.stat(50), "p95": r.stat(95), "p99": r.stat(99),
             "max": r.stat(100), "rss_mib": r.rss_mib, "received": len(r.latencies_ms), "missing": r.missing,
             "duplicates": r.duplicates} for r in results], indent=2))
    for failure in failures:
        print(f"TARGET MISSED: {failure}")
    if not failures:
        print("All targets met.")
    return 1 if failures else 0


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="numbers of subscribers (default 100,1000,5000)")
    parser.add_argument("--alerts", type=int, default=5, help="alerts posted per size (default 5)")
    parser.add_argument("--connect-concurrency", type=int, default=200, help="streams opening at once")
    # Defaults: the floor is a bare asyncio broadcaster (bench/sse_floor.py);
    # uvloop for the floor (and the client) gives a stricter floor.
    parser.add_argument("--client-loop", choices=("asyncio", "uvloop"), default="asyncio",
                        help="event loop of the subscribers' process (default asyncio)")
    parser.add_argument("--floor-loop", choices=("asyncio", "uvloop"), default="asyncio",
                        help="event loop of the floor broadcaster (default asyncio)")
    parser.add_argument("--server-http", choices=("auto", "h11", "httptools"), default="auto",
                        help="auto: `schoolsafe serve` as is (httptools when installed); else uvicorn's command with "
                             "that HTTP parser, to compare")
    parser.add_argument("--skip", default="", help="'floor' or 'schoolsafe' to measure only the other")
    parser.add_argument("--json", help="also write the results to this file")
    return parser


def execute(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed options (also called by `schoolsafe bench fanout`)."""
    raise_nofile()
    if args.client_loop == "uvloop":
        import uvloop

        return uvloop.run(run(args))
    return asyncio.run(run(args))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--prepare"]:
        prepare()
        return 0
    return execute(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
