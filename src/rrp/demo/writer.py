"""Writing columns of numpy arrays straight into tables, fast, on SQLite and PostgreSQL.

The national demo is millions of rows. Building a model instance per row (bulk_create) costs more
than the database does, so the writer turns columns into tuples and hands them to the driver in
large batches: `executemany` on SQLite, `COPY ... FROM STDIN` on PostgreSQL. Primary keys are
assigned by the steps (so children can be made without re-querying), and the PostgreSQL sequences
are moved past them at the end (`reset_sequences`).

Values follow Django's own storage: dates as ISO text; aware datetimes in UTC, on SQLite as
'YYYY-MM-DD HH:MM:SS' (Django's format, so text comparisons in lookups still order correctly).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from django.core.management.color import no_style
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from rrp.core.db import _create, _drop

BATCH_ROWS = 20_000
SQLITE_CACHE_KIB = 256 * 1024


def _as_python(values: np.ndarray | Sequence[Any], *, postgres: bool) -> list[Any]:
    """One column as a list of driver-ready Python values (None for NULL)."""
    array = np.asarray(values)
    if array.dtype.kind == "M":
        unit = np.datetime_data(array.dtype)[0]
        if unit == "D":
            text = np.datetime_as_string(array, unit="D")
        else:
            text = np.char.replace(np.datetime_as_string(array.astype("datetime64[s]"), unit="s"), "T", " ")
            if postgres:
                text = np.char.add(text, "+00")
        out = text.tolist()
        if np.isnat(array).any():
            nat = np.isnat(array)
            out = [None if missing else value for value, missing in zip(out, nat.tolist(), strict=True)]
        return out
    if array.dtype.kind == "b":
        return array.tolist() if postgres else array.astype(np.int8).tolist()
    return array.tolist()


class TableWriter:
    """Inserts columns into a model's table and counts the rows written, per model."""

    def __init__(self, connection: BaseDatabaseWrapper, *, batch_rows: int = BATCH_ROWS) -> None:
        self.connection = connection
        self.batch_rows = batch_rows
        self.postgres = connection.vendor == "postgresql"
        self.counts: Counter[str] = Counter()
        self.models: list[type[models.Model]] = []
        if connection.vendor == "sqlite":
            # One big transaction inserting into several indexes: with SQLite's default 2 MB page
            # cache, pages spill to the WAL and are re-read over and over (gigabytes of I/O at the
            # national size). A 256 MB cache for this connection keeps the working set in memory.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def insert(self, model: type[models.Model], columns: Mapping[str, np.ndarray | Sequence[Any]]) -> int:
        """Insert one row per position in `columns` (field name or attname -> values); return the count."""
        opts = model._meta
        names = list(columns)
        db_columns = [opts.get_field(name).column for name in names]
        lists = [_as_python(columns[name], postgres=self.postgres) for name in names]
        n_rows = len(lists[0]) if lists else 0
        if any(len(values) != n_rows for values in lists):
            raise ValueError(f"{opts.label}: columns of different lengths")
        if n_rows:
            self._write(opts.db_table, db_columns, zip(*lists, strict=True), n_rows)
        self.counts[opts.label] += n_rows
        if model not in self.models:
            self.models.append(model)
        return n_rows

    def _write(self, table: str, db_columns: list[str], rows: Iterator[tuple[Any, ...]], n_rows: int) -> None:
        quote = self.connection.ops.quote_name
        column_sql = ", ".join(quote(c) for c in db_columns)
        with self.connection.cursor() as cursor:
            if self.postgres:
                # COPY is several times faster than INSERT on PostgreSQL; psycopg 3 streams the rows.
                raw = cursor.cursor
                with raw.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            placeholders = ", ".join(["%s"] * len(db_columns))
            sql = f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({placeholders})"
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= self.batch_rows:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)

    def delete_all(self, model: type[models.Model]) -> None:
        """Delete every row of a model's table in one statement (no per-row cascade collection)."""
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")

    def delete_all_append_only(self, models_in_order: Sequence[type[models.Model]]) -> None:
        """Delete every row of append-only tables (children first): their triggers refuse DELETE, so they
        are dropped and made again around it. Demo wipes only, inside the generator's one transaction."""
        editor = _TriggerEditor(self.connection)
        for model in models_in_order:
            _drop(model._meta.db_table)(None, editor)
        for model in models_in_order:
            self.delete_all(model)
        for model in models_in_order:
            _create(model._meta.db_table)(None, editor)

    def reset_sequences(self) -> None:
        """Move PostgreSQL id sequences past the ids the steps assigned (SQLite needs nothing)."""
        statements = self.connection.ops.sequence_reset_sql(no_style(), self.models)
        if statements:
            with self.connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


class _TriggerEditor:
    """The little of a schema editor that the append-only trigger functions use (a real one refuses
    to open inside the generator's transaction on SQLite)."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, ())
