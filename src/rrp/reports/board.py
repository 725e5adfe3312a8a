"""The provider board report: every ward's key measures in one Making Data Count summary table.

For a provider (and the person reading), :func:`provider_board` reads every key measure of all the
provider's wards with one ``measures.series.measure_series_many`` call (one grouped query for all the
measures counted from interventions; never a query per ward, nor per measure) and one more for the aims'
baselines, charts each measure's wards with one SPC engine call (``reports.measure_charts.
charts_of_series``, rebases honoured) and, from the same series, the provider total (numerators and
denominators summed per month, then charted). Targets come from the provider's improvement aims: a measure's target
is its baseline mean x (1 - reduction/100), per ward from the ward's own baseline and for the provider
from the provider total's, so the assurance icon says whether the process will meet it.

The page, the CSV, the chart pages and the PDF pack all read this module, so their numbers agree.

Suppression: people outside the provider (commissioners; see ``accounts.scope.sees_unsuppressed``) get
every count under 5 hidden and the others rounded to the nearest 5, and every rate hidden where its count
is hidden (or its bed days are under 100) and otherwise rounded to a whole number (NHS Digital's rules,
``measures.suppression``). They get no point-by-point charts at all: a chart's points, tooltips and data
table would show the exact monthly figures that the rules hide. The MDC icons and the commentary, which
describe the pattern and give no count, are shown to them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rrp.accounts.models import User
from rrp.accounts.scope import sees_unsuppressed, wards_for
from rrp.charts import Icon, mdc_icons
from rrp.charts.spc_chart import POINT_TYPE_WORDS, SPECIAL_CAUSE_WORDS
from rrp.improvement.models import ImprovementAim
from rrp.improvement.selectors import aims_for_provider
from rrp.measures.catalogue import Denominator, MeasureDefinition, measure
from rrp.measures.series import Period, measure_series, measure_series_many
from rrp.measures.suppression import (
    SMALLEST_SHOWN_BED_DAYS,
    count_is_suppressed,
    rate_is_suppressed,
    round_half_up,
    suppress_counts,
)
from rrp.organisations.models import Provider, Ward
from rrp.reports.measure_charts import (
    MeasureCharts,
    _analyse,
    charts_of_series,
    measure_charts,
    reporting_window,
)
from rrp.reports.reporting_health import VOLUME_MEASURE, FlagCode, WardReportingHealth, reporting_health
from rrp.spc import Chart, ImprovementDirection, SpcResult

#: The measures on the board, in the order of the measurement framework: outcome, process, balancing.
#: Any other measure with a provider aim is added after these (interval measures, g charts, cannot be
#: summed to a provider total and are left off).
KEY_MEASURES: tuple[str, ...] = (
    "restrictive-interventions-per-1000-obd",
    "prone-restraints-per-1000-obd",
    "seclusions-per-1000-obd",
    "patient-debrief-held",
    "patient-injuries",
    "staff-injuries",
)
#: The provider total's group label in SPC results (ward groups are ward ids as text).
PROVIDER_GROUP = "0"
#: How many of the latest months make up "the latest mean" of an aim's progress.
LATEST_MONTHS = 3
SUPPRESSED_TEXT = "*"
STATUS_WORDS = {
    "met": "Met.",
    "not_met": "Not met by the aim date.",
    "on_track": "On track.",
    "not_on_track": "Not on track.",
    "no_data": "Not enough data yet to measure progress toward this aim.",
}


def board_measures(aims: Sequence[ImprovementAim] = ()) -> list[MeasureDefinition]:
    """The key measures plus any measure a provider aim is set on (not interval measures)."""
    slugs = list(KEY_MEASURES)
    for aim in aims:
        if aim.measure_slug not in slugs:
            slugs.append(aim.measure_slug)
    return [d for d in (measure(s) for s in slugs) if d.default_chart not in (Chart.G, Chart.T)]


def month_words(day: dt.date | None) -> str:
    return day.strftime("%B %Y") if day else "no month"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def format_value(value: float | None, definition: MeasureDefinition) -> str:
    """A value in the measure's unit as the table shows it: rates to one decimal place, counts whole."""
    if value is None or not math.isfinite(value):
        return "Missing"
    if definition.denominator is Denominator.NONE:
        return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return f"{value:,.1f}"


@dataclass(frozen=True)
class ShownFigures:
    """One period's count and value as the reader may see them (suppressed outside the provider)."""

    count: str
    value: str
    count_hidden: bool
    value_hidden: bool


def shown_figures(
    definition: MeasureDefinition,
    numerator: float | None,
    denominator: float | None,
    value: float | None,
    *,
    suppress: bool,
) -> ShownFigures:
    """The count and value to print. Suppressed: counts under 5 hidden, others rounded to 5; a rate
    hidden where its count is (or its bed days are under 100), otherwise rounded to a whole number."""
    num = np.nan if numerator is None else float(numerator)
    if not suppress:
        count = "Missing" if math.isnan(num) else f"{num:,.0f}"
        return ShownFigures(count, format_value(value, definition), False, False)
    if math.isnan(num):
        return ShownFigures("Missing", "Missing", False, False)
    count_hidden = bool(count_is_suppressed([num])[0])
    rounded = suppress_counts([num])[0]
    count = SUPPRESSED_TEXT if count_hidden else f"{rounded:,.0f}"
    if definition.denominator is Denominator.NONE:
        return ShownFigures(count, count, count_hidden, count_hidden)
    if value is None or not math.isfinite(value):
        return ShownFigures(count, "Missing", count_hidden, False)
    obd = definition.denominator is Denominator.OCCUPIED_BED_DAYS
    value_hidden = bool(
        rate_is_suppressed(
            counts=[num],
            denominators=[np.nan if denominator is None else denominator] if obd else None,
            smallest_denominator=SMALLEST_SHOWN_BED_DAYS if obd else None,
        )[0]
    )
    shown = SUPPRESSED_TEXT if value_hidden else f"{round_half_up([value])[0]:,.0f}"
    return ShownFigures(count, shown, count_hidden, value_hidden)


@dataclass(frozen=True)
class BoardRow:
    """One line of the MDC summary table: a ward's (or the provider total's) latest month of a measure."""

    ward_id: int | None  # None for the provider total
    ward_name: str
    definition: MeasureDefinition
    latest_period: dt.date | None
    numerator: float | None
    denominator: float | None
    value: float | None
    shown: ShownFigures
    icons: list[Icon]
    variation: str | None
    assurance: str | None
    target: float | None
    result: SpcResult | None = field(repr=False, default=None)

    @property
    def is_provider(self) -> bool:
        return self.ward_id is None

    @property
    def target_text(self) -> str:
        return "No aim" if self.target is None else format_value(self.target, self.definition)

    @property
    def variation_words(self) -> str:
        return next((i.words for i in self.icons if i.kind == "variation"), "No icon (too few points)")

    @property
    def assurance_words(self) -> str:
        if self.target is None:
            return "No target"
        return next((i.words for i in self.icons if i.kind == "assurance"), "No icon (too few points)")


@dataclass(frozen=True)
class AimProgress:
    """How far the provider has come toward one aim, in numbers and in words."""

    aim: ImprovementAim
    definition: MeasureDefinition
    baseline_mean: float | None
    latest_mean: float | None
    latest_from: dt.date | None
    latest_to: dt.date | None
    change_percent: float | None
    target: float | None
    expected_now: float | None
    status: str  # met, on_track, not_on_track, not_met, no_data
    words: str
    hidden: bool = False  # figures withheld outside the provider (too few events)

    def shown(self, value: float | None) -> str:
        if self.hidden:
            return SUPPRESSED_TEXT
        return format_value(value, self.definition)

    @property
    def change_text(self) -> str:
        if self.hidden or self.change_percent is None:
            return SUPPRESSED_TEXT if self.hidden else "Missing"
        return f"{self.change_percent:+.0f}%"


@dataclass(frozen=True)
class Comment:
    """One sentence of commentary, with how much it matters (0 concern, 1 improvement, 2 other)."""

    rank: int
    text: str
    ward_id: int | None
    measure_slug: str


#: What each reporting-health flag is about, without its figures (shown outside the provider, where the
#: flags' own words would give small counts of records).
FLAG_TITLES = {
    FlagCode.VOLUME_DROP: "Fewer incidents recorded than the ward's history makes likely",
    FlagCode.SILENT: "Nothing recorded for longer than the ward's rate makes likely",
    FlagCode.INCOMPLETE: "Records missing statutory items",
    FlagCode.LATE: "Records submitted more than 72 hours after the incident",
    FlagCode.UNSUBMITTED: "Records still open more than 72 hours after the incident",
    FlagCode.MISSING_BED_DAYS: "Months with no occupied bed days (no rate)",
}


@dataclass(frozen=True)
class HealthLine:
    """One ward's reporting-health flags as the board shows them (worst first)."""

    ward_id: int
    ward_name: str
    severity: str
    flags: list[tuple[str, str]]  # (severity, words)


def health_lines(
    wards: Sequence[Ward], health: dict[int, WardReportingHealth], *, suppress: bool
) -> list[HealthLine]:
    """Wards with at least one reporting-health flag, the worst first; figures left out when suppressed."""
    order = {"high": 0, "medium": 1, "low": 2}
    lines = []
    for ward in wards:
        found = health.get(ward.pk)
        if found is None or found.healthy:
            continue
        flags = sorted(found.flags, key=lambda f: order.get(str(f.severity), 3))
        lines.append(
            HealthLine(
                ward.pk,
                ward.name,
                str(found.worst),
                [
                    (str(f.severity), FLAG_TITLES.get(f.code, str(f.code)) if suppress else f.words)
                    for f in flags
                ],
            )
        )
    return sorted(lines, key=lambda line: (order.get(line.severity, 3), line.ward_name))


@dataclass(frozen=True)
class MeasureBlock:
    """One measure's rows (provider total first, then wards by name) and the provider total's chart."""

    definition: MeasureDefinition
    provider_row: BoardRow
    ward_rows: list[BoardRow]
    provider_result: SpcResult | None
    provider_series: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class Board:
    provider: Provider
    since: dt.date
    until: dt.date
    wards: list[Ward]
    blocks: list[MeasureBlock]
    aims: list[AimProgress]
    commentary: list[Comment]
    suppressed: bool
    health: list[HealthLine] = field(default_factory=list)

    @property
    def rows(self) -> list[BoardRow]:
        """Every row of the summary table: per measure, the provider total then each ward."""
        return [row for block in self.blocks for row in (block.provider_row, *block.ward_rows)]

    def block(self, slug: str) -> MeasureBlock | None:
        return next((b for b in self.blocks if b.definition.slug == slug), None)


# --- series and targets ----------------------------------------------------------------------------


def provider_total(definition: MeasureDefinition, series: pd.DataFrame) -> pd.DataFrame:
    """The provider's series: numerators (and denominators) summed over its wards per period.

    For a ratio, only wards with a denominator that period count on both sides (a ward missing its bed
    days would otherwise add restraints with no bed days and inflate the rate). Columns as
    ``measure_series``, with ward_id 0.
    """
    if series.empty:
        return series.assign(ward_id=pd.Series(dtype=int))
    if definition.denominator is Denominator.NONE:
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


def _row(
    definition: MeasureDefinition,
    *,
    ward_id: int | None,
    ward_name: str,
    series: pd.DataFrame,
    result: SpcResult | None,
    target: float | None,
    suppress: bool,
) -> BoardRow:
    latest = series.iloc[-1] if not series.empty else None
    summary = result.summaries[-1] if result is not None and result.summaries else None

    def opt(name: str) -> float | None:
        if latest is None or pd.isna(latest[name]):
            return None
        return float(latest[name])

    numerator, denominator, value = opt("numerator"), opt("denominator"), opt("value")
    return BoardRow(
        ward_id=ward_id,
        ward_name=ward_name,
        definition=definition,
        latest_period=None if latest is None else pd.Timestamp(latest["period"]).date(),
        numerator=numerator,
        denominator=denominator,
        value=value,
        shown=shown_figures(definition, numerator, denominator, value, suppress=suppress),
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
    suppress: bool,
) -> tuple[MeasureBlock, tuple[float | None, pd.DataFrame] | None]:
    """One measure's rows and provider total from its window series (already read in bulk)."""
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
        definition, series, ward_ids=ward_ids, targets=ward_targets or None
    )
    by_ward = {int(k): g for k, g in series.groupby("ward_id", sort=False)} if not series.empty else {}
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
        series=total,
        result=total_result,
        target=provider_target,
        suppress=suppress,
    )
    ward_rows = [
        _row(
            definition,
            ward_id=w.pk,
            ward_name=w.name,
            series=by_ward.get(w.pk, series.iloc[0:0]),
            result=charts.for_ward(w.pk),
            target=ward_targets.get(w.pk),
            suppress=suppress,
        )
        for w in wards
    ]
    block = MeasureBlock(definition, provider_row, ward_rows, total_result, total)
    return block, baseline


# --- aims --------------------------------------------------------------------------------------------


def aim_progress(
    aim: ImprovementAim,
    definition: MeasureDefinition,
    *,
    baseline_mean: float | None,
    baseline_total: pd.DataFrame,
    total: pd.DataFrame,
    suppress: bool,
) -> AimProgress:
    """Baseline mean, latest mean (the last 3 months), % change, target and whether it is met or on track.

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
    unit = definition.unit
    better_low = definition.improvement_direction is not ImprovementDirection.INCREASE
    hidden = False
    if suppress:
        baseline_events = baseline_total["numerator"].sum() if not baseline_total.empty else 0
        recent_events = recent["numerator"].sum() if not recent.empty else 0
        hidden = bool(count_is_suppressed([baseline_events, recent_events]).any())

    def fmt(value: float | None) -> str:
        # Outside the provider figures are rounded to whole numbers, as published rates are.
        if suppress and value is not None:
            return f"{round_half_up([value])[0]:,.0f}"
        return format_value(value, definition)

    if baseline_mean is None or latest_mean is None or target is None or latest_to is None:
        status, words = "no_data", "Not enough data yet to measure progress toward this aim."
    else:
        month_end = (latest_to.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        span = (aim.aim_date - aim.baseline_end).days
        done = min(max((month_end - aim.baseline_end).days / span, 0.0), 1.0) if span > 0 else 1.0
        expected = baseline_mean + (target - baseline_mean) * done
        met = latest_mean <= target if better_low else latest_mean >= target
        on_track = latest_mean <= expected if better_low else latest_mean >= expected
        figures = (
            f"the mean of the latest {len(recent)} months ({month_words(latest_from)} to "
            f"{month_words(latest_to)}) is {fmt(latest_mean)} {unit}, "
            f"against a baseline mean of {fmt(baseline_mean)} and a target of {fmt(target)}"
        )
        path = f"; a steady path to the aim would be at {fmt(expected)} by now"
        if met:
            status, words = "met", f"Met: {figures}."
        elif month_end >= aim.aim_date:
            status, words = "not_met", f"Not met by {aim.aim_date:%-d %B %Y}: {figures}."
        elif on_track:
            status, words = "on_track", f"On track: {figures}{path}."
        else:
            status, words = "not_on_track", f"Not on track: {figures}{path}."
    if hidden:
        words = STATUS_WORDS[status] + " The figures are withheld outside the provider: fewer than 5 events."
    elif suppress:
        baseline_mean, latest_mean, target, expected = (
            None if x is None else float(round_half_up([x])[0])
            for x in (baseline_mean, latest_mean, target, expected)
        )
    return AimProgress(
        aim=aim,
        definition=definition,
        baseline_mean=baseline_mean,
        latest_mean=latest_mean,
        latest_from=latest_from,
        latest_to=latest_to,
        change_percent=change,
        target=target,
        expected_now=expected,
        status=status,
        words=words,
        hidden=hidden,
    )


# --- commentary --------------------------------------------------------------------------------------


def _latest_point(result: SpcResult) -> int | None:
    present = np.flatnonzero(np.isfinite(result.value))
    return int(present[-1]) if present.size else None


def row_commentary(row: BoardRow) -> Comment | None:
    """A sentence about the latest point when a rule fired on it, from the engine's labels; otherwise a
    sentence about a target that will not be met, or nothing."""
    result = row.result
    name = lower_first(row.definition.name)
    verb = "shows" if name.startswith("share") else "show"
    if result is not None and row.variation and row.variation != "common_cause":
        i = _latest_point(result)
        if i is not None:
            rule = SPECIAL_CAUSE_WORDS.get(str(result.special_cause_labels()[i]), "")
            when = month_words(pd.Timestamp(result.date[i]).date())
            kind = POINT_TYPE_WORDS[row.variation].split(": ", 1)[-1]
            text = f"{row.ward_name}: {name} {verb} special cause {kind}" + (f": {rule}" if rule else "")
            rank = {"concern": 0, "improvement": 1}.get(kind, 2)
            return Comment(rank, f"{text} in {when}.", row.ward_id, row.definition.slug)
    if row.assurance == "consistent_fail":
        return Comment(
            0,
            f"{row.ward_name}: {name} will not meet the target of {row.target_text} without change "
            "(the target lies outside the process limits).",
            row.ward_id,
            row.definition.slug,
        )
    return None


def commentary(blocks: Sequence[MeasureBlock]) -> list[Comment]:
    """Every rule that fired on a latest point, concerns first, provider totals before wards."""
    comments = [
        c for block in blocks for row in (block.provider_row, *block.ward_rows) if (c := row_commentary(row))
    ]
    return sorted(comments, key=lambda c: (c.rank, c.ward_id is not None))


# --- the board ---------------------------------------------------------------------------------------


def board_wards(user: User, provider: Provider, since: dt.date) -> list[Ward]:
    """The provider's wards the user may see that were open at some time in the reporting window."""
    return list(
        wards_for(user).filter(provider_id=provider.pk).exclude(closed_on__lt=since).order_by("name", "pk")
    )


def provider_board(
    user: User,
    provider: Provider,
    *,
    today: dt.date,
    measures: Sequence[MeasureDefinition] | None = None,
) -> Board:
    """The board report of one provider, as ``user`` may see it (the caller has checked the provider is
    in the user's scope). Two bulk series reads for all the measures (window and baselines), then the
    engine per measure; queries do not grow with the number of wards."""
    since, until = reporting_window(Period.MONTH, today=today)
    suppress = not sees_unsuppressed(user, provider.pk)
    wards = board_wards(user, provider, since)
    aims = aims_for_provider(provider.pk)
    latest_aims = _latest_aims(aims)
    definitions = list(measures) if measures is not None else board_measures(aims)
    ward_ids = [w.pk for w in wards]
    # Bulk reads for every measure: the 24-month window, and the aims' baselines if outside it.
    # The incidents count rides along in the same grouped query for reporting health's volume check.
    volume = measure(VOLUME_MEASURE)
    read = definitions + ([volume] if all(d.slug != volume.slug for d in definitions) else [])
    window = measure_series_many(read, ward_ids=ward_ids, since=since, until=until, period=Period.MONTH)
    before = _baseline_series(definitions, aims, ward_ids, window=window, since=since, until=until)
    blocks: list[MeasureBlock] = []
    baselines: dict[str, tuple[float | None, pd.DataFrame]] = {}
    for definition in definitions:
        block, baseline = _measure_block(
            definition,
            provider=provider,
            wards=wards,
            series=window[definition.slug],
            aim=latest_aims.get(definition.slug),
            baseline_series=before.get(definition.slug),
            suppress=suppress,
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
            aim_progress(
                aim,
                block.definition,
                baseline_mean=baseline_mean,
                baseline_total=baseline_total,
                total=block.provider_series,
                suppress=suppress,
            )
        )
    return Board(
        provider=provider,
        since=since,
        until=until,
        wards=wards,
        blocks=blocks,
        aims=progress,
        commentary=commentary(blocks),
        suppressed=suppress,
        health=health_lines(
            wards,
            reporting_health(ward_ids, today=today, volume_series=window[VOLUME_MEASURE]),
            suppress=suppress,
        ),
    )


@dataclass(frozen=True)
class WardChart:
    """One ward's chart of one measure, for its own page and its downloads."""

    provider: Provider
    ward: Ward
    row: BoardRow
    since: dt.date
    until: dt.date
    suppressed: bool
    series: pd.DataFrame = field(repr=False)

    def shown_series(self) -> list[tuple[dt.date, ShownFigures, str]]:
        """Each month's figures as the reader may see them, with the bed days (or other denominator)."""
        out = []
        for r in self.series.itertuples(index=False):
            den = None if pd.isna(r.denominator) else float(r.denominator)
            shown = shown_figures(
                self.row.definition,
                None if pd.isna(r.numerator) else float(r.numerator),
                den,
                None if pd.isna(r.value) else float(r.value),
                suppress=self.suppressed,
            )
            den_text = "" if den is None else f"{den:,.0f}"
            out.append((pd.Timestamp(r.period).date(), shown, den_text))
        return out


def ward_chart(
    user: User, provider: Provider, ward: Ward, definition: MeasureDefinition, *, today: dt.date
) -> WardChart:
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
    suppress = not sees_unsuppressed(user, provider.pk)
    row = _row(
        definition,
        ward_id=ward.pk,
        ward_name=ward.name,
        series=charts.series,
        result=charts.for_ward(ward.pk),
        target=target,
        suppress=suppress,
    )
    return WardChart(provider, ward, row, since, until, suppress, charts.series)


# --- tables for downloads ----------------------------------------------------------------------------

SUMMARY_COLUMNS = (
    "provider",
    "ward",
    "measure",
    "unit",
    "latest_month",
    "count",
    "value",
    "target",
    "variation",
    "assurance",
)


def summary_rows(board: Board) -> list[dict[str, str]]:
    """The summary table as CSV rows (suppressed values as the reader sees them, ``*`` where hidden)."""
    out = []
    for row in board.rows:
        out.append(
            {
                "provider": board.provider.name,
                "ward": "All wards" if row.is_provider else row.ward_name,
                "measure": row.definition.name,
                "unit": row.definition.unit,
                "latest_month": row.latest_period.isoformat() if row.latest_period else "",
                "count": row.shown.count,
                "value": row.shown.value,
                "target": "" if row.target is None else row.target_text,
                "variation": row.variation_words,
                "assurance": row.assurance_words,
            }
        )
    return out


CHART_COLUMNS = (
    "month",
    "numerator",
    "denominator",
    "value",
    "centre",
    "lower_limit",
    "upper_limit",
    "point",
    "rule",
)


def chart_rows(chart: WardChart) -> list[dict[str, str]]:
    """The chart's data month by month; outside the provider only the suppressed counts and values."""
    result = chart.row.result
    rows = []
    shown = chart.shown_series()
    for i, (month, figures, den_text) in enumerate(shown):
        row = {
            "month": month.isoformat(),
            "numerator": figures.count,
            "denominator": den_text,
            "value": figures.value,
            "centre": "",
            "lower_limit": "",
            "upper_limit": "",
            "point": "",
            "rule": "",
        }
        if result is not None and not chart.suppressed and i < len(result):
            types = result.point_type_labels()
            causes = result.special_cause_labels()
            for key, arr in (
                ("centre", result.centre),
                ("lower_limit", result.lower_limit),
                ("upper_limit", result.upper_limit),
            ):
                row[key] = "" if not np.isfinite(arr[i]) else f"{arr[i]:.4g}"
            row["point"] = POINT_TYPE_WORDS.get(str(types[i]), "")
            row["rule"] = SPECIAL_CAUSE_WORDS.get(str(causes[i]), "")
        rows.append(row)
    return rows
