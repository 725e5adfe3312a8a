"""The collaborative view, the figures: member wards and how each may be shown to this viewer, the
pooled series and their SPC results, the funnel of member wards and each aim's progress from every ward's
own joining date.

Statistics are always computed from the exact figures; NHS Digital's disclosure control
(``measures.suppression``) is applied to what may be shown (``suppressed_result``, the funnel's shown
result, the ``hidden`` flags), and ``presenters`` writes it. Everything is read in bulk: one
``measure_series_many`` call for the pooled measures over every member ward at once (one grouped query
of interventions, episodes and bed days read once), the memberships in one query, and the SPC engine
once per chart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import Count, Q

from rrp.accounts.models import User
from rrp.accounts.permissions import sees_unsuppressed
from rrp.accounts.scope import collaboratives_for
from rrp.improvement.models import ImprovementAim
from rrp.improvement.selectors import aims_for_collaborative
from rrp.measures.catalogue import Combine, Denominator, MeasureDefinition, all_measures, measure
from rrp.measures.series import Period, measure_series, measure_series_many
from rrp.measures.suppression import count_is_suppressed, round_half_up, suppress_counts, suppress_rates
from rrp.organisations.models import Collaborative, CollaborativeMembership
from rrp.reports.measure_charts import reporting_window
from rrp.reports.reporting_health.compute import WardHealthFigures, health_figures
from rrp.spc import PointType, SpcResult, analyse
from rrp.spc.types import POINT_ARRAYS

# The pooled charts, in page order: the programme's main outcome first.
POOLED_MEASURES = (
    "restrictive-interventions-per-1000-obd",
    "people-restrained-per-1000-obd",
    "prone-restraints-per-1000-obd",
)
FUNNEL_MEASURE = POOLED_MEASURES[0]
FUNNEL_MONTHS = 12
# Spiegelhalter's over-dispersion estimate is unstable with few units (and one extreme ward then widens
# the limits round itself); below this many wards the funnel keeps plain Poisson limits.
OVERDISPERSION_MIN_WARDS = 20


def collaborative_list_for(user: User, *, today: dt.date) -> list[dict[str, object]]:
    """The collaboratives in the user's scope with how many wards are members today; one query."""
    current = Q(memberships__joined_on__lte=today) & (
        Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=today)
    )
    rows = collaboratives_for(user).annotate(
        members_now=Count("memberships__ward", filter=current, distinct=True),
        members_ever=Count("memberships__ward", distinct=True),
    )
    return [
        {
            "collaborative": c,
            "members_now": c.members_now,
            "members_ever": c.members_ever,
        }
        for c in rows
    ]


# --------------------------------------------------------------------------------------------------
# Members and how each is shown


@dataclass(frozen=True)
class Member:
    """One member ward as this viewer sees it."""

    ward_id: int
    provider_id: int
    label: str  # the ward's name, or its pseudonym
    named: bool  # False: pseudonymised and suppressed for this viewer
    region: str
    joined_on: dt.date
    left_on: dt.date | None


def pseudonym(number: int, total: int) -> str:
    """'Ward 007': the member's place in the order wards joined, padded to at least three digits."""
    return f"Ward {number:0{max(3, len(str(total)))}d}"


def members_for(collaborative: Collaborative, *, user: User) -> list[Member]:
    """Every ward that is or was a member, in joining order (one query).

    A ward that joined more than once keeps its first joining date (aims count from it) and its last
    leaving date (None while it is still a member). Pseudonyms number wards in the order of their first
    membership row, so they do not change when later wards join.
    """
    rows = (
        CollaborativeMembership.objects.filter(collaborative=collaborative)
        .order_by("pk")
        .values_list(
            "ward_id",
            "ward__name",
            "ward__code",
            "ward__provider_id",
            "ward__provider__region__name",
            "joined_on",
            "left_on",
        )
    )
    by_ward: dict[int, dict[str, object]] = {}
    for ward_id, name, code, provider_id, region, joined_on, left_on in rows:
        entry = by_ward.get(ward_id)
        if entry is None:
            by_ward[ward_id] = {
                "name": name,
                "code": code,
                "provider_id": provider_id,
                "region": region,
                "joined_on": joined_on,
                "left_on": left_on,
                "open": left_on is None,
            }
            continue
        entry["joined_on"] = min(entry["joined_on"], joined_on)  # type: ignore[type-var]
        entry["open"] = bool(entry["open"]) or left_on is None
        if left_on is not None and (entry["left_on"] is None or left_on > entry["left_on"]):  # type: ignore[operator]
            entry["left_on"] = left_on
    unsuppressed = {pid: sees_unsuppressed(user, pid) for pid in {e["provider_id"] for e in by_ward.values()}}
    names = [str(e["name"]) for e in by_ward.values() if unsuppressed[e["provider_id"]]]
    repeated = {n for n in names if names.count(n) > 1}
    members = []
    for number, (ward_id, e) in enumerate(by_ward.items(), start=1):
        named = unsuppressed[e["provider_id"]]
        label = str(e["name"]) if named else pseudonym(number, len(by_ward))
        if named and label in repeated:
            label = f"{label} ({e['code']})"
        members.append(
            Member(
                ward_id=ward_id,
                provider_id=int(e["provider_id"]),  # type: ignore[arg-type]
                label=label,
                named=named,
                region=str(e["region"]),
                joined_on=e["joined_on"],  # type: ignore[arg-type]
                left_on=None if e["open"] else e["left_on"],  # type: ignore[arg-type]
            )
        )
    return members


def _after_leaving(series: pd.DataFrame, members: Sequence[Member]) -> np.ndarray:
    """True for rows of a month after the ward left: the collaborative no longer holds those months."""
    left = {m.ward_id: m.left_on.replace(day=1) for m in members if m.left_on is not None}
    if not left:
        return np.zeros(len(series), dtype=bool)
    limit = series["ward_id"].map(left)
    periods = pd.to_datetime(series["period"])
    return (limit.notna() & (periods > pd.to_datetime(limit))).to_numpy()


# --------------------------------------------------------------------------------------------------
# Showing figures outside the provider


def _subset(result: SpcResult, keep: np.ndarray) -> SpcResult:
    """The rows of a result where ``keep`` is True (summaries of the groups kept)."""
    arrays = {name: getattr(result, name)[keep] for name in POINT_ARRAYS}
    kept = set(arrays["group"].tolist())
    return dataclasses.replace(
        result, **arrays, summaries=tuple(s for s in result.summaries if s.group in kept)
    )


def suppressed_result(result: SpcResult, *, counts: np.ndarray) -> SpcResult:
    """The result as it may be shown outside the provider: points whose count is under 5 become
    missing (no value, no colour), other values are rounded to whole numbers, counts and bed days to
    the nearest 5. Centre and limits stay as computed from the exact figures. If a group's latest point
    is hidden its variation icon goes too (it would say where the hidden point lies)."""
    hidden = count_is_suppressed(counts)
    value = suppress_rates(result.value, counts=counts)
    point_type = np.where(hidden, int(PointType.MISSING), result.point_type).astype(np.int8)
    special = np.where(hidden, 0, result.special_cause).astype(result.special_cause.dtype)
    summaries = []
    for summary in result.summaries:
        rows = np.flatnonzero((result.group == summary.group) & np.isfinite(result.value))
        if rows.size and hidden[rows[-1]]:
            summary = dataclasses.replace(summary, variation=None, assurance=None)
        summaries.append(summary)
    return dataclasses.replace(
        result,
        value=value,
        numerator=suppress_counts(result.numerator),
        denominator=suppress_counts(result.denominator),
        point_type=point_type,
        special_cause=special,
        summaries=tuple(summaries),
    )


# --------------------------------------------------------------------------------------------------
# Pooled charts


def pooled_series(series: pd.DataFrame) -> pd.DataFrame:
    """One row per month: numerators and bed days summed over the wards with bed days that month.

    A ward-month without bed days is left out of both sums, so a missing denominator never inflates
    the rate; ``wards`` counts the ward-months pooled.
    """
    has_beds = series["denominator"].notna() & (series["denominator"] > 0)
    usable = series[has_beds]
    pooled = (
        usable.groupby("period")
        .agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"), wards=("ward_id", "nunique"))
        .reindex(sorted(series["period"].unique()))
        .reset_index()
    )
    pooled["wards"] = pooled["wards"].fillna(0).astype(int)
    return pooled


@dataclass(frozen=True)
class PooledFigures:
    """The collaborative's own chart of a rate measure: its wards' figures summed each month."""

    definition: MeasureDefinition
    pooled: pd.DataFrame  # one row per month: numerator, denominator, wards (see ``pooled_series``)
    result: SpcResult  # from the exact figures
    shown: SpcResult  # as this viewer may see it (``suppressed_result`` where the pool is suppressed)
    suppressed: bool


def pooled_figures(
    definition: MeasureDefinition, series: pd.DataFrame, *, suppress: bool
) -> PooledFigures | None:
    """The pooled chart's figures, or None where no month has bed days (no chart to draw)."""
    pooled = pooled_series(series)
    if pooled.empty or not (pooled["denominator"] > 0).any():
        return None
    return _pooled_result(definition, pooled, suppress=suppress)


def _pooled_result(definition: MeasureDefinition, pooled: pd.DataFrame, *, suppress: bool) -> PooledFigures:
    """The SPC result of a pooled series, and as this viewer may see it."""
    common = {
        "dates": pd.to_datetime(pooled["period"]).to_numpy(dtype="datetime64[D]"),
        "improvement_direction": definition.improvement_direction,
        "groups": np.full(len(pooled), "Collaborative"),
    }
    if definition.denominator is Denominator.NONE or definition.combine is Combine.MEAN:
        values = pooled["numerator"].to_numpy(dtype=float) * definition.multiplier
        result = analyse(definition.default_chart, values=values, **common)
    else:
        result = analyse(
            definition.default_chart,
            numerators=pooled["numerator"].to_numpy(dtype=float),
            denominators=pooled["denominator"].to_numpy(dtype=float),
            multiplier=definition.multiplier,
            **common,
        )
    counts = pooled["numerator"].to_numpy(dtype=float)
    shown = suppressed_result(result, counts=np.nan_to_num(counts, nan=0.0)) if suppress else result
    return PooledFigures(definition, pooled, result, shown, suppress)


def value_measures() -> list[MeasureDefinition]:
    """The catalogue's measures entered or imported per ward and month (decision 0043), by name: the
    collaborative page's choice of a pooled chart beside the three counted from records (issue 20)."""
    return sorted((d for d in all_measures().values() if d.from_values), key=lambda d: d.name)


def pooled_values_series(definition: MeasureDefinition, series: pd.DataFrame) -> pd.DataFrame:
    """One row per month of an entered or imported measure across the wards, columns as ``pooled_series``.

    A rate (over bed days or the value's own denominator) is pooled as ``pooled_series`` pools the
    others, counting only the ward-months that gave a value (a ward's bed days without its value would
    dilute the rate); a count with no denominator is the wards' values summed; a level (``Combine.MEAN``:
    Safewards interventions in use) is the mean of the wards that gave one, as the board's provider
    total takes it. A month no ward gave a value is a gap, never 0."""
    given = series["numerator"].notna()
    if definition.denominator is not Denominator.NONE and definition.combine is Combine.SUM:
        return pooled_series(series.assign(denominator=series["denominator"].where(given)))
    how = "mean" if definition.combine is Combine.MEAN else "sum"
    pooled = (
        series[given]
        .groupby("period")
        .agg(numerator=("numerator", how), wards=("ward_id", "nunique"))
        .reindex(sorted(series["period"].unique()))
        .reset_index()
    )
    pooled["denominator"] = np.nan
    pooled["wards"] = pooled["wards"].fillna(0).astype(int)
    return pooled[["period", "numerator", "denominator", "wards"]]


def value_pooled_figures(
    collaborative: Collaborative, *, user: User, today: dt.date, definition: MeasureDefinition
) -> PooledFigures | None:
    """The pooled chart of an entered or imported measure (``value_measures``) across the member wards,
    over the same months and members as the page's other pooled charts, or None where no member ward
    gave a value in them. Suppressed as they are, unless the measure identifies no one
    (``suppress_outside`` false: Safewards interventions in use, huddles held). The caller has checked
    the collaborative is in ``collaboratives_for(user)``.

    Reads the values as the board does (one ``measure_series_many`` call over every member ward: the
    values, and the bed days where the measure is a rate over them)."""
    members = members_for(collaborative, user=user)
    if not members:
        return None
    since, until = reporting_window(Period.MONTH, today=today)
    whole = measure_series_many(
        [definition], ward_ids=[m.ward_id for m in members], since=since, until=until, period=Period.MONTH
    )[definition.slug]
    if whole.empty:
        return None
    pooled = pooled_values_series(definition, pooled_window(whole, members, since=since))
    if pooled.empty or not pooled["numerator"].notna().any():
        return None
    suppress = pooled_is_suppressed(members) and definition.suppress_outside
    return _pooled_result(definition, pooled, suppress=suppress)


def pooled_is_suppressed(members: Sequence[Member]) -> bool:
    """True unless the viewer sees every member ward unsuppressed: the pooled figures mix providers."""
    return not all(m.named for m in members)


def _before_joining(series: pd.DataFrame, members: Sequence[Member]) -> np.ndarray:
    """True for rows of a month before the one the ward (first) joined: the collaborative did not hold
    those months, so they are not its figures."""
    joined = {m.ward_id: m.joined_on.replace(day=1) for m in members}
    limit = series["ward_id"].map(joined)
    periods = pd.to_datetime(series["period"])
    return (limit.notna() & (periods < pd.to_datetime(limit))).to_numpy()


def members_window(whole: pd.DataFrame, members: Sequence[Member], *, since: dt.date) -> pd.DataFrame:
    """Every member ward's months from ``since``, none after it left (the funnel: each ward's own rate
    over its last 12 months, wherever it was)."""
    series = whole[whole["period"] >= since]
    return series[~_after_leaving(series, members)]


def pooled_window(whole: pd.DataFrame, members: Sequence[Member], *, since: dt.date) -> pd.DataFrame:
    """The months a pooled chart counts: from ``since``, and each ward's only from the month it joined
    to the month it left. Before this, a ward's months before it joined were pooled too, so a ward that
    joined last month added two years of its history to the collaborative's figures.

    The page and the chart's SVG and PNG downloads both cut the series here, so a download is never
    less suppressed than the chart on the page."""
    series = members_window(whole, members, since=since)
    return series[~_before_joining(series, members)]


def pooled_chart_figures(
    collaborative: Collaborative, *, user: User, today: dt.date, slug: str
) -> PooledFigures | None:
    """The pooled chart of ``slug`` exactly as the collaborative page draws it for this viewer (same
    members, months and suppression), or None where the page draws none (not a pooled measure nor an
    entered or imported one, no members, no bed days or values). The caller has checked the
    collaborative is in ``collaboratives_for(user)``.

    Reads only that measure (one ``measure_series_many`` call over every member ward) from the start
    of the charts' window; the page reads further back only for aims, and slices those months off.
    """
    if slug not in POOLED_MEASURES:
        chosen = [d for d in value_measures() if d.slug == slug]
        if not chosen:
            return None
        return value_pooled_figures(collaborative, user=user, today=today, definition=chosen[0])
    members = members_for(collaborative, user=user)
    if not members:
        return None
    definition = measure(slug)
    since, until = reporting_window(Period.MONTH, today=today)
    whole = measure_series_many(
        [definition], ward_ids=[m.ward_id for m in members], since=since, until=until, period=Period.MONTH
    )[slug]
    return pooled_figures(
        definition, pooled_window(whole, members, since=since), suppress=pooled_is_suppressed(members)
    )


# --------------------------------------------------------------------------------------------------
# Funnel of wards


@dataclass(frozen=True)
class FunnelWard:
    """A member's last 12 months of the funnel measure (exact), and how much of it this viewer may see."""

    member: Member
    count: float
    bed_days: float
    rate: float
    suppress: bool  # pseudonymised for this viewer: figures pass NHS Digital's rules
    hidden: bool  # its count is suppressed, so it is left off the plot
    outside: bool  # outside the 99.8% limits
    point_type: str  # the engine's label of the ward's point


@dataclass(frozen=True)
class FunnelFigures:
    definition: MeasureDefinition
    shown: SpcResult | None  # the funnel as this viewer may see it (hidden wards left off)
    hidden: int  # wards left off because their count is suppressed for this viewer
    without_bed_days: int
    wards: list[FunnelWard]
    months: tuple[dt.date, dt.date] | None
    overdispersion: bool = False  # limits widened for over-dispersion (enough wards to estimate it)


def funnel_figures(
    definition: MeasureDefinition, series: pd.DataFrame, members: Sequence[Member], *, months: int
) -> FunnelFigures:
    """Each member ward's rate over the last ``months`` months against its bed days, with the funnel's
    limits around the collaborative's pooled rate (computed from every ward's exact figures).

    Wards shown under a pseudonym whose count is suppressed are left off the plot (and counted);
    the others are drawn with rounded rates and bed days.
    """
    periods = sorted(series["period"].unique())[-months:]
    recent = series[series["period"].isin(periods)]
    has_beds = recent["denominator"].notna() & (recent["denominator"] > 0)
    totals = (
        recent[has_beds]
        .groupby("ward_id")
        .agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"))
    )
    by_id = {m.ward_id: m for m in members}
    ward_ids = [w for w in totals.index if w in by_id]
    without = len([m for m in members if m.ward_id not in set(ward_ids)])
    if not ward_ids:
        return FunnelFigures(definition, None, 0, without, [], None)
    totals = totals.loc[ward_ids]
    labels = np.array([by_id[w].label for w in ward_ids], dtype=object)
    num = totals["numerator"].to_numpy(dtype=float)
    den = totals["denominator"].to_numpy(dtype=float)
    overdispersion = len(ward_ids) >= OVERDISPERSION_MIN_WARDS
    result = analyse(
        "funnel",
        dates=None,
        numerators=num,
        denominators=den,
        groups=labels,
        multiplier=definition.multiplier,
        improvement_direction=definition.improvement_direction,
        # Wards differ by more than Poisson chance alone (patient mix, recording); Spiegelhalter's
        # random-effects widening keeps the limits for the wards that really stand out, once there are
        # enough wards to estimate the extra variation from.
        overdispersion=overdispersion,
    )
    outside = np.isin(
        result.point_type, [int(PointType.SPECIAL_CAUSE_CONCERN), int(PointType.SPECIAL_CAUSE_IMPROVEMENT)]
    )
    suppress = np.array([not by_id[w].named for w in ward_ids])
    hide = suppress & count_is_suppressed(num)
    shown_value = np.where(suppress, suppress_rates(result.value, counts=num), result.value)
    shown = dataclasses.replace(
        result,
        value=shown_value,
        numerator=np.where(suppress, suppress_counts(num), num),
        denominator=np.where(suppress, round_half_up(den / 5) * 5, den),
    )
    shown = _subset(shown, ~hide)
    labels_of_points = result.point_type_labels()
    wards = [
        FunnelWard(
            member=by_id[ward_id],
            count=float(num[i]),
            bed_days=float(den[i]),
            rate=float(result.value[i]),
            suppress=bool(suppress[i]),
            hidden=bool(hide[i]),
            outside=bool(outside[i]),
            point_type=str(labels_of_points[i]),
        )
        for i, ward_id in enumerate(ward_ids)
    ]
    first, last = pd.Timestamp(periods[0]).date(), pd.Timestamp(periods[-1]).date()
    return FunnelFigures(definition, shown, int(hide.sum()), without, wards, (first, last), overdispersion)


# --------------------------------------------------------------------------------------------------
# Progress toward the aim, from each ward's joining date


def _month_add(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def baseline_months(aim: ImprovementAim) -> int:
    """The baseline's length in whole months (the months from its start's to its end's, inclusive)."""
    start, end = aim.baseline_start, aim.baseline_end
    return (end.year - start.year) * 12 + end.month - start.month + 1


@dataclass(frozen=True)
class WardAimFigures:
    """One member ward's rate before and since it joined (exact), and whether the viewer may see it."""

    member: Member
    baseline: tuple[dt.date, dt.date]
    since: tuple[dt.date, dt.date] | None  # None when the ward joined after the last month
    baseline_count: float
    baseline_rate: float
    since_count: float
    since_rate: float
    change: float  # per cent; NaN where there is no baseline rate
    suppress: bool  # pseudonymised for this viewer: figures pass NHS Digital's rules
    hidden: bool  # the change is withheld: a count it rests on is suppressed
    met: bool | None  # None when hidden or not computable


@dataclass(frozen=True)
class CollaborativeAimFigures:
    """A collaborative aim's progress: each ward against its own baseline, and pooled over every ward's
    own windows (not to be confused with a provider aim's progress on the board, which follows the
    provider total month by month: ``reports.board.compute.provider_aim_progress``)."""

    aim: ImprovementAim
    definition: MeasureDefinition
    months: int
    wards: list[WardAimFigures]
    pooled_baseline_count: float
    pooled_baseline_rate: float
    pooled_since_count: float
    pooled_since_rate: float
    pooled_change: float
    pooled_suppressed: bool
    pooled_hidden: bool
    pooled_met: bool | None
    target_change: int


def _ratio(num: float, den: float, definition: MeasureDefinition) -> float:
    """The measure over a window: summed numerators over summed denominators × the multiplier (for a
    plain count the denominator is the number of months, so this is the mean per month)."""
    return num / den * definition.multiplier if den > 0 else np.nan


Windows = dict[int, tuple[dt.date, dt.date, dt.date, dt.date]]


def aim_windows(aim: ImprovementAim, members: Sequence[Member], *, last_month: dt.date) -> Windows:
    """For each ward, the first months of its baseline and since-joining windows and their last months:
    ``{ward_id: (baseline_first, baseline_last, since_first, since_last)}``.

    Months are whole calendar months: the baseline is the ``baseline_months(aim)`` months before the
    month the ward joined; "since joining" starts with that month and ends with ``last_month`` (or the
    month the ward left). Since-joining is empty (first after last) for a ward that joined after it.
    """
    length = baseline_months(aim)
    windows: Windows = {}
    for m in members:
        joined = m.joined_on.replace(day=1)
        end = min(last_month, m.left_on.replace(day=1)) if m.left_on else last_month
        windows[m.ward_id] = (_month_add(joined, -length), _month_add(joined, -1), joined, end)
    return windows


def _window_sums(
    series: pd.DataFrame | None, windows: Windows, definition: MeasureDefinition
) -> dict[int, tuple[float, float, float, float]]:
    """Per ward: numerator and denominator summed over its baseline months, then over its months since
    joining, in one vectorised pass (a ward-month without bed days counts in neither sum; for a plain
    count each month counts 1 in the denominator, so the ratio is the mean per month)."""
    if series is None or series.empty or not windows:
        return {}
    frame = series[["ward_id", "period", "numerator", "denominator"]].copy()
    frame["period"] = pd.to_datetime(frame["period"])
    if definition.denominator is Denominator.NONE:
        frame["denominator"] = 1.0
    frame = frame[frame["denominator"].notna() & (frame["denominator"] > 0)]
    bounds = pd.DataFrame(
        [(w, *(pd.Timestamp(d) for d in dates)) for w, dates in windows.items()],
        columns=["ward_id", "b0", "b1", "s0", "s1"],
    )
    frame = frame.merge(bounds, on="ward_id", how="inner")
    before = ((frame["period"] >= frame["b0"]) & (frame["period"] <= frame["b1"])).to_numpy(dtype=float)
    after = ((frame["period"] >= frame["s0"]) & (frame["period"] <= frame["s1"])).to_numpy(dtype=float)
    num, den = frame["numerator"].to_numpy(dtype=float), frame["denominator"].to_numpy(dtype=float)
    parts = pd.DataFrame(
        {
            "ward_id": frame["ward_id"],
            "bn": num * before,
            "bd": den * before,
            "sn": num * after,
            "sd": den * after,
        }
    )
    totals = parts.groupby("ward_id")[["bn", "bd", "sn", "sd"]].sum()
    return {
        int(w): tuple(float(v) for v in row) for w, row in zip(totals.index, totals.to_numpy(), strict=True)
    }


def collaborative_aim_progress(
    aim: ImprovementAim,
    members: Sequence[Member],
    *,
    last_month: dt.date,
    pooled_suppressed: bool,
    series: pd.DataFrame | None = None,
) -> CollaborativeAimFigures:
    """Each ward's rate in the same length of time before it joined (its baseline) and since it
    joined (from its joining month to ``last_month``, or its leaving month), the change, and the same
    pooled over every ward's own windows (see :func:`aim_windows`).

    ``series`` is the aim's measure for every member ward by month, if the caller already holds it
    from the earliest baseline month on (the page reads it once for the chart and the aim); otherwise
    one ``measure_series`` call reads it for every ward at once.
    """
    definition = measure(aim.measure_slug)
    length = baseline_months(aim)
    windows = aim_windows(aim, members, last_month=last_month)
    if members and series is None:
        series = measure_series(
            definition,
            ward_ids=[m.ward_id for m in members],
            since=min(w[0] for w in windows.values()),
            until=_month_add(last_month, 1) - dt.timedelta(days=1),
            period=Period.MONTH,
        )
    sums = _window_sums(series, windows, definition)
    rows: list[WardAimFigures] = []
    totals = np.zeros(4)
    for m in members:
        b0, b1, s0, s1 = windows[m.ward_id]
        bn, bd, sn, sd = sums.get(m.ward_id, (0.0, 0.0, 0.0, 0.0))
        base_rate = _ratio(bn, bd, definition)
        since_rate = _ratio(sn, sd, definition)
        change = (
            (since_rate - base_rate) / base_rate * 100 if base_rate and np.isfinite(base_rate) else np.nan
        )
        suppress = not m.named
        hidden = suppress and bool(count_is_suppressed([bn])[0] or count_is_suppressed([sn])[0])
        rows.append(
            WardAimFigures(
                member=m,
                baseline=(b0, _month_add(b1, 1) - dt.timedelta(days=1)),
                since=(s0, _month_add(s1, 1) - dt.timedelta(days=1)) if s0 <= s1 else None,
                baseline_count=bn,
                baseline_rate=base_rate,
                since_count=sn,
                since_rate=since_rate,
                change=change,
                suppress=suppress,
                hidden=hidden,
                met=None if hidden or not np.isfinite(change) else bool(change <= -aim.reduction_percent),
            )
        )
        if s0 <= s1 and np.isfinite(base_rate):
            totals += [bn, bd, sn, sd]
    bn, bd, sn, sd = totals.tolist()
    pooled_base = _ratio(bn, bd, definition)
    pooled_since = _ratio(sn, sd, definition)
    change = (
        (pooled_since - pooled_base) / pooled_base * 100
        if pooled_base and np.isfinite(pooled_base)
        else np.nan
    )
    hidden = pooled_suppressed and bool(count_is_suppressed([bn])[0] or count_is_suppressed([sn])[0])
    return CollaborativeAimFigures(
        aim=aim,
        definition=definition,
        months=length,
        wards=rows,
        pooled_baseline_count=bn,
        pooled_baseline_rate=pooled_base,
        pooled_since_count=sn,
        pooled_since_rate=pooled_since,
        pooled_change=change,
        pooled_suppressed=pooled_suppressed,
        pooled_hidden=hidden,
        pooled_met=None if hidden or not np.isfinite(change) else bool(change <= -aim.reduction_percent),
        target_change=-aim.reduction_percent,
    )


# --------------------------------------------------------------------------------------------------
# The whole page


@dataclass(frozen=True)
class CollaborativeFigures:
    collaborative: Collaborative
    members: list[Member]
    pooled: list[PooledFigures]  # in POOLED_MEASURES order, measures without a chart left out
    funnel: FunnelFigures
    aims: list[CollaborativeAimFigures]
    pooled_suppressed: bool
    any_pseudonymised: bool
    window: tuple[dt.date, dt.date]


def collaborative_figures(
    collaborative: Collaborative, *, user: User, today: dt.date
) -> CollaborativeFigures:
    """Everything on the collaborative page for this viewer, as figures (the caller has checked the
    collaborative is in ``collaboratives_for(user)``)."""
    members = members_for(collaborative, user=user)
    pooled_suppressed = pooled_is_suppressed(members)
    since, until = reporting_window(Period.MONTH, today=today)
    ward_ids = [m.ward_id for m in members]
    last_month = until.replace(day=1)
    aims = aims_for_collaborative(collaborative.pk)
    # An aim on a charted measure reuses the chart's series, read from its earliest baseline month on.
    earliest: dict[str, dt.date] = {}
    for aim in aims:
        windows = aim_windows(aim, members, last_month=last_month)
        if aim.measure_slug in POOLED_MEASURES and windows:
            first = min(w[0] for w in windows.values())
            earliest[aim.measure_slug] = min(first, earliest.get(aim.measure_slug, first))
    pooled: list[PooledFigures] = []
    funnel = FunnelFigures(measure(FUNNEL_MEASURE), None, 0, len(members), [], None)
    held: dict[str, pd.DataFrame] = {}
    if ward_ids:
        # Every pooled measure in one pass (one grouped query of interventions, the episodes and the
        # bed days read once), from the earliest month any of them needs: an aim's baseline may start
        # before the charts' window, and the extra months only cost rows that are sliced off below.
        first = min([since, *earliest.values()])
        held = measure_series_many(
            [measure(slug) for slug in POOLED_MEASURES],
            ward_ids=ward_ids,
            since=first,
            until=until,
            period=Period.MONTH,
        )
    for slug, whole in held.items():
        definition = measure(slug)
        figures = pooled_figures(
            definition, pooled_window(whole, members, since=since), suppress=pooled_suppressed
        )
        if figures is not None:
            pooled.append(figures)
        if slug == FUNNEL_MEASURE:
            series = members_window(whole, members, since=since)
            funnel = funnel_figures(definition, series, members, months=FUNNEL_MONTHS)
    progress = [
        collaborative_aim_progress(
            aim,
            members,
            last_month=last_month,
            pooled_suppressed=pooled_suppressed,
            series=held.get(aim.measure_slug),
        )
        for aim in aims
    ]
    return CollaborativeFigures(
        collaborative=collaborative,
        members=members,
        pooled=pooled,
        funnel=funnel,
        aims=progress,
        pooled_suppressed=pooled_suppressed,
        any_pseudonymised=any(not m.named for m in members),
        window=(since, until),
    )


# --------------------------------------------------------------------------------------------------
# Reporting health of the member wards (its own page: at national size it costs as much as the charts)


def members_health(
    collaborative: Collaborative, *, user: User, today: dt.date
) -> list[tuple[Member, WardHealthFigures | None]]:
    """Every current member with its reporting health (``reports.reporting_health``, in bulk)."""
    members = [m for m in members_for(collaborative, user=user) if m.left_on is None or m.left_on >= today]
    health = health_figures([m.ward_id for m in members], today=today)
    return [(m, health.get(m.ward_id)) for m in members]


# --------------------------------------------------------------------------------------------------
# The member table of the CSV


def csv_funnel(
    collaborative: Collaborative, *, user: User, today: dt.date
) -> tuple[FunnelFigures, list[Member], tuple[dt.date, dt.date]]:
    """The members and their funnel over the last 12 whole months, for the member table as CSV: one
    ``measure_series`` call (12 months) for every ward."""
    members = members_for(collaborative, user=user)
    definition = measure(FUNNEL_MEASURE)
    since, until = reporting_window(Period.MONTH, today=today, length=FUNNEL_MONTHS)
    funnel = FunnelFigures(definition, None, 0, len(members), [], None)
    if members:
        series = measure_series(
            definition, ward_ids=[m.ward_id for m in members], since=since, until=until, period=Period.MONTH
        )
        funnel = funnel_figures(
            definition, series[~_after_leaving(series, members)], members, months=FUNNEL_MONTHS
        )
    return funnel, members, (since, until)
