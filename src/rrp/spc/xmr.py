"""XmR (individuals and moving range) limits, vectorised over columns.

Formulas:
- Making Data Count / NHSRplotthedots: process limits = mean +/- 2.66 x mean moving range, the
  two-sigma lines at mean +/- (2/3) x 2.66 x mean moving range. 2.66 is 3 / d2 with d2 = 1.128, the
  bias constant for moving ranges of two points (Montgomery, *Introduction to Statistical Quality
  Control*, 6th ed., eq. 6.33 and Appendix Table VI).
- qicharts2: sigma = mean moving range / 1.128, limits at +/- 3 sigma and two-sigma lines at +/- 2 sigma.
- Screening (Nelson 1982; Wheeler): moving ranges at or above 3.267 x their mean (D4 for n = 2)
  are dropped and the mean recomputed once. NHSRplotthedots and qicharts2 (as attached by
  ``library()``) screen; the MDC tools do not.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rrp.spc._arrays import count_true, masked_mean
from rrp.spc.types import Profile

#: d2 for subgroups of two (Montgomery Appendix Table VI).
D2 = 1.128
#: D4 for subgroups of two: the upper limit of the moving-range chart, used to screen moving ranges.
MR_SCREEN_FACTOR = 3.267
#: Making Data Count's rounded 3 / d2.
MDC_LIMIT_FACTOR = 2.66
#: Sigma multiples of the process limits and the inner (two-sigma) lines.
LIMIT_SIGMAS = 3.0
INNER_SIGMAS = 2.0


class Limits(NamedTuple):
    """Centre line, process limits and two-sigma lines; arrays broadcast to (time, column)."""

    centre: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_2sigma: np.ndarray
    upper_2sigma: np.ndarray


def mean_moving_range(values: np.ndarray, base: np.ndarray, *, screen: bool) -> np.ndarray:
    """Mean moving range per column over consecutive baseline points, optionally screened once.

    ``base`` marks the points used (present, not excluded, within the baseline); a moving range
    needs both of its points in ``base``, so a missing or excluded point never bridges one.
    """
    # |x_i - x_{i-1}| for rows 1.. (row 0 has none); both points in base and the range finite.
    # Summing down the columns adds rows in order, so leaving out the empty row 0 (a 0 in the
    # masked sum) changes no total.
    mr = np.subtract(values[1:], values[:-1])
    np.abs(mr, out=mr)
    valid = np.isfinite(mr)
    valid &= base[1:]
    valid &= base[:-1]
    np.copyto(mr, 0.0, where=~valid)  # the masked-out ranges add 0 to the sums below
    count = count_true(valid)
    amr = _mean(mr.sum(axis=0), count)
    if screen:
        valid &= mr < MR_SCREEN_FACTOR * amr
        mr *= valid
        amr = _mean(mr.sum(axis=0), count_true(valid))
    return amr


def _mean(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    out = np.full(total.shape, np.nan)
    np.divide(total, count, out=out, where=count > 0)
    return out


def sigma_from_mean_moving_range(amr: np.ndarray, profile: Profile) -> np.ndarray:
    """The XmR sigma estimate: MR-bar x 2.66 / 3 (MDC, NHSRplotthedots) or MR-bar / 1.128 (qicharts2)."""
    if profile is Profile.QICHARTS2:
        return amr / D2
    return amr * MDC_LIMIT_FACTOR / LIMIT_SIGMAS


def screens_moving_ranges(profile: Profile) -> bool:
    return profile is not Profile.MDC


def xmr_limits(values: np.ndarray, base: np.ndarray, profile: Profile) -> Limits:
    """Individuals-chart limits per column: centre = mean of the baseline points.

    Limits are ``mean +/- 3 sigma`` and two-sigma lines ``mean +/- 2 sigma`` with sigma from
    :func:`sigma_from_mean_moving_range` (so ``mean +/- 2.66 MR-bar`` for MDC).
    """
    centre = masked_mean(values, base)[None, :]
    amr = mean_moving_range(values, base, screen=screens_moving_ranges(profile))
    sigma = sigma_from_mean_moving_range(amr, profile)[None, :]
    return Limits(
        centre=centre,
        lower=centre - LIMIT_SIGMAS * sigma,
        upper=centre + LIMIT_SIGMAS * sigma,
        lower_2sigma=centre - INNER_SIGMAS * sigma,
        upper_2sigma=centre + INNER_SIGMAS * sigma,
    )
