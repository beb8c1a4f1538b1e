"""`schoolsafe bench fanout`: the alert fan-out benchmark (bench/alert_fanout.py), from the CLI.

The benchmark file is read only when the benchmark runs: building the `schoolsafe` parser (every command)
must not execute it. Its own parser reads the arguments then (`schoolsafe bench fanout --help` prints it).
"""

from __future__ import annotations

import argparse
import runpy
from pathlib import Path
from typing import Any

FANOUT_DESCRIPTION = "Alert POST-to-delivery latency at N open event streams, against a minimal SSE broadcaster."
# The benchmark lives beside the source tree (bench/), not in the package: it starts servers and a
# client of its own and is run from a checkout.
BENCH_DIR = Path(__file__).resolve().parents[3] / "bench"


def _bench_group(sub: Any) -> Any:
    """The `bench` command's own subcommands, shared with any other app that adds a benchmark."""
    parser = sub.choices.get("bench")
    if parser is None:
        parser = sub.add_parser("bench", help="run a benchmark (see 'schoolsafe bench --help')")
        group = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK")
        group.required = True
        parser._schoolsafe_benchmarks = group
    return parser._schoolsafe_benchmarks


def add_commands(sub: Any) -> dict[str, Any]:
    fanout = _bench_group(sub).add_parser(
        "fanout", help="alert POST-to-delivery latency at 100, 1,000 and 5,000 open event streams, against the floor",
        description=FANOUT_DESCRIPTION, add_help=False,
    )
    fanout.add_argument("bench_args", nargs=argparse.REMAINDER, help="the benchmark's options (see --help)")
    fanout.set_defaults(bench_run=cmd_bench_fanout)
    return {"bench": cmd_bench}


def _load_benchmark() -> Any:
    path = BENCH_DIR / "alert_fanout.py"
    if not path.exists():
        return None
    return argparse.Namespace(**runpy.run_path(str(path), run_name="schoolsafe_bench_fanout"))


def cmd_bench(args: argparse.Namespace) -> int:
    return int(args.bench_run(args))


def cmd_bench_fanout(args: argparse.Namespace) -> int:
    bench = _load_benchmark()
    if bench is None:
        from schoolsafe.registry import CommandError

        raise CommandError(f"the benchmark is not here ({BENCH_DIR / 'alert_fanout.py'}); run it from a source checkout")
    parser = bench.build_parser(argparse.ArgumentParser(prog="schoolsafe bench fanout", description=FANOUT_DESCRIPTION))
    return int(bench.execute(parser.parse_args(args.bench_args)))
