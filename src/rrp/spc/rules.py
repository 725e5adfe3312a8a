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

from rrp.spc._arrays import accumulate, count_dtype, in_runs, windows_all, windows_containing
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


def _exclusive(flags_up: np.ndarray, flags_down: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Up and down flags as :func:`_as_direction` reads them: a point flagged both ways is neither."""
    both = flags_up & flags_down
    if both.any():
        return flags_up & ~both, flags_down & ~both
    return flags_up, flags_down


def outside_limits(values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """+1 above the upper process limit, -1 below the lower one (strictly beyond; MDC rule 1)."""
    return _as_direction(values > upper, values < lower)


#: A point this close to the centre line (relative to it) is on it. The same centre computed in two
#: layouts (a chart alone, or a segment of a rebased or many-series chart) can differ in its last bits;
#: without this a flat series sits a few units in the last place to one side of its own centre (and of
#: its limits, which equal the centre when nothing varies) and signals. No real measure is meaningful
#: to one part in a million million.
ON_CENTRE_RTOL = 1e-12


def snap_to_centre(values: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """The values the rules compare: any within :data:`ON_CENTRE_RTOL` of the centre set exactly on it
    (NaN stays NaN). One pass, so every rule and the runs analysis see the same point on the line."""
    gap = values - centre
    np.abs(gap, out=gap)
    on = gap <= ON_CENTRE_RTOL * np.abs(centre)
    if not on.any():  # the usual case: no copy
        return values
    return np.where(on, centre, values)


def sides(values: np.ndarray, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(above, below) the centre line; a point on the line or missing is neither.

    The same as the sign of ``values - centre``: for finite numbers ``x - y`` is zero only when
    ``x == y``, and comparisons with NaN are false.
    """
    return values > centre, values < centre


def shift_flags(above: np.ndarray, below: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points in a run of :data:`SHIFT_LENGTH` or more on one side (flags from :func:`sides`)."""
    return in_runs(above, SHIFT_LENGTH), in_runs(below, SHIFT_LENGTH)


def seven_point_shift(values: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Points in a run of :data:`SHIFT_LENGTH` or more on one side of the centre line (MDC rule 2).

    A point exactly on the centre line belongs to neither side and breaks the run.
    """
    return _as_direction(*shift_flags(*sides(values, centre)))


def step_flags(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rising, falling) for each step k -> k+1 down axis 0; a tie or a missing neighbour is neither."""
    return values[1:] > values[:-1], values[1:] < values[:-1]


def _points_from_step_flags(up: np.ndarray, down: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Map qualifying steps (row k = step k -> k+1) to the points they join.

    A point takes the direction of the step leaving it when that step is part of a trend, else of
    the step arriving at it (NHSRplotthedots does the same at a peak shared by two trends).
    """
    shape = (n_rows, *up.shape[1:])
    out_up = np.zeros(shape, dtype=bool)
    out_down = np.zeros(shape, dtype=bool)
    if n_rows < 2:
        return out_up, out_down
    out_up[:-1] = up
    out_down[:-1] = down
    # where no qualifying step leaves a point, the arriving step (if any) gives its direction
    none_leaves = ~(out_up[1:] | out_down[1:])
    out_up[1:] |= up & none_leaves
    out_down[1:] |= down & none_leaves
    return out_up, out_down


def trend_flags(rising: np.ndarray, falling: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in a trend where ties break it: 6 or more consecutive steps one way (7 points)."""
    if n_rows < TREND_LENGTH:
        shape = (n_rows, *rising.shape[1:])
        return np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    up = in_runs(rising, TREND_LENGTH - 1)
    down = in_runs(falling, TREND_LENGTH - 1)
    return _points_from_step_flags(up, down, n_rows)


def seven_point_trend(values: np.ndarray) -> np.ndarray:
    """Points in 7 or more consecutive points each strictly higher (or lower) than the last.

    Equal neighbouring values break the trend (NHSRplotthedots 0.2.2 behaviour).
    """
    return _as_direction(*trend_flags(*step_flags(values), values.shape[0]))


def _side_by_side(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two same-shaped arrays as one (rows x 2 columns) array, so row loops run once for both."""
    if a.ndim == 1:
        a, b = a[:, None], b[:, None]
    return np.concatenate([a, b], axis=1)


def _halves(x: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    half = x.shape[1] // 2
    return x[:, :half].reshape(shape), x[:, half:].reshape(shape)


def trend_ignoring_ties_flags(
    rising: np.ndarray, falling: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points in a trend where a tie neither adds to nor breaks it (flags from :func:`step_flags`).

    A rising trend is a stretch between two falling steps that holds 6 or more rising steps (7
    points); its rising steps and the ties between them are in the trend, the ties before its first
    or after its last rising step are not. Falling trends likewise. Both directions are counted in
    one pass with cumulative counts: no sorting or gathering.
    """
    shape = (n_rows, *rising.shape[1:])
    if n_rows < TREND_LENGTH:
        return np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    own = _side_by_side(rising, falling)
    other = _side_by_side(falling, rising)
    count = accumulate(np.add, own.astype(count_dtype(n_rows)), copy=False)  # own steps so far
    total = count[-1].copy()
    # own steps before the stretch (count at the last opposite step) and at its end (count at the
    # next opposite step, or the total): count is non-decreasing, so max and min carry them.
    # Selected by integer products in place: np.where is several times slower on narrow integers,
    # and each fresh matrix costs more than a pass.
    before = accumulate(np.maximum, np.multiply(count, other), copy=False)
    after = np.subtract(total, count)
    after *= other
    np.subtract(total, after, out=after)  # count at opposite steps, the total elsewhere
    after = accumulate(np.minimum, after, reverse=True, copy=False)
    in_trend = after > count  # an own step follows in the stretch
    in_trend |= own
    in_trend &= count > before  # an own step precedes (or is this step)
    after -= before
    in_trend &= after >= TREND_LENGTH - 1
    up, down = _halves(in_trend, rising.shape)
    return _points_from_step_flags(up, down, n_rows)


def seven_point_trend_ignoring_ties(values: np.ndarray) -> np.ndarray:
    """As :func:`seven_point_trend`, but a repeated value neither adds to nor breaks the trend.

    This is the current Making Data Count rule: 7 points that each rise (or fall) from the last
    *different* value; the repeated points inside such a trend are part of it.
    """
    return _as_direction(*trend_ignoring_ties_flags(*step_flags(values), values.shape[0]))


def _two_of_three_windows(flags: np.ndarray) -> np.ndarray:
    """Row k: at least :data:`TWO_OF_THREE_NEEDED` of rows k..k+2 are flagged (two of three)."""
    a, b, c = flags[:-2], flags[1:-1], flags[2:]
    return (a & b) | (c & (a | b))


def close_to_limit_flags(
    close: np.ndarray, above: np.ndarray, below: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """NHSRplotthedots two-of-three from pointwise flags: ``close`` (between two sigma and the
    limit) and the sides of the centre line; all three points of the window on one side."""
    n = close.shape[0]
    if n < TWO_OF_THREE_WINDOW:
        return np.zeros(close.shape, dtype=bool), np.zeros(close.shape, dtype=bool)
    pair = _two_of_three_windows(close)
    up = close & windows_containing(pair & windows_all(above, TWO_OF_THREE_WINDOW), n, TWO_OF_THREE_WINDOW)
    down = close & windows_containing(pair & windows_all(below, TWO_OF_THREE_WINDOW), n, TWO_OF_THREE_WINDOW)
    return up & above, down & below


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
    outside = (values > upper) | (values < lower)
    close = ~outside & ((values > upper_2sigma) | (values < lower_2sigma))
    return _as_direction(*close_to_limit_flags(close, *sides(values, centre)))


def beyond_two_sigma_flags(above: np.ndarray, below: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Making Data Count two-of-three from pointwise flags beyond the upper and lower two-sigma lines."""
    n = above.shape[0]
    if n < TWO_OF_THREE_WINDOW:
        return np.zeros(above.shape, dtype=bool), np.zeros(above.shape, dtype=bool)
    up = above & windows_containing(_two_of_three_windows(above), n, TWO_OF_THREE_WINDOW)
    down = below & windows_containing(_two_of_three_windows(below), n, TWO_OF_THREE_WINDOW)
    return up, down


def two_of_three_beyond_two_sigma(
    values: np.ndarray, lower_2sigma: np.ndarray, upper_2sigma: np.ndarray
) -> np.ndarray:
    """Making Data Count rule: 2 of 3 consecutive points beyond two sigma on the same side.

    Points beyond the process limits count too; the third point may lie anywhere. The points
    beyond two sigma in such a window are marked.
    """
    return _as_direction(*beyond_two_sigma_flags(values > upper_2sigma, values < lower_2sigma))


#: Order in which rules are reported when several fire on one point (NHSRplotthedots 0.2.2).
RULE_PRECEDENCE = ("outside", "trend", "two_of_three", "shift")
_CODES = {
    "outside": (SpecialCause.ABOVE_UPPER_LIMIT, SpecialCause.BELOW_LOWER_LIMIT),
    "trend": (SpecialCause.TREND_INCREASING, SpecialCause.TREND_DECREASING),
    "two_of_three": (SpecialCause.TWO_OF_THREE_ABOVE, SpecialCause.TWO_OF_THREE_BELOW),
    "shift": (SpecialCause.SHIFT_ABOVE, SpecialCause.SHIFT_BELOW),
}


def combine_rule_flags(
    flags: dict[str, tuple[np.ndarray, np.ndarray]], profile: Profile, improvement_sign: int
) -> np.ndarray:
    """Pick one :class:`SpecialCause` code per point from each rule's (upward, downward) flags.

    - ``nhsrplotthedots`` and ``qicharts2``: the first rule in :data:`RULE_PRECEDENCE` that fired.
    - ``mdc``: improvement wins when an improvement and a concern signal fire on the same point;
      within the winning direction the precedence above picks the reported rule.

    A point flagged both up and down by one rule counts as not flagged by it (as in
    :func:`combine_rules`, where such a point's signal is 0).
    """
    pairs = {rule: _exclusive(*flags[rule]) for rule in RULE_PRECEDENCE if rule in flags}
    shape = next(iter(pairs.values()))[0].shape
    chosen = np.zeros(shape, dtype=np.int8)
    free = np.ones(shape, dtype=bool)  # no rule chosen yet
    take = np.empty(shape, dtype=bool)  # one scratch buffer: fresh matrices cost more than the passes
    if profile is Profile.MDC and improvement_sign != 0:
        for wanted in (improvement_sign, -improvement_sign):
            for rule, (up, down) in pairs.items():
                np.logical_and(free, up if wanted > 0 else down, out=take)
                code = _CODES[rule][0 if wanted > 0 else 1]
                np.copyto(chosen, np.int8(int(code)), where=take)
                np.greater(free, take, out=free)  # free and not taken
        return chosen
    for rule, (up, down) in pairs.items():
        code_up, code_down = _CODES[rule]
        np.logical_and(free, up, out=take)
        np.copyto(chosen, np.int8(int(code_up)), where=take)
        np.greater(free, take, out=free)
        np.logical_and(free, down, out=take)
        np.copyto(chosen, np.int8(int(code_down)), where=take)
        np.greater(free, take, out=free)
    return chosen


def combine_rules(signals: dict[str, np.ndarray], profile: Profile, improvement_sign: int) -> np.ndarray:
    """Pick one :class:`SpecialCause` code per point from the rules that fired (signals +1, -1, 0).

    - ``nhsrplotthedots`` and ``qicharts2``: the first rule in :data:`RULE_PRECEDENCE` that fired.
    - ``mdc``: improvement wins when an improvement and a concern signal fire on the same point;
      within the winning direction the precedence above picks the reported rule.
    """
    return combine_rule_flags(
        {rule: (d > 0, d < 0) for rule, d in signals.items()}, profile, improvement_sign
    )


def point_types(special_cause: np.ndarray, improvement_sign: int) -> np.ndarray:
    """Point type codes from special-cause codes and the improvement direction (+1, -1 or 0).

    Odd codes are upward signals and even non-zero codes downward ones (:attr:`SpecialCause.direction`).
    """
    code = np.asarray(special_cause)
    if improvement_sign == 0:
        high, low = int(PointType.SPECIAL_CAUSE_NEUTRAL_HIGH), int(PointType.SPECIAL_CAUSE_NEUTRAL_LOW)
    elif improvement_sign > 0:
        high, low = int(PointType.SPECIAL_CAUSE_IMPROVEMENT), int(PointType.SPECIAL_CAUSE_CONCERN)
    else:
        high, low = int(PointType.SPECIAL_CAUSE_CONCERN), int(PointType.SPECIAL_CAUSE_IMPROVEMENT)
    # int8 arithmetic instead of masked copies: low where the code is non-zero, plus (high - low)
    # where it is odd (an upward signal)
    out = (code != 0).view(np.int8) * np.int8(low)
    out += (code & 1).astype(np.int8) * np.int8(high - low)
    return out
