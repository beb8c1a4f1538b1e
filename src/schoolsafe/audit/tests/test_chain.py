"""The audit chain: verify passes on honest writes, names the first tampered row, and the database
refuses UPDATE and DELETE on the table."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from schoolsafe.audit import triggers
from schoolsafe.audit.log import GENESIS, record, record_read
from schoolsafe.audit.models import AuditEntry
from schoolsafe.cli import main
from schoolsafe.testing.factories import SchoolFactory, UserFactory


def write_series(n: int = 30) -> list[AuditEntry]:
    user = UserFactory(username="writer")
    school = SchoolFactory.create()
    entries = []
    for i in range(n):
        entries.append(record(
            user if i % 2 else "schoolsafe import-schools", f"test.step_{i % 5}", school if i % 3 else None,
            organization=f"school:{school.pk}",
            # Values whose stored form could drift (unicode, floats, nesting, key order): the hash must survive.
            summary={"n": i, "ratio": i / 7, "name": "Zoë “quoted” 学校", "nested": {"b": [1, 2.5, None], "a": True}},
        ))
    return entries


def verify(capsys) -> tuple[int, str, str]:
    code = main(["audit", "verify"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_verify_passes_after_a_series_of_writes(db, capsys):
    entries = write_series(30)
    assert entries[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(entries, entries[1:], strict=False))
    code, out, err = verify(capsys)
    assert code == 0, err
    assert "verified: 30 rows, chain unbroken" in out
    assert entries[-1].hash in out


def test_verify_walks_in_batches(db, capsys):
    write_series(7)
    assert main(["audit", "verify", "--batch", "3"]) == 0
    assert "verified: 7 rows" in capsys.readouterr().out


def test_verify_on_an_empty_log(db, capsys):
    code, out, _ = verify(capsys)
    assert code == 0
    assert "verified: 0 rows" in out


def test_tampered_row_is_named(db, capsys):
    entries = write_series(10)
    victim = entries[4]
    # As an attacker with database access would: remove the protection, then change one row.
    triggers.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_name = %s WHERE id = %s", ["somebody-else", victim.pk])
    triggers.install(connection)
    code, _, err = verify(capsys)
    assert code == 1
    assert f"BROKEN at row #{victim.pk}:" in err
    assert "content no longer matches its hash" in err
    assert "4 rows before it verified" in err


def test_a_removed_row_is_named_by_the_row_after_it(db, capsys):
    entries = write_series(10)
    triggers.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[6].pk])
    triggers.install(connection)
    code, _, err = verify(capsys)
    assert code == 1
    assert f"BROKEN at row #{entries[7].pk}:" in err
    assert f"is not the hash of row #{entries[5].pk}" in err


def test_a_re_hashed_row_breaks_the_link_of_the_next(db, capsys):
    entries = write_series(6)
    victim = entries[2]
    victim.summary = {"n": 999}
    forged = victim.compute_hash()
    triggers.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = %s, hash = %s WHERE id = %s",
                       ['{"n": 999}', forged, victim.pk])
    triggers.install(connection)
    code, _, err = verify(capsys)
    assert code == 1
    assert f"BROKEN at row #{entries[3].pk}:" in err
    assert f"row #{victim.pk} was altered and re-hashed" in err


def test_missing_triggers_fail_verify_until_protect(db, capsys):
    write_series(3)
    triggers.uninstall(connection)
    code, _, err = verify(capsys)
    assert code == 1
    assert "UNPROTECTED" in err and "audit_auditentry_refuse" in err
    assert main(["audit", "protect"]) == 0
    code, out, err = verify(capsys)
    assert code == 0, err


def refused(statement) -> None:
    """Runs `statement` in its own savepoint and asserts that the database refuses it."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        statement()


def test_update_and_delete_are_refused(db):
    entries = write_series(3)
    entry = entries[1]
    refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="test.rewritten"))
    refused(lambda: AuditEntry.objects.all().delete())
    refused(lambda: AuditEntry.objects.get(pk=entry.pk).delete())

    def save_changed():
        row = AuditEntry.objects.get(pk=entry.pk)
        row.summary = {"changed": True}
        row.save()

    refused(save_changed)

    def raw(sql, params=()):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        return run

    refused(raw("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [entry.pk]))
    refused(raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk]))
    refused(raw("DELETE FROM audit_auditentry"))
    if connection.vendor == "postgresql":
        refused(raw("TRUNCATE audit_auditentry"))
    assert AuditEntry.objects.count() == 3
    assert AuditEntry.objects.get(pk=entry.pk).hash == entry.hash


def test_removing_a_user_keeps_their_rows(db, capsys):
    entries = write_series(4)
    UserFactory._meta.model.objects.filter(username="writer").delete()
    assert AuditEntry.objects.count() == 4
    assert AuditEntry.objects.filter(actor_name="writer").count() == 2
    assert verify(capsys)[0] == 0
    assert entries


def test_record_read_names_the_object_and_its_school(db):
    reader = UserFactory(username="reader")
    school = SchoolFactory.create()
    entry = record_read(reader, school, summary={"why": "follow-up"})
    assert entry.action == "core.read_school"
    assert (entry.object_type, entry.object_id) == ("core.school", str(school.pk))
    assert entry.organization == f"school:{school.pk}"
    assert entry.actor_name == "reader"
    assert record_read(reader, school, organization="district:1").organization == "district:1"


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_a_valid_chain(capsys):
    """Two threads, 50 entries each, each in its own transaction: one chain, no fork, no duplicate link."""
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        try:
            start.wait()
            for i in range(50):
                with transaction.atomic():
                    record(name, "test.concurrent", summary={"writer": name, "i": i})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(f"writer-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    entries = list(AuditEntry.objects.order_by("id"))
    assert len(entries) == 100
    assert {e.actor_name for e in entries} == {"writer-1", "writer-2"}
    # Every row links to the one before it: no two rows chained onto the same predecessor.
    assert len({e.prev_hash for e in entries}) == 100
    code, out, err = verify(capsys)
    assert code == 0, err
    assert "verified: 100 rows" in out


def test_a_disarmed_trigger_counts_as_missing(db, capsys):
    """A trigger of the right name that no longer refuses anything protects nothing."""
    write_series(2)
    triggers.uninstall(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("CREATE TRIGGER audit_auditentry_refuse_update BEFORE UPDATE ON audit_auditentry "
                           "BEGIN SELECT 1; END")
            cursor.execute("CREATE TRIGGER audit_auditentry_refuse_delete BEFORE DELETE ON audit_auditentry "
                           "BEGIN SELECT 1; END")
        else:
            cursor.execute("CREATE FUNCTION audit_auditentry_refuse_change() RETURNS trigger LANGUAGE plpgsql "
                           "AS $$ BEGIN RETURN COALESCE(NEW, OLD); END $$")
            for name, when in triggers.PG_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER {name} {when.format(table=triggers.TABLE)} "
                               "EXECUTE FUNCTION audit_auditentry_refuse_change()")
    code, _, err = verify(capsys)
    assert code == 1 and "UNPROTECTED" in err
    assert main(["audit", "protect"]) == 0
    assert verify(capsys)[0] == 0
