"""Writes of the measures app: importing NHS Digital's published national figures, and filling the
stored monthly figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from rrp.core.csv_import import ImportRejected
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.figures.store import figures, months_from
from rrp.measures.models import NationalProviderMonth
from rrp.measures.national import read_published_directory
from rrp.measures.series import BED_DAYS_FIGURE, compute_monthly_figures, stored_figures_key
from rrp.organisations.models import Ward

REFRESH_WARDS_AT_A_TIME = 200


@transaction.atomic
def national_figures_import(*, directory: Path | str, by: Any | None) -> dict[str, int]:
    """Load every published provider-level monthly file in ``directory`` (layout in docs/measures.md).

    All or nothing: every file is checked first and any problem rejects the whole folder, listing each
    file, row and column. Re-importing the same files changes nothing; a figure NHS Digital has since
    revised is updated in place. Figures already held for provider-months not in these files are left
    alone. ``by`` is the user who ran it (None from the command line); one audit event records the counts.
    """
    figures, errors = read_published_directory(directory)
    if errors:
        raise ImportRejected(errors)
    now = timezone.now()
    months = {f.month for f in figures}
    existing = {
        (row.month, row.provider_name, row.metric): row
        for row in NationalProviderMonth.objects.filter(month__in=months)
    }
    to_create: list[NationalProviderMonth] = []
    to_update: list[NationalProviderMonth] = []
    unchanged = 0
    for figure in figures:
        row = existing.get((figure.month, figure.provider_name, figure.metric.value))
        if row is None:
            to_create.append(
                NationalProviderMonth(
                    month=figure.month,
                    provider_name=figure.provider_name,
                    metric=figure.metric,
                    value=figure.value,
                    suppressed=figure.suppressed,
                    source_file=figure.source_file,
                    imported_at=now,
                )
            )
        elif (row.value, row.suppressed, row.source_file) != (
            figure.value,
            figure.suppressed,
            figure.source_file,
        ):
            row.value, row.suppressed, row.source_file, row.imported_at = (
                figure.value,
                figure.suppressed,
                figure.source_file,
                now,
            )
            to_update.append(row)
        else:
            unchanged += 1
    NationalProviderMonth.objects.bulk_create(to_create, batch_size=1000)
    NationalProviderMonth.objects.bulk_update(
        to_update, ["value", "suppressed", "source_file", "imported_at"], batch_size=1000
    )
    counts = {"created": len(to_create), "changed": len(to_update), "unchanged": unchanged}
    audit_record(
        actor=by,
        action=AuditAction.IMPORT,
        record_type=NationalProviderMonth._meta.label,
        record_label=f"MHSDS provider monthly figures from {Path(directory).name}",
        detail={**counts, "files": len({f.source_file for f in figures})},
    )
    return counts


def monthly_figures_refresh(*, ward_ids: Sequence[int] | None, since: dt.date, until: dt.date) -> int:
    """Compute and store every missing or stale monthly figure of these wards (None: every ward) from
    ``since``'s month to ``until``'s (``figures.store``), a few hundred wards at a time;
    return the cells read.

    Pages compute what they miss themselves; this fills the store ahead of them (after a bulk load, or
    from a nightly job) so that no viewer waits for it.
    """
    months = months_from(since, until)
    if ward_ids is None:
        ward_ids = list(Ward.objects.values_list("pk", flat=True))
    wards = sorted(set(ward_ids))
    cells = 0
    for start in range(0, len(wards), REFRESH_WARDS_AT_A_TIME):
        cells += len(
            figures(
                ward_ids=wards[start : start + REFRESH_WARDS_AT_A_TIME],
                months=months,
                key=stored_figures_key(),
                names=[BED_DAYS_FIGURE],
                compute=compute_monthly_figures,
            )
        )
    return cells
