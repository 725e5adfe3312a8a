"""The provider board report, the figures: every ward's key measures and the provider total, charted.

For a provider (and the person reading), :func:`board_figures` reads every key measure of all the
provider's wards with one ``measures.series.measure_series_many`` call (one grouped query for all the
measures counted from interventions; never a query per ward, nor per measure) and one more for the aims'
baselines, charts each measure's wards with one SPC engine call (``reports.measure_charts.
charts_of_series``, rebases honoured) and, from the same series, the provider total (numerators and
denominators summed per month, then charted). Targets come from the provider's improvement aims: a
measure's target is its baseline mean x (1 - reduction/100), per ward from the ward's own baseline and
for the provider from the provider total's, so the assurance icon says whether the process will meet it.

Numbers only: what the figures say in words, and as the reader may see them, is ``presenters``'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rrp.accounts.models import User
from rrp.accounts.permissions import on_ward_team, sees_unsuppressed
from rrp.accounts.scope import wards_for
from rrp.charts import Event, Icon, mdc_icons
from rrp.improvement.models import ImprovementAim
from rrp.improvement.selectors import aims_for_provider, events_by_ward, rebases_by_measure
from rrp.measures.board_sets import chosen_measures
from rrp.measures.catalogue import Combine, Denominator, MeasureDefinition, measure
from rrp.measures.series import Period, measure_series, measure_series_many
from rrp.measures.suppression import count_is_suppressed, round_half_up
from rrp.organisations.models import Provider, Ward
from rrp.reports.measure_charts import (
    PATIENT_VOICE_MEASURES,
    PEOPLE_PROCESS_MEASURES,
    MeasureCharts,
    _analyse,
    charts_of_series,
    measure_charts,
    reporting_window,
)
from rrp.reports.reporting_health.compute import VOLUME_MEASURE, WardHealthFigures, health_figures
from rrp.spc import Chart, ImprovementDirection, SpcResult

#: The measures on the board, in the order of the measurement framework: outcome, process, balancing.
#: Any other measure with a provider aim is added after these (interval measures, g charts, cannot be
#: summed to a provider total and are left off). Measures entered or imported per ward (issue 20) show
#: only when the provider has values for them in the window. Every key measure is read from the stored
#: monthly figures or from entered values, never computed from the records on each request
#: (tests/unit/reports/test_board_reads_stored_figures.py): the people-centred process and voice measures
#: (issue 15) and seclusion reviews on time (issue 13) are stored like the others; computed from the
#: records each request they put a 50-ward board at 3.1 s against its 1 s target (docs/performance.md).
KEY_MEASURES: tuple[str, ...] = (
    "restrictive-interventions-per-1000-obd",
    "prone-restraints-per-1000-obd",
    "seclusions-per-1000-obd",
    "seclusion-reviews-on-time",
    "patient-debrief-held",
    *PEOPLE_PROCESS_MEASURES,
    "safety-huddles-held",
    "safewards-interventions-in-use",
    "patient-injuries",
    "staff-injuries",
    "assaults-on-staff-per-1000-obd",
    "assaults-on-patients-per-1000-obd",
    "self-harm-incidents-per-1000-obd",
    *PATIENT_VOICE_MEASURES,
    "staff-sickness-rate",
)
#: The provider total's group label in SPC results (ward groups are ward ids as text).
PROVIDER_GROUP = "0"
#: How many of the latest months make up "the latest mean" of an aim's progress.
LATEST_MONTHS = 3


def board_measures(aims: Sequence[ImprovementAim] = ()) -> list[MeasureDefinition]:
    """The key measures plus any measure a provider aim is set on (not interval measures)."""
    slugs = list(KEY_MEASURES)
    for aim in aims:
        if aim.measure_slug not in slugs:
            slugs.append(aim.measure_slug)
    return [d for d in (measure(s) for s in slugs) if d.default_chart not in (Chart.G, Chart.T)]


@dataclass(frozen=True)
class RowFigures:
    """One line of the MDC summary table: a ward's (or the provider total's) latest month of a measure."""

    ward_id: int | None  # None for the provider total
    ward_name: str
    definition: MeasureDefinition
    latest_period: dt.date | None
    numerator: float | None
    denominator: float | None
    value: float | None
    icons: list[Icon]
    variation: str | None
    assurance: str | None
    target: float | None
    result: SpcResult | None = field(repr=False, default=None)

    @property
    def is_provider(self) -> bool:
        return self.ward_id is None


@dataclass(frozen=True)
class ProviderAimFigures:
    """How far the provider total has come toward one of its aims.

    Outside the provider (``suppressed``) the means and target are rounded to whole numbers, as published
    rates are, and withheld altogether (``hidden``) where the events they rest on are fewer than 5.
    """

    aim: ImprovementAim
    definition: MeasureDefinition
    baseline_mean: float | None
    latest_mean: float | None
    latest_from: dt.date | None
    latest_to: dt.date | None
    latest_months: int  # how many months the latest mean is over (up to LATEST_MONTHS)
    change_percent: float | None
    target: float | None
    expected_now: float | None
    status: str  # met, on_track, not_on_track, not_met, no_data
    suppressed: bool = False
    hidden: bool = False


@dataclass(frozen=True)
class BlockFigures:
    """One measure's rows (provider total first, then wards by name) and the provider total's chart."""

    definition: MeasureDefinition
    provider_row: RowFigures
    ward_rows: list[RowFigures]
    provider_result: SpcResult | None
    provider_series: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class BoardFigures:
    provider: Provider
    since: dt.date
    until: dt.date
    wards: list[Ward]
    blocks: list[BlockFigures]
    aims: list[ProviderAimFigures]
    suppressed: bool
    health: dict[int, WardHealthFigures] = field(default_factory=dict)
    #: The provider's chosen measures across every kind, the provider total of each (issue 20 item 5).
    integrated: list[RowFigures] = field(default_factory=list)

    @property
    def rows(self) -> list[RowFigures]:
        """Every row of the summary table: per measure, the provider total then each ward."""
        return [row for block in self.blocks for row in (block.provider_row, *block.ward_rows)]

    def block(self, slug: str) -> BlockFigures | None:
        return next((b for b in self.blocks if b.definition.slug == slug), None)


# --- series and targets ----------------------------------------------------------------------------


def provider_total(definition: MeasureDefinition, series: pd.DataFrame) -> pd.DataFrame:
    """The provider's series: numerators (and denominators) summed over its wards per period, or for a
    measure combined by its mean (``Combine.MEAN``: a level such as Safewards interventions in use) the
    mean of the wards that gave a value that period.

    For a ratio, only wards with a denominator that period count on both sides (a ward missing its bed
    days would otherwise add restraints with no bed days and inflate the rate). Columns as
    ``measure_series``, with ward_id 0.
    """
    if series.empty:
        return series.assign(ward_id=pd.Series(dtype=int))
    if definition.combine is Combine.MEAN:  # a level per ward (Safewards of 10): the wards' mean
        grouped = series.groupby("period", sort=True)["numerator"].mean().reset_index()
        grouped["denominator"] = np.nan
        grouped["value"] = grouped["numerator"] * definition.multiplier
    elif definition.denominator is Denominator.NONE:
        grouped = series.groupby("period", sort=True)["numerator"].sum(min_count=1).reset_index()
        grouped["denominator"] = np.nan
        grouped["value"] = grouped["numerator"] * definition.multiplier
    else:
        known = series[series["denominator"].notna() & (series["denominator"] > 0)]
        periods = pd.DataFrame({"period": sorted(series["period"].unique())})
        sums = known.groupby("period", sort=True)[["numerator", "denominator"]].sum().reset_index()
        grouped = periods.merge(sums, on="period", how="left")
        with np.errstate(divide="ignore", invalid="ignore"):
            grouped["value"] = np.where(
                grouped["denominator"] > 0,
                grouped["numerator"] / grouped["denominator"] * definition.multiplier,
                np.nan,
            )
    grouped.insert(0, "ward_id", 0)
    return grouped[["ward_id", "period", "numerator", "denominator", "value"]]


def _latest_aims(aims: Sequence[ImprovementAim]) -> dict[str, ImprovementAim]:
    """The most recently recorded aim of each measure sets its target."""
    out: dict[str, ImprovementAim] = {}
    for aim in sorted(aims, key=lambda a: (a.recorded_at, a.pk)):
        out[aim.measure_slug] = aim
    return out


def _baseline_of(
    definition: MeasureDefinition, aim: ImprovementAim, series: pd.DataFrame
) -> tuple[dict[int, float], float | None, pd.DataFrame]:
    """Each ward's and the provider total's mean monthly value over the aim's baseline, from a series
    covering it (rows of other months are left out)."""
    if not series.empty:
        periods = pd.to_datetime(series["period"])
        first = pd.Timestamp(aim.baseline_start.replace(day=1))
        series = series[(periods >= first) & (periods <= pd.Timestamp(aim.baseline_end))]
    means: dict[int, float] = {}
    if not series.empty:
        for ward_id, mean in series.groupby("ward_id")["value"].mean().items():
            if pd.notna(mean):
                means[int(ward_id)] = float(mean)
    total = provider_total(definition, series)
    provider_mean = total["value"].mean() if not total.empty else np.nan
    return means, (float(provider_mean) if pd.notna(provider_mean) else None), total


def _baseline_means(
    definition: MeasureDefinition, aim: ImprovementAim, ward_ids: Sequence[int]
) -> tuple[dict[int, float], float | None, pd.DataFrame]:
    """The baseline of one aim for some wards (one bulk series; the board reads every aim's at once)."""
    series = measure_series(
        definition, ward_ids=ward_ids, since=aim.baseline_start, until=aim.baseline_end, period=Period.MONTH
    )
    return _baseline_of(definition, aim, series)


def _baseline_series(
    definitions: Sequence[MeasureDefinition],
    aims: Sequence[ImprovementAim],
    ward_ids: Sequence[int],
    *,
    window: dict[str, pd.DataFrame],
    since: dt.date,
    until: dt.date,
) -> dict[str, pd.DataFrame]:
    """Every aimed measure's series over the span of all the aims' baselines: the window's own series
    when every baseline lies inside it (counts are per month, so they do not depend on where the read
    starts), otherwise one more bulk call."""
    aimed = [d for d in definitions if any(a.measure_slug == d.slug for a in aims)]
    if not aimed:
        return {}
    mine = [a for a in aims if any(a.measure_slug == d.slug for d in aimed)]
    if all(a.baseline_start.replace(day=1) >= since and a.baseline_end <= until for a in mine):
        return {d.slug: window[d.slug] for d in aimed}
    return measure_series_many(
        aimed,
        ward_ids=ward_ids,
        since=min(a.baseline_start for a in mine),
        until=max(a.baseline_end for a in mine),
        period=Period.MONTH,
    )


def target_from(baseline_mean: float | None, aim: ImprovementAim) -> float | None:
    """baseline mean x (1 - reduction/100): the aim's target in the measure's unit."""
    if baseline_mean is None:
        return None
    return baseline_mean * (1 - aim.reduction_percent / 100)


# --- rows --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Latest:
    """A series' last row (its latest period), missing numbers as None."""

    period: dt.date
    numerator: float | None
    denominator: float | None
    value: float | None


def _number(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def _latest_rows(series: pd.DataFrame) -> dict[int, _Latest]:
    """Each ward's last row of a series, by ward id, read with numpy in one pass: the board has a row for
    every ward of every measure (50 x 19), and a pandas ``iloc`` each cost a fifth of its figures' time."""
    if series.empty:
        return {}
    wards = series["ward_id"].to_numpy()
    ids, first_from_end = np.unique(wards[::-1], return_index=True)
    last = len(wards) - 1 - first_from_end
    periods = series["period"].to_numpy()
    numbers = series[["numerator", "denominator", "value"]].to_numpy(dtype=float)
    return {
        int(ward_id): _Latest(pd.Timestamp(periods[i]).date(), *(_number(x) for x in numbers[i]))
        for ward_id, i in zip(ids.tolist(), last.tolist(), strict=True)
    }


def _latest_of(series: pd.DataFrame) -> _Latest | None:
    """The series' last row (one ward's, or the provider total's)."""
    if series.empty:
        return None
    numbers = series[["numerator", "denominator", "value"]].to_numpy(dtype=float)[-1]
    return _Latest(pd.Timestamp(series["period"].to_numpy()[-1]).date(), *(_number(x) for x in numbers))


def _row(
    definition: MeasureDefinition,
    *,
    ward_id: int | None,
    ward_name: str,
    latest: _Latest | None,
    result: SpcResult | None,
    target: float | None,
) -> RowFigures:
    summary = result.summaries[-1] if result is not None and result.summaries else None
    return RowFigures(
        ward_id=ward_id,
        ward_name=ward_name,
        definition=definition,
        latest_period=None if latest is None else latest.period,
        numerator=None if latest is None else latest.numerator,
        denominator=None if latest is None else latest.denominator,
        value=None if latest is None else latest.value,
        icons=mdc_icons(summary, definition.improvement_direction),
        variation=summary.variation if summary else None,
        assurance=summary.assurance if summary else None,
        target=target,
        result=result,
    )


def _measure_block(
    definition: MeasureDefinition,
    *,
    provider: Provider,
    wards: Sequence[Ward],
    series: pd.DataFrame,
    aim: ImprovementAim | None,
    baseline_series: pd.DataFrame | None,
    rebases: dict[int, list] | None = None,
) -> tuple[BlockFigures, tuple[float | None, pd.DataFrame] | None]:
    """One measure's rows and provider total from its window series (already read in bulk, as are the
    wards' ``rebases`` of it)."""
    ward_ids = [w.pk for w in wards]
    ward_targets: dict[int, float] = {}
    provider_target = None
    baseline: tuple[float | None, pd.DataFrame] | None = None
    if aim is not None and baseline_series is not None:
        means, provider_mean, baseline_total = _baseline_of(definition, aim, baseline_series)
        ward_targets = {k: t for k, m in means.items() if (t := target_from(m, aim)) is not None}
        provider_target = target_from(provider_mean, aim)
        baseline = (provider_mean, baseline_total)
    charts: MeasureCharts = charts_of_series(
        definition, series, ward_ids=ward_ids, targets=ward_targets or None, rebases=rebases
    )
    by_ward = _latest_rows(series)
    total = provider_total(definition, series)
    total_result = None
    if not total.empty and total["value"].notna().any():
        total_result = _analyse(
            definition,
            total,
            target={PROVIDER_GROUP: provider_target} if provider_target is not None else None,
        )
    provider_row = _row(
        definition,
        ward_id=None,
        ward_name=f"{provider.name} (all wards)",
        latest=_latest_of(total),
        result=total_result,
        target=provider_target,
    )
    ward_rows = [
        _row(
            definition,
            ward_id=w.pk,
            ward_name=w.name,
            latest=by_ward.get(w.pk),
            result=charts.for_ward(w.pk),
            target=ward_targets.get(w.pk),
        )
        for w in wards
    ]
    block = BlockFigures(definition, provider_row, ward_rows, total_result, total)
    return block, baseline


# --- aims --------------------------------------------------------------------------------------------


def provider_aim_progress(
    aim: ImprovementAim,
    definition: MeasureDefinition,
    *,
    baseline_mean: float | None,
    baseline_total: pd.DataFrame,
    total: pd.DataFrame,
    suppress: bool,
) -> ProviderAimFigures:
    """Baseline mean, latest mean (the last 3 months), % change, target and whether it is met or on track
    (not to be confused with a collaborative aim's progress, which compares each ward with itself before
    it joined: ``reports.collaborative.compute.collaborative_aim_progress``).

    "On track" compares the latest mean with a straight line from the baseline mean (at the end of the
    baseline) to the target (at the aim date), read at the end of the latest month.
    """
    recent = total.dropna(subset=["value"]).tail(LATEST_MONTHS)
    latest_mean = float(recent["value"].mean()) if not recent.empty else None
    latest_from = pd.Timestamp(recent["period"].iloc[0]).date() if not recent.empty else None
    latest_to = pd.Timestamp(recent["period"].iloc[-1]).date() if not recent.empty else None
    target = target_from(baseline_mean, aim)
    change = None
    if baseline_mean and latest_mean is not None:
        change = (latest_mean - baseline_mean) / baseline_mean * 100
    expected = None
    better_low = definition.improvement_direction is not ImprovementDirection.INCREASE
    hidden = False
    if suppress:
        baseline_events = baseline_total["numerator"].sum() if not baseline_total.empty else 0
        recent_events = recent["numerator"].sum() if not recent.empty else 0
        hidden = bool(count_is_suppressed([baseline_events, recent_events]).any())
    if baseline_mean is None or latest_mean is None or target is None or latest_to is None:
        status = "no_data"
    else:
        month_end = (latest_to.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        span = (aim.aim_date - aim.baseline_end).days
        done = min(max((month_end - aim.baseline_end).days / span, 0.0), 1.0) if span > 0 else 1.0
        expected = baseline_mean + (target - baseline_mean) * done
        met = latest_mean <= target if better_low else latest_mean >= target
        on_track = latest_mean <= expected if better_low else latest_mean >= expected
        if met:
            status = "met"
        elif month_end >= aim.aim_date:
            status = "not_met"
        else:
            status = "on_track" if on_track else "not_on_track"
    if suppress and not hidden:
        # Outside the provider figures are rounded to whole numbers, as published rates are.
        baseline_mean, latest_mean, target, expected = (
            None if x is None else float(round_half_up([x])[0])
            for x in (baseline_mean, latest_mean, target, expected)
        )
    return ProviderAimFigures(
        aim=aim,
        definition=definition,
        baseline_mean=baseline_mean,
        latest_mean=latest_mean,
        latest_from=latest_from,
        latest_to=latest_to,
        latest_months=len(recent),
        change_percent=change,
        target=target,
        expected_now=expected,
        status=status,
        suppressed=suppress,
        hidden=hidden,
    )


# --- the board ---------------------------------------------------------------------------------------


def board_wards(user: User, provider: Provider, since: dt.date) -> list[Ward]:
    """The provider's wards the user may see that were open at some time in the reporting window."""
    return list(
        wards_for(user).filter(provider_id=provider.pk).exclude(closed_on__lt=since).order_by("name", "pk")
    )


def board_figures(
    user: User,
    provider: Provider,
    *,
    today: dt.date,
    measures: Sequence[MeasureDefinition] | None = None,
) -> BoardFigures:
    """The board report of one provider as figures, as ``user`` may see it (the caller has checked the provider is
    in the user's scope). Two bulk series reads for all the measures (window and baselines), then the
    engine per measure; queries do not grow with the number of wards."""
    since, until = reporting_window(Period.MONTH, today=today)
    suppress = not sees_unsuppressed(user, provider.pk)
    wards = board_wards(user, provider, since)
    aims = aims_for_provider(provider.pk)
    latest_aims = _latest_aims(aims)
    definitions = list(measures) if measures is not None else board_measures(aims)
    chosen = chosen_measures(provider.pk) if measures is None else []
    ward_ids = [w.pk for w in wards]
    # Bulk reads for every measure: the 24-month window, and the aims' baselines if outside it.
    # The incidents count rides along in the same grouped query for reporting health's volume check,
    # as do the integrated summary's chosen measures (stored figures or entered values only).
    volume = measure(VOLUME_MEASURE)
    read = list(definitions)
    for extra in (*chosen, volume):
        if all(d.slug != extra.slug for d in read):
            read.append(extra)
    window = measure_series_many(read, ward_ids=ward_ids, since=since, until=until, period=Period.MONTH)
    before = _baseline_series(definitions, aims, ward_ids, window=window, since=since, until=until)
    rebases = rebases_by_measure(ward_ids, [d.slug for d in definitions])  # one query for every block
    blocks: list[BlockFigures] = []
    baselines: dict[str, tuple[float | None, pd.DataFrame]] = {}
    for definition in definitions:
        if definition.from_values and window[definition.slug].empty:
            continue  # an entered or imported measure the provider does not collect: no empty block
        block, baseline = _measure_block(
            definition,
            provider=provider,
            wards=wards,
            series=window[definition.slug],
            aim=latest_aims.get(definition.slug),
            baseline_series=before.get(definition.slug),
            rebases=rebases[definition.slug],
        )
        blocks.append(block)
        if baseline is not None:
            baselines[definition.slug] = baseline
    progress = []
    for aim in sorted(aims, key=lambda a: (a.aim_date, a.pk)):
        block = next((b for b in blocks if b.definition.slug == aim.measure_slug), None)
        if block is None:
            continue
        if latest_aims.get(aim.measure_slug) is aim:
            baseline_mean, baseline_total = baselines[aim.measure_slug]
        else:  # an older aim on the same measure keeps its own baseline
            _, baseline_mean, baseline_total = _baseline_of(block.definition, aim, before[aim.measure_slug])
        progress.append(
            provider_aim_progress(
                aim,
                block.definition,
                baseline_mean=baseline_mean,
                baseline_total=baseline_total,
                total=block.provider_series,
                suppress=suppress or block.definition.suppress_outside_ward,
            )
        )
    return BoardFigures(
        provider=provider,
        since=since,
        until=until,
        wards=wards,
        blocks=blocks,
        aims=progress,
        suppressed=suppress,
        health=health_figures(ward_ids, today=today, volume_series=window[VOLUME_MEASURE]),
        integrated=_integrated_rows(chosen, blocks, window, provider=provider),
    )


def _integrated_rows(
    chosen: Sequence[MeasureDefinition],
    blocks: Sequence[BlockFigures],
    window: dict[str, pd.DataFrame],
    *,
    provider: Provider,
) -> list[RowFigures]:
    """The provider total of each chosen measure: the board's own row where the measure has a block,
    else charted here from the window's series (no ward charts: the table shows the provider only). An
    entered or imported measure the provider does not collect is left out, as on the rest of the board."""
    rows = []
    for definition in chosen:
        block = next((b for b in blocks if b.definition.slug == definition.slug), None)
        if block is not None:
            rows.append(block.provider_row)
            continue
        series = window[definition.slug]
        if definition.from_values and series.empty:
            continue
        total = provider_total(definition, series)
        result = _analyse(definition, total) if not total.empty and total["value"].notna().any() else None
        rows.append(
            _row(
                definition,
                ward_id=None,
                ward_name=f"{provider.name} (all wards)",
                latest=_latest_of(total),
                result=result,
                target=None,
            )
        )
    return rows


@dataclass(frozen=True)
class WardChartFigures:
    """One ward's chart of one measure, for its own page and its downloads."""

    provider: Provider
    ward: Ward
    row: RowFigures
    since: dt.date
    until: dt.date
    suppressed: bool
    series: pd.DataFrame = field(repr=False)
    events: list[Event] = field(default_factory=list)  # the ward's recorded events, drawn on its chart


def ward_chart_figures(
    user: User, provider: Provider, ward: Ward, definition: MeasureDefinition, *, today: dt.date
) -> WardChartFigures:
    """The ward's chart of one measure with the same target as on the board (the caller checked scope)."""
    since, until = reporting_window(Period.MONTH, today=today)
    aim = _latest_aims(aims_for_provider(provider.pk)).get(definition.slug)
    target = None
    if aim is not None:
        means, _, _ = _baseline_means(definition, aim, [ward.pk])
        target = target_from(means.get(ward.pk), aim)
    charts = measure_charts(
        definition,
        ward_ids=[ward.pk],
        since=since,
        until=until,
        targets={ward.pk: target} if target is not None else None,
    )
    # A measure of the patients' own voice is exact only for the ward's own team (decision 0077).
    suppress = not sees_unsuppressed(user, provider.pk) or (
        definition.suppress_outside_ward and not on_ward_team(user, ward.pk)
    )
    row = _row(
        definition,
        ward_id=ward.pk,
        ward_name=ward.name,
        latest=_latest_of(charts.series),
        result=charts.for_ward(ward.pk),
        target=target,
    )
    events = events_by_ward([ward.pk]).get(ward.pk, [])
    return WardChartFigures(provider, ward, row, since, until, suppress, charts.series, events)
