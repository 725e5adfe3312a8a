"""Attribute charts: p, Laney p', u, Laney u' and c, vectorised over columns.

Formulas (Montgomery, *Introduction to Statistical Quality Control*, 6th ed.):
- p chart (eq. 7.8 with variable sample size): centre p-bar = sum(numerators) / sum(denominators),
  sigma_i = sqrt(p-bar (1 - p-bar) / n_i); limits clipped to [0, 1].
- u chart (eq. 7.19): centre u-bar = sum(counts) / sum(exposure), sigma_i = sqrt(u-bar / n_i);
  lower limit clipped at 0.
- c chart (eq. 7.17): centre c-bar = mean count, sigma = sqrt(c-bar); lower limit clipped at 0.
- Laney p' and u' (Laney DB. Improved control charts for attributes. Quality Engineering
  2002;14(4):531-537): z_i = (y_i - centre) / sigma_i; sigma_z = mean moving range of z / 1.128
  (screened as for XmR in profiles that screen); sigma'_i = sigma_i x sigma_z.
"""

from __future__ import annotations

import numpy as np

from rrp.spc._arrays import masked_mean
from rrp.spc.types import Profile
from rrp.spc.xmr import D2, INNER_SIGMAS, LIMIT_SIGMAS, Limits, mean_moving_range, screens_moving_ranges


def _limits(centre: np.ndarray, sigma: np.ndarray, *, lowest: float = 0.0, highest: float = np.inf) -> Limits:
    """centre -/+ 3 sigma and -/+ 2 sigma, clipped to [lowest, highest].

    ``sigma`` is a fresh array owned here: it is reused as a buffer (per-point limits are four
    full matrices, so the arithmetic is done in place rather than in temporaries).
    """
    three = np.multiply(sigma, LIMIT_SIGMAS)
    lower = np.subtract(centre, three)
    upper = np.add(centre, three, out=three)
    two = np.multiply(sigma, INNER_SIGMAS, out=sigma)
    lower_2sigma = np.subtract(centre, two)
    upper_2sigma = np.add(centre, two, out=two)
    # sigma is a square root (times a non-negative factor): >= 0 or NaN, so centre + k sigma falls
    # below ``lowest`` = 0 only where the centre is negative; clipping is skipped when it cannot bite
    clip_upper = highest != np.inf or lowest > 0 or bool((np.asarray(centre) < lowest).any())
    for a in (lower, upper, lower_2sigma, upper_2sigma) if clip_upper else (lower, lower_2sigma):
        np.clip(a, lowest, highest, out=a)
    return Limits(
        centre=centre, lower=lower, upper=upper, lower_2sigma=lower_2sigma, upper_2sigma=upper_2sigma
    )


def pooled_rate(numerators: np.ndarray, denominators: np.ndarray, base: np.ndarray) -> np.ndarray:
    """sum(numerators) / sum(denominators) over the baseline points, per column (shape (1, columns))."""
    # one scratch matrix for both masked sums (the same sums as masked_sum, without a second copy)
    skipped = ~np.asarray(base, dtype=bool)
    scratch = np.array(np.broadcast_to(numerators, np.broadcast_shapes(np.shape(numerators), skipped.shape)))
    np.copyto(scratch, 0.0, where=skipped)
    num = scratch.sum(axis=0)
    np.copyto(scratch, denominators)
    np.copyto(scratch, 0.0, where=skipped)
    den = scratch.sum(axis=0)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out[None, :]


def _safe_sqrt(x: np.ndarray) -> np.ndarray:
    """Square root, NaN for a negative number; ``x`` is a fresh array and becomes the result."""
    usable = x >= 0
    if usable.all():  # the usual case: the plain loop is faster than the masked one
        return np.sqrt(x, out=x)
    np.sqrt(x, out=x, where=usable)
    np.copyto(x, np.nan, where=~usable)
    return x


def _laney_sigma_z(
    values: np.ndarray, centre: np.ndarray, sigma: np.ndarray, base: np.ndarray, profile: Profile
) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = (values - centre) / sigma
    usable = base & np.isfinite(z)
    amr = mean_moving_range(np.where(usable, z, np.nan), usable, screen=screens_moving_ranges(profile))
    return (amr / D2)[None, :]


def p_limits(
    numerators: np.ndarray, denominators: np.ndarray, base: np.ndarray, profile: Profile, *, laney: bool
) -> Limits:
    """p (or Laney p') chart limits per point; values are the proportions numerator / denominator."""
    centre = pooled_rate(numerators, denominators, base)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sigma = _safe_sqrt(centre * (1.0 - centre) / denominators)
        if laney:
            sigma = sigma * _laney_sigma_z(numerators / denominators, centre, sigma, base, profile)
    return _limits(centre, sigma, lowest=0.0, highest=1.0)


def u_limits(
    numerators: np.ndarray, denominators: np.ndarray, base: np.ndarray, profile: Profile, *, laney: bool
) -> Limits:
    """u (or Laney u') chart limits per point; values are the rates numerator / denominator."""
    centre = pooled_rate(numerators, denominators, base)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sigma = _safe_sqrt(centre / denominators)
        if laney:
            sigma = sigma * _laney_sigma_z(numerators / denominators, centre, sigma, base, profile)
    return _limits(centre, sigma)


def c_limits(counts: np.ndarray, base: np.ndarray) -> Limits:
    """c chart limits: c-bar +/- 3 sqrt(c-bar), lower limit clipped at 0 (Montgomery eq. 7.17)."""
    centre = masked_mean(counts, base)[None, :]
    return _limits(centre, _safe_sqrt(centre.copy()))
