"""`schoolsafe audit verify` passes on the demo database."""

from __future__ import annotations

from schoolsafe.accounts.county import load_demo
from schoolsafe.audit.log import record
from schoolsafe.audit.models import AuditEntry
from schoolsafe.cli import main


def test_verify_passes_on_the_demo_database(db, capsys):
    load_demo()
    # Whatever the demo loads through its actions, plus a write after it and a second (idempotent) load.
    record("schoolsafe demo", "test.after_demo", summary={"note": "after the demo"})
    load_demo()
    rows = AuditEntry.objects.count()
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"verified: {rows} row{'s' if rows != 1 else ''}, chain unbroken" in out
