"""Reading a CSV of points for the SPC engine: one parser and one set of messages for ``rrp spc`` and the
chart-your-own-data page (issue 20 item 4), so a bad file gets the same words in both.

A problem is a :class:`SpcCsvProblem` naming the row (row 1 is the header, as in a spreadsheet) and the
column, e.g. ``row 3, column 'value': 'abc' is not a number``; the command line puts the file's path in
front of it, the page shows it in its error summary. Nothing here writes anything.

No Django here (an import contract says so): ``rrp spc`` starts without Django, and pandas is imported
only when a file is read.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from rrp.core.validation.files import FileProblem, csv_rows
from rrp.spc import Chart, SpcInputError, SpcResult, analyse

if TYPE_CHECKING:
    import pandas as pd

#: The columns of ``rrp spc``'s OUT.csv and of the page's CSV download: one row per input row.
OUTPUT_COLUMNS = [
    "group",
    "date",
    "value",
    "numerator",
    "denominator",
    "centre",
    "lower_limit",
    "upper_limit",
    "lower_2sigma",
    "upper_2sigma",
    "period",
    "special_cause",
    "point_type",
]
#: Cells read as missing in number columns (besides an empty cell).
MISSING_MARKERS = ["", "NA", "N/A", "NaN", "nan", "null", "NULL"]
#: The largest size of a value charted: beyond it, limits and moving ranges overflow floating point (1e308
#: gave blank limits). Counts, rates and days in RRP are many orders of magnitude smaller.
MAX_MAGNITUDE = 1e15
EMPTY = "the file is empty: it needs a header row and rows of data"


class SpcCsvProblem(ValueError):
    """A CSV the engine cannot chart, in words naming the row and column where there is one."""


@dataclass(frozen=True)
class Columns:
    """Which columns of the CSV hold what. ``numerator`` and ``denominator`` are read when ``ratio``;
    ``date_required``: a funnel reads a date column only if it exists, unless one was named."""

    date: str = "date"
    value: str = "value"
    numerator: str = "numerator"
    denominator: str = "denominator"
    group: str | None = None
    target: str | None = None
    ratio: bool = False
    date_required: bool = False


def _row(i: int) -> int:
    """Spreadsheet row of 0-based data row ``i`` (the header is row 1)."""
    return i + 2


def _csv_problem(text: str, exc: Exception) -> SpcCsvProblem:
    """pandas could not read the CSV: name the row with the strict reader's words if it can."""
    try:
        for _ in csv_rows(text):
            pass
    except FileProblem as problem:
        return SpcCsvProblem(str(problem))
    return SpcCsvProblem(f"cannot read as CSV ({exc})")


def header_of(text: str) -> list[str]:
    """The column names in the CSV's first row."""
    import pandas as pd

    if not text.strip():
        raise SpcCsvProblem(EMPTY)
    try:
        return pd.read_csv(io.StringIO(text), nrows=0).columns.tolist()
    except pd.errors.EmptyDataError:
        raise SpcCsvProblem(EMPTY) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise _csv_problem(text, exc) from exc


def _read_csv(
    text: str, header: list[str], text_columns: list[str], number_columns: list[str]
) -> pd.DataFrame:
    import pandas as pd

    for col in text_columns + number_columns:
        if col not in header:
            raise SpcCsvProblem(f"row 1 (header): column {col!r} not found; columns are {header}")
    usecols = list(dict.fromkeys(text_columns + number_columns))
    try:
        return pd.read_csv(
            io.StringIO(text),
            usecols=usecols,
            dtype={c: str for c in text_columns},
            keep_default_na=False,
            na_values={c: MISSING_MARKERS for c in number_columns},
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise _csv_problem(text, exc) from exc


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    import pandas as pd

    s = frame[column]
    if not pd.api.types.is_numeric_dtype(s.dtype):
        parsed = pd.to_numeric(s, errors="coerce")
        bad = parsed.isna() & s.notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise SpcCsvProblem(f"row {_row(i)}, column {column!r}: {s.iloc[i]!r} is not a number")
        s = parsed
    arr = s.to_numpy(dtype=float, na_value=np.nan)
    inf = np.isinf(arr)
    if inf.any():
        i = int(np.flatnonzero(inf)[0])
        raise SpcCsvProblem(f"row {_row(i)}, column {column!r}: infinite values are not allowed")
    with np.errstate(invalid="ignore"):
        huge = np.abs(arr) > MAX_MAGNITUDE
    if huge.any():
        i = int(np.flatnonzero(huge)[0])
        raise SpcCsvProblem(
            f"row {_row(i)}, column {column!r}: {s.iloc[i]!r} is too large: "
            f"values must be between -{MAX_MAGNITUDE:.0e} and {MAX_MAGNITUDE:.0e}"
        )
    return arr


def _check(mask: np.ndarray, column: str, message: str) -> None:
    idx = np.flatnonzero(mask)
    if idx.size:
        raise SpcCsvProblem(f"row {_row(int(idx[0]))}, column {column!r}: {message}")


def _parse_dates(texts: np.ndarray, column: str) -> np.ndarray:
    import pandas as pd

    blank = (
        np.array([t is None or str(t).strip() == "" for t in texts.tolist()])
        if texts.size
        else np.zeros(0, bool)
    )
    _check(blank, column, "the date is missing")
    parsed = pd.to_datetime(pd.Series(texts), format="ISO8601", errors="coerce")
    idx = np.flatnonzero(parsed.isna().to_numpy())
    if idx.size:
        i = int(idx[0])
        raise SpcCsvProblem(f"row {_row(i)}, column {column!r}: {texts[i]!r} is not a date (use YYYY-MM-DD)")
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_convert(None)
    return parsed.to_numpy().astype("datetime64[s]")


def _ratio_series(frame: pd.DataFrame, chart: Chart, num_col: str, den_col: str) -> dict[str, np.ndarray]:
    """The numerators and denominators, checked for the chart."""
    num = _numbers(frame, num_col)
    den = _numbers(frame, den_col)
    _check(den <= 0, den_col, "the denominator must be greater than zero")
    _check(num < 0, num_col, "the numerator must not be negative")
    if chart in (Chart.P, Chart.PPRIME):
        _check(num > den, num_col, "a proportion's numerator cannot exceed its denominator")
    return {"numerators": num, "denominators": den}


def _value_series(frame: pd.DataFrame, chart: Chart, column: str) -> dict[str, np.ndarray]:
    """The values, checked for the chart."""
    values = _numbers(frame, column)
    if chart in (Chart.C, Chart.G):
        _check(values < 0, column, f"a {chart.value} chart needs counts of 0 or more")
    if chart is Chart.T:
        _check(values <= 0, column, "times between events must be greater than zero")
    return {"values": values}


def analyse_csv(
    text: str,
    chart: Chart,
    *,
    columns: Columns,
    improvement: str = "neutral",
    target: float | None = None,
    rebase_at: Sequence[object] = (),
    baseline_points: int | None = None,
    multiplier: float = 1.0,
    profile: str = "mdc",
    max_rows: int | None = None,
) -> tuple[SpcResult, list[str]]:
    """Read ``text`` (CSV with a header row), check every cell for ``chart`` and analyse it.

    Returns the result and each row's date as written (for output files). Raises SpcCsvProblem naming the
    row and column of the first bad cell, or saying the file has more than ``max_rows`` rows of data."""
    header = header_of(text)
    has_dates = not (chart is Chart.FUNNEL and columns.date not in header and not columns.date_required)
    text_cols = ([columns.date] if has_dates else []) + ([columns.group] if columns.group else [])
    number_cols = [columns.numerator, columns.denominator] if columns.ratio else [columns.value]
    if columns.target:
        number_cols.append(columns.target)
    frame = _read_csv(text, header, text_cols, number_cols)
    n = len(frame)
    if n == 0:
        raise SpcCsvProblem("no data rows")
    if max_rows is not None and n > max_rows:
        raise SpcCsvProblem(f"the file has {n:,} rows of data: at most {max_rows:,} can be charted here")

    groups = frame[columns.group].to_numpy(dtype=object) if columns.group else None
    date_texts = frame[columns.date].to_numpy(dtype=object) if has_dates else np.full(n, "", dtype=object)
    dates = _parse_dates(date_texts, columns.date) if has_dates else None
    if columns.ratio:
        series = _ratio_series(frame, chart, columns.numerator, columns.denominator)
    else:
        series = _value_series(frame, chart, columns.value)
    targets: object = _numbers(frame, columns.target) if columns.target else target

    try:
        result = analyse(
            chart,
            dates=dates,
            groups=groups,
            improvement_direction=improvement,
            target=targets,
            rebase_at=list(rebase_at),
            baseline_points=baseline_points,
            multiplier=multiplier,
            profile=profile,
            **series,  # type: ignore[arg-type]
        )
    except SpcInputError as exc:
        if exc.rows:
            rows = " and ".join(str(_row(r)) for r in exc.rows)
            column = {"date": columns.date, "group": columns.group}.get(exc.column or "", exc.column)
            raise SpcCsvProblem(f"rows {rows}, column {column!r}: {exc}") from exc
        raise SpcCsvProblem(str(exc)) from exc
    return result, date_texts.tolist()


def format_floats(x: np.ndarray) -> list[str]:
    """Shortest round-trip text for each float ('' for NaN; integers without '.0')."""
    uniq, inverse = np.unique(x, return_inverse=True)
    texts = []
    for v in uniq.tolist():
        if v != v:
            texts.append("")
        elif v.is_integer() and abs(v) < 1e15:
            texts.append(str(int(v)))
        else:
            texts.append(repr(v))
    lookup = np.asarray(texts, dtype=object)
    return lookup[inverse.reshape(-1)].tolist()


def output_columns(result: SpcResult, date_texts: Sequence[str]) -> list[list[str]]:
    """The cells of :data:`OUTPUT_COLUMNS`, column by column, one cell per input row in input order.
    Group labels and dates are the input's text, not yet made safe for a spreadsheet: the writer does it."""
    return [
        [str(g) for g in result.group.tolist()],
        [str(d) for d in date_texts],
        format_floats(result.value),
        format_floats(result.numerator),
        format_floats(result.denominator),
        format_floats(result.centre),
        format_floats(result.lower_limit),
        format_floats(result.upper_limit),
        format_floats(result.lower_2sigma),
        format_floats(result.upper_2sigma),
        [str(p) for p in result.period.tolist()],
        result.special_cause_labels().tolist(),
        result.point_type_labels().tolist(),
    ]
