"""Column-wise array helpers shared by the chart modules.

Every array here is 2-D with time on axis 0 and one column per series segment (a group's limit
period). Missing values are NaN. The helpers never emit NumPy warnings on empty columns (the
project runs its tests with warnings as errors), and never loop over columns in Python.
"""

from __future__ import annotations

import numpy as np


def masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of ``values`` over ``mask`` per column; NaN where a column has no masked value."""
    total = np.where(mask, values, 0.0).sum(axis=0)
    count = mask.sum(axis=0)
    out = np.full(total.shape, np.nan)
    np.divide(total, count, out=out, where=count > 0)
    return out


def masked_sum(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask, values, 0.0).sum(axis=0)


def masked_median(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Median of ``values`` over ``mask`` per column (the mean of the two middle values when even)."""
    data = np.sort(np.where(mask, values, np.nan), axis=0)  # NaN sorts last
    count = mask.sum(axis=0)
    lo = np.clip((count - 1) // 2, 0, None)
    hi = np.clip(count // 2, 0, None)
    if data.shape[0] == 0:
        return np.full(data.shape[1:], np.nan)
    lo = np.minimum(lo, data.shape[0] - 1)
    hi = np.minimum(hi, data.shape[0] - 1)
    a = np.take_along_axis(data, lo[None, :], axis=0)[0]
    b = np.take_along_axis(data, hi[None, :], axis=0)[0]
    return np.where(count > 0, (a + b) / 2.0, np.nan)


def moving_ranges(values: np.ndarray) -> np.ndarray:
    """|x_i - x_{i-1}| down each column, NaN in row 0 and wherever either neighbour is missing.

    A missing value therefore never bridges a moving range.
    """
    mr = np.full(values.shape, np.nan)
    if values.shape[0] > 1:
        mr[1:] = np.abs(np.diff(values, axis=0))
    return mr


#: Below this many columns a Python loop over rows costs more than NumPy's strided pass.
ROW_LOOP_MIN_COLUMNS = 64


def accumulate(
    ufunc: np.ufunc, values: np.ndarray, *, reverse: bool = False, copy: bool = True
) -> np.ndarray:
    """``ufunc.accumulate`` down axis 0 (optionally from the bottom up), as a new array.

    For a wide 2-D array a loop over rows, each a vectorised operation on a contiguous row, is
    several times faster than NumPy's strided accumulate along axis 0; the results are identical.
    With ``copy=False`` a wide array the caller owns may be overwritten (a fresh array of this size
    costs more than the pass itself).
    """
    out = np.array(values, copy=True) if copy else np.asarray(values)
    n = out.shape[0]
    if out.ndim == 1 or out[:1].size < ROW_LOOP_MIN_COLUMNS:
        if reverse:
            return ufunc.accumulate(out[::-1], axis=0)[::-1].copy()
        return ufunc.accumulate(out, axis=0)
    if n < 2:
        return out
    rows = list(out)  # row views made once (indexing in the loop costs as much as the ufunc call)
    if reverse:
        rows.reverse()
    previous = rows[0]
    for row in rows[1:]:
        ufunc(row, previous, out=row)
        previous = row
    return out


def compress_rank(valid: np.ndarray) -> np.ndarray:
    """Flat destination index of every element when valid entries move to the top of their column.

    A stable permutation that moves valid cells first, from one cumulative count instead
    of a sort, and returned as flat indices ready for :func:`pack` and :func:`unpack`. The index
    arithmetic runs in 32-bit integers on same-shaped arrays (broadcasting a column of row numbers
    across a wide matrix is several times slower), and only the result is widened.
    """
    valid = np.asarray(valid, dtype=bool)
    n_rows, n_cols = valid.shape
    small = n_rows * n_cols < 2**31 - 1
    dt = np.int32 if small else np.intp
    count = accumulate(np.add, valid.astype(dt))  # valid entries at or above this row
    n_valid = count[-1].copy() if n_rows else np.zeros(n_cols, dtype=dt)
    # valid entries go to row (count - 1); the others follow them in order: n_valid + (row - count)
    dest = np.broadcast_to(np.arange(n_rows, dtype=dt)[:, None], valid.shape) - count
    dest += n_valid
    np.copyto(dest, count, where=valid)
    dest -= valid
    dest *= n_cols
    dest += np.arange(n_cols, dtype=dt)
    return dest.astype(np.intp, copy=False)


def pack(values: np.ndarray, flat_dest: np.ndarray) -> np.ndarray:
    """Move every element of a 2-D array to its row given by :func:`compress_rank`."""
    out = np.empty(flat_dest.shape, dtype=values.dtype)
    out.ravel()[flat_dest.ravel()] = np.broadcast_to(values, flat_dest.shape).ravel()
    return out


def unpack(packed: np.ndarray, flat_dest: np.ndarray) -> np.ndarray:
    """Inverse of :func:`pack`: put compressed values back into their original rows."""
    return np.take(np.ascontiguousarray(packed).ravel(), flat_dest)


def count_true(mask: np.ndarray) -> np.ndarray:
    """``mask.sum(axis=0)`` (int64), summed in the narrowest integer type that cannot overflow."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim == 0 or not mask.flags.contiguous:
        return mask.sum(axis=0)
    return mask.view(np.int8).sum(axis=0, dtype=count_dtype(mask.shape[0])).astype(np.int64)


def count_dtype(n_rows: int) -> type[np.signedinteger]:
    """The narrowest signed integer type that holds counts up to ``n_rows`` (narrow types make passes cheap)."""
    return (
        np.int16
        if n_rows < np.iinfo(np.int16).max
        else np.int32
        if n_rows < np.iinfo(np.int32).max
        else np.int64
    )


def windows_all(flags: np.ndarray, length: int) -> np.ndarray:
    """``w[k]`` is true when ``flags[k : k + length]`` are all true (axis 0; ``n - length + 1`` rows)."""
    n = flags.shape[0]
    if n < length:
        return np.zeros((0, *flags.shape[1:]), dtype=bool)
    m = n - length + 1
    out = flags[:m].copy()
    for offset in range(1, length):
        out &= flags[offset : offset + m]
    return out


def windows_containing(cond: np.ndarray, n: int, length: int) -> np.ndarray:
    """True at a row when a window of ``length`` rows containing it has ``cond`` (row k: rows k..k+length-1)."""
    out = np.zeros((n, *cond.shape[1:]), dtype=bool)
    m = cond.shape[0]
    if m == 0:
        return out
    for offset in range(length):
        out[offset : offset + m] |= cond
    return out


def in_runs(flags: np.ndarray, length: int) -> np.ndarray:
    """True where a flag belongs to ``length`` or more consecutive true flags down axis 0."""
    return windows_containing(windows_all(flags, length), flags.shape[0], length)


def last_index_where(mask: np.ndarray) -> np.ndarray:
    """Per column, the last row where ``mask`` is true (-1 if none)."""
    n = mask.shape[0]
    if n == 0:
        return np.full(mask.shape[1:], -1)
    idx = np.arange(n).reshape((n,) + (1,) * (mask.ndim - 1))
    return np.where(mask, idx, -1).max(axis=0)
