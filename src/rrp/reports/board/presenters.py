"""The provider board report in words: every figure as the reader may see it, the aims' progress, the
commentary from the rules that fired, and the wards whose recording needs checking.

Suppression: people outside the provider (commissioners; see ``accounts.permissions.sees_unsuppressed``) get
every count under 5 hidden and the others rounded to the nearest 5, and every rate hidden where its count
is hidden (or its bed days are under 100) and otherwise rounded to a whole number (NHS Digital's rules,
``measures.suppression``); a hidden figure is ``core.formatting.SUPPRESSED_MARK``. They get no
point-by-point charts at all (the views draw none): a chart's points, tooltips and data table would show
the exact monthly figures that the rules hide. The MDC icons and the commentary, which describe the
pattern and give no count, are shown to them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rrp.charts.spc_chart import POINT_TYPE_WORDS, SPECIAL_CAUSE_WORDS
from rrp.core.formatting import SUPPRESSED_MARK, decimal, long_date, month_year, percent, whole_number
from rrp.measures.catalogue import Denominator, MeasureDefinition
from rrp.measures.suppression import (
    SMALLEST_SHOWN_BED_DAYS,
    count_is_suppressed,
    rate_is_suppressed,
    round_half_up,
    suppress_counts,
)
from rrp.organisations.models import Ward
from rrp.reports.board.compute import (
    BlockFigures,
    BoardFigures,
    ProviderAimFigures,
    RowFigures,
    WardChartFigures,
)
from rrp.reports.panels import ChartPanel, chart_panel, measure_y_title
from rrp.reports.reporting_health import FlagCode, WardReportingHealth
from rrp.reports.reporting_health.presenters import in_words
from rrp.spc import SpcResult

STATUS_WORDS = {
    "met": "Met.",
    "not_met": "Not met by the aim date.",
    "on_track": "On track.",
    "not_on_track": "Not on track.",
    "no_data": "Not enough data yet to measure progress toward this aim.",
}
MISSING = "Missing"


def month_words(day: dt.date | None) -> str:
    return month_year(day) if day else "no month"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def format_value(value: float | None, definition: MeasureDefinition) -> str:
    """A value in the measure's unit as the table shows it: rates to one decimal place, counts whole."""
    if value is None or not math.isfinite(value):
        return MISSING
    if definition.denominator is Denominator.NONE and value == int(value):
        return whole_number(value)
    return decimal(value, 1)


@dataclass(frozen=True)
class ShownFigures:
    """One period's count and value as the reader may see them (suppressed outside the provider)."""

    count: str
    value: str
    count_hidden: bool
    value_hidden: bool


def shown_figures(
    definition: MeasureDefinition,
    numerator: float | None,
    denominator: float | None,
    value: float | None,
    *,
    suppress: bool,
) -> ShownFigures:
    """The count and value to print (``suppress``: the reader is outside the provider, or outside the
    ward's own team for a measure marked ``suppress_outside_ward``). Suppressed: counts under 5 hidden, others rounded to 5; a rate
    hidden where its count is (or its bed days are under 100), otherwise rounded to a whole number. A
    measure of the ward's practice that identifies no one (``suppress_outside`` false: Safewards
    interventions in use, huddles held) is shown as it is."""
    num = np.nan if numerator is None else float(numerator)
    if not suppress or not definition.suppress_outside:
        count = MISSING if math.isnan(num) else whole_number(num)
        return ShownFigures(count, format_value(value, definition), False, False)
    if math.isnan(num):
        return ShownFigures(MISSING, MISSING, False, False)
    count_hidden = bool(count_is_suppressed([num])[0])
    rounded = suppress_counts([num])[0]
    count = SUPPRESSED_MARK if count_hidden else whole_number(rounded)
    if definition.denominator is Denominator.NONE:
        return ShownFigures(count, count, count_hidden, count_hidden)
    if value is None or not math.isfinite(value):
        return ShownFigures(count, MISSING, count_hidden, False)
    obd = definition.denominator is Denominator.OCCUPIED_BED_DAYS
    value_hidden = bool(
        rate_is_suppressed(
            counts=[num],
            denominators=[np.nan if denominator is None else denominator] if obd else None,
            smallest_denominator=SMALLEST_SHOWN_BED_DAYS if obd else None,
        )[0]
    )
    shown = SUPPRESSED_MARK if value_hidden else whole_number(round_half_up([value])[0])
    return ShownFigures(count, shown, count_hidden, value_hidden)


@dataclass(frozen=True, kw_only=True)
class BoardRow(RowFigures):
    """A row of the summary table with its figures as the reader may see them, and its icons in words."""

    shown: ShownFigures
    target_text: str
    variation_words: str
    assurance_words: str


def board_row(row: RowFigures, *, suppress: bool) -> BoardRow:
    figures = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    target_text = "No aim" if row.target is None else format_value(row.target, row.definition)
    variation = next((i.words for i in row.icons if i.kind == "variation"), "No icon (too few points)")
    if row.target is None:
        assurance = "No target"
    else:
        assurance = next((i.words for i in row.icons if i.kind == "assurance"), "No icon (too few points)")
    return BoardRow(
        **figures,
        shown=shown_figures(row.definition, row.numerator, row.denominator, row.value, suppress=suppress),
        target_text=target_text,
        variation_words=variation,
        assurance_words=assurance,
    )


@dataclass(frozen=True, kw_only=True)
class MeasureBlock(BlockFigures):
    """One measure's rows in words (provider total first, then wards by name)."""

    provider_row: BoardRow
    ward_rows: list[BoardRow]


@dataclass(frozen=True, kw_only=True)
class ProviderAimProgress(ProviderAimFigures):
    """How far the provider has come toward one aim, in numbers and in words."""

    words: str

    def shown(self, value: float | None) -> str:
        if self.hidden:
            return SUPPRESSED_MARK
        return format_value(value, self.definition)

    @property
    def change_text(self) -> str:
        if self.hidden or self.change_percent is None:
            return SUPPRESSED_MARK if self.hidden else MISSING
        return percent(self.change_percent, signed=True)


def aim_words(progress: ProviderAimFigures) -> str:
    """Where the provider stands against the aim, with the means and target it rests on (or, outside
    the provider where they rest on fewer than 5 events, without them)."""
    p = progress
    if p.hidden:
        return STATUS_WORDS[p.status] + " The figures are withheld outside the provider: fewer than 5 events."
    if p.status == "no_data":
        return STATUS_WORDS["no_data"]

    def fmt(value: float | None) -> str:
        # Outside the provider figures are rounded to whole numbers, as published rates are.
        if p.suppressed and value is not None:
            return whole_number(round_half_up([value])[0])
        return format_value(value, p.definition)

    figures = (
        f"the mean of the latest {p.latest_months} months ({month_words(p.latest_from)} to "
        f"{month_words(p.latest_to)}) is {fmt(p.latest_mean)} {p.definition.unit}, "
        f"against a baseline mean of {fmt(p.baseline_mean)} and a target of {fmt(p.target)}"
    )
    path = f"; a steady path to the aim would be at {fmt(p.expected_now)} by now"
    match p.status:
        case "met":
            return f"Met: {figures}."
        case "not_met":
            return f"Not met by {long_date(p.aim.aim_date)}: {figures}."
        case "on_track":
            return f"On track: {figures}{path}."
    return f"Not on track: {figures}{path}."


@dataclass(frozen=True)
class Comment:
    """One sentence of commentary, with how much it matters (0 concern, 1 improvement, 2 other)."""

    rank: int
    text: str
    ward_id: int | None
    measure_slug: str


def _latest_point(result: SpcResult) -> int | None:
    present = np.flatnonzero(np.isfinite(result.value))
    return int(present[-1]) if present.size else None


def row_commentary(row: BoardRow) -> Comment | None:
    """A sentence about the latest point when a rule fired on it, from the engine's labels; otherwise a
    sentence about a target that will not be met, or nothing."""
    result = row.result
    name = lower_first(row.definition.name)
    verb = "shows" if name.startswith("share") else "show"
    if result is not None and row.variation and row.variation != "common_cause":
        i = _latest_point(result)
        if i is not None:
            rule = SPECIAL_CAUSE_WORDS.get(str(result.special_cause_labels()[i]), "")
            when = month_words(pd.Timestamp(result.date[i]).date())
            kind = POINT_TYPE_WORDS[row.variation].split(": ", 1)[-1]
            text = f"{row.ward_name}: {name} {verb} special cause {kind}" + (f": {rule}" if rule else "")
            rank = {"concern": 0, "improvement": 1}.get(kind, 2)
            return Comment(rank, f"{text} in {when}.", row.ward_id, row.definition.slug)
    if row.assurance == "consistent_fail":
        return Comment(
            0,
            f"{row.ward_name}: {name} will not meet the target of {row.target_text} without change "
            "(the target lies outside the process limits).",
            row.ward_id,
            row.definition.slug,
        )
    return None


def commentary(blocks: Sequence[MeasureBlock]) -> list[Comment]:
    """Every rule that fired on a latest point, concerns first, provider totals before wards."""
    comments = [
        c for block in blocks for row in (block.provider_row, *block.ward_rows) if (c := row_commentary(row))
    ]
    return sorted(comments, key=lambda c: (c.rank, c.ward_id is not None))


#: What each reporting-health flag is about, without its figures (shown outside the provider, where the
#: flags' own words would give small counts of records).
FLAG_TITLES = {
    FlagCode.VOLUME_DROP: "Fewer incidents recorded than the ward's history makes likely",
    FlagCode.SILENT: "Nothing recorded for longer than the ward's rate makes likely",
    FlagCode.INCOMPLETE: "Records missing statutory items",
    FlagCode.LATE: "Records submitted more than 72 hours after the incident",
    FlagCode.UNSUBMITTED: "Records still open more than 72 hours after the incident",
    FlagCode.MISSING_BED_DAYS: "Months with no occupied bed days (no rate)",
}


@dataclass(frozen=True)
class HealthLine:
    """One ward's reporting-health flags as the board shows them (worst first)."""

    ward_id: int
    ward_name: str
    severity: str
    flags: list[tuple[str, str]]  # (severity, words)


def health_lines(
    wards: Sequence[Ward], health: dict[int, WardReportingHealth], *, suppress: bool
) -> list[HealthLine]:
    """Wards with at least one reporting-health flag, the worst first; figures left out when suppressed."""
    order = {"high": 0, "medium": 1, "low": 2}
    lines = []
    for ward in wards:
        found = health.get(ward.pk)
        if found is None or found.healthy:
            continue
        flags = sorted(found.flags, key=lambda f: order.get(str(f.severity), 3))
        lines.append(
            HealthLine(
                ward.pk,
                ward.name,
                str(found.worst),
                [
                    (str(f.severity), FLAG_TITLES.get(f.code, str(f.code)) if suppress else f.words)
                    for f in flags
                ],
            )
        )
    return sorted(lines, key=lambda line: (order.get(line.severity, 3), line.ward_name))


@dataclass(frozen=True, kw_only=True)
class Board(BoardFigures):
    """The board as the page, the PDF pack and the CSV show it: ``health`` is the wards whose recording
    needs checking, worst first."""

    blocks: list[MeasureBlock]
    aims: list[ProviderAimProgress]
    health: list[HealthLine]
    commentary: list[Comment]
    integrated: list[BoardRow]


def present_board(board: BoardFigures) -> Board:
    """Every row, aim, comment and reporting-health flag of the board in words."""
    suppress = board.suppressed
    blocks = [
        MeasureBlock(
            definition=b.definition,
            provider_row=board_row(b.provider_row, suppress=suppress or b.definition.suppress_outside_ward),
            ward_rows=[
                board_row(r, suppress=suppress or b.definition.suppress_outside_ward) for r in b.ward_rows
            ],
            provider_result=b.provider_result,
            provider_series=b.provider_series,
        )
        for b in board.blocks
    ]
    aims = [
        ProviderAimProgress(**{f.name: getattr(a, f.name) for f in dataclasses.fields(a)}, words=aim_words(a))
        for a in board.aims
    ]
    in_full = {ward_id: in_words(h) for ward_id, h in board.health.items()}
    return Board(
        provider=board.provider,
        since=board.since,
        until=board.until,
        wards=board.wards,
        blocks=blocks,
        aims=aims,
        suppressed=suppress,
        health=health_lines(board.wards, in_full, suppress=suppress),
        commentary=commentary(blocks),
        integrated=[
            board_row(r, suppress=suppress or r.definition.suppress_outside_ward) for r in board.integrated
        ],
    )


@dataclass(frozen=True, kw_only=True)
class WardChart(WardChartFigures):
    """One ward's chart of one measure, for its own page and its downloads."""

    row: BoardRow

    def shown_series(self) -> list[tuple[dt.date, ShownFigures, str]]:
        """Each month's figures as the reader may see them, with the bed days (or other denominator)."""
        out = []
        for r in self.series.itertuples(index=False):
            den = None if pd.isna(r.denominator) else float(r.denominator)
            shown = shown_figures(
                self.row.definition,
                None if pd.isna(r.numerator) else float(r.numerator),
                den,
                None if pd.isna(r.value) else float(r.value),
                suppress=self.suppressed,
            )
            out.append((pd.Timestamp(r.period).date(), shown, whole_number(den)))
        return out


def present_ward_chart(chart: WardChartFigures) -> WardChart:
    figures = {f.name: getattr(chart, f.name) for f in dataclasses.fields(chart)}
    figures["row"] = board_row(chart.row, suppress=chart.suppressed)
    return WardChart(**figures)


# --- charts ------------------------------------------------------------------------------------------


def provider_panels(board: Board) -> list[ChartPanel]:
    """The provider total's chart of each measure (none outside the provider: see the module docstring;
    none of a measure shown exactly only to the ward's own team, whose monthly points would be exact)."""
    if board.suppressed:
        return []
    return [
        chart_panel(
            block.provider_result,
            chart_id=f"chart-{block.definition.slug}",
            title=f"{board.provider.name}, all wards: {block.definition.name}",
            y_title=measure_y_title(block.definition),
            subject=f"{board.provider.name}, all wards",
            floor=block.definition.lowest_value,
        )
        for block in board.blocks
        if block.provider_result is not None and not block.definition.suppress_outside_ward
    ]


def ward_chart_panel(chart: WardChart, *, downloads: Sequence[tuple[str, str]] = ()) -> ChartPanel | None:
    """The ward chart's panel with the ward's events, or None where no chart is drawn (outside the
    provider, or no data)."""
    result = chart.row.result
    if chart.suppressed or result is None:
        return None
    definition = chart.row.definition
    return chart_panel(
        result,
        chart_id=f"chart-{definition.slug}",
        title=f"{chart.ward.name}: {definition.name}",
        y_title=measure_y_title(definition),
        events=chart.events,
        downloads=downloads,
        subject=chart.ward.name,
        floor=definition.lowest_value,
    )
