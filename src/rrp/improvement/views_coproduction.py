"""Pages of a project's co-production log and comments (issue 15 item 5, decision 0071).

Read by whoever reads the project (404 outside its scope); written by those who run it and by the
people on its team now whose role takes part (an expert by experience above all: 403 for anyone else).
Views only authorise, call the services, and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import permission_required
from rrp.accounts.roles import Permission
from rrp.core.forms import apply_errors
from rrp.core.http import FORM_METHODS
from rrp.improvement import coproduction_services as services
from rrp.improvement import project_selectors as selectors
from rrp.improvement.coproduction_forms import CommentForm, CoproductionForm
from rrp.improvement.models import QiProject


def _project(request: HttpRequest, project_id: int) -> QiProject:
    project = selectors.project_for(request.user, project_id)
    if project is None:
        raise Http404
    return project


def _contributing_project(request: HttpRequest, project_id: int) -> QiProject:
    project = _project(request, project_id)
    if not services.may_contribute(request.user, project):
        raise PermissionDenied
    return project


@require_safe
@permission_required(Permission.WARD_VIEW)
def coproduction(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's co-production log and its team's comments."""
    project = _project(request, project_id)
    may_contribute = services.may_contribute(request.user, project)
    return render(
        request,
        "improvement/coproduction.jinja",
        {
            "project": project,
            "entries": services.coproduction_log(project),
            "comments": services.comments_of(project),
            "may_contribute": may_contribute,
            "comment_form": CommentForm() if may_contribute else None,
        },
    )


@require_http_methods(FORM_METHODS)
def coproduction_new(request: HttpRequest, project_id: int) -> HttpResponse:
    """Add to the co-production log: who took part, how, in what, what changed, how recognised."""
    project = _contributing_project(request, project_id)
    candidates = services.credited_candidates(project)
    form = CoproductionForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.coproduction_record(
                project=project,
                by=request.user,
                happened_on=data["happened_on"],
                people=form.chosen_people(),
                how=data["how"],
                decision=data["decision"],
                what_changed=data["what_changed"],
                recognition=data["recognition"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Added to the co-production log.")
            return redirect("improvement:coproduction", project_id=project.pk)
    return render(
        request,
        "improvement/coproduction_form.jinja",
        {"project": project, "form": form, "candidates": candidates},
        status=400 if form.errors else 200,
    )


@require_http_methods(["POST"])
def comment_new(request: HttpRequest, project_id: int) -> HttpResponse:
    """Add a comment to the project; a refusal shows the log page again with the message on the field."""
    project = _contributing_project(request, project_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.project_comment_add(
                project=project, by=request.user, text=form.cleaned_data["text"], request=request
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Comment added.")
            return redirect("improvement:coproduction", project_id=project.pk)
    return render(
        request,
        "improvement/coproduction.jinja",
        {
            "project": project,
            "entries": services.coproduction_log(project),
            "comments": services.comments_of(project),
            "may_contribute": True,
            "comment_form": form,
        },
        status=400,
    )
