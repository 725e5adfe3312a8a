"""Stored monthly figures per ward: what the collaborative view, the board and the huddle's monthly charts
read instead of walking every intervention and bed-day row of their wards and years.

The figures are a cache of ``measures.series`` (``WardMonthFigures``), kept fresh by generations:

- every service or import that writes a ward's incidents, episodes or bed days calls
  :func:`mark_changed` with the (ward, month) cells it touched, inside its own transaction; that adds one
  to each cell's generation (creating the row first if there is none);
- :func:`figures` reads the cells asked for, recomputes in bulk every cell that is missing, stale
  (computed at an older generation) or computed for other measure definitions, stores what it computed
  with the generation it read *before* computing, and returns them all.

So a write that commits while figures are being computed leaves the cell stale (its generation moved on)
and it is recomputed on the next read; no interleaving stores figures that look fresh but miss a write.
This module knows nothing about how figures are computed: the caller passes ``compute``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.db import transaction
from django.db.models import F, FloatField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from rrp.core.times import local_month
from rrp.figures.models import WardMonthFigures

Cell = tuple[int, dt.date]
Figures = dict[str, float | int | None]
Compute = Callable[[list[int], dt.date, dt.date], dict[Cell, Figures]]


def months_from(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from ``first``'s to ``last``'s, inclusive."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def mark_changed(cells: Iterable[Cell]) -> None:
    """Make the stored figures of these (ward, month) cells stale. Call it in the transaction that
    writes the records, with every month whose figures the write can change (an amendment: the months
    of the old version's and the new version's times)."""
    wanted = {(int(ward_id), local_month(month)) for ward_id, month in cells}
    if not wanted:
        return
    with transaction.atomic():
        # Create first, then bump: a reader that inserts a row between the two still sees it go stale.
        WardMonthFigures.objects.bulk_create(
            [WardMonthFigures(ward_id=w, month=m) for w, m in sorted(wanted)],
            ignore_conflicts=True,
            batch_size=2000,
        )
        by_ward: dict[int, list[dt.date]] = defaultdict(list)
        for ward_id, month in wanted:
            by_ward[ward_id].append(month)
        which = Q()
        for ward_id, months in by_ward.items():
            which |= Q(ward_id=ward_id, month__in=months)
        WardMonthFigures.objects.filter(which).update(generation=F("generation") + 1)


def forget_all() -> None:
    """Delete every stored figure (the demo data's wipe); they are computed again when next needed."""
    WardMonthFigures.objects.all().delete()


def figures(
    *, ward_ids: Sequence[int], months: Sequence[dt.date], key: str, names: Sequence[str], compute: Compute
) -> dict[Cell, dict[str, float | None]]:
    """The named figures of every ward and month asked for, from the store where fresh, else computed.

    A cell's figures are a flat mapping of names to numbers (or None); only ``names`` are read, and
    they are read out of the stored JSON by the database itself (a collaborative reads some 45,000
    cells: decoding each in Python cost seconds). ``key`` names the measure definitions the figures
    are for (a stored cell with another key is recomputed). ``compute(ward_ids, first_month,
    last_month)`` must return the whole figures of every one of those wards and months; it is called at
    most once, for the wards with any cell to recompute, over the months from their first to their
    last such cell.
    """
    wards = sorted(set(ward_ids))
    if not wards or not months:
        return {}
    first, last = min(months), max(months)
    wanted = set(months)
    read = {f"figure_{i}": Cast(KT(f"figures__{name}"), FloatField()) for i, name in enumerate(names)}
    rows = (
        WardMonthFigures.objects.filter(ward_id__in=wards, month__gte=first, month__lte=last)
        .annotate(**read)
        .values_list("ward_id", "month", "generation", "computed_generation", "definitions_key", *read)
    )
    found: dict[Cell, dict[str, float | None]] = {}
    generations: dict[Cell, int] = {}
    for ward_id, month, generation, computed, row_key, *values in rows:
        if month not in wanted:
            continue
        generations[(ward_id, month)] = generation
        if computed == generation and row_key == key:
            found[(ward_id, month)] = dict(zip(names, values, strict=True))
    stale = [(w, m) for w in wards for m in months if (w, m) not in found]
    if not stale:
        return found
    stale_wards = sorted({w for w, _ in stale})
    computed = compute(stale_wards, min(m for _, m in stale), max(m for _, m in stale))
    now = timezone.now()
    to_store = [
        WardMonthFigures(
            ward_id=ward_id,
            month=month,
            computed_generation=generations.get((ward_id, month), 0),
            definitions_key=key,
            figures=computed[(ward_id, month)],
            computed_at=now,
        )
        for ward_id, month in stale
    ]
    with transaction.atomic():
        WardMonthFigures.objects.bulk_create(
            to_store,
            update_conflicts=True,
            unique_fields=["ward", "month"],
            update_fields=["computed_generation", "definitions_key", "figures", "computed_at"],
            batch_size=1000,
        )
    for row in to_store:
        found[(row.ward_id, row.month)] = {name: row.figures.get(name) for name in names}
    return found
