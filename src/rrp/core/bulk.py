"""Inserting many rows whose ids nobody needs back, without building a model instance per row.

``bulk_create`` costs far more in Python than the database spends on the rows: a model instance each,
then Django's insert compiler per value. For logs written by the thousand in one go (the HL7 feed's
message log and the audit rows of its events, decision 0069) this is most of the work, so
:func:`rows_insert` hands the driver one prepared statement and the rows' values, each converted by its
field's own ``get_db_prep_save``: the same storage as the ORM (aware datetimes, JSON, addresses) on
SQLite and PostgreSQL. Nothing per row is returned, no signal is sent and no ``save`` runs: use it only
for models with neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

BATCH_ROWS = 5000


def rows_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert one row per item of ``rows`` (values in the order of ``fields``, by field name; a foreign
    key takes the related id); return how many. Columns not named take their database default or NULL."""
    opts = model._meta
    model_fields = [opts.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in model_fields)}) "
        f"VALUES ({', '.join(['%s'] * len(model_fields))})"
    )
    prepare = [field.get_db_prep_save for field in model_fields]
    batch: list[tuple[Any, ...]] = []
    written = 0
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(p(value, connection) for p, value in zip(prepare, row, strict=True)))
            if len(batch) >= BATCH_ROWS:
                cursor.executemany(sql, batch)
                written, batch = written + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written
