"""Benchmark: import the Florida public-schools file into a fresh database, twice.

    .venv/bin/python bench/import_schools.py [FILE]

Always on a fresh embedded SQLite database in a temporary data folder; also on PostgreSQL when
DATABASE_URL is set (a fresh database is created beside the one it names, and dropped afterwards, so
the benchmark never touches existing data). Prints seconds and rows per second for a first import
(everything created) and a second (everything must be unchanged). Exits 1 when the second import
changes anything or the first takes longer than the target. Finally times the `schoolsafe
import-schools` command end to end, as an operator runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "schools_fl" / "Public_Schools_FL_HIFLD.csv"
TARGET_SECONDS = 60.0


def child(path: Path) -> None:
    """Runs in a fresh process whose environment already names the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from schoolsafe.core.actions import do_import_schools
    from schoolsafe.core.models import School

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = time.perf_counter() - started

    runs = []
    for _ in range(2):
        started = time.perf_counter()
        summary = do_import_schools("bench", path)
        seconds = time.perf_counter() - started
        runs.append({
            "seconds": seconds, "read": summary.read, "created": summary.created, "updated": summary.updated,
            "unchanged": summary.unchanged, "rejected": len(summary.rejected),
        })
    print(json.dumps({
        "vendor": connection.vendor, "migrate_s": migrate_s, "runs": runs, "schools": School.objects.count(),
    }))


def run_child(path: Path, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"benchmark process failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def fresh_postgres(url: str) -> tuple[str, str]:
    """A new, empty database on the server DATABASE_URL names: (its URL, its name)."""
    import psycopg

    name = f"schoolsafe_bench_{os.getpid()}"
    # Through the maintenance database: the one DATABASE_URL names need not exist yet.
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(url, name), name


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(label: str, figures: dict) -> bool:
    first, second = figures["runs"]
    ok = True
    print(f"{label} ({figures['vendor']}), migrate {figures['migrate_s']:.2f} s")
    for name, run in (("first import ", first), ("second import", second)):
        rate = run["read"] / run["seconds"] if run["seconds"] else 0.0
        print(
            f"  {name}: {run['seconds']:7.2f} s  {rate:9,.0f} rows/s   created {run['created']}, "
            f"updated {run['updated']}, unchanged {run['unchanged']}, rejected {run['rejected']}"
        )
    if second["unchanged"] != first["read"] - first["rejected"] or second["created"] or second["updated"]:
        print(f"  FAIL: the second import should leave all {first['read'] - first['rejected']} schools unchanged")
        ok = False
    if first["seconds"] > TARGET_SECONDS:
        print(f"  FAIL: the first import took more than the {TARGET_SECONDS:.0f} s target")
        ok = False
    print(f"  {figures['schools']} schools in the database; target under {TARGET_SECONDS:.0f} s: "
          f"{'met' if first['seconds'] <= TARGET_SECONDS else 'MISSED'}")
    return ok


def end_to_end(path: Path, env: dict[str, str]) -> bool:
    """The command as an operator runs it: process start, Django setup, progress bar, summary line."""
    script = Path(sys.executable).parent / "schoolsafe"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "schoolsafe.cli"]
    subprocess.run([*command, "manage", "migrate", "--verbosity", "0"], env=env, check=True)
    started = time.perf_counter()
    result = subprocess.run([*command, "import-schools", str(path)], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    print(f"schoolsafe import-schools, end to end on a fresh SQLite folder: {wall:.2f} s wall clock "
          f"(exit {result.returncode}); it printed:")
    print(f"  {result.stdout.strip()}")
    return result.returncode == 0 and wall <= TARGET_SECONDS


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        child(Path(args[1]))
        return 0
    if len(args) > 1 or (args and args[0].startswith("-")):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path = Path(args[0]) if args else DEFAULT_FILE
    if not path.is_file():
        print(f"import_schools.py: error: {path}: no such file", file=sys.stderr)
        return 2
    print(f"Benchmark: importing {path} ({path.stat().st_size / 1e6:.1f} MB), python {sys.version.split()[0]}")
    ok = True
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    with tempfile.TemporaryDirectory(prefix="schoolsafe-bench-") as data:
        ok &= report("SQLite, fresh data folder", run_child(path, {**base_env, "SCHOOLSAFE_DATA": data}))
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith(("postgres://", "postgresql://")):
            url, name = fresh_postgres(database_url)
            try:
                figures = run_child(path, {**base_env, "SCHOOLSAFE_DATA": data, "DATABASE_URL": url})
            finally:
                drop_postgres(database_url, name)
            ok &= report(f"PostgreSQL, fresh database {name}", figures)
        else:
            print("PostgreSQL: skipped (set DATABASE_URL=postgres://... to time it too)")
    with tempfile.TemporaryDirectory(prefix="schoolsafe-bench-") as data:
        ok &= end_to_end(path, {**base_env, "SCHOOLSAFE_DATA": data})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
