"""The quality-improvement API (issue 14, item 7): projects, their PDSA cycles and the change package, so a
trust can sync RRP with its QI tools. Mounted at /api/improvement/ on the one RRP API (attached by
``ImprovementConfig.ready``: this app sits above ``rrp.api`` in the layers, decision 0011, so the API
cannot import it).

The same selectors and services as the pages, so the same scope and rules: a project is read by whoever
sees one of its wards (another is 404), changed only by someone with ``QI_PROJECT_MANAGE`` on every one of
its wards (403); bad input is a problem+json 422 naming each field, nothing saved; a change carries the
``base_version`` it started from and a stale one is 409 (decision 0018).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import wards_for
from rrp.api.problems import problem_responses
from rrp.api.schemas import BodyIn
from rrp.core.validation.schemas import Id, PlannedDate, declared_types
from rrp.improvement import diagram_services, project_selectors, project_services
from rrp.improvement.models import (
    ActDecision,
    ChangeIdea,
    MeasureRole,
    PdsaCycle,
    ProjectMilestone,
    ProjectSeries,
    ProjectStatus,
    QiProject,
)

QP = declared_types(QiProject)
PC = declared_types(PdsaCycle)
CI = declared_types(ChangeIdea)
PM = declared_types(ProjectMilestone)

router = Router(tags=["Quality improvement"])

READ_ONLY = "Your role can read improvement projects but not change them."
StatusValue = Literal["planning", "active", "sustaining", "completed", "stopped"]
RoleValue = Literal["outcome", "process", "balancing"]
DecisionValue = Literal["", "adopt", "adapt", "abandon"]
assert set(StatusValue.__args__) == set(ProjectStatus.values)
assert set(RoleValue.__args__) == set(MeasureRole.values)
assert set(DecisionValue.__args__) == {"", *ActDecision.values}


# --- Shapes ------------------------------------------------------------------------------------------


class MeasureOut(Schema):
    slug: str
    name: str
    role: str


class TeamMemberOut(Schema):
    id: int
    name: str
    user_id: int | None
    team_role: str
    joined_on: dt.date
    left_on: dt.date | None


class ScoreOut(Schema):
    score: float = Field(description="The IHI progress score, 0.5 to 5.0")
    meaning: str
    scored_on: dt.date
    note: str


class ProjectOut(Schema):
    id: int
    provider_id: int
    ward_ids: list[int]
    title: str
    problem: str
    status: str
    starts_on: dt.date
    ends_on: dt.date | None
    aim_measure_slug: str
    aim_statement: str | None = Field(description="The aim in SMART form, worded by RRP")
    baseline_start: dt.date
    baseline_end: dt.date
    baseline_value: float = Field(description="Worked out from the measure's own figures, never typed")
    aim_change_percent: int
    aim_by: dt.date
    aim_target: float | None
    measures: list[MeasureOut]
    latest_score: ScoreOut | None
    version: int = Field(description="Send it back as base_version to change the project")


class ProjectDetailOut(ProjectOut):
    team: list[TeamMemberOut]
    scores: list[ScoreOut] = Field(description="The progress score history, newest first")


class ProjectIn(BodyIn):
    """A project. The baseline months are whole months; RRP works out the baseline from the aim measure's
    figures on the wards over them."""

    ward_ids: list[Id] = Field(..., min_length=1, max_length=200)
    title: QP.title
    problem: QP.problem
    aim_measure_slug: QP.aim_measure_slug
    baseline_start: PlannedDate
    baseline_end: PlannedDate
    aim_change_percent: int = Field(..., ge=1, le=100)
    aim_by: PlannedDate
    starts_on: PlannedDate
    ends_on: PlannedDate | None = None
    status: StatusValue = "planning"
    measures: dict[str, RoleValue] = Field(
        default_factory=dict,
        max_length=50,
        description="Other catalogue measures the project watches: slug -> outcome, process or balancing",
    )


class ProjectChangeIn(ProjectIn):
    base_version: int = Field(..., ge=1, description="The version you read (the project's `version`)")


class CycleOut(Schema):
    id: int
    project_id: int
    number: int
    title: str
    stage: str = Field(description="Plan, Do, Study, Act or Withdrawn: the last stage with something written")
    previous_id: int | None
    change_idea_id: int | None
    ward_ids: list[int]
    objective: str
    prediction: str
    plan_details: str
    data_to_collect: str
    starts_on: dt.date
    ends_on: dt.date | None
    what_happened: str
    observations: str
    study: str
    decision: str
    next_steps: str
    withdrawn: bool
    version: int


class CycleIn(BodyIn):
    """A PDSA cycle: the plan is required; do, study and act are filled in as the test goes on (a study
    needs what happened, a decision needs the study)."""

    ward_ids: list[Id] = Field(..., min_length=1, max_length=200)
    title: PC.title
    objective: PC.objective
    prediction: PC.prediction
    plan_details: PC.plan_details
    data_to_collect: PC.data_to_collect
    starts_on: PlannedDate
    ends_on: PlannedDate | None = None
    previous_id: Id | None = Field(None, description="The cycle this one follows in a ramp")
    change_idea_id: Id | None = Field(None, description="The change idea it tests, from the package")
    what_happened: PC.what_happened = ""
    observations: PC.observations = ""
    study: PC.study = ""
    decision: DecisionValue = ""
    next_steps: PC.next_steps = ""


class CycleChangeIn(CycleIn):
    base_version: int = Field(..., ge=1, description="The version you read (the cycle's `version`)")


class IdeaOut(Schema):
    id: int
    title: str
    description: str
    driver: str
    tags: list[str]
    source: str
    source_url: str
    provider_id: int | None = Field(description="The provider whose own idea it is; null otherwise")
    collaborative_id: int | None = Field(
        description="The collaborative whose own idea it is (written by its lead); null otherwise"
    )
    version: int


class IdeaIn(BodyIn):
    title: CI.title
    description: CI.description
    source: CI.source
    source_url: CI.source_url = ""
    driver: CI.driver
    tags: CI.tags = ""


class MilestoneOut(Schema):
    id: int
    project_id: int
    reached_on: dt.date
    label: str = Field(description="Printed on the project's charts")
    note: str
    recorded_at: dt.datetime
    withdrawn: bool
    withdrawn_reason: str


class MilestoneIn(BodyIn):
    """A milestone of the project: a date (it may be ahead, a planned launch) and a short label."""

    reached_on: PlannedDate
    label: PM.label
    note: PM.note = ""


class WithdrawIn(BodyIn):
    reason: str = Field(..., max_length=2000, description="Why it was recorded by mistake")


class SeriesOut(Schema):
    id: int
    project_id: int
    title: str = Field(description="What the data is; saving again under a title is a new version")
    csv_text: str = Field(description="The data as it was pasted or uploaded on 'Chart your own data'")
    options: dict[str, Any] = Field(description="The chart's options as typed: chart, direction, target, ...")
    saved_at: dt.datetime
    versions: int = Field(description="How many times a series with this title has been saved")


class IdeaFilters(Schema):
    tag: str | None = Field(None, max_length=100)


# --- Helpers -----------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.auth


def _score(score: Any) -> dict[str, Any] | None:
    if score is None:
        return None
    return {"score": score.score, "meaning": score.meaning, "scored_on": score.scored_on, "note": score.note}


def _project(project: QiProject, *, latest: Any = None) -> dict[str, Any]:
    aim = project_selectors.aim_of(project)
    return {
        "id": project.pk,
        "provider_id": project.provider_id,
        "ward_ids": sorted(w.pk for w in project.wards.all()),
        "title": project.title,
        "problem": project.problem,
        "status": project.status,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "aim_measure_slug": project.aim_measure_slug,
        "aim_statement": aim.statement if aim else None,
        "baseline_start": project.baseline_start,
        "baseline_end": project.baseline_end,
        "baseline_value": project.baseline_value,
        "aim_change_percent": project.aim_change_percent,
        "aim_by": project.aim_by,
        "aim_target": aim.target if aim else None,
        "measures": [
            {"slug": d.slug, "name": d.name, "role": role}
            for d, role in project_selectors.measures_of(project)
        ],
        "latest_score": _score(latest),
        "version": project.version,
    }


def _detail(project: QiProject) -> dict[str, Any]:
    history = project_selectors.scores(project)
    return {
        **_project(project, latest=history[0] if history else None),
        "team": [
            {
                "id": m.pk,
                "name": m.display_name,
                "user_id": m.user_id,
                "team_role": m.team_role,
                "joined_on": m.joined_on,
                "left_on": m.left_on,
            }
            for m in project_selectors.team(project)
        ],
        "scores": [_score(s) for s in history],
    }


def _cycle(cycle: PdsaCycle) -> dict[str, Any]:
    return {
        "id": cycle.pk,
        "project_id": cycle.project_id,
        "number": cycle.number,
        "title": cycle.title,
        "stage": cycle.stage,
        "previous_id": cycle.previous_id,
        "change_idea_id": cycle.change_idea_id,
        "ward_ids": sorted(w.pk for w in cycle.wards.all()),
        **{
            name: getattr(cycle, name)
            for name in (
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
                "version",
            )
        },
        "withdrawn": cycle.withdrawn_at is not None,
    }


def _idea(idea: ChangeIdea) -> dict[str, Any]:
    return {
        "id": idea.pk,
        "title": idea.title,
        "description": idea.description,
        "driver": idea.driver,
        "tags": idea.tag_list,
        "source": idea.source,
        "source_url": idea.source_url,
        "provider_id": idea.provider_id,
        "collaborative_id": idea.collaborative_id,
        "version": idea.version,
    }


def _milestone(milestone: ProjectMilestone) -> dict[str, Any]:
    return {
        "id": milestone.pk,
        "project_id": milestone.project_id,
        "reached_on": milestone.reached_on,
        "label": milestone.label,
        "note": milestone.note,
        "recorded_at": milestone.recorded_at,
        "withdrawn": milestone.withdrawn_at is not None,
        "withdrawn_reason": milestone.withdrawn_reason,
    }


def _series(series: ProjectSeries, versions: int) -> dict[str, Any]:
    return {
        "id": series.pk,
        "project_id": series.project_id,
        "title": series.title,
        "csv_text": series.csv_text,
        "options": series.options,
        "saved_at": series.saved_at,
        "versions": versions,
    }


def _project_or_404(user: User, project_id: int) -> QiProject:
    project = project_selectors.project_for(user, project_id)
    if project is None:
        raise Http404("No project you can see has this id.")
    return project


def _may_change(user: User) -> None:
    if not has_permission(user, Permission.QI_PROJECT_MANAGE):
        raise PermissionDenied(READ_ONLY)


def _wards(user: User, ids: list[int], errors: dict[str, list[str]]) -> list:
    """The wards named, each one the user may see; an unknown or unseen id is a problem on ``ward_ids``."""
    found = {w.pk: w for w in wards_for(user).filter(pk__in=ids)}
    missing = [i for i in dict.fromkeys(ids) if i not in found]
    if missing:
        errors.setdefault("ward_ids", []).append(
            f"No ward you can see has the id {', '.join(map(str, missing[:5]))}"
        )
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def _project_input(user: User, payload: ProjectIn) -> project_services.ProjectInput:
    errors: dict[str, list[str]] = {}
    wards = _wards(user, payload.ward_ids, errors)
    if errors:
        raise ValidationError(errors)
    return project_services.ProjectInput(
        wards=wards,
        title=payload.title,
        problem=payload.problem,
        aim_measure_slug=payload.aim_measure_slug,
        baseline_start=payload.baseline_start,
        baseline_end=payload.baseline_end,
        aim_change_percent=payload.aim_change_percent,
        aim_by=payload.aim_by,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        status=payload.status,
        measures=dict(payload.measures),
    )


def _cycle_input(
    user: User, project: QiProject, payload: CycleIn, *, cycle: PdsaCycle | None = None
) -> project_services.PdsaInput:
    errors: dict[str, list[str]] = {}
    wards = _wards(user, payload.ward_ids, errors)
    previous = None
    if payload.previous_id is not None:
        previous = project_selectors.cycle_of(project, payload.previous_id)
        if previous is None:
            errors.setdefault("previous_id", []).append("No cycle of this project has this id")
    idea = None
    if payload.change_idea_id is not None:
        idea = next(
            (i for i in project_selectors.ideas_for_project(project) if i.pk == payload.change_idea_id), None
        )
        if idea is None:
            errors.setdefault("change_idea_id", []).append(
                "No change idea of the starter set, the project's provider or its wards' collaboratives has this id"
            )
    if errors:
        raise ValidationError(errors)
    return project_services.PdsaInput(
        wards=wards,
        previous=previous,
        change_idea=idea,
        **payload.model_dump(exclude={"ward_ids", "previous_id", "change_idea_id", "base_version"}),
    )


RENAMED = {"wards": "ward_ids", "previous": "previous_id", "change_idea": "change_idea_id"}


def _renamed(error: ValidationError) -> ValidationError:
    """The service's field names as the payload names them (wards -> ward_ids)."""
    return ValidationError({RENAMED.get(k, k): v for k, v in error.message_dict.items()})


# --- Projects ----------------------------------------------------------------------------------------


@router.get(
    "/projects",
    response={200: list[ProjectOut], **problem_responses(401)},
    summary="Improvement projects",
)
def list_projects(request: HttpRequest) -> list[dict[str, Any]]:
    """Every project with at least one ward you can see, newest first, with its aim and latest score."""
    projects = list(project_selectors.projects_for(_user(request)))
    latest = project_selectors.latest_scores(projects)
    return [_project(p, latest=latest.get(p.pk)) for p in projects]


@router.post(
    "/projects",
    response={201: ProjectDetailOut, **problem_responses(401, 403, 422)},
    summary="Start a project",
)
def create_project(request: HttpRequest, payload: ProjectIn) -> Status:
    """Start a project on wards you may manage (you join its team as its lead). Refused with each field
    named: no figures of the aim measure in the baseline months, a baseline not before this month, wards
    of two providers, a measure not in the catalogue, an NHS number in the text."""
    user = _user(request)
    _may_change(user)
    try:
        project = project_services.project_create(data=_project_input(user, payload), by=user)
    except ValidationError as error:
        raise _renamed(error) from error
    return Status(201, _detail(project))


@router.get(
    "/projects/{project_id}",
    response={200: ProjectDetailOut, **problem_responses(401, 404)},
    summary="One project",
)
def get_project(request: HttpRequest, project_id: Id) -> dict[str, Any]:
    """A project with its team and its progress score history."""
    return _detail(_project_or_404(_user(request), project_id))


@router.put(
    "/projects/{project_id}",
    response={200: ProjectDetailOut, **problem_responses(401, 403, 404, 409, 422)},
    summary="Change a project",
)
def change_project(request: HttpRequest, project_id: Id, payload: ProjectChangeIn) -> dict[str, Any]:
    """Replace the project's fields; send the `version` you read as `base_version` (409 if someone changed
    it since). The baseline is worked out again."""
    user = _user(request)
    project = _project_or_404(user, project_id)
    _may_change(user)
    try:
        changed = project_services.project_update(
            project=project, data=_project_input(user, payload), base_version=payload.base_version, by=user
        )
    except ValidationError as error:
        raise _renamed(error) from error
    return _detail(project_selectors.project_for(user, changed.pk) or changed)


# --- PDSA cycles -------------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/pdsa-cycles",
    response={200: list[CycleOut], **problem_responses(401, 404)},
    summary="A project's PDSA cycles",
)
def list_cycles(request: HttpRequest, project_id: Id) -> list[dict[str, Any]]:
    """The project's cycles in number order, withdrawn ones included (marked)."""
    return [_cycle(c) for c in project_selectors.cycles_of(_project_or_404(_user(request), project_id))]


@router.post(
    "/projects/{project_id}/pdsa-cycles",
    response={201: CycleOut, **problem_responses(401, 403, 404, 422)},
    summary="Plan a PDSA cycle",
)
def create_cycle(request: HttpRequest, project_id: Id, payload: CycleIn) -> Status:
    """Plan a test of change on some of the project's wards; it is a marker on their charts from its start."""
    user = _user(request)
    project = _project_or_404(user, project_id)
    _may_change(user)
    try:
        cycle = project_services.pdsa_create(
            project=project, data=_cycle_input(user, project, payload), by=user
        )
    except ValidationError as error:
        raise _renamed(error) from error
    return Status(201, _cycle(cycle))


@router.put(
    "/projects/{project_id}/pdsa-cycles/{cycle_id}",
    response={200: CycleOut, **problem_responses(401, 403, 404, 409, 422)},
    summary="Update a PDSA cycle",
)
def change_cycle(
    request: HttpRequest, project_id: Id, cycle_id: Id, payload: CycleChangeIn
) -> dict[str, Any]:
    """Move a cycle on (do, study, act) or correct it; send the `version` you read as `base_version` (409
    if someone changed it since)."""
    user = _user(request)
    project = _project_or_404(user, project_id)
    cycle = project_selectors.cycle_of(project, cycle_id)
    if cycle is None:
        raise Http404("No cycle of this project has this id.")
    _may_change(user)
    try:
        changed = project_services.pdsa_update(
            cycle=cycle,
            data=_cycle_input(user, project, payload, cycle=cycle),
            base_version=payload.base_version,
            by=user,
        )
    except ValidationError as error:
        raise _renamed(error) from error
    return _cycle(changed)


# --- Milestones and saved series (decisions 0073, 0074, 0080) ----------------------------------------


@router.get(
    "/projects/{project_id}/milestones",
    response={200: list[MilestoneOut], **problem_responses(401, 404)},
    summary="A project's milestones",
)
def list_milestones(request: HttpRequest, project_id: Id) -> list[dict[str, Any]]:
    """The project's milestones in date order, withdrawn ones included (marked, with the reason); those
    not withdrawn are markers on the project's own charts."""
    project = _project_or_404(_user(request), project_id)
    return [_milestone(m) for m in project_selectors.milestones_of(project)]


@router.post(
    "/projects/{project_id}/milestones",
    response={201: MilestoneOut, **problem_responses(401, 403, 404, 422)},
    summary="Record a milestone",
)
def create_milestone(request: HttpRequest, project_id: Id, payload: MilestoneIn) -> Status:
    """Record a dated milestone; refused on its field: a date before the project started, a missing or
    over-long label, an NHS number. Only those who run every ward of the project may (403)."""
    user = _user(request)
    project = _project_or_404(user, project_id)
    _may_change(user)
    milestone = project_services.milestone_record(project=project, by=user, **payload.model_dump())
    return Status(201, _milestone(milestone))


@router.post(
    "/projects/{project_id}/milestones/{milestone_id}/withdraw",
    response={200: MilestoneOut, **problem_responses(401, 403, 404, 422)},
    summary="Withdraw a milestone recorded by mistake",
)
def withdraw_milestone(
    request: HttpRequest, project_id: Id, milestone_id: Id, payload: WithdrawIn
) -> dict[str, Any]:
    """The milestone stays, marked withdrawn with the reason, and leaves the charts; never deleted."""
    user = _user(request)
    project = _project_or_404(user, project_id)
    milestone = project_selectors.milestone_of(project, milestone_id)
    if milestone is None:
        raise Http404("No milestone of this project has this id.")
    _may_change(user)
    return _milestone(
        project_services.milestone_withdraw(milestone=milestone, reason=payload.reason, by=user)
    )


@router.get(
    "/projects/{project_id}/series",
    response={200: list[SeriesOut], **problem_responses(401, 404)},
    summary="The team's own series saved to a project",
)
def list_series(request: HttpRequest, project_id: Id) -> list[dict[str, Any]]:
    """The latest version of each series saved to the project from 'Chart your own data', by title: the
    data and the options the project page charts it with. Saved on the chart page (the API reads them)."""
    project = _project_or_404(_user(request), project_id)
    counts = project_selectors.series_versions(project)
    return [_series(s, counts.get(s.title, 1)) for s in project_selectors.series_of(project)]


# --- The change package ------------------------------------------------------------------------------


@router.get(
    "/change-ideas",
    response={200: list[IdeaOut], **problem_responses(401)},
    summary="The change package",
)
def list_ideas(request: HttpRequest, filters: Query[IdeaFilters]) -> list[dict[str, Any]]:
    """The starter set RRP ships (each citing its source), your providers' own ideas and those of the
    collaboratives you see or your wards are members of (not withdrawn), by driver and title; `tag` keeps
    those with that tag."""
    ideas = [_idea(i) for i in project_selectors.ideas_for(_user(request))]
    if filters.tag:
        wanted = filters.tag.strip().lower()
        ideas = [i for i in ideas if wanted in (t.lower() for t in i["tags"])]
    return ideas


@router.post(
    "/change-ideas",
    response={201: IdeaOut, **problem_responses(401, 403, 422)},
    summary="Add a change idea",
)
def create_idea(request: HttpRequest, payload: IdeaIn) -> Status:
    """Add an idea to your provider's own package (its wards see it beside the starter set). A title
    already in the package is refused."""
    user = _user(request)
    provider = project_selectors.own_provider(user)
    if provider is None or not has_permission(user, Permission.QI_PROJECT_MANAGE, provider=provider):
        raise PermissionDenied("Only a provider's QI leads (ward managers and governance) add change ideas.")
    idea = diagram_services.change_idea_add(provider=provider, by=user, **payload.model_dump())
    return Status(201, _idea(idea))
