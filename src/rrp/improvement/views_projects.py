"""Pages of quality-improvement projects: the list, starting one, changing it, its team and its progress
score (issue 14, item 1). The project's own page, with its charts, is ``reports.views.project`` (charts
are drawn by the reports layer). Views only authorise, call selectors or services, and render.

Anyone who may see one of a project's wards reads it (404 otherwise); changing it needs
``Permission.QI_PROJECT_MANAGE`` on every one of its wards (403 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import permission_required
from rrp.accounts.roles import Permission
from rrp.core.concurrency import StaleVersion
from rrp.core.forms import apply_errors
from rrp.core.http import FORM_METHODS
from rrp.improvement import diagram_services
from rrp.improvement import project_selectors as selectors
from rrp.improvement import project_services as services
from rrp.improvement.collaborative_selectors import template_for_project
from rrp.improvement.diagram_drawing import diagram_svg
from rrp.improvement.models import ProjectStatus, QiProject
from rrp.improvement.project_forms import (
    ChangeIdeaForm,
    DriverDiagramForm,
    MilestoneForm,
    PdsaForm,
    ProgressScoreForm,
    ProjectForm,
    TeamMemberForm,
    WithdrawCycleForm,
    WithdrawMilestoneForm,
)


def _project(request: HttpRequest, project_id: int) -> QiProject:
    project = selectors.project_for(request.user, project_id)
    if project is None:
        raise Http404
    return project


def _managed_project(request: HttpRequest, project_id: int) -> QiProject:
    project = _project(request, project_id)
    if not selectors.may_manage(request.user, project):
        raise PermissionDenied
    return project


def _page(project: QiProject):
    return redirect("reports:qi-project", project_id=project.pk)


@require_safe
@permission_required(Permission.WARD_VIEW)
def project_list(request: HttpRequest) -> HttpResponse:
    """The projects on the wards the person sees, newest first."""
    projects = list(selectors.projects_for(request.user))
    return render(
        request,
        "improvement/project_list.jinja",
        {
            "projects": projects,
            "latest_scores": selectors.latest_scores(projects),
            "can_start": selectors.may_start_projects(request.user),
        },
    )


def _input(form: ProjectForm, wards_by_id: dict) -> services.ProjectInput:
    data = form.cleaned_data
    return services.ProjectInput(
        wards=[wards_by_id[int(pk)] for pk in data["wards"]],
        title=data["title"],
        problem=data["problem"],
        aim_measure_slug=data["aim_measure_slug"],
        baseline_start=data["baseline_start"],
        baseline_end=data["baseline_end"],
        aim_change_percent=data["aim_change_percent"],
        aim_by=data["aim_by"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        status=data["status"],
        measures=form.measures(),
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.QI_PROJECT_MANAGE)
def project_new(request: HttpRequest) -> HttpResponse:
    """Start a project: the person becomes its lead."""
    wards = list(selectors.wards_to_manage(request.user))
    initial = {"starts_on": timezone.localdate(), "status": ProjectStatus.PLANNING}
    if len(wards) == 1:
        initial["wards"] = [str(wards[0].pk)]
    form = ProjectForm(request.POST or None, wards=wards, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(data=_input(form, {w.pk: w for w in wards}), by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Project \u201c{project.title}\u201d started. You are its lead.")
            return _page(project)
    status = 400 if form.errors else 200
    return render(request, "improvement/project_form.jinja", {"form": form, "project": None}, status=status)


def _initial(project: QiProject) -> dict:
    measures = dict(project.measures.values_list("measure_slug", "role"))
    return {
        "title": project.title,
        "problem": project.problem,
        "wards": [str(pk) for pk in project.wards.values_list("pk", flat=True)],
        "aim_measure_slug": project.aim_measure_slug,
        "baseline_start": project.baseline_start,
        "baseline_end": project.baseline_end,
        "aim_change_percent": project.aim_change_percent,
        "aim_by": project.aim_by,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "status": project.status,
        "base_version": project.version,
        **{
            f"{role}_measures": [s for s, r in measures.items() if r == role]
            for role in ("outcome", "process", "balancing")
        },
    }


@require_http_methods(FORM_METHODS)
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    """Change a project; saved only if nobody else saved it since the form was opened (409 otherwise,
    with what was typed kept)."""
    project = _managed_project(request, project_id)
    wards = [w for w in selectors.wards_to_manage(request.user) if w.provider_id == project.provider_id]
    form = ProjectForm(request.POST or None, wards=wards, initial=_initial(project))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project=project,
                data=_input(form, {w.pk: w for w in wards}),
                base_version=form.cleaned_data["base_version"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except StaleVersion as stale:
            form.add_error(None, str(stale))
            status = 409
        else:
            messages.success(request, "Project saved.")
            return _page(project)
    if form.errors and status == 200:
        status = 400
    return render(
        request, "improvement/project_form.jinja", {"form": form, "project": project}, status=status
    )


@require_http_methods(FORM_METHODS)
def project_team(request: HttpRequest, project_id: int) -> HttpResponse:
    """Add someone to the team (with or without an account), or record that someone has left."""
    project = _managed_project(request, project_id)
    candidates = list(selectors.team_candidates(request.user, project))
    by_id = {u.pk: u for u in candidates}
    leaving = request.POST.get("leave") if request.method == "POST" else None
    if leaving:
        member = selectors.team_member_of(project, leaving)
        if member is None:
            raise Http404
        try:
            services.team_member_leave(member=member, by=request.user)
        except ValidationError:
            messages.info(request, f"{member.display_name} had already left the team.")
        else:
            messages.success(request, f"{member.display_name} has left the team: kept in its history.")
        return redirect("improvement:project-team", project_id=project.pk)
    form = TeamMemberForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.team_member_add(
                project=project,
                user=by_id.get(int(data["user"])) if data["user"] else None,
                name=data["name"],
                team_role=data["team_role"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{member.display_name} added to the team.")
            return redirect("improvement:project-team", project_id=project.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "improvement/project_team.jinja",
        {"project": project, "team": selectors.team(project), "form": form},
        status=status,
    )


@require_http_methods(FORM_METHODS)
def project_score(request: HttpRequest, project_id: int) -> HttpResponse:
    """Score the project's progress on the IHI scale (0.5 to 5.0), kept as a dated history."""
    project = _managed_project(request, project_id)
    form = ProgressScoreForm(request.POST or None, initial={"scored_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            score = services.progress_score_record(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Progress score {score.score:.1f} ({score.meaning}) recorded.")
            return _page(project)
    status = 400 if form.errors else 200
    return render(
        request,
        "improvement/project_score.jinja",
        {"project": project, "scores": selectors.scores(project), "form": form},
        status=status,
    )


@require_http_methods(FORM_METHODS)
def project_milestones(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's milestones, and a form to record one (a marker on the project's charts)."""
    project = _managed_project(request, project_id)
    form = MilestoneForm(request.POST or None, initial={"reached_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            milestone = services.milestone_record(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Milestone recorded: {milestone.label}. It is marked on the charts.")
            return redirect("improvement:project-milestones", project_id=project.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "improvement/project_milestones.jinja",
        {"project": project, "milestones": selectors.milestones_of(project), "form": form},
        status=status,
    )


@require_http_methods(FORM_METHODS)
def milestone_withdraw(request: HttpRequest, project_id: int, milestone_id: int) -> HttpResponse:
    """Withdraw a milestone recorded by mistake: it stays in the list, marked, and leaves the charts."""
    project = _managed_project(request, project_id)
    milestone = selectors.milestone_of(project, milestone_id)
    if milestone is None:
        raise Http404
    form = WithdrawMilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_withdraw(
                milestone=milestone, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Milestone withdrawn: {milestone.label}. It is off the charts.")
            return redirect("improvement:project-milestones", project_id=project.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "improvement/milestone_withdraw.jinja",
        {"project": project, "milestone": milestone, "form": form},
        status=status,
    )


# --- PDSA cycles ------------------------------------------------------------------------------------


def _pdsa_input(
    form: PdsaForm, project: QiProject, cycles: dict[int, object], ideas: dict[int, object]
) -> services.PdsaInput:
    data = form.cleaned_data
    wards = {w.pk: w for w in project.wards.all()}
    return services.PdsaInput(
        wards=[wards[int(pk)] for pk in data["wards"] if int(pk) in wards],
        previous=cycles.get(int(data["previous"])) if data["previous"] else None,
        change_idea=ideas.get(int(data["change_idea"])) if data["change_idea"] else None,
        **{name: data[name] for name in PDSA_FIELDS},
    )


PDSA_FIELDS = (
    "title",
    "objective",
    "prediction",
    "plan_details",
    "data_to_collect",
    "starts_on",
    "ends_on",
    "what_happened",
    "observations",
    "study",
    "decision",
    "next_steps",
)


def _cycle_page(cycle) -> HttpResponse:
    return redirect("reports:qi-cycle", project_id=cycle.project_id, cycle_id=cycle.pk)


@require_http_methods(FORM_METHODS)
def pdsa_new(request: HttpRequest, project_id: int) -> HttpResponse:
    """Plan a PDSA cycle; ``?after=<cycle>`` plans the next test of a ramp (its wards and title to start)."""
    project = _managed_project(request, project_id)
    cycles = [c for c in selectors.cycles_of(project) if c.withdrawn_at is None]
    by_id = {c.pk: c for c in cycles}
    after = selectors.cycle_of(project, request.GET.get("after"))
    initial: dict[str, object] = {"starts_on": timezone.localdate()}
    if after is not None:
        initial |= {
            "previous": str(after.pk),
            "title": after.title,
            "wards": [str(w.pk) for w in after.wards.all()],
        }
    else:
        initial["wards"] = [str(w.pk) for w in project.wards.all()]
    ideas = selectors.ideas_for_project(project)
    if after is not None and after.change_idea_id:
        initial["change_idea"] = str(after.change_idea_id)
    elif request.GET.get("idea", "").isdigit():
        initial["change_idea"] = request.GET["idea"]
    form = PdsaForm(
        request.POST or None,
        wards=project.wards.order_by("name"),
        cycles=cycles,
        ideas=ideas,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.pdsa_create(
                project=project,
                data=_pdsa_input(form, project, by_id, {i.pk: i for i in ideas}),
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"{cycle} planned: it is on the charts of its wards from {cycle.starts_on:%-d %B %Y}.",
            )
            return _cycle_page(cycle)
    status = 400 if form.errors else 200
    return render(
        request,
        "improvement/pdsa_form.jinja",
        {"project": project, "cycle": None, "after": after, "form": form},
        status=status,
    )


@require_http_methods(FORM_METHODS)
def pdsa_edit(request: HttpRequest, project_id: int, cycle_id: int) -> HttpResponse:
    """Fill in do, study and act as the test goes on, or correct the plan (409 on a stale save)."""
    project = _managed_project(request, project_id)
    cycle = selectors.cycle_of(project, cycle_id)
    if cycle is None:
        raise Http404
    cycles = [c for c in selectors.cycles_of(project) if c.withdrawn_at is None and c.pk != cycle.pk]
    ideas = selectors.ideas_for_project(project)
    initial = {name: getattr(cycle, name) for name in PDSA_FIELDS} | {
        "previous": str(cycle.previous_id or ""),
        "change_idea": str(cycle.change_idea_id or ""),
        "wards": [str(w.pk) for w in cycle.wards.all()],
        "base_version": cycle.version,
    }
    form = PdsaForm(
        request.POST or None,
        wards=project.wards.order_by("name"),
        cycles=cycles,
        ideas=ideas,
        initial=initial,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.pdsa_update(
                cycle=cycle,
                data=_pdsa_input(form, project, {c.pk: c for c in cycles}, {i.pk: i for i in ideas}),
                base_version=form.cleaned_data["base_version"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except StaleVersion as stale:
            form.add_error(None, str(stale))
            status = 409
        else:
            messages.success(request, f"{cycle} saved.")
            return _cycle_page(cycle)
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "improvement/pdsa_form.jinja",
        {"project": project, "cycle": cycle, "after": None, "form": form},
        status=status,
    )


@require_http_methods(FORM_METHODS)
def pdsa_withdraw(request: HttpRequest, project_id: int, cycle_id: int) -> HttpResponse:
    """Withdraw a cycle recorded by mistake: it stays in the list, marked, and leaves the charts."""
    project = _managed_project(request, project_id)
    cycle = selectors.cycle_of(project, cycle_id)
    if cycle is None:
        raise Http404
    form = WithdrawCycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pdsa_withdraw(cycle=cycle, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"{cycle} withdrawn: it is off the charts and marked withdrawn in the list."
            )
            return _page(project)
    status = 400 if form.errors else 200
    return render(
        request,
        "improvement/pdsa_withdraw.jinja",
        {"project": project, "cycle": cycle, "form": form},
        status=status,
    )


# --- The change package and driver diagrams --------------------------------------------------------


@require_safe
@permission_required(Permission.WARD_VIEW)
def change_idea_list(request: HttpRequest) -> HttpResponse:
    """The change package: the starter set and the person's provider's own ideas, by driver; ``?tag=``
    filters by a tag."""
    ideas = list(selectors.ideas_for(request.user))
    tag = request.GET.get("tag", "").strip().lower()
    tags = sorted({t.lower() for idea in ideas for t in idea.tag_list})
    shown = [i for i in ideas if tag in {t.lower() for t in i.tag_list}] if tag else ideas
    return render(
        request,
        "improvement/change_ideas.jinja",
        {
            "ideas": shown,
            "tags": tags,
            "tag": tag,
            "can_add": selectors.may_start_projects(request.user) and request.user.provider_id is not None,
        },
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.QI_PROJECT_MANAGE)
def change_idea_new(request: HttpRequest) -> HttpResponse:
    """Add a change idea to the person's provider's own package."""
    provider = selectors.own_provider(request.user)
    if provider is None:
        raise PermissionDenied
    form = ChangeIdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            idea = diagram_services.change_idea_add(provider=provider, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"\u201c{idea.title}\u201d added to {provider.name}'s change package.")
            return redirect("improvement:change-ideas")
    status = 400 if form.errors else 200
    return render(
        request, "improvement/change_idea_new.jinja", {"form": form, "provider": provider}, status=status
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.WARD_VIEW)
def driver_diagram(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's driver diagram as a nested list, any earlier version (``?version=``), and for those
    who run the project the outline to change it: each save is a new version."""
    project = _project(request, project_id)
    can_manage = selectors.may_manage(request.user, project)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    versions = selectors.diagram_versions(project)
    chosen = versions[0] if versions else None
    asked = request.GET.get("version", "")
    if asked:
        chosen = next((v for v in versions if str(v.number) == asked), None)
        if chosen is None:
            raise Http404
    latest = versions[0] if versions else None
    # A project with no diagram yet starts from its collaborative's published template, if there is one.
    template = None if latest else template_for_project(project)
    start = latest.outline if latest else (template.outline if template else "")
    form = DriverDiagramForm(request.POST or None, initial={"outline": start})
    if request.method == "POST" and form.is_valid():
        try:
            version = diagram_services.diagram_save(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Driver diagram saved as version {version.number}.")
            return redirect("improvement:driver-diagram", project_id=project.pk)
    status = 400 if form.errors else 200
    aim = selectors.aim_of(project)
    return render(
        request,
        "improvement/driver_diagram.jinja",
        {
            "project": project,
            "aim": aim,
            "drawing": diagram_svg(chosen.content, aim.statement if aim else project.title)
            if chosen
            else None,
            "versions": versions,
            "chosen": chosen,
            "is_latest": chosen is latest,
            "ideas": selectors.ideas_for_project(project),
            "cycles_by_idea": selectors.cycles_by_idea(project),
            "can_manage": can_manage,
            "template": template,
            "form": form,
        },
        status=status,
    )
