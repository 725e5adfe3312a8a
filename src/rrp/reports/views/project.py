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
from rrp.improvement import project_selectors
from rrp.improvement.models import PROGRESS_SCORES
from rrp.reports.project import ROLE_WORDS, cycle_window, project_charts


@require_safe
@permission_required(Permission.WARD_VIEW)
def qi_project(request: HttpRequest, project_id: int) -> HttpResponse:
    """One project: 404 unless one of its wards is in the person's scope."""
    project = project_selectors.project_for(request.user, project_id)
    if project is None:
        raise Http404
    aim, charts = project_charts(project, user=request.user, today=timezone.localdate())
    scores = project_selectors.scores(project)
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
            "scores": scores,
            "latest": scores[0] if scores else None,
            "score_meanings": PROGRESS_SCORES,
            "can_manage": project_selectors.may_manage(request.user, project),
            "cycles": project_selectors.cycles_of(project),
            "diagram": next(iter(project_selectors.diagram_versions(project)), None),
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
