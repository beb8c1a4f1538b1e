"""`schoolsafe audit verify` fails when the append-only triggers are present but do not
fire, and when the newest rows were removed (the chain's head is anchored, signed, outside the table).
Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import json

from django.db import connection

from schoolsafe.audit import triggers
from schoolsafe.audit.anchor import anchor_path
from schoolsafe.audit.log import record
from schoolsafe.cli import main


def verify(capsys) -> tuple[int, str, str]:
    code = main(["audit", "verify"])
    out = capsys.readouterr()
    return code, out.out, out.err


def write(n: int) -> list:
    return [record("schoolsafe import-schools", "test.step", summary={"n": i}) for i in range(n)]


def execute(*statements: str) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def test_25_11_verify_fails_when_the_triggers_are_present_but_disabled(db, capsys):
    write(3)
    assert verify(capsys)[0] == 0
    if connection.vendor == "postgresql":
        disablings = [
            ["ALTER TABLE audit_auditentry DISABLE TRIGGER USER"],
            # Fires only for replication: an ordinary session's DELETE goes through.
            ["ALTER TABLE audit_auditentry ENABLE REPLICA TRIGGER audit_auditentry_refuse_update_delete"],
            # Present, enabled, but never fires.
            ["DROP TRIGGER audit_auditentry_refuse_update_delete ON audit_auditentry",
             "CREATE TRIGGER audit_auditentry_refuse_update_delete BEFORE UPDATE OR DELETE ON audit_auditentry "
             "FOR EACH ROW WHEN (false) EXECUTE FUNCTION audit_auditentry_refuse_change()"],
        ]
    else:
        disablings = [
            # SQLite cannot disable a trigger; the same effect is a trigger that never fires.
            ["DROP TRIGGER audit_auditentry_refuse_delete",
             "CREATE TRIGGER audit_auditentry_refuse_delete BEFORE DELETE ON audit_auditentry WHEN 0 "
             "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END"],
            ["DROP TRIGGER audit_auditentry_refuse_update",
             "CREATE TRIGGER audit_auditentry_refuse_update BEFORE UPDATE OF request_id ON audit_auditentry "
             "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END"],
        ]
    for statements in disablings:
        execute(*statements)
        code, _, err = verify(capsys)
        assert code == 1, statements
        assert "UNPROTECTED" in err and "audit_auditentry_refuse" in err
        assert main(["audit", "protect"]) == 0
        capsys.readouterr()
        assert verify(capsys)[0] == 0


def test_25_11_verify_fails_after_the_newest_rows_are_deleted(db, capsys):
    entries = write(6)
    code, out, _ = verify(capsys)
    assert code == 0 and f"anchor written to {anchor_path()}" in out
    anchored = json.loads(anchor_path().read_text())
    assert (anchored["rows"], anchored["last_id"], anchored["last_hash"]) == (6, entries[-1].pk, entries[-1].hash)
    # As an attacker with the database owner's rights: lift the protection, delete the newest rows, restore it.
    triggers.uninstall(connection)
    execute(f"DELETE FROM audit_auditentry WHERE id >= {entries[4].pk}")
    triggers.install(connection)
    code, _, err = verify(capsys)
    assert code == 1
    assert f"names row #{entries[-1].pk} (6 rows): the newest rows were removed" in err
    # A failed verify does not move the anchor: it keeps failing.
    assert json.loads(anchor_path().read_text()) == anchored
    assert verify(capsys)[0] == 1


def test_25_11_new_rows_move_the_anchor_forward(db, capsys):
    write(2)
    assert verify(capsys)[0] == 0
    later = write(3)
    code, out, _ = verify(capsys)
    assert code == 0 and "verified: 5 rows" in out
    assert json.loads(anchor_path().read_text())["last_id"] == later[-1].pk


def test_25_11_a_changed_anchor_file_fails_verify(db, capsys):
    entries = write(4)
    assert verify(capsys)[0] == 0
    # Rewriting the anchor to cover a deletion needs SECRET_KEY: without it, the signature no longer matches.
    document = json.loads(anchor_path().read_text())
    document.update(rows=2, last_id=entries[1].pk, last_hash=entries[1].hash)
    anchor_path().write_text(json.dumps(document))
    code, _, err = verify(capsys)
    assert code == 1
    assert "does not carry a valid signature" in err
