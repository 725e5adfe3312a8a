"""A QI project's one-page summary for a QI board (issue 14, item 9), as PDF: the aim, the progress score
history, each measure's latest SPC status with a small chart, the team's own saved series drawn small, the
PDSA cycles, the milestones and the driver diagram in outline. Drawn by WeasyPrint from HTML, as the board pack is (``reports.board.exports``); the charts are the
project page's own (``reports.project.project_charts``), so a commissioner's summary is suppressed as their
page is.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone

from rrp.accounts.models import User
from rrp.charts.spc_chart import chart_to_svg
from rrp.improvement import project_selectors
from rrp.improvement.models import QiProject
from rrp.reports.own_data import saved_series_charts
from rrp.reports.project import ProjectChart, project_charts

if TYPE_CHECKING:
    from weasyprint.document import Document


@dataclass(frozen=True)
class SummaryChart:
    title: str
    role: str
    status: list[str]  # the Making Data Count icons' words: variation, then assurance
    svg_uri: str | None  # None where there are no figures to chart


def _summary_chart(chart: ProjectChart) -> SummaryChart:
    if chart.panel is None:
        return SummaryChart(chart.definition.name, chart.role, ["No figures to chart yet"], None)
    return SummaryChart(
        title=chart.panel.title,
        role=chart.role,
        status=[icon.words for icon in chart.panel.icons],
        svg_uri=_svg_uri(chart.panel.spec),
    )


@dataclass(frozen=True)
class SummarySeries:
    """A series the team saved from "Chart your own data" (decision 0074), drawn small as on its page."""

    title: str
    saved_at: dt.datetime
    svg_uris: list[str]
    problem: str  # why the stored data no longer reads, where it does not


def _svg_uri(spec: dict[str, object]) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(chart_to_svg(spec).encode()).decode()


def _summary_series(project: QiProject) -> list[SummarySeries]:
    return [
        SummarySeries(
            title=saved.series.title,
            saved_at=saved.series.saved_at,
            svg_uris=[_svg_uri(panel.spec) for panel in saved.panels],
            problem=saved.problem,
        )
        for saved in saved_series_charts(project)
    ]


def project_summary_html(
    project: QiProject, *, user: User, today: dt.date, generated_at: dt.datetime | None = None
) -> str:
    """The summary as one HTML document (A4 portrait, one page for a typical project)."""
    aim, charts = project_charts(project, user=user, today=today)
    diagram = next(iter(project_selectors.diagram_versions(project)), None)
    scores = project_selectors.scores(project)
    return render_to_string(
        "reports/qi_project_print.jinja",
        {
            "project": project,
            "wards": list(project.wards.order_by("name")),
            "aim": aim,
            "charts": [_summary_chart(c) for c in charts],
            "scores": scores,
            "cycles": project_selectors.cycles_of(project),
            "milestones": project_selectors.milestones_of(project),
            "series": _summary_series(project),
            "diagram": diagram,
            "generated_for": user,
            "generated_at": generated_at or timezone.now(),
        },
    )


def project_summary_document(project: QiProject, *, user: User, today: dt.date) -> Document:
    """The summary laid out by WeasyPrint (its pages, before writing): the PDF and the tests read this."""
    import weasyprint

    html = project_summary_html(project, user=user, today=today)
    return weasyprint.HTML(string=html, base_url=None).render()


def project_summary_pdf(project: QiProject, *, user: User, today: dt.date) -> bytes:
    """The summary as PDF bytes (nothing is fetched from the network)."""
    return project_summary_document(project, user=user, today=today).write_pdf()
