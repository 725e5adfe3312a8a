"""Reading quality-improvement projects, scoped: a project is seen by whoever sees one of its wards
(``accounts.scope.wards_for``), and run by whoever may manage every one of them
(``Permission.QI_PROJECT_MANAGE``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import providers_for, scope_of, wards_for
from rrp.improvement.models import (
    ChangeIdea,
    DriverDiagramVersion,
    PdsaCycle,
    ProgressScore,
    ProjectMeasure,
    ProjectMilestone,
    ProjectSeries,
    QiProject,
    TeamMember,
)
from rrp.improvement.project_services import aim_target, figure, project_idea_filter, project_measures
from rrp.measures.catalogue import MeasureDefinition, all_measures
from rrp.organisations.models import CollaborativeMembership, Provider, Ward
from rrp.spc import ImprovementDirection


def projects_for(user: User) -> QuerySet[QiProject]:
    """Projects with at least one ward the user may see, newest first, with their wards and provider."""
    visible = QiProject.objects.filter(wards__in=wards_for(user)).values("pk")
    return (
        QiProject.objects.filter(pk__in=visible)
        .select_related("provider")
        .prefetch_related(Prefetch("wards", queryset=Ward.objects.order_by("name")))
        .order_by("-starts_on", "-id")
    )


def project_for(user: User, project_id: int) -> QiProject | None:
    """One project in the user's scope (else None: the view's 404)."""
    return projects_for(user).filter(pk=project_id).first()


def may_manage(user: User, project: QiProject) -> bool:
    """Whether the user may change the project: ``QI_PROJECT_MANAGE`` on every one of its wards."""
    wards = list(project.wards.all())
    return bool(wards) and all(has_permission(user, Permission.QI_PROJECT_MANAGE, ward=w) for w in wards)


def may_start_projects(user: User) -> bool:
    return has_permission(user, Permission.QI_PROJECT_MANAGE)


def wards_to_manage(user: User) -> QuerySet[Ward]:
    """Wards the user may start a project on, by provider and name."""
    if not scope_of(user).allows(Permission.QI_PROJECT_MANAGE):
        return Ward.objects.none()
    return wards_for(user).select_related("provider").order_by("provider__name", "name")


def team_candidates(user: User, project: QiProject) -> QuerySet[User]:
    """Accounts of the project's provider who may be added to its team, by name."""
    return User.objects.filter(provider_id=project.provider_id, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def team(project: QiProject) -> list[TeamMember]:
    """The team, current members first (leads first), then those who have left."""
    # NULLs (current members) sort first on SQLite but last on PostgreSQL unless told.
    return list(
        project.team.select_related("user").order_by(F("left_on").asc(nulls_first=True), "team_role", "id")
    )


def scores(project: QiProject) -> list[ProgressScore]:
    """The progress score history, newest first."""
    return list(project.scores.select_related("recorded_by").order_by("-scored_on", "-id"))


def measures_of(project: QiProject) -> list[tuple[MeasureDefinition, str]]:
    """The aim's measure (as outcome) then the other measures the project watches, by role, with their
    definitions; a measure dropped from the catalogue since is left out."""
    catalogue = all_measures()
    out: list[tuple[MeasureDefinition, str]] = []
    if project.aim_measure_slug in catalogue:
        out.append((catalogue[project.aim_measure_slug], "outcome"))
    order = {"outcome": 0, "process": 1, "balancing": 2}
    rows = sorted(
        ProjectMeasure.objects.filter(project=project), key=lambda m: (order[m.role], m.measure_slug)
    )
    out += [(catalogue[m.measure_slug], m.role) for m in rows if m.measure_slug in catalogue]
    return out


@dataclass(frozen=True)
class Aim:
    """The project's aim in SMART form: what, where, from how much to how much, by when."""

    definition: MeasureDefinition
    baseline: float
    target: float
    statement: str


def _months(project: QiProject) -> str:
    start, end = project.baseline_start, project.baseline_end
    return (
        f"{start:%b %Y}"
        if (start.year, start.month) == (end.year, end.month)
        else f"{start:%b %Y} to {end:%b %Y}"
    )


def _names(wards: list[Ward]) -> str:
    names = [w.name for w in wards]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def aim_of(project: QiProject) -> Aim | None:
    """The aim, worded from the stored baseline; None if its measure has left the catalogue."""
    definition = all_measures().get(project.aim_measure_slug)
    if definition is None:
        return None
    target = aim_target(
        baseline=project.baseline_value,
        change_percent=project.aim_change_percent,
        direction=definition.improvement_direction,
    )
    verb, fewer = (
        ("Reduce", "lower")
        if definition.improvement_direction is ImprovementDirection.DECREASE
        else ("Increase", "higher")
    )
    statement = (
        f"{verb} {definition.name[0].lower() + definition.name[1:]} on {_names(list(project.wards.all()))} "
        f"from {figure(project.baseline_value)} (the baseline, {_months(project)}) to {figure(target)} "
        f"({project.aim_change_percent}% {fewer}) by {project.aim_by:%-d %B %Y}."
    )
    return Aim(definition, project.baseline_value, target, statement)


def measure_choices() -> dict[str, list[tuple[str, str]]]:
    """The measures offered for each role on the project form: outcome measures as outcomes, process and
    data-quality measures as process measures, balancing measures and the outcome measures as balancing
    (where a project's aim is less violence, restraint becomes its balancing measure)."""
    usable = project_measures()
    by_kind: dict[str, list[tuple[str, str]]] = {"outcome": [], "process": [], "balancing": []}
    for slug, d in sorted(usable.items(), key=lambda item: item[1].name):
        kind = str(d.kind)
        if kind == "outcome":
            by_kind["outcome"].append((slug, d.name))
            by_kind["balancing"].append((slug, d.name))
        elif kind == "balancing":
            by_kind["balancing"].append((slug, d.name))
        else:
            by_kind["process"].append((slug, d.name))
    return by_kind


def team_member_of(project: QiProject, member_id: str) -> TeamMember | None:
    """One member of this project's team by the id posted (None for anything else)."""
    if not str(member_id).isdigit():
        return None
    return project.team.select_related("user", "project").filter(pk=int(member_id)).first()


def latest_scores(projects: list[QiProject]) -> dict[int, ProgressScore]:
    """Each project's latest progress score, for a list of projects, in one query."""
    out: dict[int, ProgressScore] = {}
    rows = ProgressScore.objects.filter(project__in=[p.pk for p in projects]).order_by("scored_on", "id")
    for score in rows:
        out[score.project_id] = score
    return out


def milestones_of(project: QiProject) -> list[ProjectMilestone]:
    """The project's milestones in date order, withdrawn ones included (marked)."""
    return list(project.milestones.select_related("recorded_by").order_by("reached_on", "id"))


def milestone_of(project: QiProject, milestone_id: int | str | None) -> ProjectMilestone | None:
    """One milestone of this project by id (None for anything else: another project's, or none such)."""
    if milestone_id is None or not str(milestone_id).isdigit():
        return None
    return project.milestones.filter(pk=int(milestone_id)).first()


def series_of(project: QiProject) -> list[ProjectSeries]:
    """The latest saved version of each series on the project, by title (one query)."""
    latest: dict[str, ProjectSeries] = {}
    for series in project.series.select_related("saved_by").order_by("saved_at", "id"):
        latest[series.title] = series
    return sorted(latest.values(), key=lambda s: s.title.lower())


def series_versions(project: QiProject) -> dict[str, int]:
    """How many times each title has been saved to the project (each save is a version)."""
    rows = project.series.order_by().values("title").annotate(saved=Count("id")).values_list("title", "saved")
    return dict(rows)


def projects_to_manage(user: User) -> list[QiProject]:
    """The projects this person may change (every ward of each in their charge), for "save to a project"."""
    return [p for p in projects_for(user).prefetch_related("wards") if may_manage(user, p)]


def cycles_of(project: QiProject) -> list[PdsaCycle]:
    """The project's PDSA cycles in number order, withdrawn ones included (marked), with their wards."""
    return list(
        project.cycles.select_related("previous", "change_idea")
        .prefetch_related(Prefetch("wards", queryset=Ward.objects.order_by("name")))
        .order_by("number")
    )


def cycle_of(project: QiProject, cycle_id: int | str | None) -> PdsaCycle | None:
    """One cycle of this project by id (None for anything else: another project's, or no such cycle)."""
    if cycle_id is None or not str(cycle_id).isdigit():
        return None
    return (
        project.cycles.select_related("previous", "project", "change_idea").filter(pk=int(cycle_id)).first()
    )


def ramp_of(cycle: PdsaCycle) -> list[PdsaCycle]:
    """The ramp the cycle is in, first test to last: the cycles before it (through ``previous``), it,
    and those after it that follow one another (the first follower of each, by number)."""
    before: list[PdsaCycle] = []
    seen = {cycle.pk}
    current = cycle.previous
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        before.append(current)
        current = current.previous
    after: list[PdsaCycle] = []
    current = cycle
    while True:
        following = current.next_cycles.order_by("number").first()
        if following is None or following.pk in seen:
            break
        seen.add(following.pk)
        after.append(following)
        current = following
    return [*reversed(before), cycle, *after]


# --- The change package and driver diagrams --------------------------------------------------------


def ideas_for(user: User) -> QuerySet[ChangeIdea]:
    """The change ideas the user may read, by driver and title: the starter set, their providers' own,
    and the own ideas (not withdrawn) of the collaboratives they see or one of their wards is a member of
    now (decision 0080)."""
    member_of = CollaborativeMembership.objects.filter(ward__in=wards_for(user), left_on__isnull=True).values(
        "collaborative_id"
    )
    collaboratives = Q(collaborative__in=scope_of(user).collaboratives()) | Q(collaborative_id__in=member_of)
    return (
        ChangeIdea.objects.filter(
            Q(provider__isnull=True, collaborative__isnull=True)
            | Q(provider__in=providers_for(user))
            | (Q(withdrawn_at__isnull=True) & collaboratives)
        )
        .select_related("provider", "collaborative")
        .order_by("driver", "title")
    )


def ideas_for_project(project: QiProject) -> list[ChangeIdea]:
    """The change ideas a project's cycles may test (``project_idea_filter``), by title."""
    return list(
        ChangeIdea.objects.filter(project_idea_filter(project))
        .select_related("collaborative")
        .order_by("title")
    )


def diagram_versions(project: QiProject) -> list[DriverDiagramVersion]:
    """Every saved version of the project's driver diagram, newest first."""
    return list(project.diagram_versions.select_related("saved_by").order_by("-number"))


def cycles_by_idea(project: QiProject) -> dict[int, list[PdsaCycle]]:
    """The project's cycles (not withdrawn) by the change idea they test, for the diagram."""
    out: dict[int, list[PdsaCycle]] = {}
    for cycle in project.cycles.filter(withdrawn_at__isnull=True, change_idea__isnull=False).order_by(
        "number"
    ):
        out.setdefault(cycle.change_idea_id, []).append(cycle)
    return out


def own_provider(user: User) -> Provider | None:
    """The provider a provider role belongs to (where their own change ideas go), else None."""
    if getattr(user, "provider_id", None) is None:
        return None
    return providers_for(user).filter(pk=user.provider_id).first()


# --- Spread of change ideas across wards (issue 14, item 5) -------------------------------------------

# What a ward's latest cycle testing an idea says about the idea there.
SPREAD_STATES = {"": "Testing", "adapt": "Adapting", "adopt": "Adopted", "abandon": "Abandoned"}


@dataclass(frozen=True)
class IdeaOnWard:
    """Where one ward is with one change idea, from the PDSA cycles testing it there (not withdrawn)."""

    ward_id: int
    idea_id: int
    idea_title: str
    state: str  # a value of SPREAD_STATES: the latest cycle's decision, "Testing" until there is one
    first_tested: dt.date
    latest_tested: dt.date
    cycles: int


def ideas_by_ward(
    ward_ids: Sequence[int], *, windows: Mapping[int, tuple[dt.date, dt.date | None]] | None = None
) -> list[IdeaOnWard]:
    """Each (ward, change idea) tested in a PDSA cycle on these wards, with the latest decision. With
    ``windows`` (ward id -> first and last day, None while open) only cycles that started inside the
    ward's window count (a collaborative counts what its members tested while members). One query."""
    through = PdsaCycle.wards.through
    rows = (
        through.objects.filter(
            ward_id__in=list(ward_ids),
            pdsacycle__withdrawn_at__isnull=True,
            pdsacycle__change_idea__isnull=False,
        )
        .order_by("pdsacycle__starts_on", "pdsacycle__number", "pdsacycle_id")
        .values_list(
            "ward_id",
            "pdsacycle__change_idea_id",
            "pdsacycle__change_idea__title",
            "pdsacycle__starts_on",
            "pdsacycle__decision",
        )
    )
    found: dict[tuple[int, int], IdeaOnWard] = {}
    for ward_id, idea_id, title, starts_on, decision in rows:
        if windows is not None:
            first, last = windows.get(ward_id, (None, None))
            if first is None or starts_on < first or (last is not None and starts_on > last):
                continue
        before = found.get((ward_id, idea_id))
        found[(ward_id, idea_id)] = IdeaOnWard(
            ward_id=ward_id,
            idea_id=idea_id,
            idea_title=title,
            state=SPREAD_STATES.get(decision, "Testing"),
            first_tested=before.first_tested if before else starts_on,
            latest_tested=starts_on,
            cycles=(before.cycles if before else 0) + 1,
        )
    return list(found.values())
