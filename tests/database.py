"""Emptying the append-only tables after a transactional test, so that pytest-django's flush can run.

A transactional test (the browser tests, the live-server reliability probes) commits its rows, and
pytest-django then empties every table: a DELETE per table on SQLite, one TRUNCATE on PostgreSQL. The
append-only triggers (rrp.core.db) refuse both while those tables hold rows, as they must. So the tests
empty the append-only tables first with their triggers briefly switched off (on PostgreSQL in one
transaction, so no other connection sees them off) and put the very same triggers back.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from rrp.core.models import AppendOnlyModel


def append_only_tables() -> list[str]:
    return sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel))


def empty_append_only_tables() -> None:
    """Delete every row of every append-only table, its triggers off for that moment only."""
    tables = append_only_tables()
    if connection.vendor == "postgresql":
        # One transaction: other connections never see the triggers off. TRUNCATE's CASCADE empties the
        # tables that refer to these too, which the flush that follows would empty anyway.
        with transaction.atomic(), connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            cursor.execute(f"TRUNCATE {', '.join(f'{chr(34)}{t}{chr(34)}' for t in tables)} CASCADE")
            for table in tables:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
            f"({', '.join(['%s'] * len(tables))})",
            tables,
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        # Rows in these tables refer to each other (and other tables to them); the flush that follows
        # empties the rest, so check no foreign keys (possible only outside a transaction on SQLite)
        # while emptying them one by one.
        with connection.constraint_checks_disabled():
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}"')
        for _name, sql in triggers:
            cursor.execute(sql)
