"""Equity as CSV: the whole window per group, then each 3-month block's ratios, as the reader may see
them (a suppressed cell is ``*``, as NHS Digital's dashboards show it)."""

from __future__ import annotations

from rrp.reports.equity.presenters import EquityReport

CSV_COLUMNS = [
    "window",
    "block",
    "characteristic",
    "group",
    "reference_group",
    "interventions",
    "people",
    "bed_days",
    "rate_per_1000",
    "rate_ratio",
    "ci_low",
    "ci_high",
    "interval_method",
    "words",
]


def _cell(value: float | None, hidden: bool, decimals: int | None = None) -> str:
    if hidden:
        return "*"
    if value is None:
        return ""
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"


def equity_csv_rows(report: EquityReport) -> list[list[str]]:
    """The report as CSV rows (header first): the whole window per group, then each 3-month block's
    ratios. Suppressed cells are ``*``, as NHS Digital's dashboards show them."""
    out = [CSV_COLUMNS]
    window = report.window.label
    for key, table in report.tables.items():
        for row in table.rows:
            ratio_hidden = "ratio" in row.hidden
            out.append(
                [
                    window,
                    "whole window",
                    key.value,
                    row.group,
                    table.reference or "",
                    _cell(row.interventions, "interventions" in row.hidden),
                    _cell(row.people, "people" in row.hidden),
                    _cell(row.bed_days, "bed_days" in row.hidden),
                    _cell(row.rate, "rate" in row.hidden, 2),
                    _cell(row.ratio.ratio, ratio_hidden, 3),
                    _cell(row.ratio.low, ratio_hidden, 3),
                    _cell(row.ratio.high, ratio_hidden, 3),
                    "" if ratio_hidden else row.ratio.method,
                    row.words,
                ]
            )
    for key, points in report.over_time.items():
        reference = report.tables[key].reference or ""
        for point in points:
            out.append(
                [
                    window,
                    point.quarter.label,
                    key.value,
                    point.group,
                    reference,
                    _cell(point.interventions, point.interventions is None and report.suppressed),
                    "",
                    _cell(point.bed_days, point.bed_days is None and report.suppressed),
                    "",
                    _cell(point.ratio.ratio, point.hidden, 3),
                    _cell(point.ratio.low, point.hidden, 3),
                    _cell(point.ratio.high, point.hidden, 3),
                    "" if point.hidden else point.ratio.method,
                    "",
                ]
            )
    return out
