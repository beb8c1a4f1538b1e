"""`schoolsafe audit verify` and `schoolsafe audit export` (imported before Django is set up: keep it light)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any


def _date_or_time(value: str) -> dt.date | dt.datetime:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-01-31 (or a date and time like 2026-01-31T08:00), not {value!r}"
        ) from None


def add_commands(sub: Any) -> dict[str, Any]:
    audit = sub.add_parser("audit", help="verify or export the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", parser_class=type(audit))
    audit_sub.required = True
    verify = audit_sub.add_parser(
        "verify", help="walk the hash chain and compare its head with the signed anchor in the data folder; exit "
                       "non-zero naming the first row that does not match (run it on a schedule: it moves the anchor)"
    )
    verify.add_argument("--batch", type=int, default=2000, help=argparse.SUPPRESS)
    audit_sub.add_parser("protect", help="(re)install the triggers by which the database refuses changes to the log")
    export = audit_sub.add_parser("export", help="write the audit rows since a date as CSV or JSON lines")
    export.add_argument("--since", type=_date_or_time, required=True,
                        help="first day (YYYY-MM-DD, in the installation's time zone) or date and time")
    export.add_argument("--until", type=_date_or_time, default=None,
                        help="stop before this day (YYYY-MM-DD) or date and time; default: now")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="csv (default) or jsonl")
    export.add_argument("--output", type=Path, default=None, help="file to write (default: standard output)")
    return {"audit": cmd_audit}


def cmd_audit(args: argparse.Namespace) -> int:
    return {"verify": cmd_verify, "export": cmd_export, "protect": cmd_protect}[args.audit_command](args)


def cmd_protect(args: argparse.Namespace) -> int:
    from django.db import connection, transaction

    from schoolsafe.audit import triggers

    with transaction.atomic():
        triggers.install(connection)
    print("audit log protected: the database refuses UPDATE and DELETE on it")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from schoolsafe.audit.anchor import anchor_path, write_anchor
    from schoolsafe.audit.chain import verify_chain

    report = verify_chain(batch=max(1, args.batch))
    if report.broken_id is not None:
        print(f"audit log BROKEN at row #{report.broken_id}: {report.reason}", file=sys.stderr)
        print(f"({report.rows} row{'s' if report.rows != 1 else ''} before it verified)", file=sys.stderr)
    if report.missing_triggers:
        print(
            "audit log UNPROTECTED: the database no longer refuses changes to it; missing trigger(s): "
            + ", ".join(report.missing_triggers)
            + " (reinstall them with `schoolsafe audit protect`)",
            file=sys.stderr,
        )
    if report.anchor_problem:
        print(f"audit log BROKEN against its anchor ({anchor_path()}): {report.anchor_problem}", file=sys.stderr)
    if not report.ok:
        return 1
    tail = f"; last row #{report.last_id}, hash {report.last_hash}" if report.last_id else ""
    print(f"audit log verified: {report.rows} row{'s' if report.rows != 1 else ''}, chain unbroken{tail}")
    if report.anchor is None:
        print(f"(no anchor yet: this is the first verify of this log, or {anchor_path()} was removed)")
    # Only a log that passed moves the anchor forward: a removal is never covered by a later anchor.
    write_anchor(report.rows, report.last_id, report.last_hash)
    print(f"anchor written to {anchor_path()}")
    return 0


def _aware(value: dt.date | dt.datetime) -> dt.datetime:
    from django.utils import timezone

    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container may run under a uid with no name
        return str(os.getuid())


def cmd_export(args: argparse.Namespace) -> int:
    from schoolsafe.audit.export import write_export
    from schoolsafe.audit.log import record
    from schoolsafe.registry import PROG, CommandError

    since = _aware(args.since)
    until = _aware(args.until) if args.until is not None else None
    if until is not None and until <= since:
        raise CommandError("--until must be after --since")
    if args.output is None:
        count = write_export(sys.stdout, args.format, since, until)
        sys.stdout.flush()
        where = "standard output"
    else:
        try:
            # 0600: the export holds who read which sensitive record.
            fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise CommandError(f"cannot write {args.output}: {exc.strerror}") from None
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            count = write_export(out, args.format, since, until)
        where = str(args.output)
    # Taking the audit log out of the system is itself worth a row.
    record(f"{PROG} audit export", "audit.export", object_type="audit.auditentry", summary={
        "since": since.isoformat(), "until": until.isoformat() if until else None, "format": args.format,
        "rows": count, "output": where, "os_user": _os_user(),
    })
    print(f"exported {count} audit row{'s' if count != 1 else ''} since {since:%Y-%m-%d %H:%M %Z} to {where}",
          file=sys.stderr)
    return 0
