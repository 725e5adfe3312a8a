"""Funnel plots for comparing units (wards, providers) whose denominators differ.

Method (Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
2005;24:1185-1202; and Spiegelhalter DJ. Handling over-dispersion of performance indicators.
Qual Saf Health Care 2005;14:347-351), as FunnelPlotR does for ratio data:

- the target theta is the pooled rate sum(numerators) / sum(denominators) of the units compared;
- counts are treated as Poisson, so on the square-root scale a unit's rate y_i = numerator_i /
  denominator_i has standard error s_i = 1 / (2 sqrt(denominator_i)) about sqrt(theta);
- limits for a denominator n are (sqrt(theta) +/- z s(n))**2 with z = 1.960 (95%) and 3.090 (99.8%),
  the lower limit floored at 0;
- with overdispersion, z-scores z_i = (sqrt(y_i) - sqrt(theta)) / s_i are Winsorised at the 10th and
  90th percentiles, phi = mean(z_i**2), and if n phi > n - 1 an additive random-effects variance
  tau**2 = (n phi - (n - 1)) / (sum w_i - sum w_i**2 / sum w_i), w_i = 1 / s_i**2, widens every limit to
  (sqrt(theta) +/- z sqrt(s**2 + tau**2))**2.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: Two-sided normal quantiles: 95% (about two sigma) and 99.8% (about three sigma) limits.
Z_95 = 1.959963984540054
Z_998 = 3.090232306167813
#: Spiegelhalter 2005: Winsorise the z-scores at these percentiles before estimating phi.
WINSOR_PERCENT = 10.0


class FunnelLimits(NamedTuple):
    centre: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    tau2: float
    phi: float
    theta: float


def overdispersion_tau2(rates: np.ndarray, denominators: np.ndarray, theta: float) -> tuple[float, float]:
    """Spiegelhalter's (2005) additive random-effects variance tau**2 and the dispersion phi."""
    ok = np.isfinite(rates) & (denominators > 0)
    n = int(ok.sum())
    if n < 2 or not np.isfinite(theta) or theta <= 0:
        return 0.0, float("nan")
    s = 1.0 / (2.0 * np.sqrt(denominators[ok]))
    z = (np.sqrt(rates[ok]) - np.sqrt(theta)) / s
    lo, hi = np.percentile(z, [WINSOR_PERCENT, 100.0 - WINSOR_PERCENT])
    z = np.clip(z, lo, hi)
    phi = float(np.mean(z**2))
    w = 1.0 / s**2
    if n * phi <= n - 1:
        return 0.0, phi
    tau2 = (n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return float(max(tau2, 0.0)), phi


def funnel_bounds(
    theta: float, tau2: float, denominators: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper 95% and 99.8% limits at each denominator around the target ``theta``."""
    den = np.asarray(denominators, dtype=float)
    # A denominator so small that 1 / 4n overflows (a subnormal float) has limits without end, not a warning.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        se = np.where(den > 0, np.sqrt(1.0 / (4.0 * den) + tau2), np.nan)
    root = np.sqrt(theta) if np.isfinite(theta) and theta >= 0 else np.nan

    def lower(z: float) -> np.ndarray:
        x = root - z * se
        return np.where(x > 0, x**2, np.where(np.isfinite(x), 0.0, np.nan))

    def upper(z: float) -> np.ndarray:
        return (root + z * se) ** 2

    return lower(Z_95), upper(Z_95), lower(Z_998), upper(Z_998)


def funnel_limits(
    numerators: np.ndarray, denominators: np.ndarray, *, overdispersion: bool = False
) -> FunnelLimits:
    """Target and limits for each unit of one comparison (1-D arrays, one element per unit)."""
    ok = np.isfinite(numerators) & np.isfinite(denominators) & (denominators > 0)
    den_sum = denominators[ok].sum()
    theta = float(numerators[ok].sum() / den_sum) if den_sum > 0 else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(ok, numerators / denominators, np.nan)
    tau2, phi = overdispersion_tau2(rates, denominators, theta) if overdispersion else (0.0, float("nan"))
    l95, u95, l998, u998 = funnel_bounds(theta, tau2, np.where(ok, denominators, np.nan))
    centre = np.where(ok, theta, np.nan)
    return FunnelLimits(centre, l95, u95, l998, u998, tau2, phi, theta)
