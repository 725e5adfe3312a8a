"""The collaborative view: an improvement collaborative's member wards, pooled charts, funnel and aim.

What a viewer sees depends on where they stand (accounts.scope.sees_unsuppressed):

- a ward whose provider the viewer is *inside* (its governance team) or the regulator sees it by name
  with exact figures;
- every other ward is shown under a stable pseudonym ("Ward 007", numbered in the order wards joined
  the collaborative, so it says nothing about the provider) with its region, and its figures pass
  NHS Digital's disclosure control (measures.suppression): counts under 5 hidden, other counts rounded
  to the nearest 5, rates hidden where their count is and otherwise rounded to whole numbers;
- the pooled figures mix providers, so they are suppressed for anyone who does not see every member
  provider unsuppressed (everyone but the regulator).

Statistics are always computed from the exact figures; suppression is applied only to what is shown.
A pooled chart's SVG and PNG downloads (``pooled_chart``) are built by the same function as the page's
chart, so they are exactly as suppressed as the page is for that viewer.

Everything is read in bulk: one ``measure_series_many`` call for the pooled measures over every member
ward at once (one grouped query of interventions, episodes and bed days read once), the memberships in
one query, and the SPC engine once per chart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import Count, Q
from django.urls import reverse
from markupsafe import Markup

from rrp.accounts.models import User
from rrp.accounts.scope import collaboratives_for, sees_unsuppressed
from rrp.charts.spc_chart import POINT_TYPE_WORDS
from rrp.improvement.models import ImprovementAim
from rrp.improvement.selectors import aims_for_collaborative
from rrp.measures.catalogue import Denominator, MeasureDefinition, measure
from rrp.measures.series import Period, measure_series, measure_series_many
from rrp.measures.suppression import (
    count_is_suppressed,
    round_half_up,
    suppress_counts,
    suppress_rates,
)
from rrp.organisations.models import Collaborative, CollaborativeMembership
from rrp.reports.measure_charts import reporting_window
from rrp.reports.panels import ChartPanel, chart_panel, funnel_panel, measure_y_title
from rrp.reports.reporting_health import FlagCode, reporting_health
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
SUPPRESSED_TEXT = "suppressed"


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


def count_text(value: float, *, suppress: bool) -> str:
    """A count as the viewer may see it: exact, or NHS Digital's (hidden under 5, else nearest 5)."""
    if not np.isfinite(value):
        return "none"
    if suppress:
        shown = suppress_counts([value])[0]
        return SUPPRESSED_TEXT if np.isnan(shown) else f"{shown:,.0f}"
    return f"{value:,.0f}"


def rate_text(rate: float, *, count: float, suppress: bool, places: int = 1) -> str:
    """A rate computed from exact figures: hidden where its count is, else rounded (whole numbers
    outside the provider, as NHS Digital publishes them)."""
    if not np.isfinite(rate):
        return "none"
    if suppress:
        shown = suppress_rates([rate], counts=[count])[0]
        return SUPPRESSED_TEXT if np.isnan(shown) else f"{shown:,.0f}"
    return f"{rate:,.{places}f}"


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


def _pooled_table_html(
    result: SpcResult,
    shown: SpcResult,
    pooled: pd.DataFrame,
    *,
    caption: str,
    count_label: str,
    suppress: bool,
) -> str:
    heads = [
        "Month",
        count_label,
        "Occupied bed days",
        "Rate",
        "Centre",
        "Lower limit",
        "Upper limit",
        "Point",
    ]
    out = [f'<table class="nhsuk-table rrp-spc-table"><caption>{html.escape(caption)}</caption><thead><tr>']
    out.extend(f'<th scope="col">{html.escape(h)}</th>' for h in heads)
    out.append("</tr></thead><tbody>")
    types = shown.point_type_labels()
    for i, row in enumerate(pooled.itertuples(index=False)):
        count = float(row.numerator) if np.isfinite(row.numerator) else np.nan
        cells = [
            pd.Timestamp(row.period).strftime("%B %Y"),
            count_text(count, suppress=suppress),
            count_text(float(row.denominator), suppress=suppress),
            rate_text(float(result.value[i]), count=count if np.isfinite(count) else 0, suppress=suppress),
            "none" if not np.isfinite(result.centre[i]) else f"{result.centre[i]:,.1f}",
            "none" if not np.isfinite(result.lower_limit[i]) else f"{result.lower_limit[i]:,.1f}",
            "none" if not np.isfinite(result.upper_limit[i]) else f"{result.upper_limit[i]:,.1f}",
            _point_words(str(types[i]), hidden=suppress and np.isfinite(count) and count < 5),
        ]
        out.append(
            f'<tr><th scope="row">{html.escape(cells[0])}</th>'
            + "".join(f"<td>{html.escape(c)}</td>" for c in cells[1:])
            + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _point_words(point_type: str, *, hidden: bool) -> str:
    if point_type:
        return POINT_TYPE_WORDS.get(point_type, point_type)
    return SUPPRESSED_TEXT if hidden else "missing"


COUNT_LABELS = {
    "interventions": "Restrictive interventions",
    "people": "People restrained",
}


def _count_label(definition: MeasureDefinition) -> str:
    if definition.slug.startswith("prone"):
        return "Prone restraints"
    return COUNT_LABELS.get(definition.numerator.counts.value, "Count")


def pooled_panel(
    definition: MeasureDefinition,
    series: pd.DataFrame,
    *,
    title: str,
    suppress: bool,
    downloads: Sequence[tuple[str, str]] = (),
) -> ChartPanel | None:
    """The collaborative's own chart of a rate measure: its wards' figures summed each month."""
    pooled = pooled_series(series)
    if pooled.empty or not (pooled["denominator"] > 0).any():
        return None
    result = analyse(
        definition.default_chart,
        dates=pd.to_datetime(pooled["period"]).to_numpy(dtype="datetime64[D]"),
        numerators=pooled["numerator"].to_numpy(dtype=float),
        denominators=pooled["denominator"].to_numpy(dtype=float),
        multiplier=definition.multiplier,
        improvement_direction=definition.improvement_direction,
        groups=np.full(len(pooled), "Collaborative"),
    )
    counts = pooled["numerator"].to_numpy(dtype=float)
    shown = suppressed_result(result, counts=np.nan_to_num(counts, nan=0.0)) if suppress else result
    y_title = measure_y_title(definition)
    panel = chart_panel(
        shown, chart_id=f"pooled-{definition.slug}", title=title, y_title=y_title, downloads=downloads
    )
    table = _pooled_table_html(
        result,
        shown,
        pooled,
        caption=f"Data behind the chart: {title}",
        count_label=_count_label(definition),
        suppress=suppress,
    )
    return dataclasses.replace(panel, table_html=Markup(table))


def pooled_is_suppressed(members: Sequence[Member]) -> bool:
    """True unless the viewer sees every member ward unsuppressed: the pooled figures mix providers."""
    return not all(m.named for m in members)


def pooled_downloads(collaborative_id: int, slug: str) -> list[tuple[str, str]]:
    """The links under a pooled chart to its SVG and PNG (the board's downloads macro shows them)."""
    args = (collaborative_id, slug)
    return [
        ("SVG", reverse("reports:collaborative-pooled-svg", args=args)),
        ("PNG", reverse("reports:collaborative-pooled-png", args=args)),
    ]


def _pooled_chart_panel(
    collaborative: Collaborative,
    definition: MeasureDefinition,
    whole: pd.DataFrame,
    members: Sequence[Member],
    *,
    since: dt.date,
    suppress: bool,
) -> tuple[pd.DataFrame, ChartPanel | None]:
    """The months a pooled chart shows (from ``since``, none of a ward's after it left) and its panel.

    The page and the chart's SVG and PNG downloads both draw through here, so a download is never
    less suppressed than the chart on the page."""
    series = whole[whole["period"] >= since]
    series = series[~_after_leaving(series, members)]
    panel = pooled_panel(
        definition,
        series,
        title=f"{definition.name}, all member wards pooled",
        suppress=suppress,
        downloads=pooled_downloads(collaborative.pk, definition.slug),
    )
    return series, panel


@dataclass(frozen=True)
class PooledChart:
    """One pooled chart as this viewer sees it on the page, for its downloads."""

    collaborative: Collaborative
    definition: MeasureDefinition
    panel: ChartPanel
    suppressed: bool


def pooled_chart(
    collaborative: Collaborative, *, user: User, today: dt.date, slug: str
) -> PooledChart | None:
    """The pooled chart of ``slug`` exactly as the collaborative page draws it for this viewer (same
    members, months and suppression), or None where the page draws none (not a pooled measure, no
    members, no bed days). The caller has checked the collaborative is in ``collaboratives_for(user)``.

    Reads only that measure (one ``measure_series_many`` call over every member ward) from the start
    of the charts' window; the page reads further back only for aims, and slices those months off.
    """
    if slug not in POOLED_MEASURES:
        return None
    members = members_for(collaborative, user=user)
    if not members:
        return None
    definition = measure(slug)
    since, until = reporting_window(Period.MONTH, today=today)
    suppress = pooled_is_suppressed(members)
    whole = measure_series_many(
        [definition], ward_ids=[m.ward_id for m in members], since=since, until=until, period=Period.MONTH
    )[slug]
    _, panel = _pooled_chart_panel(collaborative, definition, whole, members, since=since, suppress=suppress)
    if panel is None:
        return None
    return PooledChart(collaborative=collaborative, definition=definition, panel=panel, suppressed=suppress)


# --------------------------------------------------------------------------------------------------
# Funnel of wards


@dataclass(frozen=True)
class WardFigures:
    """A member's last 12 months of the funnel measure, as this viewer may see them."""

    member: Member
    count: str
    bed_days: str
    rate: str
    position: str


@dataclass(frozen=True)
class Funnel:
    panel: ChartPanel | None
    hidden: int  # wards left off because their count is suppressed for this viewer
    without_bed_days: int
    rows: list[WardFigures]
    months: tuple[dt.date, dt.date] | None
    overdispersion: bool = False  # limits widened for over-dispersion (enough wards to estimate it)


def ward_funnel(
    definition: MeasureDefinition, series: pd.DataFrame, members: Sequence[Member], *, months: int
) -> Funnel:
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
    rows: list[WardFigures] = []
    if not ward_ids:
        return Funnel(None, 0, without, rows, None)
    totals = totals.loc[ward_ids]
    labels = np.array([by_id[w].label for w in ward_ids], dtype=object)
    num = totals["numerator"].to_numpy(dtype=float)
    den = totals["denominator"].to_numpy(dtype=float)
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
        overdispersion=len(ward_ids) >= OVERDISPERSION_MIN_WARDS,
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
    for i, ward_id in enumerate(ward_ids):
        position = POINT_TYPE_WORDS.get(result.point_type_labels()[i], "")
        if hide[i]:
            position = SUPPRESSED_TEXT
        elif not outside[i] and np.isfinite(result.value[i]):
            position = "within the 99.8% limits"
        rows.append(
            WardFigures(
                member=by_id[ward_id],
                count=count_text(num[i], suppress=bool(suppress[i])),
                bed_days=count_text(den[i], suppress=bool(suppress[i])),
                rate=rate_text(result.value[i], count=num[i], suppress=bool(suppress[i])),
                position=position,
            )
        )
    first, last = pd.Timestamp(periods[0]).date(), pd.Timestamp(periods[-1]).date()
    hidden = int(hide.sum())
    span = f"{first:%B %Y} to {last:%B %Y}"
    method = (
        "Limits widened for over-dispersion between wards."
        if len(ward_ids) >= OVERDISPERSION_MIN_WARDS
        else "Poisson limits (too few wards to estimate over-dispersion)."
    )
    extra = method + (
        f" {hidden} ward{'s are' if hidden != 1 else ' is'} not drawn because {'their' if hidden != 1 else 'its'} "
        "count is suppressed."
        if hidden
        else ""
    )
    panel = funnel_panel(
        shown,
        chart_id="funnel-wards",
        title=f"{definition.name} by ward, {span}",
        y_title=measure_y_title(definition),
        x_title="Occupied bed days",
        count_label=_count_label(definition),
        unit_label="Ward",
        description_extra=extra,
    )
    return Funnel(panel, hidden, without, rows, (first, last), len(ward_ids) >= OVERDISPERSION_MIN_WARDS)


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
class WardProgress:
    member: Member
    baseline: tuple[dt.date, dt.date]
    since: tuple[dt.date, dt.date] | None
    baseline_count: str
    baseline_rate: str
    since_count: str
    since_rate: str
    change: str
    met: bool | None  # None when hidden or not computable


@dataclass(frozen=True)
class AimProgress:
    aim: ImprovementAim
    definition: MeasureDefinition
    months: int
    rows: list[WardProgress]
    pooled_baseline_rate: str
    pooled_since_rate: str
    pooled_baseline_count: str
    pooled_since_count: str
    pooled_change: str
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


def aim_progress(
    aim: ImprovementAim,
    members: Sequence[Member],
    *,
    last_month: dt.date,
    pooled_suppressed: bool,
    series: pd.DataFrame | None = None,
) -> AimProgress:
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
    rows: list[WardProgress] = []
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
            WardProgress(
                member=m,
                baseline=(b0, _month_add(b1, 1) - dt.timedelta(days=1)),
                since=(s0, _month_add(s1, 1) - dt.timedelta(days=1)) if s0 <= s1 else None,
                baseline_count=count_text(bn, suppress=suppress),
                baseline_rate=rate_text(base_rate, count=bn, suppress=suppress),
                since_count=count_text(sn, suppress=suppress) if s0 <= s1 else "none",
                since_rate=rate_text(since_rate, count=sn, suppress=suppress),
                change="none"
                if not np.isfinite(change)
                else (SUPPRESSED_TEXT if hidden else f"{change:+.0f}%"),
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
    return AimProgress(
        aim=aim,
        definition=definition,
        months=length,
        rows=rows,
        pooled_baseline_rate=rate_text(pooled_base, count=bn, suppress=pooled_suppressed),
        pooled_since_rate=rate_text(pooled_since, count=sn, suppress=pooled_suppressed),
        pooled_baseline_count=count_text(bn, suppress=pooled_suppressed),
        pooled_since_count=count_text(sn, suppress=pooled_suppressed),
        pooled_change="none"
        if not np.isfinite(change)
        else (SUPPRESSED_TEXT if hidden else f"{change:+.0f}%"),
        pooled_met=None if hidden or not np.isfinite(change) else bool(change <= -aim.reduction_percent),
        target_change=-aim.reduction_percent,
    )


# --------------------------------------------------------------------------------------------------
# The whole page


@dataclass(frozen=True)
class CollaborativeReport:
    collaborative: Collaborative
    members: list[Member]
    pooled_panels: list[ChartPanel]
    funnel: Funnel
    aims: list[AimProgress]
    pooled_suppressed: bool
    any_pseudonymised: bool
    window: tuple[dt.date, dt.date]


def collaborative_report(collaborative: Collaborative, *, user: User, today: dt.date) -> CollaborativeReport:
    """Everything on the collaborative page for this viewer (the caller has checked the collaborative
    is in ``collaboratives_for(user)``)."""
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
    panels: list[ChartPanel] = []
    funnel = Funnel(None, 0, len(members), [], None)
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
        series, panel = _pooled_chart_panel(
            collaborative, definition, whole, members, since=since, suppress=pooled_suppressed
        )
        if panel is not None:
            panels.append(panel)
        if slug == FUNNEL_MEASURE:
            funnel = ward_funnel(definition, series, members, months=FUNNEL_MONTHS)
    progress = [
        aim_progress(
            aim,
            members,
            last_month=last_month,
            pooled_suppressed=pooled_suppressed,
            series=held.get(aim.measure_slug),
        )
        for aim in aims
    ]
    return CollaborativeReport(
        collaborative=collaborative,
        members=members,
        pooled_panels=panels,
        funnel=funnel,
        aims=progress,
        pooled_suppressed=pooled_suppressed,
        any_pseudonymised=any(not m.named for m in members),
        window=(since, until),
    )


# --------------------------------------------------------------------------------------------------
# Reporting health of the member wards (its own page: at national size it costs as much as the charts)

# What each flag means, without the ward's own figures, for wards shown under a pseudonym: the flags'
# own words quote counts (records, incidents) that are under 5 more often than not.
GENERIC_FLAG_WORDS = {
    FlagCode.VOLUME_DROP: "Fewer incidents recorded than the ward's own history makes likely.",
    FlagCode.SILENT: "No incident recorded for longer than the ward's rate makes likely.",
    FlagCode.INCOMPLETE: "Records missing items the Use of Force Act requires.",
    FlagCode.LATE: "Records submitted more than 72 hours after the incident.",
    FlagCode.UNSUBMITTED: "Records not yet submitted more than 72 hours after the incident.",
    FlagCode.MISSING_BED_DAYS: "Months without occupied bed days, so no rate.",
}


@dataclass(frozen=True)
class MemberHealth:
    member: Member
    severity: str | None
    flags: list[str]


@dataclass(frozen=True)
class CollaborativeHealth:
    collaborative: Collaborative
    rows: list[MemberHealth]  # flagged wards first (high, medium, low), then the rest
    counts: dict[str, int]  # wards with each flag, by the flag's generic words
    any_pseudonymised: bool


def collaborative_reporting_health(
    collaborative: Collaborative, *, user: User, today: dt.date
) -> CollaborativeHealth:
    """Every current member's reporting health (``reports.reporting_health``, in bulk): the flags in the
    ward's own words where the viewer sees the ward by name, and in general words (no counts) where
    it is pseudonymised."""
    members = [m for m in members_for(collaborative, user=user) if m.left_on is None or m.left_on >= today]
    health = reporting_health([m.ward_id for m in members], today=today)
    order = {"high": 0, "medium": 1, "low": 2, None: 3}
    rows = []
    counts: dict[str, int] = {}
    for m in members:
        found = health.get(m.ward_id)
        flags = found.flags if found else []
        for code in {f.code for f in flags}:
            counts[GENERIC_FLAG_WORDS[code]] = counts.get(GENERIC_FLAG_WORDS[code], 0) + 1
        words = [f.words if m.named else GENERIC_FLAG_WORDS[f.code] for f in flags]
        worst = found.worst.value if found and found.worst else None
        rows.append(MemberHealth(member=m, severity=worst, flags=list(dict.fromkeys(words))))
    rows.sort(key=lambda r: order[r.severity])
    return CollaborativeHealth(
        collaborative=collaborative,
        rows=rows,
        counts=dict(sorted(counts.items(), key=lambda kv: -kv[1])),
        any_pseudonymised=any(not m.named for m in members),
    )


# --------------------------------------------------------------------------------------------------
# The member table as CSV

CSV_COLUMNS = (
    "ward",
    "region",
    "joined_on",
    "left_on",
    "first_month",
    "last_month",
    "restrictive_interventions",
    "occupied_bed_days",
    "rate_per_1000_occupied_bed_days",
    "funnel_position",
)


def collaborative_csv_rows(
    collaborative: Collaborative, *, user: User, today: dt.date
) -> list[dict[str, str]]:
    """The member table as the viewer may see it, one row per ward: restrictive interventions, occupied
    bed days and their rate over the last 12 whole months, and the ward's place in the funnel.

    Pseudonyms and suppression as on the page; a suppressed cell is ``*`` (NHS Digital's convention),
    numbers carry no thousands separators. One ``measure_series`` call (12 months) for every ward.
    """
    members = members_for(collaborative, user=user)
    definition = measure(FUNNEL_MEASURE)
    since, until = reporting_window(Period.MONTH, today=today, length=FUNNEL_MONTHS)
    funnel = Funnel(None, 0, len(members), [], None)
    if members:
        series = measure_series(
            definition, ward_ids=[m.ward_id for m in members], since=since, until=until, period=Period.MONTH
        )
        funnel = ward_funnel(
            definition, series[~_after_leaving(series, members)], members, months=FUNNEL_MONTHS
        )
    figures = {row.member.ward_id: row for row in funnel.rows}

    def cell(text: str) -> str:
        return "*" if text == SUPPRESSED_TEXT else text.replace(",", "")

    rows = []
    for m in members:
        row = figures.get(m.ward_id)
        rows.append(
            {
                "ward": m.label,
                "region": m.region,
                "joined_on": m.joined_on.isoformat(),
                "left_on": m.left_on.isoformat() if m.left_on else "",
                "first_month": f"{since:%Y-%m}",
                "last_month": f"{until:%Y-%m}",
                "restrictive_interventions": cell(row.count) if row else "",
                "occupied_bed_days": cell(row.bed_days) if row else "",
                "rate_per_1000_occupied_bed_days": cell(row.rate) if row else "",
                "funnel_position": cell(row.position) if row else "no bed days",
            }
        )
    return rows
