"""A measure's series per ward, computed in the database in bulk, then charted by the SPC engine.

One grouped query counts the numerator for every ward and period at once (never a query per ward), and
one or two grouped queries read the bed days (``organisations.selectors.bed_days_by_month`` for months;
daily figures grouped by week for weeks). The result is a long frame, one row per ward and period with
every period present (a ward with no interventions in a month has 0, not a gap), ready for
``rrp.spc.analyse`` with the ward as the group.

Counting rules (docs/measures.md):
- only the latest version of each incident counts (amendments replace, never add);
- drafts count: an incident that happened is an incident, and leaving drafts out would make the most
  recent weeks look better than they were;
- an intervention belongs to the period in which it started, on the ward where the incident happened,
  in local (UK) time.

Supported now: numerators counting interventions, incidents or people (with the definition's
intervention types and minimum duration) over occupied bed days or as plain counts. Other measures
raise :class:`UnsupportedMeasure` naming what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import pandas as pd
from django.db.models import Count, Exists, F, OuterRef, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from rrp.force.models import IncidentVersion, InterventionRecord
from rrp.measures.catalogue import Counts, Denominator, MeasureDefinition
from rrp.organisations.models import OccupiedBedDays
from rrp.organisations.selectors import bed_days_by_month
from rrp.spc import SpcResult, analyse

SERIES_COLUMNS = ["ward_id", "period", "numerator", "denominator", "value"]
SUPPORTED_COUNTS = {Counts.INTERVENTIONS, Counts.INCIDENTS, Counts.PEOPLE}
SUPPORTED_DENOMINATORS = {Denominator.OCCUPIED_BED_DAYS, Denominator.NONE}


class Period(StrEnum):
    """The length of one point on the chart. Weeks start on Monday (ISO 8601)."""

    MONTH = "month"
    WEEK = "week"


class UnsupportedMeasure(NotImplementedError):
    """The series code cannot compute this measure yet; the message says which part."""


def period_starts(*, since: dt.date, until: dt.date, period: Period) -> list[dt.date]:
    """Every period start from the one holding ``since`` to the one holding ``until``, inclusive."""
    if period is Period.MONTH:
        first = since.replace(day=1)
        months = []
        while first <= until:
            months.append(first)
            first = (first + dt.timedelta(days=32)).replace(day=1)
        return months
    first = since - dt.timedelta(days=since.weekday())
    return [first + dt.timedelta(weeks=i) for i in range((until - first).days // 7 + 1)]


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def numerator_counts(
    definition: MeasureDefinition,
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period,
) -> dict[tuple[int, dt.date], int]:
    """The measure's numerator for every ward and period that has any, in one grouped query."""
    numerator = definition.numerator
    if numerator.counts not in SUPPORTED_COUNTS:
        raise UnsupportedMeasure(
            f"{definition.slug}: numerator.counts {numerator.counts} is not computed yet"
        )
    newer_version = IncidentVersion.objects.filter(
        incident_id=OuterRef("version__incident_id"), number__gt=OuterRef("version__number")
    )
    rows = InterventionRecord.objects.filter(
        version__incident__ward_id__in=list(ward_ids),
        started_at__gte=_local_midnight(since),
        started_at__lt=_local_midnight(until + dt.timedelta(days=1)),
    ).filter(~Exists(newer_version))
    if numerator.intervention_types:
        rows = rows.filter(type_code__in=numerator.intervention_types)
    if numerator.minimum_minutes is not None:
        rows = rows.filter(ended_at__gt=F("started_at") + dt.timedelta(minutes=numerator.minimum_minutes))
    trunc = TruncMonth if period is Period.MONTH else TruncWeek
    counted = {
        Counts.INTERVENTIONS: Count("id"),
        Counts.INCIDENTS: Count("version__incident_id", distinct=True),
        Counts.PEOPLE: Count("version__incident__patient_id", distinct=True),
    }[numerator.counts]
    grouped = (
        rows.annotate(ward_id=F("version__incident__ward_id"), period=trunc("started_at"))
        .values("ward_id", "period")
        .annotate(n=counted)
        .order_by()
    )
    return {(row["ward_id"], _as_date(row["period"])): row["n"] for row in grouped}


def bed_days_by_period(
    *, ward_ids: Sequence[int], since: dt.date, until: dt.date, period: Period
) -> dict[tuple[int, dt.date], int]:
    """Occupied bed days per ward and period. Months: ``bed_days_by_month`` (daily figures, else the
    monthly figure entered or imported). Weeks: daily figures only, grouped in one query; a week with
    no daily figures has no bed days (monthly figures cannot be split into weeks honestly)."""
    if period is Period.MONTH:
        by_ward = bed_days_by_month(list(ward_ids), since=since.replace(day=1), until=until)
        return {
            (ward_id, month): bed_days
            for ward_id, months in by_ward.items()
            for month, (bed_days, _) in months.items()
        }
    first = period_starts(since=since, until=until, period=period)[0]
    grouped = (
        OccupiedBedDays.objects.filter(ward_id__in=list(ward_ids), date__gte=first, date__lte=until)
        .annotate(week=TruncWeek("date"))
        .values("ward_id", "week")
        .annotate(total=Sum("bed_days"))
        .order_by()
    )
    return {(row["ward_id"], _as_date(row["week"])): row["total"] for row in grouped}


def measure_series(
    definition: MeasureDefinition,
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period | str = Period.MONTH,
) -> pd.DataFrame:
    """The measure for every ward and period: columns ward_id, period, numerator, denominator, value.

    ``value`` is numerator / denominator × the definition's multiplier (NaN where bed days are missing
    or zero), or the count itself for a measure with no denominator. The caller chooses the wards (from
    ``accounts.scope``); this function does not check who may see them.
    """
    period = Period(period)
    if definition.denominator not in SUPPORTED_DENOMINATORS:
        raise UnsupportedMeasure(
            f"{definition.slug}: denominator {definition.denominator} is not computed yet"
        )
    wards = sorted(set(ward_ids))
    periods = period_starts(since=since, until=until, period=period)
    counts = numerator_counts(definition, ward_ids=wards, since=since, until=until, period=period)
    grid = pd.MultiIndex.from_product([wards, periods], names=["ward_id", "period"])
    numerators = np.array([counts.get(key, 0) for key in grid], dtype=float)
    if definition.denominator is Denominator.OCCUPIED_BED_DAYS:
        bed_days = bed_days_by_period(ward_ids=wards, since=since, until=until, period=period)
        denominators = np.array([bed_days.get(key, np.nan) for key in grid], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(denominators > 0, numerators / denominators * definition.multiplier, np.nan)
    else:
        denominators = np.full(len(grid), np.nan)
        values = numerators * definition.multiplier
    frame = grid.to_frame(index=False)
    frame["numerator"] = numerators
    frame["denominator"] = denominators
    frame["value"] = values
    return frame[SERIES_COLUMNS]


def analyse_series(definition: MeasureDefinition, series: pd.DataFrame) -> SpcResult:
    """Chart every ward's series in one call of the SPC engine, with the definition's chart and direction.

    Rates go in as numerators and denominators (the engine charts their ratio × the multiplier), so a
    u chart and an XmR of the rate both work; a plain count goes in as values. Periods without bed days
    are missing points, not zeros.
    """
    dates = pd.to_datetime(series["period"]).to_numpy(dtype="datetime64[D]")
    common = {
        "dates": dates,
        "groups": series["ward_id"].to_numpy(),
        "improvement_direction": definition.improvement_direction,
    }
    if definition.denominator is Denominator.NONE:
        return analyse(definition.default_chart, values=series["numerator"].to_numpy(dtype=float), **common)
    return analyse(
        definition.default_chart,
        numerators=series["numerator"].to_numpy(dtype=float),
        denominators=series["denominator"].to_numpy(dtype=float),
        multiplier=definition.multiplier,
        **common,
    )
