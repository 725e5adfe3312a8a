"""The page of a quality-improvement project: its aim, team, progress score and the SPC charts of its
measures with the aim line and its wards' events (issue 14, item 1). Drawn here because charts are the
reports layer's; the project's forms are ``improvement.views_projects``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_safe

from rrp.accounts.permissions import permission_required
from rrp.accounts.roles import Permission
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.improvement import project_selectors
from rrp.improvement.diagram_drawing import diagram_svg
from rrp.improvement.models import PROGRESS_SCORES, DriverDiagramVersion, PdsaCycle, QiProject
from rrp.reports.own_data import saved_series_charts
from rrp.reports.project import ROLE_WORDS, cycle_window, project_charts
from rrp.reports.project_summary import project_summary_pdf
from rrp.reports.views.downloads import csv_download


@require_safe
@permission_required(Permission.WARD_VIEW)
def qi_project(request: HttpRequest, project_id: int) -> HttpResponse:
    """One project: 404 unless one of its wards is in the person's scope."""
    project = project_selectors.project_for(request.user, project_id)
    if project is None:
        raise Http404
    aim, charts = project_charts(project, user=request.user, today=timezone.localdate())
    scores = project_selectors.scores(project)
    diagram = next(iter(project_selectors.diagram_versions(project)), None)
    aim_text = aim.statement if aim else project.title
    return render(
        request,
        "reports/qi_project.jinja",
        {
            "project": project,
            "wards": list(project.wards.all()),
            "aim": aim,
            "charts": charts,
            "role_words": ROLE_WORDS,
            "team": project_selectors.team(project),
            "milestones": [m for m in project_selectors.milestones_of(project) if m.withdrawn_at is None],
            "saved_series": saved_series_charts(project),
            "scores": scores,
            "latest": scores[0] if scores else None,
            "score_meanings": PROGRESS_SCORES,
            "can_manage": project_selectors.may_manage(request.user, project),
            "cycles": project_selectors.cycles_of(project),
            "diagram": diagram,
            # The theory drawn as on the diagram's own page; the nested list below it is the accessible one.
            "drawing": diagram_svg(diagram.content, aim_text) if diagram else None,
            "cycles_by_idea": project_selectors.cycles_by_idea(project),
        },
    )


urlpatterns: list[URLPattern] = [path("projects/<id:project_id>/", qi_project, name="qi-project")]


@require_safe
@permission_required(Permission.WARD_VIEW)
def qi_cycle(request: HttpRequest, project_id: int, cycle_id: int) -> HttpResponse:
    """One PDSA cycle: plan, do, study and act, its ramp, and the project's charts for its period."""
    project = project_selectors.project_for(request.user, project_id)
    cycle = project_selectors.cycle_of(project, cycle_id) if project is not None else None
    if cycle is None:
        raise Http404
    today = timezone.localdate()
    window = cycle_window(cycle, today=today)
    _aim, charts = project_charts(project, user=request.user, today=today, window=window)
    return render(
        request,
        "reports/qi_cycle.jinja",
        {
            "project": project,
            "cycle": cycle,
            "wards": list(cycle.wards.order_by("name")),
            "ramp": project_selectors.ramp_of(cycle),
            "charts": charts,
            "window": window,
            "role_words": ROLE_WORDS,
            "can_manage": project_selectors.may_manage(request.user, project),
        },
    )


urlpatterns.append(path("projects/<id:project_id>/cycles/<id:cycle_id>/", qi_cycle, name="qi-cycle"))


# --- The project's PDSA cycles as CSV (issue 14, item 9) --------------------------------------------

CYCLE_CSV_COLUMNS = [
    "Cycle",
    "Title",
    "Follows cycle",
    "Change idea",
    "Wards",
    "Starts",
    "Ends",
    "Stage",
    "Question",
    "Prediction",
    "Who, what, when, where",
    "What will be measured",
    "What happened",
    "Observations",
    "Study",
    "Decision",
    "Next steps",
    "Withdrawn reason",
]


def cycle_csv_row(cycle: PdsaCycle) -> list[object]:
    """One cycle as a row of the CSV: plan, do, study and act in the words the team wrote."""
    return [
        cycle.number,
        cycle.title,
        cycle.previous.number if cycle.previous else "",
        cycle.change_idea.title if cycle.change_idea else "",
        "; ".join(w.name for w in cycle.wards.all()),
        cycle.starts_on.isoformat(),
        cycle.ends_on.isoformat() if cycle.ends_on else "",
        cycle.stage,
        cycle.objective,
        cycle.prediction,
        cycle.plan_details,
        cycle.data_to_collect,
        cycle.what_happened,
        cycle.observations,
        cycle.study,
        cycle.get_decision_display() if cycle.decision else "",
        cycle.next_steps,
        cycle.withdrawn_reason,
    ]


@require_safe
@permission_required(Permission.WARD_VIEW)
def qi_cycles_csv(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's PDSA cycles as CSV (safe to open in a spreadsheet, decision 0019), for a QI board or
    another QI tool; scoped as the project's page (404 outside) and audited as an export."""
    project = project_selectors.project_for(request.user, project_id)
    if project is None:
        raise Http404
    rows = [cycle_csv_row(c) for c in project_selectors.cycles_of(project)]
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        record=project,
        provider_id=project.provider_id,
        request=request,
        detail={"export": "pdsa_cycles_csv", "rows": len(rows)},
    )
    return csv_download(rows, header=CYCLE_CSV_COLUMNS, filename=f"project-{project.pk}-pdsa-cycles.csv")


urlpatterns.append(path("projects/<id:project_id>/cycles.csv", qi_cycles_csv, name="qi-cycles-csv"))


@require_safe
@permission_required(Permission.WARD_VIEW)
def qi_project_pdf(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's one-page summary for a QI board (PDF), scoped and suppressed as the project's page
    (404 outside it) and audited as an export."""
    project = project_selectors.project_for(request.user, project_id)
    if project is None:
        raise Http404
    pdf = project_summary_pdf(project, user=request.user, today=timezone.localdate())
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        record=project,
        provider_id=project.provider_id,
        request=request,
        detail={"export": "qi_project_summary_pdf"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="project-{project.pk}-summary.pdf"'
    return response


urlpatterns.append(path("projects/<id:project_id>/summary.pdf", qi_project_pdf, name="qi-project-pdf"))


DIAGRAM_CSV_COLUMNS = ["Primary driver", "Secondary driver", "Change idea", "In the change package"]


def _diagram_version(request: HttpRequest, project_id: int) -> tuple[QiProject, DriverDiagramVersion]:
    """The project (404 outside the person's scope) and the version asked for (``?version=``, else the
    latest; 404 when there is none)."""
    project = project_selectors.project_for(request.user, project_id)
    if project is None:
        raise Http404
    versions = project_selectors.diagram_versions(project)
    asked = request.GET.get("version", "")
    chosen = (
        next((v for v in versions if str(v.number) == asked), None) if asked else next(iter(versions), None)
    )
    if chosen is None:
        raise Http404
    return project, chosen


def _diagram_export(
    request: HttpRequest, project: QiProject, version: DriverDiagramVersion, kind: str
) -> None:
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        record=project,
        provider_id=project.provider_id,
        request=request,
        detail={"export": f"driver_diagram_{kind}", "version": version.number},
    )


def diagram_csv_rows(content: dict) -> list[list[str]]:
    """The diagram as rows: one per change idea, or per driver with nothing under it."""
    rows: list[list[str]] = []
    for primary in content.get("primary", []):
        if not primary.get("secondary"):
            rows.append([primary["text"], "", "", ""])
        for secondary in primary.get("secondary", []):
            if not secondary.get("ideas"):
                rows.append([primary["text"], secondary["text"], "", ""])
            for idea in secondary.get("ideas", []):
                linked = "Yes" if idea.get("idea_id") else "No"
                rows.append([primary["text"], secondary["text"], idea["text"], linked])
    return rows


@require_safe
@permission_required(Permission.WARD_VIEW)
def qi_diagram_svg(request: HttpRequest, project_id: int) -> HttpResponse:
    """The driver diagram drawn (the version shown, ``?version=``) as an SVG file, for slides and reports;
    scoped as the project's page (404 outside) and audited as an export."""
    project, version = _diagram_version(request, project_id)
    aim = project_selectors.aim_of(project)
    svg = diagram_svg(version.content, aim.statement if aim else project.title, standalone=True)
    _diagram_export(request, project, version, "svg")
    response = HttpResponse(str(svg), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="project-{project.pk}-driver-diagram-v{version.number}.svg"'
    )
    return response


@require_safe
@permission_required(Permission.WARD_VIEW)
def qi_diagram_csv(request: HttpRequest, project_id: int) -> HttpResponse:
    """The driver diagram (the version shown) as CSV, one row per change idea, safe to open in a
    spreadsheet (decision 0019); scoped and audited as the SVG."""
    project, version = _diagram_version(request, project_id)
    rows = diagram_csv_rows(version.content)
    _diagram_export(request, project, version, "csv")
    return csv_download(
        rows,
        header=DIAGRAM_CSV_COLUMNS,
        filename=f"project-{project.pk}-driver-diagram-v{version.number}.csv",
    )


urlpatterns.append(path("projects/<id:project_id>/driver-diagram.svg", qi_diagram_svg, name="qi-diagram-svg"))
urlpatterns.append(path("projects/<id:project_id>/driver-diagram.csv", qi_diagram_csv, name="qi-diagram-csv"))
