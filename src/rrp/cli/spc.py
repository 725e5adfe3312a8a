"""``rrp spc``: statistical process control charts from a CSV file, for analysts.

    rrp spc CHART --input IN.csv --output OUT.csv [--summary OUT.json] [--chart-output FILE.svg|.png|.html]

This module must stay light to start (no Django): the 390,000-row benchmark runs it end to end in
under five seconds. pandas is used only to read the CSV; Altair is imported only when a picture is
asked for. Bad input stops with a message naming the row (row 1 is the header, as in a
spreadsheet) and the column, exit status 2, and nothing written. The file is read and checked by
``core.validation.spc_csv``, which the chart-your-own-data page shares, so both say the same.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rrp.core.csv_export import safe_cell
from rrp.core.validation.files import FileProblem, read_text_file
from rrp.core.validation.spc_csv import (
    EMPTY,
    OUTPUT_COLUMNS,
    Columns,
    SpcCsvProblem,
    analyse_csv,
    output_columns,
)
from rrp.spc import Chart, ImprovementDirection, Profile, SpcResult

CHART_SUFFIXES = (".svg", ".png", ".html")
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


def _read_text(path: Path) -> str:
    """The input's text: UTF-8 (with or without a byte order mark) or a clear refusal (core.validation)."""
    try:
        text = read_text_file(path)
    except FileProblem as problem:
        raise InputProblem(f"{path}: {problem}") from None
    if not text.strip():
        raise InputProblem(f"{path}: {EMPTY}")
    return text


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
    """Read, validate and analyse (``core.validation.spc_csv``, shared with the chart-your-own-data page);
    returns the result and the original date texts."""
    chart = Chart(args.chart)
    path = Path(args.input)
    columns = Columns(
        date=args.date_column,
        value=args.value_column,
        numerator=args.numerator_column or "numerator",
        denominator=args.denominator_column or "denominator",
        group=args.group_column,
        target=args.target_column,
        ratio=_check_options(args, chart),
        date_required="--date-column" in getattr(args, "_given", ()),
    )
    rebase = _rebase_dates(args.rebase)
    text = _read_text(path)
    try:
        return analyse_csv(
            text,
            chart,
            columns=columns,
            improvement=args.improvement,
            target=args.target,
            rebase_at=rebase,
            baseline_points=args.baseline_points,
            multiplier=args.multiplier,
            profile=args.profile,
        )
    except SpcCsvProblem as problem:
        raise InputProblem(f"{path}: {problem}") from problem


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


def result_csv_text(result: SpcResult, date_texts: Sequence[str]) -> str:
    """The OUT.csv text: one line per input row in input order, columns :data:`OUTPUT_COLUMNS`."""
    cols = output_columns(result, date_texts)
    cols[0] = _csv_texts(cols[0])
    cols[1] = _csv_texts(cols[1])
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
