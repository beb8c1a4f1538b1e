"""The database's own refusal to change the audit log: triggers on SQLite and PostgreSQL.

The hash chain proves tampering after the fact; the triggers stop the application (a bug, a careless
`QuerySet.update()`, an ORM cascade) from changing a row in the first place. Someone with the database
owner's rights can still drop them, which is why `schoolsafe audit verify` exists.

A later migration that alters the audit table on SQLite must call `install()` again: SQLite rebuilds a
table to alter it, and the rebuilt table has no triggers (`schoolsafe audit verify` fails until then).
"""

from __future__ import annotations

import re
from typing import Any

TABLE = "audit_auditentry"
REFUSAL = "the audit log is append-only"

SQLITE_TRIGGERS = {
    "audit_auditentry_refuse_update": "UPDATE",
    "audit_auditentry_refuse_delete": "DELETE",
}
PG_FUNCTION = "audit_auditentry_refuse_change"
PG_TRIGGERS = {
    "audit_auditentry_refuse_update_delete": "BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW",
    "audit_auditentry_refuse_truncate": "BEFORE TRUNCATE ON {table} FOR EACH STATEMENT",
}


def _statements_install(vendor: str) -> list[str]:
    if vendor == "sqlite":
        # Dropped first: a trigger of the same name may have been rewritten to let changes through.
        return [
            sql
            for name, op in SQLITE_TRIGGERS.items()
            for sql in (
                f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} BEFORE {op} ON {TABLE} BEGIN SELECT RAISE(ABORT, '{REFUSAL}: {op} refused'); END",
            )
        ]
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{REFUSAL}: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$""",
        ] + [
            sql
            for name, when in PG_TRIGGERS.items()
            for sql in (
                f"DROP TRIGGER IF EXISTS {name} ON {TABLE}",
                f"CREATE TRIGGER {name} {when.format(table=TABLE)} EXECUTE FUNCTION {PG_FUNCTION}()",
                # ALWAYS: the trigger fires even in a session with session_replication_role = replica.
                f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER {name}",
            )
        ]
    raise NotImplementedError(f"no append-only triggers for the {vendor} database backend")


def _statements_uninstall(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {TABLE}" for name in PG_TRIGGERS] + [
            f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()"
        ]
    raise NotImplementedError(f"no append-only triggers for the {vendor} database backend")


def install(connection: Any) -> None:
    """Create the triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""
    with connection.cursor() as cursor:
        for sql in _statements_install(connection.vendor):
            cursor.execute(sql)


def uninstall(connection: Any) -> None:
    """Drop the triggers (the migration's reverse, and the test suite's flush between tests)."""
    with connection.cursor() as cursor:
        for sql in _statements_uninstall(connection.vendor):
            cursor.execute(sql)


def _normal(sql: str) -> str:
    return " ".join((sql or "").split()).lower()


def _expected_sqlite_sql() -> dict[str, str]:
    return {name: _normal(sql) for name, sql in zip(
        SQLITE_TRIGGERS, [sql for sql in _statements_install("sqlite") if sql.startswith("CREATE")], strict=True)}


# How pg_get_triggerdef() writes each trigger, less the table's schema.
PG_DEFINITIONS = {
    "audit_auditentry_refuse_update_delete": f"before delete or update on {TABLE} for each row execute function {PG_FUNCTION}()",
    "audit_auditentry_refuse_truncate": f"before truncate on {TABLE} for each statement execute function {PG_FUNCTION}()",
}


def _pg_function_body() -> str:
    create = _statements_install("postgresql")[0]
    return _normal(create.split("$$")[1])


def missing(connection: Any) -> list[str]:
    """The triggers that should guard the audit table and do not: absent, disabled, or rewritten so that
    they no longer refuse. Each must read exactly as `install()` writes it: a trigger of the right name with
    a `WHEN (false)` clause, on another event, or calling a function that returns instead of raising
    protects nothing. On PostgreSQL a trigger disabled (`ALTER TABLE ... DISABLE TRIGGER`) or enabled
    only for replication counts as missing."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            expected_sql = _expected_sqlite_sql()
            working = {name for name, sql in cursor.fetchall() if expected_sql.get(name) == _normal(sql)}
            expected = set(SQLITE_TRIGGERS)
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, pg_get_triggerdef(t.oid), t.tgenabled, p.proname, p.prosrc "
                "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal",
                [TABLE],
            )
            body = _pg_function_body()
            working = set()
            for name, definition, enabled, function, source in cursor.fetchall():
                # "CREATE TRIGGER name BEFORE ... ON public.audit_auditentry ...": drop the schema.
                definition = _normal(definition).replace(f"create trigger {name} ", "", 1)
                definition = re.sub(r" on (?:\S+\.)?" + TABLE + " ", f" on {TABLE} ", definition)
                # 'O' fires in ordinary sessions, 'A' always; 'D' is disabled, 'R' fires only for replication.
                if (enabled in ("O", "A") and function == PG_FUNCTION and _normal(source) == body
                        and PG_DEFINITIONS.get(name) == definition):
                    working.add(name)
            expected = set(PG_TRIGGERS)
        else:
            return []
    return sorted(expected - working)
