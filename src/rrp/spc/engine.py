"""Public entry points: many series in one call, computed together as 2-D arrays.

Two levels:

- :func:`spc_matrix` works on a (time x column) matrix where each column is one series segment (a
  group's limit period). It is the fast path: no Python loop over columns.
- :func:`analyse` takes long-format rows (group, date, value or numerator/denominator) in any order,
  splits them into groups and rebase periods, lays them out as columns, calls :func:`spc_matrix`
  and returns one result row per input row, in input order, plus a summary per group and period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rrp.spc import rules
from rrp.spc._arrays import compress_rank, count_true, last_index_where, masked_median, pack, unpack
from rrp.spc.attribute import c_limits, p_limits, u_limits
from rrp.spc.funnel import funnel_bounds, funnel_limits
from rrp.spc.rare_events import g_limits, t_limits
from rrp.spc.runs import RunsArrays, anhoej_runs_from_sides
from rrp.spc.types import (
    POINT_ARRAYS,
    POINT_TYPE_LABELS,
    Assurance,
    Chart,
    ImprovementDirection,
    PeriodSummary,
    PointType,
    Profile,
    SpcInputError,
    SpcResult,
)
from rrp.spc.xmr import Limits, xmr_limits

#: Making Data Count: limits and icons are shown once a period has this many points.
MDC_MIN_POINTS_FOR_LIMITS = 13
#: NHSRplotthedots warns when a period has fewer points than this.
PTD_SHORT_SERIES_POINTS = 13
#: Making Data Count recommends at least 12 points before limits are fixed for an XmR chart.
XMR_MIN_BASELINE_POINTS = 12


@dataclass(frozen=True)
class MatrixResult:
    """Output of :func:`spc_matrix`: (time x column) arrays and per-column runs analysis."""

    values: np.ndarray
    present: np.ndarray
    centre: np.ndarray
    lower_limit: np.ndarray
    upper_limit: np.ndarray
    lower_2sigma: np.ndarray
    upper_2sigma: np.ndarray
    special_cause: np.ndarray
    point_type: np.ndarray
    runs: RunsArrays
    n: np.ndarray
    limits_shown: np.ndarray


#: Bits of the one-byte flags moved with the values when missing points are squeezed out.
_FLAG_BITS = ("outside_up", "outside_down", "above_2sigma", "below_2sigma", "above", "below")


def _pointwise(
    values: np.ndarray, lim: Limits, above: np.ndarray, below: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The comparisons the rules need, in :data:`_FLAG_BITS` order."""
    return (
        values > lim.upper,
        values < lim.lower,
        values > lim.upper_2sigma,
        values < lim.lower_2sigma,
        above,
        below,
    )


def _sequence_flags(
    profile: Profile,
    values: np.ndarray,
    above: np.ndarray,
    below: np.ndarray,
    lim: Limits,
    present: np.ndarray,
    gaps: bool,
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray | None]:
    """All four rules' flags (up, down) for the mdc and nhsrplotthedots profiles.

    ``above`` and ``below`` are the sides of ``lim.centre`` in place. With gaps, the points move to
    the top of each column first, so a missing point neither extends nor breaks a run; the flags
    are then in that packed order and the flat destinations for :func:`unpack` are returned too
    (else None). Limits constant down each column are compared after the move (only the values
    move); per-point limits are compared in place and the six comparisons travel as one byte.
    """
    dest = None
    if gaps:
        dest = compress_rank(present)
        if all(np.shape(a)[0] == 1 for a in lim):
            values = pack(values, dest)
            above, below = rules.sides(values, lim.centre)
            pointwise = _pointwise(values, lim, above, below)
        else:
            pointwise = _pointwise(values, lim, above, below)
            code = np.zeros(values.shape, dtype=np.uint8)
            bits = np.empty(values.shape, dtype=np.uint8)
            for bit, flag in enumerate(pointwise):
                code |= np.left_shift(flag.view(np.uint8), np.uint8(bit), out=bits)
            code = pack(code, dest)
            unpacked = []
            for bit in range(len(_FLAG_BITS)):
                flag = np.right_shift(code, np.uint8(bit))
                flag &= np.uint8(1)
                unpacked.append(flag.view(bool))
            pointwise = tuple(unpacked)
            values = pack(values, dest)
    else:
        pointwise = _pointwise(values, lim, above, below)
    outside_up, outside_down, hi2, lo2, above, below = pointwise
    out = {"outside": (outside_up, outside_down)}
    rising, falling = rules.step_flags(values)
    n_rows = values.shape[0]
    if profile is Profile.MDC:
        out["trend"] = rules.trend_ignoring_ties_flags(rising, falling, n_rows)
        out["two_of_three"] = rules.beyond_two_sigma_flags(hi2, lo2)
    else:
        out["trend"] = rules.trend_flags(rising, falling, n_rows)
        close = ~(outside_up | outside_down) & (hi2 | lo2)
        out["two_of_three"] = rules.close_to_limit_flags(close, above, below)
    out["shift"] = rules.shift_flags(above, below)
    return out, dest


def _chart_limits(
    chart: Chart,
    profile: Profile,
    values: np.ndarray,
    numerators: np.ndarray | None,
    denominators: np.ndarray | None,
    base: np.ndarray,
) -> Limits:
    if chart is Chart.RUN:
        centre = masked_median(values, base)[None, :]
        nan = np.full_like(centre, np.nan)
        return Limits(centre, nan, nan, nan, nan)
    if chart is Chart.XMR:
        return xmr_limits(values, base, profile)
    if chart in (Chart.P, Chart.PPRIME):
        assert numerators is not None and denominators is not None
        return p_limits(numerators, denominators, base, profile, laney=chart is Chart.PPRIME)
    if chart in (Chart.U, Chart.UPRIME):
        assert numerators is not None and denominators is not None
        return u_limits(numerators, denominators, base, profile, laney=chart is Chart.UPRIME)
    if chart is Chart.C:
        return c_limits(values, base)
    if chart is Chart.G:
        return g_limits(values, base)
    if chart is Chart.T:
        return t_limits(values, base, profile)
    raise ValueError(f"spc_matrix does not draw {chart.value!r} charts; use analyse()")


def spc_matrix(  # noqa: C901, PLR0915  (one vectorised pass over every column; its timings are in bench/spc_bench.py: split it only with the benchmark)
    chart: Chart | str,
    values: np.ndarray | None = None,
    *,
    numerators: np.ndarray | None = None,
    denominators: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    excluded: np.ndarray | None = None,
    improvement_direction: ImprovementDirection | str = ImprovementDirection.NEUTRAL,
    profile: Profile | str = Profile.MDC,
    baseline_points: int | None = None,
    multiplier: float = 1.0,
) -> MatrixResult:
    """Compute one chart for every column of a (time x column) matrix at once.

    Each column is one series segment in time order (one group's limit period); shorter columns are
    padded at the bottom and ``rows`` marks the rows that exist (default: all). NaN is a missing
    value. p, p', u and u' charts take ``numerators`` and ``denominators`` (values are their ratio);
    the others take ``values``. ``baseline_points`` freezes the centre and limits on the first N rows
    of each column; ``excluded`` points are plotted and tested but left out of the centre, limits and
    runs analysis. ``multiplier`` scales what is plotted (rates per 1,000 bed days).
    """
    chart = Chart(chart)
    profile = Profile(profile)
    direction = ImprovementDirection(improvement_direction)
    if chart.needs_denominator:
        if numerators is None or denominators is None:
            raise ValueError(f"a {chart.value} chart needs numerators and denominators")
        numerators = np.asarray(numerators, dtype=float)
        denominators = np.asarray(denominators, dtype=float)
        ok_den = denominators > 0
        ok_den &= denominators < np.inf
        with np.errstate(divide="ignore", invalid="ignore"):
            values = numerators / denominators
        # a usable ratio: finite numerator (else the ratio is not finite either) over a finite,
        # positive denominator; an overflowing ratio is missing too
        usable = np.isfinite(values)
        usable &= ok_den
        np.copyto(values, np.nan, where=~usable)
        finite = usable
        if not ok_den.all():
            numerators = np.where(ok_den, numerators, np.nan)
            denominators = np.where(ok_den, denominators, np.nan)
    elif values is None:
        raise ValueError(f"a {chart.value} chart needs values")
    else:
        values = np.asarray(values, dtype=float)
        values = np.where(np.isfinite(values), values, np.nan)
        finite = None
    if values.ndim == 1:
        values = values[:, None]
        numerators = None if numerators is None else numerators.reshape(values.shape)
        denominators = None if denominators is None else denominators.reshape(values.shape)
    if chart is Chart.T:
        values = np.where(values > 0, values, np.nan)
        finite = None
    n_rows, n_cols = values.shape
    finite = np.isfinite(values) if finite is None else finite.reshape(values.shape)
    exists = None if rows is None else np.asarray(rows, dtype=bool)
    present = finite if exists is None else exists & finite
    excl = None if excluded is None else np.asarray(excluded, dtype=bool)
    base = present if excl is None else present & ~excl
    if baseline_points is not None:
        base = base & (np.arange(n_rows) < baseline_points)[:, None]

    lim = _chart_limits(chart, profile, values, numerators, denominators, base)
    shape = values.shape
    n = count_true(present)
    limits_shown = np.isfinite(lim.upper).any(axis=0) if lim.upper.shape[0] else np.zeros(n_cols, bool)
    limits_shown = np.broadcast_to(limits_shown, (n_cols,)).copy()
    m = float(multiplier)
    # c1.. keep their native shape: (1, columns) when constant down a column, else (time, columns)
    # (x * 1.0 is x exactly, so the copies are skipped without a multiplier)
    c1, l1, u1, l21, u21 = (
        np.asarray(a, dtype=float) * m if m != 1.0 else np.asarray(a, dtype=float) for a in lim
    )
    if profile is Profile.MDC and chart is not Chart.RUN:
        short = n < MDC_MIN_POINTS_FOR_LIMITS
        if short.any():
            l1, u1, l21, u21 = (np.where(short[None, :], np.nan, a) for a in (l1, u1, l21, u21))
            limits_shown &= ~short
    if chart is Chart.RUN:
        limits_shown[:] = False
    values_out = values * m if m != 1.0 else values
    centre, lower, upper, lower2, upper2 = (np.broadcast_to(a, shape) for a in (c1, l1, u1, l21, u21))

    # Rules see only the non-missing points, in order: a missing point neither extends nor breaks a
    # run. The pointwise comparisons are made in place (a comparison does not care about order);
    # only the values (for the trend's steps) and one byte of comparison flags per point are moved.
    gaps = not present.all() if exists is None else bool((exists & ~present).any())
    seen = np.where(present, values_out, np.nan) if gaps and exists is not None else values_out
    seen = rules.snap_to_centre(seen, c1)
    include = present if excl is None else present & ~excl
    above, below = rules.sides(seen, c1)
    runs = anhoej_runs_from_sides(above & include, below & include)
    sign = direction.sign
    if chart is Chart.RUN:
        special = np.zeros(shape, dtype=np.int8)
    else:
        if profile is Profile.QICHARTS2:  # one pointwise rule: nothing to move
            special = rules.combine_rule_flags({"outside": (seen > u1, seen < l1)}, profile, sign)
        else:
            lim_out = Limits(c1, l1, u1, l21, u21)
            flags, dest = _sequence_flags(profile, seen, above, below, lim_out, present, gaps)
            special = rules.combine_rule_flags(flags, profile, sign)
            if dest is not None:
                special = unpack(special, dest)
        np.copyto(special, np.int8(0), where=~present)
    ptype = rules.point_types(special, sign)
    np.copyto(ptype, np.int8(int(PointType.MISSING)), where=~present)
    return MatrixResult(
        values=values_out,
        present=present,
        centre=np.asarray(centre),
        lower_limit=np.asarray(lower),
        upper_limit=np.asarray(upper),
        lower_2sigma=np.asarray(lower2),
        upper_2sigma=np.asarray(upper2),
        special_cause=special,
        point_type=ptype,
        runs=runs,
        n=n,
        limits_shown=limits_shown,
    )


def assurance(
    target: float, lower_limit: float, upper_limit: float, improvement_direction: ImprovementDirection
) -> Assurance | None:
    """Making Data Count assurance icon for one period.

    A target beyond the limits on the good side is always met (consistent pass); beyond them on the
    bad side it is never met (consistent fail); between the limits it is met only sometimes
    (inconsistent). None without a target, with limits not shown, or with a neutral direction.
    """
    sign = ImprovementDirection(improvement_direction).sign
    if sign == 0 or not all(np.isfinite(x) for x in (target, lower_limit, upper_limit)):
        return None
    if target > upper_limit:
        return Assurance.CONSISTENT_FAIL if sign > 0 else Assurance.CONSISTENT_PASS
    if target < lower_limit:
        return Assurance.CONSISTENT_PASS if sign > 0 else Assurance.CONSISTENT_FAIL
    return Assurance.INCONSISTENT


def _to_float_array(x: object, n: int, name: str) -> np.ndarray:
    if x is None:
        return np.full(n, np.nan)
    arr = np.asarray(x, dtype=float)
    if arr.shape != (n,):
        raise SpcInputError(f"{name} has {arr.size} elements; expected {n}", column=name)
    return arr


def _dates_to_keys(dates: object, n: int) -> tuple[np.ndarray, np.ndarray]:
    if dates is None:
        return np.arange(n, dtype=np.int64), np.full(n, np.datetime64("NaT", "s"), dtype="datetime64[s]")
    arr = np.asarray(dates)
    if arr.dtype.kind != "M":
        try:
            arr = arr.astype("datetime64[s]")
        except (ValueError, TypeError) as exc:
            raise SpcInputError(f"dates could not be read as dates: {exc}", column="date") from exc
    arr = arr.astype("datetime64[s]")
    if arr.shape != (n,):
        raise SpcInputError(f"dates has {arr.size} elements; expected {n}", column="date")
    nat = np.isnat(arr)
    if nat.any():
        rows = tuple(int(i) for i in np.flatnonzero(nat)[:5])
        raise SpcInputError("a date is missing", rows=rows, column="date")
    return arr.astype(np.int64), arr


def _targets_per_row(target: object, labels: np.ndarray, n: int) -> np.ndarray:
    if target is None:
        return np.full(n, np.nan)
    if isinstance(target, Mapping):
        return np.array([float(target.get(g, np.nan)) for g in labels.tolist()], dtype=float)
    if np.ndim(target) == 0:
        return np.full(n, float(target))  # type: ignore[arg-type]
    return _to_float_array(target, n, "target")


def _excluded_per_row(excluded: object, date_keys: np.ndarray, n: int, has_dates: bool) -> np.ndarray:
    if excluded is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(excluded)
    if arr.dtype == bool and arr.shape == (n,):
        return arr
    if not has_dates:
        raise SpcInputError("excluded dates need dates; pass a boolean mask per row instead", column="date")
    keys = np.asarray(list(excluded) if not isinstance(excluded, np.ndarray) else excluded)  # type: ignore[call-overload]
    keys = keys.astype("datetime64[s]").astype(np.int64)
    return np.isin(date_keys, keys)


def _sanitise_labels(groups: object, n: int) -> np.ndarray:
    if groups is None:
        return np.full(n, "", dtype=object)
    arr = np.asarray(groups, dtype=object)
    if arr.shape != (n,):
        raise SpcInputError(f"groups has {arr.size} elements; expected {n}", column="group")
    return np.array(
        ["" if g is None or (isinstance(g, float) and np.isnan(g)) else str(g) for g in arr.tolist()],
        dtype=object,
    )


def analyse(  # noqa: C901, PLR0915  (checks every argument, then sorts, groups and rebases the rows in one pass; see spc_matrix)
    chart: Chart | str,
    *,
    dates: Sequence[object] | np.ndarray | None,
    values: Sequence[float] | np.ndarray | None = None,
    numerators: Sequence[float] | np.ndarray | None = None,
    denominators: Sequence[float] | np.ndarray | None = None,
    groups: Sequence[object] | np.ndarray | None = None,
    improvement_direction: ImprovementDirection | str = ImprovementDirection.NEUTRAL,
    target: float | Mapping[str, float] | Sequence[float] | np.ndarray | None = None,
    rebase_at: Iterable[object] = (),
    baseline_points: int | None = None,
    multiplier: float = 1.0,
    excluded: Iterable[object] | np.ndarray | None = None,
    profile: Profile | str = Profile.MDC,
    overdispersion: bool = False,
) -> SpcResult:
    """Analyse long-format rows (any order, any number of groups) and return one row per input row.

    Parameters, all explicit:

    - ``chart``: one of :class:`Chart`. run, xmr, c, g and t read ``values``; p, p', u, u' and funnel
      read ``numerators`` and ``denominators``; run and xmr also accept numerators and denominators
      and then chart their ratio (e.g. restraints per 1,000 occupied bed days, as Making Data Count
      does).
    - ``dates``: one per row (needed except for a funnel); a date may occur once per group.
    - ``groups``: a label per row (wards, providers); None means one series.
    - ``improvement_direction``: increase, decrease or neutral.
    - ``target``: one number, a mapping group -> number, or one number per row.
    - ``rebase_at``: dates on which a new limit period starts (for every group); each period has its
      own centre, limits and runs analysis.
    - ``baseline_points``: freeze centre and limits after the first N rows of each period
      (at least 12 for XmR, Making Data Count guidance).
    - ``multiplier``: scales plotted values, centres and limits.
    - ``excluded``: a boolean per row, or dates to leave out of the calculations (still plotted).
    - ``profile``: mdc, nhsrplotthedots or qicharts2 (docs/spc.md lists the differences).
    - ``overdispersion``: funnel only; widen the limits by Spiegelhalter's (2005) random effects.

    Raises :class:`SpcInputError` for a duplicate date within a group, a missing date, mismatched
    lengths or a bad option. Missing values (NaN) never raise: they are reported as missing.
    """
    chart = Chart(chart)
    profile = Profile(profile)
    direction = ImprovementDirection(improvement_direction)
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise SpcInputError("the multiplier must be a positive number", column="multiplier")
    if baseline_points is not None:
        minimum = XMR_MIN_BASELINE_POINTS if chart is Chart.XMR else 2
        if baseline_points < minimum:
            raise SpcInputError(
                f"baseline_points must be at least {minimum} for a {chart.value} chart", column="baseline"
            )
    ratio = numerators is not None and denominators is not None
    if chart.needs_denominator and not ratio:
        raise SpcInputError(f"a {chart.value} chart needs numerators and denominators", column="denominator")
    if not ratio and values is None:
        raise SpcInputError(f"a {chart.value} chart needs values", column="value")
    n = len(numerators if ratio else values)  # type: ignore[arg-type]
    num = _to_float_array(numerators, n, "numerator") if ratio else np.full(n, np.nan)
    den = _to_float_array(denominators, n, "denominator") if ratio else np.full(n, np.nan)
    labels = _sanitise_labels(groups, n)
    if ratio:
        ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.where(ok, num / den, np.nan)
    else:
        raw = _to_float_array(values, n, "value")
    has_dates = dates is not None
    if not has_dates and chart is not Chart.FUNNEL:
        dates = None
    date_keys, date_out = _dates_to_keys(dates, n)
    targets = _targets_per_row(target, labels, n)
    excl = _excluded_per_row(excluded, date_keys, n, has_dates)
    warnings: list[str] = []

    uniq, gcode = np.unique(labels.astype(str), return_inverse=True)
    first_seen = np.full(len(uniq), n, dtype=np.int64)
    np.minimum.at(first_seen, gcode, np.arange(n))

    if chart is Chart.FUNNEL:
        return _analyse_funnel(
            labels,
            gcode,
            uniq,
            first_seen,
            date_keys,
            date_out,
            num,
            den,
            targets,
            excl,
            direction,
            profile,
            multiplier,
            overdispersion,
            has_dates,
        )

    rebase_keys = (
        np.sort(np.asarray(list(rebase_at)).astype("datetime64[s]").astype(np.int64))
        if (rebase_at and has_dates)
        else np.zeros(0, dtype=np.int64)
    )
    period = np.searchsorted(rebase_keys, date_keys, side="right").astype(np.int64)
    order = np.lexsort((date_keys, period, gcode))
    sg, sp, sd = gcode[order], period[order], date_keys[order]
    dup = np.flatnonzero((sg[1:] == sg[:-1]) & (sd[1:] == sd[:-1]))
    if dup.size:
        i = dup[0]
        a, b = sorted((int(order[i]), int(order[i + 1])))
        raise SpcInputError(
            f"group {labels[a]!r} has the date twice (rows {a} and {b})", rows=(a, b), column="date"
        )
    new_seg = np.ones(n, dtype=bool)
    if n:
        new_seg[1:] = (sg[1:] != sg[:-1]) | (sp[1:] != sp[:-1])
    seg_sorted = np.cumsum(new_seg) - 1
    seg_starts = np.flatnonzero(new_seg)
    n_seg = len(seg_starts)
    pos = np.arange(n) - seg_starts[seg_sorted] if n else np.zeros(0, dtype=np.int64)
    t_max = int(pos.max()) + 1 if n else 0

    def lay_out(x: np.ndarray, fill: float | bool = np.nan) -> np.ndarray:
        m = np.full((t_max, n_seg), fill, dtype=np.asarray(x).dtype if isinstance(fill, bool) else float)
        m[pos, seg_sorted] = x[order]
        return m

    exists = lay_out(np.ones(n, dtype=bool), False)
    res = spc_matrix(
        chart,
        None if chart.needs_denominator else lay_out(raw),
        numerators=lay_out(num) if chart.needs_denominator else None,
        denominators=lay_out(den) if chart.needs_denominator else None,
        rows=exists,
        excluded=lay_out(excl, False),
        improvement_direction=direction,
        profile=profile,
        baseline_points=baseline_points,
        multiplier=multiplier,
    )

    def back(m: np.ndarray) -> np.ndarray:
        out = np.empty(n, dtype=m.dtype)
        out[order] = m[pos, seg_sorted]
        return out

    seg_group = sg[seg_starts]
    seg_period = sp[seg_starts]
    # summaries at each segment's last non-missing point
    last = last_index_where(res.present)
    cols = np.arange(n_seg)
    safe_last = np.clip(last, 0, None)
    at_last = {
        name: np.where(last >= 0, getattr(res, name)[safe_last, cols], np.nan)
        for name in ("centre", "lower_limit", "upper_limit")
    }
    tgt_matrix = lay_out(targets)
    last_row = last_index_where(exists)
    seg_target = np.where(
        last >= 0, tgt_matrix[safe_last, cols], tgt_matrix[np.clip(last_row, 0, None), cols]
    )
    last_type = np.where(last >= 0, res.point_type[safe_last, cols], int(PointType.MISSING))
    summaries: list[PeriodSummary] = []
    seg_order = np.lexsort((seg_period, first_seen[seg_group]))
    for s in seg_order.tolist():
        shown = bool(res.limits_shown[s])
        label = str(uniq[seg_group[s]])
        variation = POINT_TYPE_LABELS[int(last_type[s]) + 1] or None if shown else None
        assur = assurance(seg_target[s], at_last["lower_limit"][s], at_last["upper_limit"][s], direction)
        summaries.append(
            PeriodSummary(
                group=label,
                period=int(seg_period[s]),
                n=int(res.n[s]),
                centre=_opt(at_last["centre"][s]),
                lower_limit=_opt(at_last["lower_limit"][s]),
                upper_limit=_opt(at_last["upper_limit"][s]),
                variation=variation,
                assurance=None if assur is None or not shown else assur.value,
                runs=res.runs.record(s),
                target=_opt(seg_target[s]),
            )
        )
        if profile is Profile.NHSRPLOTTHEDOTS and res.n[s] < PTD_SHORT_SERIES_POINTS:
            warnings.append(
                f"group {label!r} period {int(seg_period[s])} has {int(res.n[s])} points; limits from fewer "
                f"than {PTD_SHORT_SERIES_POINTS} points are unreliable"
            )
    return _freeze(
        SpcResult(
            chart=chart,
            profile=profile,
            improvement_direction=direction,
            group=labels,
            date=date_out,
            value=back(res.values),
            numerator=num * 1.0,
            denominator=den * 1.0,
            centre=back(res.centre),
            lower_limit=back(res.lower_limit),
            upper_limit=back(res.upper_limit),
            lower_2sigma=back(res.lower_2sigma),
            upper_2sigma=back(res.upper_2sigma),
            period=period,
            special_cause=back(res.special_cause),
            point_type=back(res.point_type),
            target=targets * 1.0,
            excluded=excl,
            summaries=tuple(summaries),
            rebase_dates=tuple(np.asarray(rebase_keys).astype("datetime64[s]")),
            warnings=tuple(warnings),
            multiplier=float(multiplier),
        )
    )


def _opt(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _freeze(result: SpcResult) -> SpcResult:
    for name in POINT_ARRAYS:
        getattr(result, name).flags.writeable = False
    return result


def _analyse_funnel(
    labels: np.ndarray,
    gcode: np.ndarray,
    uniq: np.ndarray,
    first_seen: np.ndarray,
    date_keys: np.ndarray,
    date_out: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    targets: np.ndarray,
    excl: np.ndarray,
    direction: ImprovementDirection,
    profile: Profile,
    multiplier: float,
    overdispersion: bool,
    has_dates: bool,
) -> SpcResult:
    """One funnel per date (or one for all rows without dates); each row is one unit."""
    n = len(labels)
    set_key = date_keys if has_dates else np.zeros(n, dtype=np.int64)
    order = np.lexsort((gcode, set_key))
    dup = np.flatnonzero(
        (set_key[order][1:] == set_key[order][:-1]) & (gcode[order][1:] == gcode[order][:-1])
    )
    if dup.size:
        a, b = sorted((int(order[dup[0]]), int(order[dup[0] + 1])))
        raise SpcInputError(
            f"unit {labels[a]!r} appears twice in one funnel (rows {a} and {b})", rows=(a, b), column="group"
        )
    out = {k: np.full(n, np.nan) for k in ("centre", "l95", "u95", "l998", "u998")}
    warnings: list[str] = []
    for key in np.unique(set_key):
        rows = np.flatnonzero(set_key == key)
        use = rows[~excl[rows]]
        lim = funnel_limits(num[use], den[use], overdispersion=overdispersion)
        l95, u95, l998, u998 = funnel_bounds(lim.theta, lim.tau2, np.where(den[rows] > 0, den[rows], np.nan))
        out["l95"][rows], out["u95"][rows], out["l998"][rows], out["u998"][rows] = l95, u95, l998, u998
        out["centre"][rows] = np.where(np.isfinite(u95), lim.theta, np.nan)
        if overdispersion:
            warnings.append(f"funnel {key}: phi = {lim.phi:.3f}, tau^2 = {lim.tau2:.3g}")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(np.isfinite(num) & (den > 0), num / den, np.nan)
    present = np.isfinite(value)
    outside = rules.outside_limits(value, out["l998"], out["u998"])
    special = rules.combine_rules({"outside": outside}, profile, direction.sign)
    special = np.where(present, special, 0).astype(np.int8)
    ptype = np.where(present, rules.point_types(special, direction.sign), int(PointType.MISSING)).astype(
        np.int8
    )
    m = float(multiplier)
    summaries = []
    for code in np.argsort(first_seen).tolist():
        rows = np.flatnonzero((gcode == code) & present)
        last = int(rows[-1]) if rows.size else None
        summaries.append(
            PeriodSummary(
                group=str(uniq[code]),
                period=0,
                n=int(rows.size),
                centre=None if last is None else _opt(out["centre"][last] * m),
                lower_limit=None if last is None else _opt(out["l998"][last] * m),
                upper_limit=None if last is None else _opt(out["u998"][last] * m),
                variation=None if last is None else POINT_TYPE_LABELS[int(ptype[last]) + 1],
                assurance=None,
                runs=None,
                target=None if last is None else _opt(targets[last]),
            )
        )
    return _freeze(
        SpcResult(
            chart=Chart.FUNNEL,
            profile=profile,
            improvement_direction=direction,
            group=labels,
            date=date_out,
            value=value * m,
            numerator=num * 1.0,
            denominator=den * 1.0,
            centre=out["centre"] * m,
            lower_limit=out["l998"] * m,
            upper_limit=out["u998"] * m,
            lower_2sigma=out["l95"] * m,
            upper_2sigma=out["u95"] * m,
            period=np.zeros(n, dtype=np.int64),
            special_cause=special,
            point_type=ptype,
            target=targets * 1.0,
            excluded=excl,
            summaries=tuple(summaries),
            warnings=tuple(warnings),
            multiplier=m,
        )
    )
