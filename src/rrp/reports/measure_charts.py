"""A measure's SPC result for many wards at once, with each ward's recorded rebases and events.

Shared by the ward huddle, the provider board and the collaborative view so that a ward's chart is
the same wherever it is shown: one grouped series query (``measures.series``), one call of the SPC
engine for every ward without a recorded rebase, and one per ward with its own rebase dates (the engine
applies ``rebase_at`` to every group in a call, and rebases are a ward's own decision).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rrp.improvement.selectors import rebases_by_ward
from rrp.measures.catalogue import MeasureDefinition
from rrp.measures.series import Period, measure_series, measure_series_many
from rrp.spc import SpcResult, analyse

MONTHS_SHOWN = 24

#: The people-at-the-centre process measures (issue 15): plans reviewed after repeated restraint,
#: patient debriefs offered and held within 72 hours, information about rights on admission. Charted
#: on the ward huddle and the board alike, from this one list.
PEOPLE_PROCESS_MEASURES: tuple[str, ...] = (
    "plan-reviewed-after-repeat-restraint",
    "patient-debrief-offered-72h",
    "patient-debrief-held-72h",
    "rights-information-recorded",
)
#: The patients' own view from the weekly check (issue 15 item 3): outcome measures that balance the
#: reduction in force, on the huddle and the board.
PATIENT_VOICE_MEASURES: tuple[str, ...] = ("patients-felt-safe", "patients-treated-with-respect")
WEEKS_SHOWN = 26


def reporting_window(
    period: Period | str, *, today: dt.date, length: int | None = None
) -> tuple[dt.date, dt.date]:
    """The complete periods to chart, ending with the last complete one before ``today``.

    Months: the last 24 whole months; weeks (Monday to Sunday): the last 26 whole weeks. A period still
    under way is left out, because a part-month would look like an improvement.
    """
    period = Period(period)
    if period is Period.MONTH:
        until = today.replace(day=1) - dt.timedelta(days=1)
        first = until.replace(day=1)
        for _ in range((length or MONTHS_SHOWN) - 1):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return first, until
    until = today - dt.timedelta(days=today.weekday() + 1)
    return until - dt.timedelta(weeks=length or WEEKS_SHOWN) + dt.timedelta(days=1), until


@dataclass(frozen=True)
class MeasureCharts:
    """The series (one row per ward and period) and its SPC result; groups are ward ids as text."""

    definition: MeasureDefinition
    series: pd.DataFrame
    result: SpcResult | None
    results_by_ward: Mapping[int, SpcResult]

    def for_ward(self, ward_id: int) -> SpcResult | None:
        return self.results_by_ward.get(ward_id)


def _analyse(
    definition: MeasureDefinition,
    series: pd.DataFrame,
    rebase_at: Sequence[dt.date] = (),
    target: object = None,
) -> SpcResult:
    dates = pd.to_datetime(series["period"]).to_numpy(dtype="datetime64[D]")
    common = {
        "dates": dates,
        "groups": series["ward_id"].astype(str).to_numpy(),
        "improvement_direction": definition.improvement_direction,
        "rebase_at": [np.datetime64(d, "D") for d in rebase_at],
        "target": target,
    }
    if definition.denominator.value == "none":
        return analyse(definition.default_chart, values=series["numerator"].to_numpy(dtype=float), **common)
    return analyse(
        definition.default_chart,
        numerators=series["numerator"].to_numpy(dtype=float),
        denominators=series["denominator"].to_numpy(dtype=float),
        multiplier=definition.multiplier,
        **common,
    )


def measure_charts(
    definition: MeasureDefinition,
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period | str = Period.MONTH,
    targets: Mapping[int, float] | None = None,
) -> MeasureCharts:
    """Every ward's chart of one measure: series in bulk, the engine in bulk, rebases honoured.

    ``targets`` maps ward id to a target value (for the assurance icon); wards without one get none.
    The caller chooses the wards from ``accounts.scope``.
    """
    series = measure_series(definition, ward_ids=ward_ids, since=since, until=until, period=period)
    return charts_of_series(definition, series, ward_ids=ward_ids, targets=targets)


def measure_charts_many(
    definitions: Sequence[MeasureDefinition],
    *,
    ward_ids: Sequence[int],
    since: dt.date,
    until: dt.date,
    period: Period | str = Period.MONTH,
    targets: Mapping[str, Mapping[int, float]] | None = None,
) -> dict[str, MeasureCharts]:
    """``measure_charts`` of several measures over the same wards and window, keyed by slug, from
    ``measures.series.measure_series_many``: one grouped query for every measure counted from
    interventions, the episodes and the bed days read once. Use it wherever a page charts several
    measures (huddle, board, collaborative): on national SQLite data six measures cost about one.

    ``targets`` maps a measure's slug to its ward targets, as ``measure_charts`` takes them.
    """
    many = measure_series_many(definitions, ward_ids=ward_ids, since=since, until=until, period=period)
    return {
        d.slug: charts_of_series(d, many[d.slug], ward_ids=ward_ids, targets=(targets or {}).get(d.slug))
        for d in definitions
    }


def charts_of_series(
    definition: MeasureDefinition,
    series: pd.DataFrame,
    *,
    ward_ids: Sequence[int],
    targets: Mapping[int, float] | None = None,
    rebases: Mapping[int, Sequence[dt.date]] | None = None,
) -> MeasureCharts:
    """Chart a series already computed (by ``measure_series`` or ``measure_series_many``): the engine
    once for every ward without a recorded rebase, once per ward with its own rebase dates.

    ``rebases``: the wards' rebases of this measure, when the caller has read them for several measures
    at once (``improvement.selectors.rebases_by_measure``); otherwise they are read here."""
    if series.empty:
        return MeasureCharts(definition, series, None, {})
    if rebases is None:
        rebases = rebases_by_ward(list(ward_ids), definition.slug)
    target_map = {str(k): float(v) for k, v in (targets or {}).items()} or None
    by_ward: dict[int, SpcResult] = {}
    plain = series[~series["ward_id"].isin(list(rebases))]
    results = []
    if not plain.empty:
        result = _analyse(definition, plain, target=target_map)
        results.append(result)
        for group, own_result in result.by_group().items():
            by_ward[int(group)] = own_result
    for ward_id, dates in rebases.items():
        own = series[series["ward_id"] == ward_id]
        if own.empty:
            continue
        ward_target = (
            {str(ward_id): target_map[str(ward_id)]} if target_map and str(ward_id) in target_map else None
        )
        result = _analyse(definition, own, rebase_at=dates, target=ward_target)
        results.append(result)
        by_ward[ward_id] = result
    return MeasureCharts(definition, series, results[0] if len(results) == 1 else None, by_ward)
