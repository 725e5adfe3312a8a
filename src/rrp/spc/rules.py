"""The special-cause rules, one small function each, and how a profile combines them.

Every rule takes 2-D arrays (time down axis 0, one column per series segment) of the *non-missing*
points in order (the engine moves missing points out of the way first, so a missing point neither
extends nor breaks a run) and returns an ``int8`` array: +1 where the point is part of an upward
signal, -1 downward, 0 none. NaN limits (limits not shown) never signal.

Sources for the rules:
- NHS England / Improvement, *Making Data Count* (2019, 2021) and "Plotting the dots" guidance:
  a point beyond a process limit; a shift of 7 points on one side of the mean; a trend of 7 points
  all increasing or all decreasing; two out of three points beyond two sigma (close to a limit).
- NHSRplotthedots 0.2.2 documents the same four rules with ties breaking a trend and two-of-three
  counting only points between two sigma and the limit, in the precedence
  limits > trend > two-of-three > shift.
- Western Electric Statistical Quality Control Handbook (1956) for the underlying zone tests.
"""

from __future__ import annotations

import numpy as np

from rrp.spc._arrays import accumulate, fill_zeros_forward, run_lengths
from rrp.spc.types import PointType, Profile, SpecialCause

#: Making Data Count: seven consecutive points on one side of the mean is a shift.
SHIFT_LENGTH = 7
#: Making Data Count: seven consecutive points all going up (or all going down) is a trend.
TREND_LENGTH = 7
#: Two out of three consecutive points beyond the two-sigma line.
TWO_OF_THREE_WINDOW = 3
TWO_OF_THREE_NEEDED = 2


def _as_direction(flags_up: np.ndarray, flags_down: np.ndarray) -> np.ndarray:
    return flags_up.astype(np.int8) - flags_down.astype(np.int8)


def outside_limits(values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """+1 above the upper process limit, -1 below the lower one (strictly beyond; MDC rule 1)."""
    return _as_direction(values > upper, values < lower)


def seven_point_shift(values: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Points in a run of :data:`SHIFT_LENGTH` or more on one side of the centre line (MDC rule 2).

    A point exactly on the centre line belongs to neither side and breaks the run.
    """
    side = np.sign(values - centre)
    side = np.where(np.isfinite(side), side, 0).astype(np.int8)
    return np.where(run_lengths(side) >= SHIFT_LENGTH, side, 0).astype(np.int8)


def _diff_signs(values: np.ndarray) -> np.ndarray:
    d = np.sign(np.diff(values, axis=0))
    return np.where(np.isfinite(d), d, 0).astype(np.int8)


def _points_from_diff_runs(qualifying: np.ndarray, n_rows: int) -> np.ndarray:
    """Map signed qualifying differences (row k = step k -> k+1) to the points they join.

    A point takes the direction of the step leaving it when that step is part of a trend, else of
    the step arriving at it (NHSRplotthedots does the same at a peak shared by two trends).
    """
    out = np.zeros((n_rows, *qualifying.shape[1:]), dtype=np.int8)
    if n_rows < 2:
        return out
    forward = np.zeros_like(out)
    backward = np.zeros_like(out)
    forward[:-1] = qualifying
    backward[1:] = qualifying
    return np.where(forward != 0, forward, backward).astype(np.int8)


def seven_point_trend(values: np.ndarray) -> np.ndarray:
    """Points in 7 or more consecutive points each strictly higher (or lower) than the last.

    Equal neighbouring values break the trend (NHSRplotthedots 0.2.2 behaviour).
    """
    n = values.shape[0]
    if n < TREND_LENGTH:
        return np.zeros(values.shape, dtype=np.int8)
    steps = _diff_signs(values)
    qualifying = np.where(run_lengths(steps) >= TREND_LENGTH - 1, steps, 0).astype(np.int8)
    return _points_from_diff_runs(qualifying, n)


def seven_point_trend_ignoring_ties(values: np.ndarray) -> np.ndarray:
    """As :func:`seven_point_trend`, but a repeated value neither adds to nor breaks the trend.

    This is the current Making Data Count rule: 7 points that each rise (or fall) from the last
    *different* value; the repeated points inside such a trend are part of it.
    """
    n = values.shape[0]
    if n < TREND_LENGTH:
        return np.zeros(values.shape, dtype=np.int8)
    if values.ndim == 1:
        return seven_point_trend_ignoring_ties(values[:, None])[:, 0]
    steps = _diff_signs(values)
    nonzero = steps != 0
    # A tie carries the direction of the last non-tie step (``sign``), so a trend is a segment of
    # constant carried sign; its length is the number of non-tie steps in it. A tie is inside the
    # trend when a non-tie step follows it within the same segment (the nearest non-tie steps either
    # side are then in the same trend). Computed with cumulative passes only: no sorting or gathering.
    sign = fill_zeros_forward(steps)
    seg_start = np.ones(sign.shape, dtype=bool)
    seg_start[1:] = sign[1:] != sign[:-1]
    seg_end = np.ones(sign.shape, dtype=bool)
    seg_end[:-1] = seg_start[1:]
    count = accumulate(np.add, nonzero.astype(np.int32))  # non-tie steps so far (non-decreasing)
    before = accumulate(np.maximum, np.where(seg_start, count - nonzero, np.int32(0)))
    at_end = accumulate(np.minimum, np.where(seg_end, count, np.int32(np.iinfo(np.int32).max)), reverse=True)
    in_trend = (at_end - before >= TREND_LENGTH - 1) & (nonzero | (at_end > count))
    qualifying = np.where(in_trend, sign, 0).astype(np.int8)
    return _points_from_diff_runs(qualifying, n)


def _windows_containing(cond: np.ndarray, n: int) -> np.ndarray:
    """True at a row when any full window of :data:`TWO_OF_THREE_WINDOW` rows containing it has cond.

    ``cond`` row k describes the window of rows k..k+2.
    """
    out = np.zeros((n, *cond.shape[1:]), dtype=bool)
    for offset in range(TWO_OF_THREE_WINDOW):
        out[offset : offset + cond.shape[0]] |= cond
    return out


def _window_sum(x: np.ndarray) -> np.ndarray:
    """Sum of each window of :data:`TWO_OF_THREE_WINDOW` consecutive rows (flags or signs: int16 is ample)."""
    w = TWO_OF_THREE_WINDOW
    m = x.shape[0] - w + 1
    total = x[:m].astype(np.int16)
    for offset in range(1, w):
        total += x[offset : offset + m]
    return total


def two_of_three_close_to_limit(
    values: np.ndarray,
    centre: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    lower_2sigma: np.ndarray,
    upper_2sigma: np.ndarray,
) -> np.ndarray:
    """NHSRplotthedots 0.2.2 rule: 2 of 3 consecutive points between two sigma and the limit.

    Only points strictly between the two-sigma line and the process limit count, and all three
    points of the window must lie on the same side of the centre; only the close points are marked.
    """
    n = values.shape[0]
    if n < TWO_OF_THREE_WINDOW:
        return np.zeros(values.shape, dtype=np.int8)
    outside = (values > upper) | (values < lower)
    close = ~outside & ((values > upper_2sigma) | (values < lower_2sigma))
    side = np.sign(values - centre)
    side = np.where(np.isfinite(side), side, 0).astype(np.int8)
    cond = (_window_sum(close) >= TWO_OF_THREE_NEEDED) & (np.abs(_window_sum(side)) == TWO_OF_THREE_WINDOW)
    flagged = close & _windows_containing(cond, n)
    return np.where(flagged, side, 0).astype(np.int8)


def two_of_three_beyond_two_sigma(
    values: np.ndarray, lower_2sigma: np.ndarray, upper_2sigma: np.ndarray
) -> np.ndarray:
    """Making Data Count rule: 2 of 3 consecutive points beyond two sigma on the same side.

    Points beyond the process limits count too; the third point may lie anywhere. The points
    beyond two sigma in such a window are marked.
    """
    n = values.shape[0]
    if n < TWO_OF_THREE_WINDOW:
        return np.zeros(values.shape, dtype=np.int8)
    above = values > upper_2sigma
    below = values < lower_2sigma
    up = above & _windows_containing(_window_sum(above) >= TWO_OF_THREE_NEEDED, n)
    down = below & _windows_containing(_window_sum(below) >= TWO_OF_THREE_NEEDED, n)
    return _as_direction(up, down)


#: Order in which rules are reported when several fire on one point (NHSRplotthedots 0.2.2).
RULE_PRECEDENCE = ("outside", "trend", "two_of_three", "shift")
_CODES = {
    "outside": (SpecialCause.ABOVE_UPPER_LIMIT, SpecialCause.BELOW_LOWER_LIMIT),
    "trend": (SpecialCause.TREND_INCREASING, SpecialCause.TREND_DECREASING),
    "two_of_three": (SpecialCause.TWO_OF_THREE_ABOVE, SpecialCause.TWO_OF_THREE_BELOW),
    "shift": (SpecialCause.SHIFT_ABOVE, SpecialCause.SHIFT_BELOW),
}


def combine_rules(signals: dict[str, np.ndarray], profile: Profile, improvement_sign: int) -> np.ndarray:
    """Pick one :class:`SpecialCause` code per point from the rules that fired.

    - ``nhsrplotthedots`` and ``qicharts2``: the first rule in :data:`RULE_PRECEDENCE` that fired.
    - ``mdc``: improvement wins when an improvement and a concern signal fire on the same point;
      within the winning direction the precedence above picks the reported rule.
    """
    shape = next(iter(signals.values())).shape
    chosen = np.zeros(shape, dtype=np.int8)
    free = np.ones(shape, dtype=bool)  # no rule chosen yet
    if profile is Profile.MDC and improvement_sign != 0:
        for wanted in (improvement_sign, -improvement_sign):
            for rule in RULE_PRECEDENCE:
                if rule not in signals:
                    continue
                take = free & (signals[rule] == wanted)
                up, down = _CODES[rule]
                np.copyto(chosen, np.int8(int(up) if wanted > 0 else int(down)), where=take)
                free &= ~take
        return chosen
    for rule in RULE_PRECEDENCE:
        if rule not in signals:
            continue
        d = signals[rule]
        up, down = _CODES[rule]
        np.copyto(chosen, np.int8(int(up)), where=free & (d > 0))
        np.copyto(chosen, np.int8(int(down)), where=free & (d < 0))
        free &= d == 0
    return chosen


def point_types(special_cause: np.ndarray, improvement_sign: int) -> np.ndarray:
    """Point type codes from special-cause codes and the improvement direction (+1, -1 or 0).

    Odd codes are upward signals and even non-zero codes downward ones (:attr:`SpecialCause.direction`).
    """
    code = np.asarray(special_cause)
    up = (code & 1).astype(bool)
    down = (code != 0) & ~up
    if improvement_sign == 0:
        high, low = int(PointType.SPECIAL_CAUSE_NEUTRAL_HIGH), int(PointType.SPECIAL_CAUSE_NEUTRAL_LOW)
    elif improvement_sign > 0:
        high, low = int(PointType.SPECIAL_CAUSE_IMPROVEMENT), int(PointType.SPECIAL_CAUSE_CONCERN)
    else:
        high, low = int(PointType.SPECIAL_CAUSE_CONCERN), int(PointType.SPECIAL_CAUSE_IMPROVEMENT)
    out = np.zeros(code.shape, dtype=np.int8)
    np.copyto(out, np.int8(high), where=up)
    np.copyto(out, np.int8(low), where=down)
    return out
