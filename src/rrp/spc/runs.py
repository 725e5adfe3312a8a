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

from rrp.spc._arrays import accumulate, fill_zeros_forward
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
    the centre line, missing or excluded neither extend nor break a run. Vectorised: no sorting and
    no per-column Python loop; a run is tracked with cumulative counts of useful points.
    """
    side = np.sign(values - centre)
    side = np.where(include & np.isfinite(side), side, 0.0).astype(np.int8)
    useful = side != 0
    n_rows = side.shape[0]
    n_useful = useful.sum(axis=0)
    if n_rows == 0:
        zeros = np.zeros(side.shape[1:], dtype=np.int64)
        return RunsArrays(zeros, zeros, zeros, zeros, zeros, np.zeros(side.shape[1:], dtype=bool))
    # the side of the last useful point so far, carried forward down each column
    carried = fill_zeros_forward(side)
    prev_side = np.zeros_like(carried)
    prev_side[1:] = carried[:-1]
    starts = useful & (side != prev_side)
    count = accumulate(np.add, useful.astype(np.int32))
    start_count = accumulate(np.maximum, np.where(starts, count - 1, np.int32(-1)))
    running = np.where(useful, count - start_count, 0)
    longest = running.max(axis=0)
    n_runs = starts.sum(axis=0)
    crossings = np.clip(n_runs - 1, 0, None)
    lr_max = longest_run_max(n_useful)
    cr_min = crossings_min(n_useful)
    signal = (n_useful > 0) & ((longest > lr_max) | (crossings < cr_min))
    return RunsArrays(n_useful, longest, lr_max, crossings, cr_min, signal)
