"""`schoolsafe audit export --since DATE` as CSV and JSON lines."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os

from schoolsafe.audit.log import record
from schoolsafe.audit.models import AuditEntry
from schoolsafe.audit.tests.helpers import append_at
from schoolsafe.cli import main

UTC = dt.UTC


def series(db) -> dict[str, AuditEntry]:
    return {
        "december": append_at(dt.datetime(2025, 12, 30, 15, 0, tzinfo=UTC), actor_name="alice", organization="school:1"),
        # 22:00 on 31 December in New York (the installation's time zone): before "--since 2026-01-01".
        "new_year_eve_local": append_at(dt.datetime(2026, 1, 1, 3, 0, tzinfo=UTC), actor_name="bob"),
        "january": append_at(dt.datetime(2026, 1, 2, 9, 30, tzinfo=UTC), actor_name="carol",
                             object_repr="=HYPERLINK(\"http://evil.example\")", summary={"k": "v", "n": 1.5}),
        "now": record("schoolsafe test", "test.now", summary={"ünï": "côdé"}, organization="district:2"),
    }


def run_export(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["audit", "export", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_csv_since_a_date(db, capsys):
    rows = series(db)
    code, out, err = run_export(capsys, "--since", "2026-01-01")
    assert code == 0, err
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["id"]) for r in parsed] == [rows["january"].pk, rows["now"].pk]
    assert "exported 2 audit rows since 2026-01-01 00:00" in err
    january = parsed[0]
    assert january["actor_name"] == "carol"
    assert january["at"] == "2026-01-02T09:30:00.000000+00:00"
    assert json.loads(january["summary"]) == {"k": "v", "n": 1.5}
    assert january["hash"] == rows["january"].hash
    # A spreadsheet would run it as a formula; the export defuses it.
    assert january["object_repr"] == "'=HYPERLINK(\"http://evil.example\")"
    assert json.loads(parsed[1]["summary"]) == {"ünï": "côdé"}


def test_jsonl_since_a_date_is_verbatim(db, capsys):
    rows = series(db)
    code, out, err = run_export(capsys, "--since", "2025-12-31", "--format", "jsonl")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == [rows["new_year_eve_local"].pk, rows["january"].pk, rows["now"].pk]
    assert lines[1]["object_repr"] == "=HYPERLINK(\"http://evil.example\")"
    assert lines[1]["summary"] == {"k": "v", "n": 1.5}
    assert {line["hash"] for line in lines} == {rows[k].hash for k in ("new_year_eve_local", "january", "now")}
    assert lines[2]["organization"] == "district:2"


def test_until_and_output_file(db, capsys, tmp_path):
    rows = series(db)
    target = tmp_path / "audit.jsonl"
    code, out, err = run_export(capsys, "--since", "2025-01-01", "--until", "2026-01-01", "--format", "jsonl",
                                "--output", str(target))
    assert code == 0, err
    assert out == ""
    # --until is exclusive and local too: 22:00 on 31 December in New York is still before it.
    exported = [json.loads(line)["id"] for line in target.read_text().splitlines()]
    assert exported == [rows["december"].pk, rows["new_year_eve_local"].pk]
    # The export holds who read which sensitive record: readable by its owner only.
    assert os.stat(target).st_mode & 0o777 == 0o600


def test_the_export_itself_is_recorded(db, capsys):
    series(db)
    assert run_export(capsys, "--since", "2026-01-01", "--format", "jsonl")[0] == 0
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "audit.export"
    assert entry.summary["rows"] == 2 and entry.summary["format"] == "jsonl"
    assert entry.summary["output"] == "standard output"


def test_bad_input_is_refused_with_the_field_named(db, capsys):
    series(db)
    before = AuditEntry.objects.count()
    try:
        main(["audit", "export", "--since", "last tuesday"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "--since" in capsys.readouterr().err
    code, _, err = run_export(capsys, "--since", "2026-02-01", "--until", "2026-01-01")
    assert code == 2 and "--until must be after --since" in err
    code, _, err = run_export(capsys, "--since", "2026-01-01", "--output", "/nonexistent-dir/x.csv")
    assert code == 2 and "cannot write /nonexistent-dir/x.csv" in err
    assert AuditEntry.objects.count() == before
