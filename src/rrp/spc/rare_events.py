"""Rare-event charts: g (events or days between events) and t (time between events).

- g chart (Benneyan JC. Number-between g-type statistical quality control charts for monitoring
  adverse events. Health Care Manag Sci 2001;4:305-318; Montgomery 6th ed. p. 319): limits from
  the mean g-bar of the counts between events, sigma = sqrt(g-bar (g-bar + 1)), lower limit clipped
  at 0. The centre line shown is the *median* (the geometric distribution is skewed, so about half
  the points fall either side of the median, not the mean), as in qicharts2.
- t chart (Nelson LS. Technical aids. J Qual Technol 1994;26:239-240): times between events are
  transformed by y ** (1 / 3.6), which makes exponential data nearly normal, charted as XmR and
  the centre and limits transformed back with ** 3.6; a negative lower limit becomes 0.
"""

from __future__ import annotations

import numpy as np

from rrp.spc._arrays import masked_mean, masked_median
from rrp.spc.types import Profile
from rrp.spc.xmr import INNER_SIGMAS, LIMIT_SIGMAS, Limits, xmr_limits

#: Nelson 1994: the Weibull-to-normal power for exponential times between events.
T_CHART_POWER = 3.6


def g_limits(values: np.ndarray, base: np.ndarray) -> Limits:
    """g chart: centre shown at the median; limits g-bar +/- 3 sqrt(g-bar (g-bar + 1)), floor 0."""
    mean = masked_mean(values, base)[None, :]
    sigma = np.sqrt(np.where(mean >= 0, mean * (mean + 1.0), np.nan))
    median = masked_median(values, base)[None, :]
    return Limits(
        centre=median,
        lower=np.clip(mean - LIMIT_SIGMAS * sigma, 0.0, None),
        upper=mean + LIMIT_SIGMAS * sigma,
        lower_2sigma=np.clip(mean - INNER_SIGMAS * sigma, 0.0, None),
        upper_2sigma=mean + INNER_SIGMAS * sigma,
    )


def _back(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, np.abs(x) ** T_CHART_POWER, 0.0)


def t_limits(values: np.ndarray, base: np.ndarray, profile: Profile) -> Limits:
    """t chart: XmR limits of y ** (1/3.6), transformed back; values must be > 0 (others ignored)."""
    positive = base & (values > 0)
    transformed = np.where(positive, np.abs(values) ** (1.0 / T_CHART_POWER), np.nan)
    lim = xmr_limits(transformed, positive, profile)
    finite_centre = np.isfinite(lim.centre)
    centre = np.where(finite_centre, _back(lim.centre), np.nan)

    def back(x: np.ndarray) -> np.ndarray:
        return np.where(np.isfinite(x), _back(x), np.nan)

    return Limits(
        centre=centre,
        lower=back(lim.lower),
        upper=back(lim.upper),
        lower_2sigma=back(lim.lower_2sigma),
        upper_2sigma=back(lim.upper_2sigma),
    )
