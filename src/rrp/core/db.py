"""Database-level protection for append-only tables, used by migrations.

The ORM already refuses to change or delete append-only rows (core.models.AppendOnlyModel); these
triggers make the database refuse raw UPDATE and DELETE too, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.db import migrations

# The doubled %% are placeholders for RAISE once the database driver has unescaped them.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION rrp_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rows of %% are append-only: %% refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def _create(table: str):
    def forwards(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(PG_FUNCTION)
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION rrp_refuse_change();"
            )
        elif vendor == "sqlite":
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are append-only: {operation} refused'); END;"
                )

    return forwards


def _drop(table: str):
    def backwards(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation};")

    return backwards


def append_only_table(table: str) -> migrations.RunPython:
    """A migration operation that makes the database refuse UPDATE and DELETE on `table`."""
    return migrations.RunPython(_create(table), _drop(table))
