"""Anhøj run rules: the runs analysis of a run chart (and of every control chart's centre line).

References:
- Anhøj J, Olesen AV. Run charts revisited: a simulation study of run chart rules for detection of
  non-random variation in health care processes. PLoS One 2014;9(11):e113825.
- Anhøj J. Diagnostic value of run chart analysis. PLoS One 2015;10(3):e0121349.
- Schilling MF. The surprising predictability of long runs. Math Mag 2012;85:141-149 (longest run).
- Chen Z. A note on the runs test. Model Assist Stat Appl 2010;5:73-77 (number of crossings).

Only "useful" observations count: those not on the centre line and not missing or excluded.
With n useful observations the process shows non-random variation when

- the longest run (consecutive points on one side of the centre) is longer than
  ``round(log2(n)) + 3``, or
- the number of crossings (runs - 1) is smaller than the 5% quantile of Binomial(n - 1, 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rrp.spc._arrays import ROW_LOOP_MIN_COLUMNS, accumulate, count_dtype, count_true
from rrp.spc.types import RunsAnalysis

#: Schilling 2012: the expected longest run is about log2(n); Anhøj adds 3 as the signal threshold.
LONGEST_RUN_EXTRA = 3
#: Chen 2010: crossings below the 5th percentile of Binomial(n - 1, 0.5) signal too few crossings.
CROSSINGS_QUANTILE_NUMERATOR = 1
CROSSINGS_QUANTILE_DENOMINATOR = 20


def longest_run_max(n_useful: np.ndarray | int) -> np.ndarray:
    """``round(log2(n)) + 3``, rounding halves to even as R's ``round`` does (Anhøj 2014)."""
    n = np.asarray(n_useful, dtype=float)
    safe = np.where(n > 0, n, 1.0)
    return (np.round(np.log2(safe)) + LONGEST_RUN_EXTRA).astype(np.int64)


@lru_cache(maxsize=1)
def _binomial_half_quantiles(limit: int) -> np.ndarray:
    """Exact 5% quantile of Binomial(m, 0.5) for m = 0..limit-1 (smallest k with CDF(k) >= 0.05).

    Computed in integers: CDF(k) >= 1/20  <=>  20 * sum_{i<=k} C(m, i) >= 2**m.
    """
    out = np.zeros(limit, dtype=np.int64)
    for m in range(limit):
        target = 2**m
        total = 0
        coeff = 1
        for k in range(m + 1):
            total += coeff
            if CROSSINGS_QUANTILE_DENOMINATOR * total >= target * CROSSINGS_QUANTILE_NUMERATOR:
                out[m] = k
                break
            coeff = coeff * (m - k) // (k + 1)
    return out


def crossings_min(n_useful: np.ndarray | int) -> np.ndarray:
    """5% quantile of Binomial(n - 1, 0.5) (R: ``qbinom(0.05, n - 1, 0.5)``; Chen 2010)."""
    n = np.asarray(n_useful, dtype=np.int64)
    trials = np.clip(n - 1, 0, None)
    size = int(trials.max()) + 1 if trials.size else 1
    table = _binomial_half_quantiles(_round_up(size))
    return table[trials]


def _round_up(n: int) -> int:
    """Cache the quantile table in sizes of powers of two so it is built rarely."""
    size = 64
    while size < n:
        size *= 2
    return size


@dataclass(frozen=True)
class RunsArrays:
    """Runs analysis per column (one element per series segment)."""

    n_useful: np.ndarray
    longest_run: np.ndarray
    longest_run_max: np.ndarray
    crossings: np.ndarray
    crossings_min: np.ndarray
    signal: np.ndarray

    def record(self, column: int) -> RunsAnalysis:
        n = int(self.n_useful[column])
        if n == 0:
            return RunsAnalysis(0, None, None, None, None, False)
        return RunsAnalysis(
            n_useful=n,
            longest_run=int(self.longest_run[column]),
            longest_run_max=int(self.longest_run_max[column]),
            crossings=int(self.crossings[column]),
            crossings_min=int(self.crossings_min[column]),
            signal=bool(self.signal[column]),
        )


def anhoej_runs(values: np.ndarray, centre: np.ndarray, include: np.ndarray) -> RunsArrays:
    """Anhøj runs analysis of every column of ``values`` against its ``centre`` (broadcastable).

    ``include`` marks the observations that take part (present and not excluded). Observations on
    the centre line, missing or excluded neither extend nor break a run.
    """
    return anhoej_runs_from_sides(include & (values > centre), include & (values < centre))


def anhoej_runs_from_sides(above: np.ndarray, below: np.ndarray) -> RunsArrays:
    """Anhøj runs analysis from the useful points above and below the centre line, per column.

    Vectorised: no sorting and no per-column Python loop. Both sides are counted in one pass (side
    by side): a run above is the points above since the last point below, so its length is a
    cumulative count minus that count carried on from the last point below; a run starts where
    that length is 1.
    """
    shape = above.shape[1:]
    n_rows = above.shape[0]
    n_useful = above.sum(axis=0) + below.sum(axis=0)
    if n_rows == 0:
        zeros = np.zeros(shape, dtype=np.int64)
        return RunsArrays(zeros, zeros, zeros, zeros, zeros, np.zeros(shape, dtype=bool))
    if above.ndim == 1:
        own = np.stack([above, below], axis=1)
        other = np.stack([below, above], axis=1)
    else:
        own = np.concatenate([above, below], axis=1)
        other = np.concatenate([below, above], axis=1)
    count = accumulate(np.add, own.astype(count_dtype(n_rows)), copy=False)
    last_other = accumulate(np.maximum, np.multiply(count, other), copy=False)
    running = np.subtract(count, last_other, out=count)  # own points since the last opposite one
    half = own.shape[1] // 2
    longest_both = running.max(axis=0)
    starts = running == 1
    starts &= own
    starts_both = count_true(starts)
    # the integer type earlier versions returned: NumPy's accumulate widens to int64 below
    # ROW_LOOP_MIN_COLUMNS columns, the row loop kept int32
    wide = above.ndim > 1 and half >= ROW_LOOP_MIN_COLUMNS
    longest = np.maximum(longest_both[:half], longest_both[half:]).astype(np.int32 if wide else np.int64)
    longest = longest.reshape(shape)
    n_runs = (starts_both[:half] + starts_both[half:]).reshape(shape)
    crossings = np.clip(n_runs - 1, 0, None)
    lr_max = longest_run_max(n_useful)
    cr_min = crossings_min(n_useful)
    signal = (n_useful > 0) & ((longest > lr_max) | (crossings < cr_min))
    return RunsArrays(n_useful, longest, lr_max, crossings, cr_min, signal)
