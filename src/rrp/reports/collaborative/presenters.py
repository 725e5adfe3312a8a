"""The collaborative view in words and pictures: what a viewer sees depends on where they stand
(``accounts.permissions.sees_unsuppressed``):

- a ward whose provider the viewer is *inside* (its governance team) or the regulator sees it by name
  with exact figures;
- every other ward is shown under a stable pseudonym ("Ward 007", numbered in the order wards joined
  the collaborative, so it says nothing about the provider) with its region, and its figures pass
  NHS Digital's disclosure control (``measures.suppression``): counts under 5 hidden, other counts
  rounded to the nearest 5, rates hidden where their count is and otherwise rounded to whole numbers;
- the pooled figures mix providers, so they are suppressed for anyone who does not see every member
  provider unsuppressed (everyone but the regulator).

A pooled chart's SVG and PNG downloads (``pooled_chart``) are drawn by the same function as the page's
chart, so they are exactly as suppressed as the page is for that viewer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.urls import reverse
from markupsafe import Markup

from rrp.accounts.models import User
from rrp.charts.spc_chart import POINT_TYPE_WORDS, Event
from rrp.core.formatting import (
    SUPPRESSED_MARK,
    decimal,
    figure_html,
    month_span,
    month_year,
    percent,
    whole_number,
)
from rrp.improvement.collaborative_selectors import learning_notes
from rrp.improvement.models import ImprovementAim
from rrp.measures.catalogue import Combine, Denominator, MeasureDefinition
from rrp.measures.suppression import suppress_counts, suppress_rates
from rrp.organisations.models import Collaborative
from rrp.reports.collaborative.compute import (
    OVERDISPERSION_MIN_WARDS,
    CollaborativeAimFigures,
    CollaborativeFigures,
    FunnelFigures,
    Member,
    PooledFigures,
    members_health,
    pooled_chart_figures,
)
from rrp.reports.panels import ChartPanel, chart_panel, funnel_panel, measure_y_title
from rrp.reports.reporting_health import FlagCode
from rrp.reports.reporting_health.presenters import in_words

NONE_TEXT = "none"


def count_text(value: float, *, suppress: bool) -> str:
    """A count as the viewer may see it: exact, or NHS Digital's (hidden under 5, else nearest 5)."""
    if not np.isfinite(value):
        return NONE_TEXT
    if suppress:
        shown = suppress_counts([value])[0]
        return SUPPRESSED_MARK if np.isnan(shown) else whole_number(shown)
    return whole_number(value)


def rate_text(rate: float, *, count: float, suppress: bool, places: int = 1) -> str:
    """A rate computed from exact figures: hidden where its count is, else rounded (whole numbers
    outside the provider, as NHS Digital publishes them)."""
    if not np.isfinite(rate):
        return NONE_TEXT
    if suppress:
        shown = suppress_rates([rate], counts=[count])[0]
        return SUPPRESSED_MARK if np.isnan(shown) else whole_number(shown)
    return decimal(rate, places)


def change_text(change: float, *, hidden: bool) -> str:
    if not np.isfinite(change):
        return NONE_TEXT
    return SUPPRESSED_MARK if hidden else percent(change, signed=True)


# --------------------------------------------------------------------------------------------------
# Pooled charts


COUNT_LABELS = {
    "interventions": "Restrictive interventions",
    "people": "People restrained",
}


def _count_label(definition: MeasureDefinition) -> str:
    if definition.slug.startswith("prone"):
        return "Prone restraints"
    return COUNT_LABELS.get(definition.numerator.counts.value, "Count")


def _point_words(point_type: str, *, hidden: bool) -> str:
    if point_type:
        return POINT_TYPE_WORDS.get(point_type, point_type)
    return SUPPRESSED_MARK if hidden else "missing"


def _denominator_label(definition: MeasureDefinition) -> str:
    """The table's second figure: the rate's denominator, or for a measure without one the wards pooled."""
    if definition.denominator is Denominator.OCCUPIED_BED_DAYS:
        return "Occupied bed days"
    if definition.denominator is Denominator.NONE:
        return "Wards giving a value"
    return "Denominator"


def _pooled_table_html(figures: PooledFigures, *, caption: str) -> str:
    result, shown, pooled, suppress = figures.result, figures.shown, figures.pooled, figures.suppressed
    definition = figures.definition
    level = definition.combine is Combine.MEAN  # a mean of the wards' levels, not a count
    no_denominator = definition.denominator is Denominator.NONE
    heads = [
        "Month",
        "Mean of the wards' values" if level else _count_label(definition),
        _denominator_label(definition),
        "Rate",
        "Centre",
        "Lower limit",
        "Upper limit",
        "Point",
    ]
    out = [f'<table class="nhsuk-table rrp-spc-table"><caption>{html.escape(caption)}</caption><thead><tr>']
    out.extend(f'<th scope="col">{html.escape(h)}</th>' for h in heads)
    out.append("</tr></thead><tbody>")
    types = shown.point_type_labels()
    for i, row in enumerate(pooled.itertuples(index=False)):
        count = float(row.numerator) if np.isfinite(row.numerator) else np.nan
        cells = [
            month_year(pd.Timestamp(row.period)),
            decimal(count) or NONE_TEXT if level else count_text(count, suppress=suppress),
            str(row.wards) if no_denominator else count_text(float(row.denominator), suppress=suppress),
            rate_text(float(result.value[i]), count=count if np.isfinite(count) else 0, suppress=suppress),
            decimal(result.centre[i]) or NONE_TEXT,
            decimal(result.lower_limit[i]) or NONE_TEXT,
            decimal(result.upper_limit[i]) or NONE_TEXT,
            _point_words(str(types[i]), hidden=suppress and np.isfinite(count) and count < 5),
        ]
        out.append(
            f'<tr><th scope="row">{html.escape(cells[0])}</th>'
            + "".join(f"<td>{figure_html(c)}</td>" for c in cells[1:])
            + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def pooled_title(definition: MeasureDefinition) -> str:
    return f"{definition.name}, all member wards pooled"


def pooled_downloads(collaborative_id: int, slug: str) -> list[tuple[str, str]]:
    """The links under a pooled chart to its SVG and PNG (the board's downloads macro shows them)."""
    args = (collaborative_id, slug)
    return [
        ("SVG", reverse("reports:collaborative-pooled-svg", args=args)),
        ("PNG", reverse("reports:collaborative-pooled-png", args=args)),
    ]


def pooled_panel(
    figures: PooledFigures,
    *,
    title: str,
    downloads: Sequence[tuple[str, str]] = (),
    events: Sequence[Event] = (),
) -> ChartPanel:
    """The collaborative's own chart of a rate measure as this viewer may see it, with its data table and
    ``events`` (the learning sets) as markers."""
    definition = figures.definition
    panel = chart_panel(
        figures.shown,
        chart_id=f"pooled-{definition.slug}",
        title=title,
        y_title=measure_y_title(definition),
        downloads=downloads,
        events=events,
        floor=definition.lowest_value,
    )
    table = _pooled_table_html(figures, caption=f"Data behind the chart: {title}")
    return dataclasses.replace(panel, table_html=Markup(table))


def value_pooled_panel(collaborative: Collaborative, figures: PooledFigures) -> ChartPanel:
    """The pooled chart of an entered or imported measure as the page draws it (the collaborative's
    learning sets as markers), with its SVG and PNG downloads like every other chart: the page and the
    downloads both draw through here (``pooled_chart``), so a picture is never less suppressed."""
    slug = figures.definition.slug
    return dataclasses.replace(
        pooled_panel(
            figures,
            title=pooled_title(figures.definition),
            downloads=pooled_downloads(collaborative.pk, slug),
            events=learning_set_events(collaborative),
        ),
        chart_id=f"values-{slug}",
    )


def learning_set_events(collaborative: Collaborative) -> list[Event]:
    """The collaborative's learning-set notes as chart markers (one query)."""
    return [Event(note.held_on, note.label) for note in learning_notes(collaborative.pk)]


def collaborative_pooled_panel(
    collaborative: Collaborative, figures: PooledFigures, events: Sequence[Event] | None = None
) -> ChartPanel:
    """A pooled chart as the page draws it, with its downloads: the page and the downloads both draw
    through here, so a download is never less suppressed than the chart on the page. The collaborative's
    learning-set notes are its markers (they belong to the collaborative, not to a ward)."""
    return pooled_panel(
        figures,
        title=pooled_title(figures.definition),
        downloads=pooled_downloads(collaborative.pk, figures.definition.slug),
        events=learning_set_events(collaborative) if events is None else events,
    )


@dataclass(frozen=True)
class PooledChart:
    """One pooled chart as this viewer sees it on the page, for its downloads."""

    collaborative: Collaborative
    definition: MeasureDefinition
    panel: ChartPanel
    suppressed: bool


def pooled_chart(
    collaborative: Collaborative, *, user: User, today: dt.date, slug: str
) -> PooledChart | None:
    """The pooled chart of ``slug`` exactly as the collaborative page draws it for this viewer, or None
    where the page draws none (``compute.pooled_chart_figures``)."""
    figures = pooled_chart_figures(collaborative, user=user, today=today, slug=slug)
    if figures is None:
        return None
    from_values = figures.definition.from_values
    return PooledChart(
        collaborative=collaborative,
        definition=figures.definition,
        panel=(value_pooled_panel if from_values else collaborative_pooled_panel)(collaborative, figures),
        suppressed=figures.suppressed,
    )


# --------------------------------------------------------------------------------------------------
# Funnel of wards


@dataclass(frozen=True)
class WardFigures:
    """A member's last 12 months of the funnel measure, as this viewer may see them."""

    member: Member
    count: str
    bed_days: str
    rate: str
    position: str


@dataclass(frozen=True)
class Funnel:
    panel: ChartPanel | None
    hidden: int  # wards left off because their count is suppressed for this viewer
    without_bed_days: int
    rows: list[WardFigures]
    months: tuple[dt.date, dt.date] | None
    overdispersion: bool = False  # limits widened for over-dispersion (enough wards to estimate it)


def ward_funnel(figures: FunnelFigures) -> Funnel:
    """The funnel of member wards as this viewer may see it: the plot, its words and a row per ward."""
    rows = []
    for ward in figures.wards:
        position = POINT_TYPE_WORDS.get(ward.point_type, "")
        if ward.hidden:
            position = SUPPRESSED_MARK
        elif not ward.outside and np.isfinite(ward.rate):
            position = "within the 99.8% limits"
        rows.append(
            WardFigures(
                member=ward.member,
                count=count_text(ward.count, suppress=ward.suppress),
                bed_days=count_text(ward.bed_days, suppress=ward.suppress),
                rate=rate_text(ward.rate, count=ward.count, suppress=ward.suppress),
                position=position,
            )
        )
    if figures.shown is None or figures.months is None:
        return Funnel(None, 0, figures.without_bed_days, rows, None)
    first, last = figures.months
    hidden = figures.hidden
    method = (
        "Limits widened for over-dispersion between wards."
        if len(figures.wards) >= OVERDISPERSION_MIN_WARDS
        else "Poisson limits (too few wards to estimate over-dispersion)."
    )
    extra = method + (
        f" {hidden} ward{'s are' if hidden != 1 else ' is'} not drawn because {'their' if hidden != 1 else 'its'} "
        "count is suppressed."
        if hidden
        else ""
    )
    definition = figures.definition
    panel = funnel_panel(
        figures.shown,
        chart_id="funnel-wards",
        title=f"{definition.name} by ward, {month_span(first, last)}",
        y_title=measure_y_title(definition),
        x_title="Occupied bed days",
        count_label=_count_label(definition),
        unit_label="Ward",
        description_extra=extra,
    )
    return Funnel(panel, hidden, figures.without_bed_days, rows, figures.months, figures.overdispersion)


# --------------------------------------------------------------------------------------------------
# Progress toward the aim, from each ward's joining date


@dataclass(frozen=True)
class WardProgress:
    member: Member
    baseline: tuple[dt.date, dt.date]
    since: tuple[dt.date, dt.date] | None
    baseline_count: str
    baseline_rate: str
    since_count: str
    since_rate: str
    change: str
    met: bool | None  # None when hidden or not computable


@dataclass(frozen=True)
class CollaborativeAimProgress:
    aim: ImprovementAim
    definition: MeasureDefinition
    months: int
    rows: list[WardProgress]
    pooled_baseline_rate: str
    pooled_since_rate: str
    pooled_baseline_count: str
    pooled_since_count: str
    pooled_change: str
    pooled_met: bool | None
    target_change: int


def aim_progress_shown(progress: CollaborativeAimFigures) -> CollaborativeAimProgress:
    """The aim's progress as this viewer may see it, ward by ward and pooled."""
    rows = [
        WardProgress(
            member=w.member,
            baseline=w.baseline,
            since=w.since,
            baseline_count=count_text(w.baseline_count, suppress=w.suppress),
            baseline_rate=rate_text(w.baseline_rate, count=w.baseline_count, suppress=w.suppress),
            since_count=count_text(w.since_count, suppress=w.suppress) if w.since else NONE_TEXT,
            since_rate=rate_text(w.since_rate, count=w.since_count, suppress=w.suppress),
            change=change_text(w.change, hidden=w.hidden),
            met=w.met,
        )
        for w in progress.wards
    ]
    suppress = progress.pooled_suppressed
    return CollaborativeAimProgress(
        aim=progress.aim,
        definition=progress.definition,
        months=progress.months,
        rows=rows,
        pooled_baseline_rate=rate_text(
            progress.pooled_baseline_rate, count=progress.pooled_baseline_count, suppress=suppress
        ),
        pooled_since_rate=rate_text(
            progress.pooled_since_rate, count=progress.pooled_since_count, suppress=suppress
        ),
        pooled_baseline_count=count_text(progress.pooled_baseline_count, suppress=suppress),
        pooled_since_count=count_text(progress.pooled_since_count, suppress=suppress),
        pooled_change=change_text(progress.pooled_change, hidden=progress.pooled_hidden),
        pooled_met=progress.pooled_met,
        target_change=progress.target_change,
    )


# --------------------------------------------------------------------------------------------------
# The whole page


@dataclass(frozen=True)
class CollaborativeReport:
    collaborative: Collaborative
    members: list[Member]
    pooled_panels: list[ChartPanel]
    funnel: Funnel
    aims: list[CollaborativeAimProgress]
    pooled_suppressed: bool
    any_pseudonymised: bool
    window: tuple[dt.date, dt.date]
    spread: list = dataclasses.field(default_factory=list)  # IdeaSpread: the change ideas members tested


def present_collaborative(report: CollaborativeFigures) -> CollaborativeReport:
    """Everything on the collaborative page, as this viewer may see it."""
    events = learning_set_events(report.collaborative)
    return CollaborativeReport(
        collaborative=report.collaborative,
        members=report.members,
        pooled_panels=[collaborative_pooled_panel(report.collaborative, p, events) for p in report.pooled],
        funnel=ward_funnel(report.funnel),
        aims=[aim_progress_shown(a) for a in report.aims],
        pooled_suppressed=report.pooled_suppressed,
        any_pseudonymised=report.any_pseudonymised,
        window=report.window,
    )


# --------------------------------------------------------------------------------------------------
# Reporting health of the member wards

# What each flag means, without the ward's own figures, for wards shown under a pseudonym: the flags'
# own words quote counts (records, incidents) that are under 5 more often than not.
GENERIC_FLAG_WORDS = {
    FlagCode.VOLUME_DROP: "Fewer incidents recorded than the ward's own history makes likely.",
    FlagCode.SILENT: "No incident recorded for longer than the ward's rate makes likely.",
    FlagCode.INCOMPLETE: "Records missing items the Use of Force Act requires.",
    FlagCode.LATE: "Records submitted more than 72 hours after the incident.",
    FlagCode.UNSUBMITTED: "Records not yet submitted more than 72 hours after the incident.",
    FlagCode.MISSING_BED_DAYS: "Months without occupied bed days, so no rate.",
}


@dataclass(frozen=True)
class MemberHealth:
    member: Member
    severity: str | None
    flags: list[str]


@dataclass(frozen=True)
class CollaborativeHealth:
    collaborative: Collaborative
    rows: list[MemberHealth]  # flagged wards first (high, medium, low), then the rest
    counts: dict[str, int]  # wards with each flag, by the flag's generic words
    any_pseudonymised: bool


def collaborative_reporting_health(
    collaborative: Collaborative, *, user: User, today: dt.date
) -> CollaborativeHealth:
    """Every current member's reporting health: the flags in the ward's own words where the viewer sees
    the ward by name, and in general words (no counts) where it is pseudonymised."""
    members = members_health(collaborative, user=user, today=today)
    order = {"high": 0, "medium": 1, "low": 2, None: 3}
    rows = []
    counts: dict[str, int] = {}
    for m, figures in members:
        found = None if figures is None else in_words(figures)
        flags = found.flags if found else []
        for code in {f.code for f in flags}:
            counts[GENERIC_FLAG_WORDS[code]] = counts.get(GENERIC_FLAG_WORDS[code], 0) + 1
        words = [f.words if m.named else GENERIC_FLAG_WORDS[f.code] for f in flags]
        worst = found.worst.value if found and found.worst else None
        rows.append(MemberHealth(member=m, severity=worst, flags=list(dict.fromkeys(words))))
    rows.sort(key=lambda r: order[r.severity])
    return CollaborativeHealth(
        collaborative=collaborative,
        rows=rows,
        counts=dict(sorted(counts.items(), key=lambda kv: -kv[1])),
        any_pseudonymised=any(not m.named for m, _ in members),
    )
