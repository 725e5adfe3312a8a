"""The provider board report's downloads: the summary table and a ward chart's data as CSV rows, and the
board pack, the report as a PDF (WeasyPrint) for board papers. All from the presented board
(``presenters.Board``), so every download agrees with the page.

The pack: the cover, the MDC summary (one row per ward, one column per measure: latest value, variation and assurance
letters), progress toward aims, reporting health, the plain-English commentary, and for
each measure the provider total's chart (SVG drawn by vl-convert from the same Vega-Lite spec as the page)
with the data behind it. Per-ward charts are not drawn in the pack: each ward is a row of the summary
table and its chart is one click away on the board page. Drawing 50 wards x 6 measures would take about
40 s (0.13 s a chart) against a budget of 5 s for the whole pack. Each drawing is kept under a digest of
its spec (``reports.chart_cache.cached_svg``), so a pack downloaded again while the figures are unchanged
draws none.

Outside the provider (suppressed boards) no charts or point-level tables are included, as on the page.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.template.loader import render_to_string
from django.utils import timezone
from markupsafe import Markup

from rrp.accounts.models import User
from rrp.charts.spc_chart import POINT_TYPE_WORDS, SPECIAL_CAUSE_WORDS
from rrp.core.formatting import csv_figure, iso_date
from rrp.reports.board.presenters import Board, BoardRow, WardChart
from rrp.reports.chart_cache import cached_svg
from rrp.reports.panels import chart_panel, measure_y_title
from rrp.segregation.selectors import SafetyCheckFigures

#: What a reader outside the provider is told instead of the safety checks overdue or missed, on the
#: board's page, in its PDF pack and in its summary CSV.
SAFETY_CHECKS_HIDDEN = "Shown only inside the provider: counts of so few people could identify them."


@dataclass(frozen=True)
class PrintedChart:
    """One chart of the pack: the picture (an SVG data URI), its text alternative and its data table."""

    title: str
    svg_uri: str
    description: str
    table_html: Markup


@dataclass(frozen=True)
class MatrixCell:
    """One ward's latest month of one measure in the pack's summary: the value, then the variation
    letter and the assurance letter, coloured by variation (one text run: WeasyPrint lays out inline
    boxes slowly, and 50 wards x 6 measures of drawn icons took longer than the whole pack's budget)."""

    text: str
    css: str


def _letters(row: BoardRow) -> str:
    variation = next((i.letter for i in row.icons if i.kind == "variation"), "")
    assurance = next((i.letter for i in row.icons if i.kind == "assurance"), "")
    return f"{variation}{assurance}"


def summary_matrix(board: Board) -> list[tuple[str, list[MatrixCell]]]:
    """Rows of (ward name, one cell per measure): the provider total first, then each ward."""
    names = ["All wards"] + [w.name for w in board.wards]
    out = []
    for index, name in enumerate(names):
        cells = []
        for block in board.blocks:
            row = block.provider_row if index == 0 else block.ward_rows[index - 1]
            css = {
                "special_cause_concern": "v-concern",
                "special_cause_improvement": "v-improvement",
                "special_cause_neutral_high": "v-neutral",
                "special_cause_neutral_low": "v-neutral",
            }.get(row.variation or "", "")
            cells.append(MatrixCell(f"{row.shown.value} {_letters(row)}".strip(), css))
        out.append((name, cells))
    return out


def pack_charts(board: Board) -> list[PrintedChart]:
    """The provider total's chart of each measure (none for a suppressed board, none of a measure shown
    exactly only to the ward's own team)."""
    if board.suppressed:
        return []
    charts = []
    for block in board.blocks:
        result = block.provider_result
        if result is None or block.definition.suppress_outside_ward:
            continue
        title = f"All wards: {block.definition.name}"
        # The page's panel at the pack's size: the same floored limits, the same words and the chart named
        # for what it is of ("all wards"), never the engine's internal group label.
        panel = chart_panel(
            result,
            chart_id=f"pack-{block.definition.slug}",
            title=title,
            y_title=measure_y_title(block.definition),
            width=620,
            height=220,
            subject="All wards",
            floor=block.definition.lowest_value,
        )
        svg = cached_svg(panel.spec)  # drawn once while the figures are unchanged (0.1 s a chart)
        charts.append(
            PrintedChart(
                title=title,
                svg_uri="data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
                description=panel.description,
                table_html=panel.table_html,
            )
        )
    return charts


def board_pack_html(
    board: Board,
    *,
    generated_for: User,
    safety_checks: SafetyCheckFigures | None,
    generated_at: dt.datetime | None = None,
) -> str:
    """The pack as one HTML document (also handy to check the layout in a browser). ``safety_checks``
    is ``reports.board.safety_checks`` for the reader: None outside the provider, who is told why."""
    return render_to_string(
        "reports/board_print.jinja",
        {
            "board": board,
            "safety_checks": safety_checks,
            "safety_checks_hidden": SAFETY_CHECKS_HIDDEN,
            "charts": pack_charts(board),
            "matrix": summary_matrix(board),
            "generated_for": generated_for,
            "generated_at": generated_at or timezone.now(),
        },
    )


def board_pack_pdf(
    board: Board,
    *,
    generated_for: User,
    safety_checks: SafetyCheckFigures | None,
    generated_at: dt.datetime | None = None,
) -> bytes:
    """The pack as PDF bytes (WeasyPrint; nothing is fetched from the network)."""
    import weasyprint

    html = board_pack_html(
        board, generated_for=generated_for, safety_checks=safety_checks, generated_at=generated_at
    )
    return weasyprint.HTML(string=html, base_url=None).write_pdf()


# --- CSV files ---------------------------------------------------------------------------------------

SUMMARY_COLUMNS = (
    "provider",
    "ward",
    "measure",
    "unit",
    "latest_month",
    "count",
    "value",
    "target",
    "variation",
    "assurance",
    "kind",
    "section",
)

#: The ``section`` column: a row of the key measures' table (every ward and the provider total), or of the
#: integrated summary (the provider's chosen measures across every kind, provider totals only).
KEY_MEASURES_SECTION = "key measures"
INTEGRATED_SECTION = "integrated summary"
#: The safety checks overdue or missed now (issue 13 item 4), on the wards whose patients the reader sees.
SAFETY_CHECKS_SECTION = "safety checks"


def summary_rows(board: Board, *, safety_checks: SafetyCheckFigures | None) -> list[dict[str, str]]:
    """The summary table as CSV rows, then the integrated summary's: the figures as the reader sees them
    on the page, without thousands separators, ``*`` where hidden and empty where missing; then the
    safety checks overdue or missed now (``reports.board.safety_checks``), a row each, or outside the
    provider (None) one row saying why they are left out."""
    out = []
    sections = [(KEY_MEASURES_SECTION, row) for row in board.rows]
    sections += [(INTEGRATED_SECTION, row) for row in board.integrated]
    for section, row in sections:
        out.append(
            {
                "provider": board.provider.name,
                "ward": "All wards" if row.is_provider else row.ward_name,
                "measure": row.definition.name,
                "unit": row.definition.unit,
                "latest_month": iso_date(row.latest_period),
                "count": csv_figure(row.shown.count),
                "value": csv_figure(row.shown.value),
                "target": "" if row.target is None else csv_figure(row.target_text),
                "variation": row.variation_words,
                "assurance": row.assurance_words,
                "kind": row.definition.kind.value.replace("_", " "),
                "section": section,
            }
        )
    blank = dict.fromkeys(SUMMARY_COLUMNS, "") | {
        "provider": board.provider.name,
        "ward": "All wards",
        "section": SAFETY_CHECKS_SECTION,
    }
    if safety_checks is None:
        return [*out, blank | {"measure": f"Safety checks overdue or missed: {SAFETY_CHECKS_HIDDEN}"}]
    # Counts as they stand now, on the wards whose patients the reader sees: no month of their own.
    return out + [
        blank | {"measure": words, "unit": "count now", "count": str(count), "value": str(count)}
        for words, count in safety_checks.lines()
    ]


CHART_COLUMNS = (
    "month",
    "numerator",
    "denominator",
    "value",
    "centre",
    "lower_limit",
    "upper_limit",
    "point",
    "rule",
)


def chart_rows(chart: WardChart) -> list[dict[str, str]]:
    """The chart's data month by month; outside the provider only the suppressed counts and values."""
    result = chart.row.result
    rows = []
    shown = chart.shown_series()
    for i, (month, figures, den_text) in enumerate(shown):
        row = {
            "month": iso_date(month),
            "numerator": csv_figure(figures.count),
            "denominator": csv_figure(den_text),
            "value": csv_figure(figures.value),
            "centre": "",
            "lower_limit": "",
            "upper_limit": "",
            "point": "",
            "rule": "",
        }
        if result is not None and not chart.suppressed and i < len(result):
            types = result.point_type_labels()
            causes = result.special_cause_labels()
            for key, arr in (
                ("centre", result.centre),
                ("lower_limit", result.lower_limit),
                ("upper_limit", result.upper_limit),
            ):
                row[key] = "" if not np.isfinite(arr[i]) else f"{arr[i]:.4g}"
            row["point"] = POINT_TYPE_WORDS.get(str(types[i]), "")
            row["rule"] = SPECIAL_CAUSE_WORDS.get(str(causes[i]), "")
        rows.append(row)
    return rows
