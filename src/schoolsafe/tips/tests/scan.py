"""Search every table of the database, every column, for strings that would identify a tipster."""

from __future__ import annotations

from django.db import connection


def find_in_database(needles: list[str]) -> list[str]:
    """Every (table, column, needle) where a needle occurs in any row, cast to text. Walks the database's own
    list of tables, so tables without a Django model are searched too."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names come from the database itself
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = as_text(value)
                    for needle in needles:
                        if needle in text:
                            hits.append(f"{table}.{column} contains {needle!r}")
    return hits


def as_text(value: object) -> str:
    """A column's value as the text to search: a binary one (bytes, or the memoryview some drivers return)
    byte for byte as latin-1, anything else by str()."""
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("latin-1")
    return str(value)
