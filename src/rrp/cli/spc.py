"""``rrp spc``: statistical process control charts from a CSV file, for analysts.

    rrp spc CHART --input IN.csv --output OUT.csv [--summary OUT.json] [--chart-output FILE.svg|.png|.html]

This module must stay light to start (no Django): the 390,000-row benchmark runs it end to end in
under five seconds. pandas is used only to read the CSV; Altair is imported only when a picture is
asked for. Bad input stops with a message naming the row (row 1 is the header, as in a
spreadsheet) and the column, exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rrp.core.csv_export import safe_cell
from rrp.core.validation.files import FileProblem, csv_rows, read_text_file
from rrp.spc import Chart, ImprovementDirection, Profile, SpcInputError, SpcResult, analyse

if TYPE_CHECKING:
    import pandas as pd

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
CHART_SUFFIXES = (".svg", ".png", ".html")
#: The largest size of a value charted: beyond it, limits and moving ranges overflow floating point (1e308
#: gave blank limits). Counts, rates and days in RRP are many orders of magnitude smaller.
MAX_MAGNITUDE = 1e15
#: With several groups, the picture shows at most this many as small multiples.
MAX_GROUPS_DRAWN = 12


class InputProblem(Exception):
    """Bad input or options: reported to the user with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputProblem(f"{self.format_usage().strip()}\n{self.prog}: error: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="rrp spc",
        description="Statistical process control charts (Making Data Count, NHSRplotthedots, qicharts2).",
        epilog="See docs/spc.md for each chart, rule and profile.",
        allow_abbrev=False,
    )
    p.add_argument(
        "chart",
        choices=[c.value for c in Chart],
        metavar="CHART",
        help="run xmr p pprime u uprime c g t funnel",
    )
    p.add_argument("--input", required=True, metavar="IN.csv")
    p.add_argument("--output", required=True, metavar="OUT.csv")
    p.add_argument("--summary", metavar="OUT.json")
    p.add_argument("--chart-output", metavar="FILE.svg|.png|.html")
    p.add_argument("--date-column", default="date")
    p.add_argument("--value-column", default="value")
    p.add_argument("--numerator-column", help="default 'numerator' (p, pprime, u, uprime, funnel)")
    p.add_argument("--denominator-column", help="default 'denominator' (p, pprime, u, uprime, funnel)")
    p.add_argument("--group-column")
    p.add_argument("--improvement", choices=[d.value for d in ImprovementDirection], default="neutral")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--target", type=_number, metavar="NUMBER")
    target.add_argument("--target-column", metavar="NAME")
    p.add_argument("--rebase", metavar="DATE[,DATE...]")
    p.add_argument("--baseline-points", type=int, metavar="N")
    p.add_argument("--multiplier", type=_number, default=1.0, metavar="NUMBER")
    p.add_argument("--profile", choices=[pr.value for pr in Profile], default="mdc")
    return p


def _number(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return x


def _row(i: int) -> int:
    """Spreadsheet row of 0-based data row ``i`` (the header is row 1)."""
    return i + 2


def _read_text(path: Path) -> str:
    """The input's text: UTF-8 (with or without a byte order mark) or a clear refusal (core.validation)."""
    try:
        text = read_text_file(path)
    except FileProblem as problem:
        raise InputProblem(f"{path}: {problem}") from None
    if not text.strip():
        raise InputProblem(f"{path}: the file is empty: it needs a header row and rows of data")
    return text


def _csv_problem(path: Path, text: str, exc: Exception) -> InputProblem:
    """pandas could not read the CSV: name the row with the strict reader's words if it can."""
    try:
        for _ in csv_rows(text):
            pass
    except FileProblem as problem:
        return InputProblem(f"{path}: {problem}")
    return InputProblem(f"{path}: cannot read as CSV ({exc})")


def _header(path: Path, text: str) -> list[str]:
    import pandas as pd

    try:
        return pd.read_csv(io.StringIO(text), nrows=0).columns.tolist()
    except pd.errors.EmptyDataError:
        raise InputProblem(f"{path}: the file is empty: it needs a header row and rows of data") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise _csv_problem(path, text, exc) from exc


def _read_csv(path: Path, text: str, text_columns: list[str], number_columns: list[str]):
    import pandas as pd

    header = _header(path, text)
    for col in text_columns + number_columns:
        if col not in header:
            raise InputProblem(f"{path}: row 1 (header): column {col!r} not found; columns are {header}")
    usecols = list(dict.fromkeys(text_columns + number_columns))
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            usecols=usecols,
            dtype={c: str for c in text_columns},
            keep_default_na=False,
            na_values={c: MISSING_MARKERS for c in number_columns},
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise _csv_problem(path, text, exc) from exc
    return frame


def _numbers(frame, column: str, path: Path) -> np.ndarray:
    import pandas as pd

    s = frame[column]
    if not pd.api.types.is_numeric_dtype(s.dtype):
        parsed = pd.to_numeric(s, errors="coerce")
        bad = parsed.isna() & s.notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputProblem(f"{path}: row {_row(i)}, column {column!r}: {s.iloc[i]!r} is not a number")
        s = parsed
    arr = s.to_numpy(dtype=float, na_value=np.nan)
    inf = np.isinf(arr)
    if inf.any():
        i = int(np.flatnonzero(inf)[0])
        raise InputProblem(f"{path}: row {_row(i)}, column {column!r}: infinite values are not allowed")
    with np.errstate(invalid="ignore"):
        huge = np.abs(arr) > MAX_MAGNITUDE
    if huge.any():
        i = int(np.flatnonzero(huge)[0])
        raise InputProblem(
            f"{path}: row {_row(i)}, column {column!r}: {s.iloc[i]!r} is too large: "
            f"values must be between -{MAX_MAGNITUDE:.0e} and {MAX_MAGNITUDE:.0e}"
        )
    return arr


def _first(mask: np.ndarray) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if idx.size else None


def _check(mask: np.ndarray, path: Path, column: str, message: str) -> None:
    i = _first(mask)
    if i is not None:
        raise InputProblem(f"{path}: row {_row(i)}, column {column!r}: {message}")


def _parse_dates(texts: np.ndarray, path: Path, column: str) -> np.ndarray:
    import pandas as pd

    blank = (
        np.array([t is None or str(t).strip() == "" for t in texts.tolist()])
        if texts.size
        else np.zeros(0, bool)
    )
    _check(blank, path, column, "the date is missing")
    parsed = pd.to_datetime(pd.Series(texts), format="ISO8601", errors="coerce")
    bad = parsed.isna().to_numpy()
    i = _first(bad)
    if i is not None:
        raise InputProblem(
            f"{path}: row {_row(i)}, column {column!r}: {texts[i]!r} is not a date (use YYYY-MM-DD)"
        )
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_convert(None)
    return parsed.to_numpy().astype("datetime64[s]")


def _rebase_dates(text: str | None) -> list[np.datetime64]:
    if not text:
        return []
    out = []
    for part in text.split(","):
        part = part.strip()
        try:
            out.append(np.datetime64(part, "s"))
        except ValueError:
            raise InputProblem(f"--rebase: {part!r} is not a date (use YYYY-MM-DD)") from None
    return out


def run(args: argparse.Namespace) -> tuple[SpcResult, list[str]]:
    """Read, validate and analyse; returns the result and the original date texts."""
    chart = Chart(args.chart)
    path = Path(args.input)
    uses_ratio = _check_options(args, chart)
    num_col = args.numerator_column or "numerator"
    den_col = args.denominator_column or "denominator"
    rebase = _rebase_dates(args.rebase)

    text = _read_text(path)
    header = _header(path, text)
    date_explicit = "--date-column" in getattr(args, "_given", ())
    has_dates = not (chart is Chart.FUNNEL and args.date_column not in header and not date_explicit)
    text_cols = ([args.date_column] if has_dates else []) + ([args.group_column] if args.group_column else [])
    number_cols = [num_col, den_col] if uses_ratio else [args.value_column]
    if args.target_column:
        number_cols.append(args.target_column)
    frame = _read_csv(path, text, text_cols, number_cols)
    n = len(frame)
    if n == 0:
        raise InputProblem(f"{path}: no data rows")

    groups = frame[args.group_column].to_numpy(dtype=object) if args.group_column else None
    date_texts = frame[args.date_column].to_numpy(dtype=object) if has_dates else np.full(n, "", dtype=object)
    dates = _parse_dates(date_texts, path, args.date_column) if has_dates else None
    if uses_ratio:
        kwargs = _ratio_series(frame, path, chart, num_col, den_col)
    else:
        kwargs = _value_series(frame, path, chart, args.value_column)
    target: object = args.target
    if args.target_column:
        target = _numbers(frame, args.target_column, path)

    try:
        result = analyse(
            chart,
            dates=dates,
            groups=groups,
            improvement_direction=args.improvement,
            target=target,
            rebase_at=rebase,
            baseline_points=args.baseline_points,
            multiplier=args.multiplier,
            profile=args.profile,
            **kwargs,  # type: ignore[arg-type]
        )
    except SpcInputError as exc:
        if exc.rows:
            rows = " and ".join(str(_row(r)) for r in exc.rows)
            column = {"date": args.date_column, "group": args.group_column}.get(exc.column or "", exc.column)
            raise InputProblem(f"{path}: rows {rows}, column {column!r}: {exc}") from exc
        raise InputProblem(f"{path}: {exc}") from exc
    return result, date_texts.tolist()


def _check_options(args: argparse.Namespace, chart: Chart) -> bool:
    """Refuse option combinations that make no sense for the chart; True when it reads a ratio."""
    ratio_flags = args.numerator_column is not None or args.denominator_column is not None
    uses_ratio = chart.needs_denominator or (chart in (Chart.RUN, Chart.XMR) and ratio_flags)
    if (
        uses_ratio
        and chart in (Chart.RUN, Chart.XMR)
        and not (args.numerator_column and args.denominator_column)
    ):
        raise InputProblem("--numerator-column and --denominator-column go together")
    if not chart.needs_denominator and chart not in (Chart.RUN, Chart.XMR) and ratio_flags:
        raise InputProblem(f"a {chart.value} chart reads --value-column, not numerators and denominators")
    if args.multiplier <= 0:
        raise InputProblem("--multiplier must be greater than zero")
    if args.baseline_points is not None:
        minimum = 12 if chart is Chart.XMR else 2
        if args.baseline_points < minimum:
            raise InputProblem(f"--baseline-points must be at least {minimum} for a {chart.value} chart")
    if args.chart_output and not args.chart_output.lower().endswith(CHART_SUFFIXES):
        raise InputProblem("--chart-output must end in .svg, .png or .html")
    return uses_ratio


def _ratio_series(
    frame: pd.DataFrame, path: Path, chart: Chart, num_col: str, den_col: str
) -> dict[str, np.ndarray]:
    """The numerators and denominators, checked for the chart."""
    num = _numbers(frame, num_col, path)
    den = _numbers(frame, den_col, path)
    _check(den <= 0, path, den_col, "the denominator must be greater than zero")
    _check(num < 0, path, num_col, "the numerator must not be negative")
    if chart in (Chart.P, Chart.PPRIME):
        _check(num > den, path, num_col, "a proportion's numerator cannot exceed its denominator")
    return {"numerators": num, "denominators": den}


def _value_series(frame: pd.DataFrame, path: Path, chart: Chart, column: str) -> dict[str, np.ndarray]:
    """The values, checked for the chart."""
    values = _numbers(frame, column, path)
    if chart in (Chart.C, Chart.G):
        _check(values < 0, path, column, f"a {chart.value} chart needs counts of 0 or more")
    if chart is Chart.T:
        _check(values <= 0, path, column, "times between events must be greater than zero")
    return {"values": values}


def _format_floats(x: np.ndarray) -> list[str]:
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


def result_csv_text(result: SpcResult, date_texts: Sequence[str]) -> str:
    """The OUT.csv text: one line per input row in input order, columns :data:`OUTPUT_COLUMNS`."""
    cols = [
        _csv_texts(result.group.tolist()),
        _csv_texts(list(date_texts)),
        _format_floats(result.value),
        _format_floats(result.numerator),
        _format_floats(result.denominator),
        _format_floats(result.centre),
        _format_floats(result.lower_limit),
        _format_floats(result.upper_limit),
        _format_floats(result.lower_2sigma),
        _format_floats(result.upper_2sigma),
        [str(p) for p in result.period.tolist()],
        result.special_cause_labels().tolist(),
        result.point_type_labels().tolist(),
    ]
    lines = [",".join(OUTPUT_COLUMNS)]
    lines.extend(",".join(row) for row in zip(*cols, strict=True))
    return "\n".join(lines) + "\n"


def _csv_texts(items: list[object]) -> list[str]:
    """:func:`_csv_text` of each item, quoting each distinct value once (labels and dates repeat)."""
    texts = {s: _csv_text(s) for s in set(items)}
    return [texts[s] for s in items]


def _csv_text(s: object) -> str:
    """One cell of the input (a group label or a date as given) written back, through the shared
    ``core.csv_export.safe_cell`` so a label such as ``=HYPERLINK(...)`` is not run by a spreadsheet."""
    text = str(safe_cell(s))
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def summary_json_text(result: SpcResult) -> str:
    return json.dumps([s.as_dict() for s in result.summaries], indent=2) + "\n"


def chart_bytes(result: SpcResult, path: str) -> bytes:
    # Imported only to draw: the charts load vl-convert (over a second of start-up), which a run that
    # writes no chart should not pay. cli is the top layer, so this import points down (decision 0011).
    from rrp import charts

    groups = result.groups()
    title = f"{result.chart.value} chart"
    if len(groups) > 1:
        spec = charts.small_multiples_spec(result, title=title, max_groups=MAX_GROUPS_DRAWN)
    else:
        spec = charts.spc_chart_spec(result, title=title)
    suffix = path.lower().rsplit(".", 1)[-1]
    if suffix == "svg":
        return charts.chart_to_svg(spec).encode()
    if suffix == "png":
        return charts.chart_to_png(spec)
    return charts.chart_to_html(spec, description=charts.describe_chart(result)).encode()


def _write_all(outputs: list[tuple[str, bytes]]) -> None:
    """Write every output or none: each goes to a temporary file first, then all are renamed."""
    temps: list[tuple[str, str]] = []
    try:
        for target, data in outputs:
            if os.path.isdir(target):
                raise InputProblem(f"{target} is a folder: give the name of a file to write")
            directory = os.path.dirname(os.path.abspath(target))
            if not os.path.isdir(directory):
                raise InputProblem(f"{target}: the folder {directory} does not exist")
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".rrp-spc-", suffix=".tmp")
            temps.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        for tmp, target in temps:
            os.replace(tmp, target)
        temps.clear()
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def main(argv: list[str]) -> int:
    """Run ``rrp spc`` with ``argv`` (the words after ``spc``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        args._given = {a.split("=", 1)[0] for a in argv if a.startswith("--")}
        result, date_texts = run(args)
        outputs = [(args.output, result_csv_text(result, date_texts).encode())]
        if args.summary:
            outputs.append((args.summary, summary_json_text(result).encode()))
        if args.chart_output:
            outputs.append((args.chart_output, chart_bytes(result, args.chart_output)))
        _write_all(outputs)
    except InputProblem as exc:
        print(f"rrp spc: {exc}" if not str(exc).startswith("usage:") else exc, file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    for warning in result.warnings:
        print(f"rrp spc: warning: {warning}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
