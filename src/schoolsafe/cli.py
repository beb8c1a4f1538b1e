"""The `schoolsafe` console command: everything an operator does, in one place."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess  # nosec B404: starts our own worker process, no shell
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from schoolsafe.registry import PROG, CommandError


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line, not the usage block: the line says what was wrong and where to look.
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")
    import django

    django.setup()


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="SchoolSafe: school safety, run together.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    demo = sub.add_parser("demo", help="create the embedded database, load demo data, serve it")
    demo.add_argument("--port", type=_port, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--no-worker", action="store_true", help="do not start the background worker")

    serve = sub.add_parser("serve", help="run the web server (production)")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--workers", type=int, default=1)

    sub.add_parser("worker", help="run the background worker (notifications, timers, reminders)")

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)

    for name, what in (("import-schools", "public schools (HIFLD/NCES layout)"),
                       ("import-agencies", "law-enforcement locations (HIFLD layout)")):
        imp = sub.add_parser(name, help=f"import {what} from a CSV file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--all-or-nothing", action="store_true",
                         help="import nothing if any row is rejected")
        imp.add_argument("--quiet", action="store_true", help="no progress bar")

    # Each registered app may add its own commands: a module with `add_commands(sub) -> {name: function}`
    # (schoolsafe.registry). The registry is Django's app registry, so Django is set up first; the settings
    # read only the environment, so this touches no database.
    setup_django()
    from schoolsafe.registry import command_modules

    for module_name in command_modules():
        module = importlib.import_module(module_name)
        COMMANDS.update(module.add_commands(sub))
    return parser


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a number, not {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, not {port}")
    return port


# --- commands ---------------------------------------------------------------------------------------


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{PROG} manage", *args.args])
    return 0


class ProgressBar:
    """A tqdm bar created only once the file is open and its size known, so a file that cannot be
    read leaves one error line on stderr and no empty bar."""

    def __init__(self, disable: bool) -> None:
        self.disable = disable
        self.bar: Any = None

    def reset(self, total: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc="importing", unit=" rows", disable=self.disable, file=sys.stderr)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _unapplied_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def cmd_import(args: argparse.Namespace) -> int:
    from django.db import DatabaseError

    from schoolsafe.core import actions
    from schoolsafe.core.importers import ImportFileError

    action = actions.do_import_schools if args.command == "import-schools" else actions.do_import_agencies
    started = time.perf_counter()
    bar = ProgressBar(disable=args.quiet)
    try:
        summary = action(f"{PROG} {args.command}", args.file, all_or_nothing=args.all_or_nothing, progress=bar)
    except ImportFileError as exc:
        raise CommandError(str(exc)) from None
    except DatabaseError:
        # The usual cause on a fresh data folder: tables not created yet. Say so instead of "no such table".
        if _unapplied_migrations():
            raise CommandError(f"the database is not set up yet; run '{PROG} manage migrate' first") from None
        raise
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    for rejection in summary.rejected:
        print(f"line {rejection.line}: rejected: {rejection.reason}", file=sys.stderr)
    rate = summary.read / seconds if seconds else 0.0
    print(f"{args.file.name}: {summary.line()} ({summary.read} rows read in {seconds:.2f} s, {rate:,.0f} rows/s)")
    return 1 if summary.rolled_back else 0


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_demo(args: argparse.Namespace) -> int:
    from django.conf import settings

    from schoolsafe.accounts.county import DEMO_LOGINS, DEMO_PASSWORD, load_demo

    # The demo has no mail server: mail goes to files in the data folder (the worker, started below, inherits
    # this), unless EMAIL_BACKEND was set.
    if "EMAIL_BACKEND" not in os.environ:
        os.environ["EMAIL_BACKEND"] = settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    started = time.perf_counter()
    print("SchoolSafe demo: preparing the database …", flush=True)
    _migrate()
    created = load_demo()
    took = time.perf_counter() - started
    print(f"Demo data: {'loaded' if created else 'already present, nothing added'} ({took:.1f} s).")
    url = f"http://{args.host}:{args.port}/"
    print()
    print(f"  SchoolSafe is running at {url}")
    print(f"  Public portal and anonymous tips (no sign-in): {url}public/")
    print(f"  Data folder: {settings.DATA_DIR}")
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        print(f"  E-mail is not sent in the demo: each mail is written to a file in {settings.EMAIL_FILE_PATH}")
    else:
        print(f"  E-mail goes through {settings.EMAIL_BACKEND}")
    print(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, description in DEMO_LOGINS:
        print(f"    {username:<12} {description}")
    print(f"  Police, threat-assessment, tip and admin logins then ask for a code: {PROG} demo-otp USERNAME prints it.")
    print("  Press Ctrl+C to stop.")
    print(flush=True)
    worker = None
    if not args.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "schoolsafe.cli", "worker"])  # nosec B603
    try:
        return _serve(args.host, args.port, workers=1)
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def proxy_options() -> dict[str, Any]:
    """uvicorn's proxy-header options from SCHOOLSAFE_TRUSTED_PROXIES: none trusted unless configured
    (uvicorn's own default trusts 127.0.0.1, which a client on this machine could use to pick its address)."""
    from django.conf import settings

    trusted = list(settings.SCHOOLSAFE_TRUSTED_PROXIES)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


def _serve(host: str, port: int, workers: int) -> int:
    import uvicorn

    uvicorn.run(
        "schoolsafe.asgi:application",
        host=host,
        port=port,
        workers=workers,
        lifespan="on",
        # No access log: it would record client IP addresses, which the anonymous tip line promises
        # never to keep. Errors still go to the log.
        access_log=False,
        **proxy_options(),
        timeout_graceful_shutdown=5,
        log_level=os.environ.get("LOG_LEVEL", "warning").lower(),
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    return _serve(args.host, args.port, args.workers)


def cmd_worker(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from schoolsafe.registry import worker_loops

    # Every registered worker loop (escalation timers, notification deliveries, Web Push and its fallback
    # timers...) runs in a thread of this process, scanning rows; django-tasks' own worker runs the queued
    # tasks in the main thread, which owns the signal handlers.
    loops = [start() for start in worker_loops()]
    try:
        call_command("db_worker", interval=0.5, reload=False)
    finally:
        # On SIGTERM, let a send in progress be recorded (else it waits out its lease and may go twice).
        for loop in loops:
            loop.stop()
        for loop in loops:
            loop.join(timeout=30)
    return 0


COMMANDS: dict[str, Any] = {
    "demo": cmd_demo,
    "serve": cmd_serve,
    "worker": cmd_worker,
    "manage": cmd_manage,
    "import-schools": cmd_import,
    "import-agencies": cmd_import,
}


def main(argv: list[str] | None = None) -> int:
    try:
        # Inside the try: building the parser sets Django up (the registry), and a broken setting or a missing
        # package must still be one line, not a traceback.
        parser = build_parser()
        words = list(sys.argv[1:] if argv is None else argv)
        args, extra = parser.parse_known_args(words)
        if hasattr(args, "bench_args"):
            # A benchmark reads its own options, in their order (its parser is loaded only when it runs):
            # everything after `bench NAME`.
            args.bench_args = words[words.index(args.benchmark) + 1:]
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        setup_django()
        return COMMANDS[args.command](args) or 0
    except CommandError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the operator gets one line; SCHOOLSAFE_TRACEBACK=1 shows all
        if os.environ.get("SCHOOLSAFE_TRACEBACK"):
            raise
        print(f"{PROG}: error: {type(exc).__name__}: {exc} (SCHOOLSAFE_TRACEBACK=1 shows the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
