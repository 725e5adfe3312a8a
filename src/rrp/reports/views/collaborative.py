"""Pages of the reports app: collaborative. Views only authorise, call the reports services and render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_safe

from rrp.accounts.permissions import permission_required, require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import collaboratives_for
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.improvement.collaborative_services import may_lead
from rrp.measures.catalogue import measure
from rrp.organisations.models import Collaborative
from rrp.reports.collaborative import (
    collaborative_list_for,
    collaborative_report,
    collaborative_reporting_health,
    pooled_chart,
)
from rrp.reports.collaborative.adoption import adoption_comparison
from rrp.reports.collaborative.compute import POOLED_MEASURES, value_measures, value_pooled_figures
from rrp.reports.collaborative.exports import CSV_COLUMNS, collaborative_csv_rows
from rrp.reports.collaborative.presenters import value_pooled_panel
from rrp.reports.views.downloads import PictureKind, chart_picture_response, csv_download


def scoped_collaborative(request: HttpRequest, collaborative_id: int) -> Collaborative:
    """The collaborative if the person may open its page (403 without the permission); every page and
    download of a collaborative goes through here. Outside the user's scope is a 404, so a guessed id
    does not confirm the collaborative exists."""
    require_permission(request.user, Permission.COLLABORATIVE_VIEW)
    return get_object_or_404(collaboratives_for(request.user), pk=collaborative_id)


@require_safe
@permission_required(Permission.COLLABORATIVE_VIEW)
def collaborative_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "reports/collaborative_list.jinja",
        {"collaboratives": collaborative_list_for(request.user, today=today)},
    )


@require_safe
def collaborative_detail(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    """The collaborative page; ``?measure=`` adds the pooled chart of one entered or imported measure
    (issue 20), and a measure that is not one of them is a 404."""
    collaborative = scoped_collaborative(request, collaborative_id)
    today = timezone.localdate()
    choices = {d.slug: d for d in value_measures()}
    chosen = request.GET.get("measure")
    if chosen is not None and chosen not in choices:
        raise Http404
    values_panel = None
    if chosen is not None:
        figures = value_pooled_figures(
            collaborative, user=request.user, today=today, definition=choices[chosen]
        )
        values_panel = value_pooled_panel(collaborative, figures) if figures is not None else None
    report = collaborative_report(collaborative, user=request.user, today=today)
    return render(
        request,
        "reports/collaborative.jinja",
        {
            "report": report,
            "can_run": may_lead(request.user, collaborative),
            "value_measures": [(s, d.name) for s, d in choices.items()],
            "chosen": chosen,
            "values_panel": values_panel,
        },
    )


@require_safe
def collaborative_adoption(request: HttpRequest, collaborative_id: int, idea_id: int) -> HttpResponse:
    """A change idea's adopters against the other member wards on a pooled chart (``?measure=`` one of
    the pooled measures); 404 for an idea no member ward tested while a member, or another measure."""
    collaborative = scoped_collaborative(request, collaborative_id)
    slug = request.GET.get("measure") or POOLED_MEASURES[0]
    comparison = adoption_comparison(
        collaborative, user=request.user, today=timezone.localdate(), idea_id=idea_id, slug=slug
    )
    if comparison is None:
        raise Http404
    return render(
        request,
        "reports/collaborative_adoption.jinja",
        {"comparison": comparison, "measures": [(s, measure(s).name) for s in POOLED_MEASURES]},
    )


@require_safe
def collaborative_health(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    collaborative = scoped_collaborative(request, collaborative_id)
    health = collaborative_reporting_health(collaborative, user=request.user, today=timezone.localdate())
    return render(request, "reports/collaborative_health.jinja", {"health": health})


@require_safe
def collaborative_csv(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    """The member wards' figures as CSV, as the viewer sees them on the page; audited as an export."""
    collaborative = scoped_collaborative(request, collaborative_id)
    rows = collaborative_csv_rows(collaborative, user=request.user, today=timezone.localdate())
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        record_type="organisations.Collaborative",
        record_id=collaborative.pk,
        record_label=f"Collaborative wards CSV: {collaborative.name}",
        request=request,
        detail={"export": "collaborative_wards_csv", "rows": len(rows)},
    )
    return csv_download(rows, header=CSV_COLUMNS, filename=f"collaborative-{collaborative.pk}-wards.csv")


def _pooled_picture(
    request: HttpRequest, collaborative_id: int, measure: str, kind: PictureKind
) -> HttpResponse:
    """A pooled chart as SVG or PNG, drawn from the spec the page shows this viewer (so suppressed as
    it is); the page's own checks, so a collaborative the viewer cannot see is a 404; audited as an export."""
    collaborative = scoped_collaborative(request, collaborative_id)
    chart = pooled_chart(collaborative, user=request.user, today=timezone.localdate(), slug=measure)
    if chart is None:  # not a pooled measure, or a chart the page does not draw
        raise Http404
    label = f"Collaborative pooled chart {kind.upper()}: {collaborative.name}, {chart.definition.name}"
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        record_type="organisations.Collaborative",
        record_id=collaborative.pk,
        record_label=label[:200],
        request=request,
        detail={
            "export": f"collaborative_pooled_chart_{kind}",
            "measure": measure,
            "suppressed": chart.suppressed,
        },
    )
    return chart_picture_response(
        chart.panel.spec, kind=kind, filename=f"collaborative-{collaborative.pk}-{measure}"
    )


@require_safe
def collaborative_pooled_svg(request: HttpRequest, collaborative_id: int, measure: str) -> HttpResponse:
    return _pooled_picture(request, collaborative_id, measure, "svg")


@require_safe
def collaborative_pooled_png(request: HttpRequest, collaborative_id: int, measure: str) -> HttpResponse:
    return _pooled_picture(request, collaborative_id, measure, "png")


urlpatterns: list[URLPattern] = [
    path("collaboratives/", collaborative_list, name="collaborative-list"),
    path("collaboratives/<id:collaborative_id>/", collaborative_detail, name="collaborative"),
    path("collaboratives/<id:collaborative_id>/wards.csv", collaborative_csv, name="collaborative-csv"),
    path(
        "collaboratives/<id:collaborative_id>/pooled/<slug:measure>.svg",
        collaborative_pooled_svg,
        name="collaborative-pooled-svg",
    ),
    path(
        "collaboratives/<id:collaborative_id>/pooled/<slug:measure>.png",
        collaborative_pooled_png,
        name="collaborative-pooled-png",
    ),
    path(
        "collaboratives/<id:collaborative_id>/ideas/<id:idea_id>/",
        collaborative_adoption,
        name="collaborative-adoption",
    ),
    path(
        "collaboratives/<id:collaborative_id>/reporting-health/",
        collaborative_health,
        name="collaborative-health",
    ),
]
