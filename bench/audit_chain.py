"""Benchmark: append to the audit chain and verify it.

    .venv/bin/python bench/audit_chain.py [ROWS]

On a fresh embedded SQLite database in a temporary data folder (PostgreSQL when DATABASE_URL is set: a
fresh database is created beside the one it names and dropped afterwards). Appends ROWS entries
(default 20,000) with record(), 100 per transaction, then runs `schoolsafe audit verify` as an operator
does and prints both rates. Exits 1 if verify does not pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit


def child(rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from schoolsafe.audit.log import record

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    for start in range(0, rows, 100):
        with transaction.atomic():
            for i in range(start, min(rows, start + 100)):
                record("bench", "bench.append", object_type="bench.thing", object_id=str(i),
                       organization=f"school:{i % 50}", summary={"i": i, "changed": {"status": ["open", "closed"]}})
    took = time.perf_counter() - started
    print(f"{connection.vendor}: appended {rows:,} rows in {took:.1f} s ({rows / took:,.0f} rows/s, 100 per transaction)")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "schoolsafe.cli", "audit", "verify"], capture_output=True, text=True)
    took = time.perf_counter() - started
    print(f"{connection.vendor}: `schoolsafe audit verify` in {took:.1f} s ({rows / took:,.0f} rows/s, process start included): "
          f"{(result.stdout or result.stderr).strip()[:80]}")
    sys.exit(result.returncode)


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    code = 0
    with tempfile.TemporaryDirectory() as data:
        env["SCHOOLSAFE_DATA"] = data
        code |= subprocess.run([sys.executable, __file__, "--child", str(rows)], env=env).returncode
        url = os.environ.get("DATABASE_URL")
        if url:
            parts = urlsplit(url)
            name = "schoolsafe_bench_audit"
            admin = urlunsplit(parts._replace(path="/postgres"))
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
            try:
                env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
                code |= subprocess.run([sys.executable, __file__, "--child", str(rows)], env=env).returncode
            finally:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return code


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    else:
        sys.exit(main())
