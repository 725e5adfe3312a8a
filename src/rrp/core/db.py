"""Database-level protection for append-only tables, used by migrations.

The ORM already refuses to change or delete append-only rows (core.models.AppendOnlyModel); these
triggers make the database refuse every other way of changing them too, whatever the SQL:

- **Both databases**: row-level ``UPDATE`` and ``DELETE`` (and so an upsert's ``ON CONFLICT DO UPDATE``
  and PostgreSQL's ``MERGE``, which fire the same triggers).
- **PostgreSQL**: ``TRUNCATE``, which fires no row trigger, with a statement-level trigger (this also
  refuses ``TRUNCATE other_table CASCADE`` reaching an append-only table). It lets an *empty* table be
  truncated, which removes nothing, so a test database can still be flushed once its append-only
  tables have been emptied (tests/database.py).
- **SQLite**: ``INSERT OR REPLACE`` / ``REPLACE INTO``. SQLite's REPLACE deletes the clashing row and
  inserts the new one *without* firing delete triggers unless ``PRAGMA recursive_triggers`` is on, so
  settings turn it on for every connection RRP opens (``init_command``): the delete trigger then refuses
  the REPLACE, whichever unique key it clashes on. A ``BEFORE INSERT`` trigger looking for an existing
  key was tried and refused: it made the bulk incident import's inserts 50% dearer in CPU (measured on
  200,000 interventions; docs/reliability.md). A client that is not RRP (the ``sqlite3`` shell, which
  ``rrp dbshell`` opens) does not get the setting, but could as well drop the triggers: database files
  and their shell are for the server's administrators only.

A migration that rebuilds an append-only table (on SQLite adding a NOT NULL column or a constraint
does) loses its triggers and must call :func:`append_only_table` again;
``tests/integration/core/test_append_only_sql.py`` fails for any append-only model whose table lacks a
trigger or lets an attack through.

Every refusal is an integrity error (SQLite ``RAISE(ABORT)``; PostgreSQL ``RAISE EXCEPTION`` with
SQLSTATE ``23000``), so nothing that caught a duplicate key before sees a different exception now.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# The doubled %% are placeholders for RAISE once the database driver has unescaped them.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION rrp_refuse_change() RETURNS trigger AS $$
DECLARE
    has_rows boolean;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- Emptying an empty table removes nothing (and lets a test database be flushed once emptied).
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %%I.%%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO has_rows;
        IF NOT has_rows THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'rows of %% are append-only: %% refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

# Trigger names by database, for creating, dropping and checking (tests).
PG_TRIGGERS = ("{table}_append_only", "{table}_no_truncate")
SQLITE_TRIGGERS = ("{table}_no_update", "{table}_no_delete")


def trigger_names(table: str, vendor: str) -> tuple[str, ...]:
    """The names of the triggers that guard `table` on this database vendor."""
    names = PG_TRIGGERS if vendor == "postgresql" else SQLITE_TRIGGERS if vendor == "sqlite" else ()
    return tuple(name.format(table=table) for name in names)


def _drop_triggers(schema_editor: BaseDatabaseSchemaEditor, table: str, names: tuple[str, ...]) -> None:
    vendor = schema_editor.connection.vendor
    for name in names:
        if vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}";')
        else:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}";')


def create_append_only_triggers(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    """Make (or make again, replacing any older ones) every trigger that guards `table`."""
    vendor = schema_editor.connection.vendor
    _drop_triggers(schema_editor, table, trigger_names(table, vendor))
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        schema_editor.execute(
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION rrp_refuse_change();"
        )
        schema_editor.execute(
            f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION rrp_refuse_change();"
        )
    elif vendor == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_no_{operation.lower()}" BEFORE {operation} ON "{table}" '
                f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are append-only: {operation} refused'); END;"
            )


def _create(table: str):
    def forwards(apps, schema_editor) -> None:
        create_append_only_triggers(schema_editor, table)

    return forwards


def _drop(table: str):
    def backwards(apps, schema_editor) -> None:
        _drop_triggers(schema_editor, table, trigger_names(table, schema_editor.connection.vendor))

    return backwards


def _drop_truncate_guard(table: str):
    def backwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            _drop_triggers(schema_editor, table, (f"{table}_no_truncate",))

    return backwards


def append_only_table(table: str) -> migrations.RunPython:
    """A migration operation that makes the database refuse every change to `table` but INSERT.

    Run it when the table is made, and again after any migration that rebuilds the table on SQLite
    (adding a NOT NULL column or a constraint does), which drops its triggers.
    """
    return migrations.RunPython(_create(table), _drop(table))


def append_only_truncate_guarded(table: str) -> migrations.RunPython:
    """For tables made before TRUNCATE was guarded: make every trigger again (adding the TRUNCATE one on
    PostgreSQL); undoing it drops only that one."""
    return migrations.RunPython(_create(table), _drop_truncate_guard(table))
