"""A QI project's one-page summary for a QI board (issue 14, item 9), as PDF: the aim, the progress score
history, each measure's latest SPC status with a small chart, the PDSA cycles and the driver diagram in
outline. Drawn by WeasyPrint from HTML, as the board pack is (``reports.board.exports``); the charts are the
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
    svg = chart_to_svg(chart.panel.spec)
    return SummaryChart(
        title=chart.panel.title,
        role=chart.role,
        status=[icon.words for icon in chart.panel.icons],
        svg_uri="data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
    )


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
