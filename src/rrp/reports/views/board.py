"""Pages of the reports app: the provider board report, its PDF pack, chart pages and downloads. Views
only authorise, call ``reports.board`` and render. Recording and withdrawing a provider's aims are the
improvement app's pages (their old addresses here redirect there).

Who: ``Permission.BOARD_REPORT_VIEW`` (governance, commissioners, the regulator); anyone else gets 403.
Which provider and ward: from ``accounts.scope``, so one outside the person's scope is a 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import (
    has_permission,
    permission_required,
    require_permission,
    sees_unsuppressed,
)
from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_wards_for, providers_for, wards_for
from rrp.act.investigations import investigation_counts
from rrp.act.selectors import duties_for
from rrp.act.training import ward_compliance
from rrp.core.http import FORM_METHODS
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.measures.catalogue import MeasureDefinition, all_measures
from rrp.organisations.models import Provider, Ward
from rrp.reports import board as board_data
from rrp.reports.board import WardChart
from rrp.reports.board import exports as board_exports
from rrp.reports.board import presenters as board_presenters
from rrp.reports.panels import ChartPanel
from rrp.reports.views.downloads import chart_picture_response, csv_download
from rrp.segregation.oversight_selectors import oversight_figures
from rrp.spc import Chart


def scoped_provider(request: HttpRequest, provider_id: int) -> Provider:
    """The provider if the person may read its board: 403 without the permission, 404 outside their scope."""
    require_permission(request.user, Permission.BOARD_REPORT_VIEW)
    return get_object_or_404(providers_for(request.user), pk=provider_id)


def scoped_ward(request: HttpRequest, provider: Provider, ward_id: int) -> Ward:
    return get_object_or_404(wards_for(request.user).filter(provider_id=provider.pk), pk=ward_id)


def chartable_measure(slug: str) -> MeasureDefinition:
    definition = all_measures().get(slug)
    if definition is None or definition.default_chart in (Chart.G, Chart.T):
        raise Http404
    return definition


@require_safe
@permission_required(Permission.BOARD_REPORT_VIEW)
def board_index(request: HttpRequest) -> HttpResponse:
    providers = list(providers_for(request.user).order_by("name"))
    if len(providers) == 1:
        return redirect("reports:board", provider_id=providers[0].pk)
    return render(request, "reports/board_index.jinja", {"providers": providers})


@require_safe
def board(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = scoped_provider(request, provider_id)
    report = board_data.provider_board(request.user, provider, today=timezone.localdate())
    inside = sees_unsuppressed(request.user, provider.pk)
    return render(
        request,
        "reports/board.jinja",
        {
            "provider": provider,
            "board": report,
            "panels": board_presenters.provider_panels(report),
            "can_set_aims": has_permission(request.user, Permission.AIM_SET, provider=provider),
            "duties": duties_for(provider, today=timezone.localdate()),
            "investigations": investigation_counts(provider, today=timezone.localdate()),
            "oversight": oversight_figures(
                provider, patient_wards_for(request.user).filter(provider=provider)
            )
            if inside
            else None,
            # Safety checks overdue or missed, counted as the huddle counts them (issue 13 item 4).
            "safety_checks": board_data.safety_checks(request.user, provider),
            "safety_checks_hidden": board_exports.SAFETY_CHECKS_HIDDEN,
            "training": ward_compliance(
                wards_for(request.user).filter(provider=provider, closed_on__isnull=True).order_by("name"),
                day=timezone.localdate(),
            ),
        },
    )


def _export_audit(request: HttpRequest, provider: Provider, label: str, detail: dict[str, object]) -> None:
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        record_type="reports.BoardReport",
        record_id=provider.pk,
        record_label=label,
        provider_id=provider.pk,
        request=request,
        detail=detail,
    )


@require_safe
def board_csv(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = scoped_provider(request, provider_id)
    report = board_data.provider_board(request.user, provider, today=timezone.localdate())
    rows = board_exports.summary_rows(report, safety_checks=board_data.safety_checks(request.user, provider))
    _export_audit(
        request,
        provider,
        f"Board summary CSV: {provider.name}",
        {"export": "board_summary_csv", "rows": len(rows), "suppressed": report.suppressed},
    )
    return csv_download(
        rows, header=board_exports.SUMMARY_COLUMNS, filename=f"board-summary-{provider.ods_code}.csv"
    )


@require_safe
def board_pdf(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = scoped_provider(request, provider_id)
    report = board_data.provider_board(request.user, provider, today=timezone.localdate())
    pdf = board_exports.board_pack_pdf(
        report, generated_for=request.user, safety_checks=board_data.safety_checks(request.user, provider)
    )
    _export_audit(
        request,
        provider,
        f"Board pack PDF: {provider.name}",
        {"export": "board_pack_pdf", "wards": len(report.wards), "suppressed": report.suppressed},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="board-pack-{provider.ods_code}.pdf"'
    return response


def _ward_chart(request: HttpRequest, provider_id: int, ward_id: int, measure: str) -> WardChart:
    provider = scoped_provider(request, provider_id)
    ward = scoped_ward(request, provider, ward_id)
    definition = chartable_measure(measure)
    return board_data.ward_chart(request.user, provider, ward, definition, today=timezone.localdate())


def _panel(chart: WardChart, *, with_downloads: bool) -> ChartPanel | None:
    """The chart's panel (None where no chart is drawn), with its download links on its own page."""
    args = (chart.provider.pk, chart.ward.pk, chart.row.definition.slug)
    downloads = (
        [
            ("SVG", reverse("reports:board-chart-svg", args=args)),
            ("PNG", reverse("reports:board-chart-png", args=args)),
            ("CSV", reverse("reports:board-chart-csv", args=args)),
        ]
        if with_downloads
        else []
    )
    return board_presenters.ward_chart_panel(chart, downloads=downloads)


@require_safe
def board_chart(request: HttpRequest, provider_id: int, ward_id: int, measure: str) -> HttpResponse:
    chart = _ward_chart(request, provider_id, ward_id, measure)
    return render(
        request,
        "reports/board_chart.jinja",
        {
            "chart": chart,
            "panel": _panel(chart, with_downloads=True),
            "events": chart.events,
            "csv_url": reverse(
                "reports:board-chart-csv", args=(chart.provider.pk, chart.ward.pk, chart.row.definition.slug)
            ),
        },
    )


def _picture(
    request: HttpRequest, provider_id: int, ward_id: int, measure: str, *, kind: str
) -> HttpResponse:
    """A ward's chart as an SVG or PNG file, on the audit log like every other download of the board."""
    chart = _ward_chart(request, provider_id, ward_id, measure)
    panel = _panel(chart, with_downloads=False)
    if panel is None:  # outside the provider no picture of monthly points is given
        raise Http404
    _export_audit(
        request,
        chart.provider,
        f"Chart {kind.upper()}: {chart.ward.name}, {chart.row.definition.name}",
        {"export": f"board_chart_{kind}", "ward_id": chart.ward.pk, "measure": measure},
    )
    return chart_picture_response(panel.spec, kind=kind, filename=f"{measure}-{ward_id}")


@require_safe
def board_chart_svg(request: HttpRequest, provider_id: int, ward_id: int, measure: str) -> HttpResponse:
    return _picture(request, provider_id, ward_id, measure, kind="svg")


@require_safe
def board_chart_png(request: HttpRequest, provider_id: int, ward_id: int, measure: str) -> HttpResponse:
    return _picture(request, provider_id, ward_id, measure, kind="png")


@require_safe
def board_chart_csv(request: HttpRequest, provider_id: int, ward_id: int, measure: str) -> HttpResponse:
    chart = _ward_chart(request, provider_id, ward_id, measure)
    rows = board_exports.chart_rows(chart)
    _export_audit(
        request,
        chart.provider,
        f"Chart data CSV: {chart.ward.name}, {chart.row.definition.name}",
        {
            "export": "board_chart_csv",
            "ward_id": chart.ward.pk,
            "measure": measure,
            "rows": len(rows),
            "suppressed": chart.suppressed,
        },
    )
    return csv_download(rows, header=board_exports.CHART_COLUMNS, filename=f"{measure}-{chart.ward.code}.csv")


def _moved_to_improvement(name: str):
    """The aim pages moved to the improvement app (with the rest of improvement); their old addresses
    redirect there, keeping a form's POST (308)."""

    @require_http_methods(FORM_METHODS)
    def view(request: HttpRequest, **kwargs: int) -> HttpResponse:
        return redirect(name, permanent=True, preserve_request=True, **kwargs)

    return view


_chart = "board/<id:provider_id>/wards/<id:ward_id>/<slug:measure>"
urlpatterns: list[URLPattern] = [
    path("board/", board_index, name="board-index"),
    path("board/<id:provider_id>/", board, name="board"),
    path("board/<id:provider_id>/pdf/", board_pdf, name="board-pdf"),
    path("board/<id:provider_id>/summary.csv", board_csv, name="board-csv"),
    path(
        "board/<id:provider_id>/aims/new/",
        _moved_to_improvement("improvement:provider-aim-new"),
        name="board-aim-new",
    ),
    path(
        "board/<id:provider_id>/aims/<id:aim_id>/withdraw/",
        _moved_to_improvement("improvement:provider-aim-withdraw"),
        name="board-aim-withdraw",
    ),
    path(f"{_chart}/", board_chart, name="board-chart"),
    path(f"{_chart}.svg", board_chart_svg, name="board-chart-svg"),
    path(f"{_chart}.png", board_chart_png, name="board-chart-png"),
    path(f"{_chart}.csv", board_chart_csv, name="board-chart-csv"),
]
