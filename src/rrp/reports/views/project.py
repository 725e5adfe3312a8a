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
from rrp.reports.project import ROLE_WORDS, project_charts


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
        },
    )


urlpatterns: list[URLPattern] = [path("projects/<id:project_id>/", qi_project, name="qi-project")]
