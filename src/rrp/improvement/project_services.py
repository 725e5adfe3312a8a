"""Quality-improvement projects: starting and editing one, its team and its progress score (issue 14,
item 1; decision 0025).

Keyword arguments only, the acting user as ``by``; one transaction each with its audit row inside. Bad
input raises ``ValidationError`` naming each field, and nothing is saved. Who may:
``Permission.QI_PROJECT_MANAGE`` on every ward of the project (ward managers on their wards, provider
governance, who act as the provider's QI leads); anyone else gets ``PermissionDenied``.

The aim's baseline is the measure's own figure on the project's wards over the baseline months
(``baseline_of``): worked out here when the project is saved and kept on it, so that the aim does not
move when later records are corrected, and never typed by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.core.concurrency import check_base_version
from rrp.core.formatting import long_date
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.improvement.models import (
    PROGRESS_SCORES,
    ActDecision,
    ChangeIdea,
    MeasureRole,
    PdsaCycle,
    ProgressScore,
    ProjectMeasure,
    ProjectMilestone,
    ProjectSeries,
    ProjectStatus,
    QiProject,
    TeamMember,
    TeamRole,
)
from rrp.measures.catalogue import Counts, Denominator, MeasureDefinition, all_measures
from rrp.measures.series import Period, measure_series
from rrp.organisations.models import CollaborativeMembership, Ward
from rrp.people.validation import nhs_number_display, nhs_numbers_in
from rrp.spc import ImprovementDirection

Errors = dict[str, list[str]]
TITLE_LIMIT = 120


def project_measures() -> dict[str, MeasureDefinition]:
    """The catalogue measures a project may watch: all but the days-between measures, whose chart (a g
    chart of the gaps between events) cannot be pooled over several wards."""
    return {s: d for s, d in all_measures().items() if d.numerator.counts is not Counts.DAYS_BETWEEN}


def aim_measures() -> dict[str, MeasureDefinition]:
    """Measures an aim may be set on: a project measure with a direction of improvement."""
    return {
        s: d
        for s, d in project_measures().items()
        if d.improvement_direction is not ImprovementDirection.NEUTRAL
    }


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def baseline_of(
    definition: MeasureDefinition, *, ward_ids: Sequence[int], since: dt.date, until: dt.date
) -> float | None:
    """The measure's figure over whole months on these wards together: the pooled rate (numerators over
    denominators, times the multiplier) for a rate or proportion, the mean per month for a count. None
    where there is nothing to divide by (no bed days, no incidents) or no month at all."""
    series = measure_series(
        definition,
        ward_ids=list(ward_ids),
        since=month_start(since),
        until=month_end(until),
        period=Period.MONTH,
    )
    if series.empty:
        return None
    if definition.denominator is Denominator.NONE:
        months = series["period"].nunique()
        return float(series["numerator"].fillna(0).sum()) / months if months else None
    usable = series[series["denominator"].notna() & (series["denominator"] > 0)]
    denominator = float(usable["denominator"].sum())
    if denominator <= 0:
        return None
    return float(usable["numerator"].sum()) / denominator * definition.multiplier


def aim_target(*, baseline: float, change_percent: int, direction: ImprovementDirection) -> float:
    """The level the aim sets: the baseline less (or, where higher is better, plus) the change."""
    sign = -1 if direction is ImprovementDirection.DECREASE else 1
    return baseline * (1 + sign * change_percent / 100)


def figure(value: float) -> str:
    """A figure as the aim states it: three significant figures, at most one decimal place above 10."""
    if not math.isfinite(value):
        return "none"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"


@dataclass(frozen=True)
class ProjectInput:
    """What the project form (or the API) gives: every field of a project but its team and scores."""

    wards: Sequence[Ward]
    title: str
    problem: str
    aim_measure_slug: str
    baseline_start: dt.date | None
    baseline_end: dt.date | None
    aim_change_percent: int | None
    aim_by: dt.date | None
    starts_on: dt.date | None
    ends_on: dt.date | None = None
    status: str = ProjectStatus.PLANNING
    measures: Mapping[str, str] | None = None  # slug -> MeasureRole


def no_nhs_number(errors: Errors, field: str, text: str) -> None:
    """A project is read by everyone who sees its wards, commissioners too: no NHS numbers in its text."""
    for number in nhs_numbers_in(text or ""):
        errors.setdefault(field, []).append(
            f"Remove the NHS number {nhs_number_display(number)}: commissioners read projects, so do not "
            "write patients' names or NHS numbers here"
        )


def project_idea_filter(project: QiProject, *, offered_only: bool = False) -> Q:
    """The change ideas a project may test: the starter set, its provider's own, and the own ideas (not
    withdrawn) of the collaboratives one of its wards is a member of now (decision 0080). Unless
    ``offered_only``, also any idea its cycles already test, so a cycle keeps an idea withdrawn since."""
    member_of = CollaborativeMembership.objects.filter(
        ward__in=project.wards.all(), left_on__isnull=True
    ).values("collaborative_id")
    allowed = (
        Q(provider__isnull=True, collaborative__isnull=True)
        | Q(provider_id=project.provider_id)
        | Q(collaborative_id__in=member_of, withdrawn_at__isnull=True)
    )
    if offered_only:
        return allowed
    tested = project.cycles.filter(change_idea__isnull=False).values("change_idea_id")
    return allowed | Q(pk__in=tested)


def may_manage_wards(by: User, wards: Sequence[Ward]) -> bool:
    return bool(wards) and all(has_permission(by, Permission.QI_PROJECT_MANAGE, ward=w) for w in wards)


def _validated(data: ProjectInput, *, today: dt.date) -> tuple[Errors, float | None]:  # noqa: C901  (a flat list of field checks)
    """Every field's problems, and the baseline worked out from the measure when the fields allow it."""
    errors: Errors = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = (data.title or "").strip()
    if not title:
        err("title", "Enter the project's title")
    elif len(title) > TITLE_LIMIT:
        err("title", f"The title must be {TITLE_LIMIT} characters or fewer")
    if not (data.problem or "").strip():
        err("problem", "Say what problem the project is trying to solve")
    no_nhs_number(errors, "title", title)
    no_nhs_number(errors, "problem", data.problem)
    if not data.wards:
        err("wards", "Select at least one ward")
    elif len({w.provider_id for w in data.wards}) > 1:
        err("wards", "Select wards of one provider: a project belongs to one provider")
    definition = aim_measures().get(data.aim_measure_slug)
    if definition is None:
        err("aim_measure_slug", "Select the measure the aim is about")
    first_this_month = today.replace(day=1)
    if data.baseline_start is None:
        err("baseline_start", "Enter the first month of the baseline")
    if data.baseline_end is None:
        err("baseline_end", "Enter the last month of the baseline")
    elif month_end(data.baseline_end) >= first_this_month:
        err("baseline_end", "The baseline must end with a whole month before this one")
    elif data.baseline_start is not None and data.baseline_end < data.baseline_start:
        err("baseline_end", "The baseline must end after it starts")
    if data.aim_change_percent is None or not 1 <= data.aim_change_percent <= 100:
        err("aim_change_percent", "Enter a change from 1 to 100 per cent")
    if data.aim_by is None:
        err("aim_by", "Enter the date the aim should be met by")
    elif data.baseline_end is not None and data.aim_by <= data.baseline_end:
        err("aim_by", "The aim date must be after the baseline")
    if data.starts_on is None:
        err("starts_on", "Enter the date the project starts")
    if data.ends_on is not None and data.starts_on is not None and data.ends_on < data.starts_on:
        err("ends_on", "The project must end after it starts")
    if data.status not in ProjectStatus.values:
        err("status", "Select the project's status")
    usable = project_measures()
    for slug, role in (data.measures or {}).items():
        if slug not in usable:
            err("measures", f"{slug} is not a measure in the catalogue that a project can watch")
        elif role not in MeasureRole.values:
            err("measures", f"Select outcome, process or balancing for {usable[slug].name}")
    baseline = None
    if (
        definition is not None
        and data.wards
        and not {"wards", "baseline_start", "baseline_end"} & set(errors)
    ):
        baseline = baseline_of(
            definition,
            ward_ids=[w.pk for w in data.wards],
            since=data.baseline_start,
            until=data.baseline_end,
        )
        if baseline is None:
            err(
                "baseline_start",
                f"There are no figures of {definition.name} on these wards in the baseline months: choose "
                "months with data",
            )
    return errors, baseline


def _measure_rows(project: QiProject, measures: Mapping[str, str] | None) -> None:
    """The project's watched measures, replaced whole (they are a setting of the project, not a record)."""
    project.measures.all().delete()
    rows = {slug: role for slug, role in (measures or {}).items() if slug != project.aim_measure_slug}
    ProjectMeasure.objects.bulk_create(
        [ProjectMeasure(project=project, measure_slug=slug, role=role) for slug, role in rows.items()]
    )


@transaction.atomic
def project_create(*, data: ProjectInput, by: User) -> QiProject:
    """Start a project on wards the person may manage; they join its team as its lead."""
    if not may_manage_wards(by, data.wards):
        if not data.wards:
            raise ValidationError({"wards": ["Select at least one ward"]})
        raise PermissionDenied
    today = timezone.localdate()
    errors, baseline = _validated(data, today=today)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    project = QiProject.objects.create(
        provider_id=data.wards[0].provider_id,
        title=data.title.strip(),
        problem=data.problem.strip(),
        aim_measure_slug=data.aim_measure_slug,
        baseline_start=month_start(data.baseline_start),
        baseline_end=month_end(data.baseline_end),
        baseline_value=baseline,
        aim_change_percent=data.aim_change_percent,
        aim_by=data.aim_by,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        status=data.status,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    project.wards.set(data.wards)
    _measure_rows(project, data.measures)
    TeamMember.objects.create(project=project, user=by, team_role=TeamRole.LEAD, joined_on=today)
    audit_record(actor=by, action=AuditAction.CREATE, record=project, provider_id=project.provider_id)
    return project


EDITABLE = (
    "title",
    "problem",
    "aim_measure_slug",
    "baseline_start",
    "baseline_end",
    "aim_change_percent",
    "aim_by",
    "starts_on",
    "ends_on",
    "status",
)


@transaction.atomic
def project_update(
    *, project: QiProject, data: ProjectInput, base_version: int | None, by: User
) -> QiProject:
    """Change a project. Refused (``StaleVersion``) if someone saved it after ``base_version``; the
    baseline is worked out again; the audit row names the fields changed."""
    locked = QiProject.objects.select_for_update().get(pk=project.pk)
    current_wards = list(locked.wards.all())
    if not may_manage_wards(by, current_wards) or not may_manage_wards(by, data.wards or current_wards):
        raise PermissionDenied
    check_base_version(base=base_version, current=locked.version, what="project")
    errors, baseline = _validated(data, today=timezone.localdate())
    if data.wards and {w.provider_id for w in data.wards} != {locked.provider_id}:
        errors.setdefault("wards", []).append("Select wards of the project's own provider")
    if errors:
        raise ValidationError(errors)
    new = {
        "title": data.title.strip(),
        "problem": data.problem.strip(),
        "aim_measure_slug": data.aim_measure_slug,
        "baseline_start": month_start(data.baseline_start),
        "baseline_end": month_end(data.baseline_end),
        "aim_change_percent": data.aim_change_percent,
        "aim_by": data.aim_by,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "status": data.status,
    }
    changed = [name for name in EDITABLE if getattr(locked, name) != new[name]]
    for name, value in new.items():
        setattr(locked, name, value)
    if {w.pk for w in current_wards} != {w.pk for w in data.wards}:
        changed.append("wards")
        locked.wards.set(data.wards)
    old_measures = dict(locked.measures.values_list("measure_slug", "role"))
    wanted = {s: r for s, r in (data.measures or {}).items() if s != locked.aim_measure_slug}
    if old_measures != wanted:
        changed.append("measures")
        _measure_rows(locked, wanted)
    locked.baseline_value = baseline
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=locked,
        provider_id=locked.provider_id,
        detail={"changed": changed, "version": locked.version},
    )
    return locked


def project_wards(project: QiProject) -> list[Ward]:
    return list(project.wards.all())


@transaction.atomic
def team_member_add(
    *, project: QiProject, team_role: str, by: User, user: User | None = None, name: str = ""
) -> TeamMember:
    """Add someone to the team: an RRP user of the project's provider, or a person named (an expert by
    experience, a carer, a coach) who has no account."""
    if not may_manage_wards(by, project_wards(project)):
        raise PermissionDenied
    errors: Errors = {}
    name = (name or "").strip()
    if user is None and not name:
        errors.setdefault("name", []).append("Enter the person's name, or choose someone with an account")
    if user is not None and name:
        errors.setdefault("name", []).append(
            "Either choose someone with an account or enter a name, not both"
        )
    if user is not None and user.provider_id != project.provider_id:
        errors.setdefault("user", []).append("Choose someone from the project's own provider")
    if len(name) > 120:
        errors.setdefault("name", []).append("The name must be 120 characters or fewer")
    no_nhs_number(errors, "name", name)
    if team_role not in TeamRole.values:
        errors.setdefault("team_role", []).append("Select the person's role in the team")
    if user is not None and project.team.filter(user=user, left_on__isnull=True).exists():
        errors.setdefault("user", []).append("This person is already on the team")
    if errors:
        raise ValidationError(errors)
    member = TeamMember.objects.create(
        project=project, user=user, name=name, team_role=team_role, joined_on=timezone.localdate()
    )
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=project,
        provider_id=project.provider_id,
        detail={"team_member_added": member.pk, "team_role": team_role},
    )
    return member


@transaction.atomic
def team_member_leave(*, member: TeamMember, by: User) -> TeamMember:
    """Someone leaves the team: kept, with the date they left."""
    project = member.project
    if not may_manage_wards(by, project_wards(project)):
        raise PermissionDenied
    if member.left_on is not None:
        raise ValidationError({"member": ["This person has already left the team"]})
    member.left_on = timezone.localdate()
    member.save(update_fields=["left_on"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=project,
        provider_id=project.provider_id,
        detail={"team_member_left": member.pk},
    )
    return member


@transaction.atomic
def progress_score_record(
    *, project: QiProject, tenths: int | None, scored_on: dt.date | None, note: str = "", by: User
) -> ProgressScore:
    """Score the project on the IHI scale on a date; the history keeps every score."""
    if not may_manage_wards(by, project_wards(project)):
        raise PermissionDenied
    errors: Errors = {}
    if tenths not in PROGRESS_SCORES:
        errors.setdefault("tenths", []).append("Select a score from 0.5 to 5.0")
    if scored_on is None:
        errors.setdefault("scored_on", []).append("Enter the date of the score")
    elif scored_on > timezone.localdate():
        errors.setdefault("scored_on", []).append("The date cannot be in the future")
    no_nhs_number(errors, "note", note)
    if errors:
        raise ValidationError(errors)
    score = ProgressScore.objects.create(
        project=project,
        tenths=tenths,
        scored_on=scored_on,
        note=(note or "").strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=project,
        provider_id=project.provider_id,
        detail={"progress_score": tenths / 10, "scored_on": scored_on.isoformat()},
    )
    return score


# --- Milestones (issue 14, item 1) ------------------------------------------------------------------

MILESTONE_LABEL_LIMIT = 60


def milestone_record(
    *, project: QiProject, reached_on: dt.date | None, label: str, note: str = "", by: User
) -> ProjectMilestone:
    """A dated milestone of the project, a marker on its charts. The date may be ahead (a planned
    launch): the charts mark it once its month is complete, as they mark events."""
    if not may_manage_wards(by, project_wards(project)):
        raise PermissionDenied
    errors: Errors = {}
    label = (label or "").strip()
    if reached_on is None:
        errors.setdefault("reached_on", []).append("Enter the date of the milestone")
    elif reached_on < project.starts_on:
        errors.setdefault("reached_on", []).append(
            f"The date must be on or after the project started ({long_date(project.starts_on)})"
        )
    if not label:
        errors.setdefault("label", []).append("Enter the milestone, in a few words for the charts")
    elif len(label) > MILESTONE_LABEL_LIMIT:
        errors.setdefault("label", []).append(
            f"The milestone must be {MILESTONE_LABEL_LIMIT} characters or fewer: it is printed on the charts"
        )
    no_nhs_number(errors, "label", label)
    no_nhs_number(errors, "note", note)
    if errors:
        raise ValidationError(errors)
    milestone = ProjectMilestone.objects.create(
        project=project,
        reached_on=reached_on,
        label=label,
        note=(note or "").strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=milestone,
        provider_id=project.provider_id,
        detail={"project": project.pk, "reached_on": reached_on.isoformat(), "label": label},
    )
    return milestone


def _withdraw(
    model: type[ProjectMilestone] | type[PdsaCycle], pk: int, *, reason: str, by: User, what: str
) -> Any:
    """Withdraw a milestone or cycle recorded by mistake: kept, marked withdrawn with the reason (a new
    version of a cycle), audited, and off the charts from now on. Only those who run the project may."""
    locked = model.objects.select_for_update().select_related("project").get(pk=pk)
    if not may_manage_wards(by, project_wards(locked.project)):
        raise PermissionDenied
    errors: Errors = {}
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(f"Say why this {what} is being withdrawn")
    no_nhs_number(errors, "reason", reason)
    if locked.withdrawn_at is not None:
        errors.setdefault("reason", []).append(f"This {what} has already been withdrawn")
    if errors:
        raise ValidationError(errors)
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_reason = reason.strip()
    fields = ["withdrawn_at", "withdrawn_reason"]
    if isinstance(locked, PdsaCycle):
        locked.version += 1
        fields.append("version")
    locked.save(update_fields=fields)
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=locked,
        provider_id=locked.project.provider_id,
        detail={"withdrawn": True, "reason": locked.withdrawn_reason},
    )
    return locked


@transaction.atomic
def milestone_withdraw(*, milestone: ProjectMilestone, reason: str, by: User) -> ProjectMilestone:
    """Withdraw a milestone recorded by mistake: kept, marked withdrawn, and off the charts from now on."""
    return _withdraw(ProjectMilestone, milestone.pk, reason=reason, by=by, what="milestone")


# --- Series saved from "Chart your own data" (issue 20, item 4) -------------------------------------


def series_save(
    *, project: QiProject, title: str, csv_text: str, options: Mapping[str, str], by: User
) -> ProjectSeries:
    """Keep a charted series (already read and checked by the chart-your-own-data form) on the project,
    to be drawn on its page with the same options; saving again under a title is a new version."""
    if not may_manage_wards(by, project_wards(project)):
        raise PermissionDenied
    errors: Errors = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(
            "Enter what the data is: it names the series on the project's page"
        )
    no_nhs_number(errors, "title", title)
    no_nhs_number(errors, "csv_text", csv_text)
    if errors:
        raise ValidationError(errors)
    series = ProjectSeries.objects.create(
        project=project,
        title=title,
        csv_text=csv_text,
        options=dict(options),
        saved_by=by,
        saved_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=series,
        provider_id=project.provider_id,
        detail={"project": project.pk, "title": title, "lines": csv_text.count("\n") + 1},
    )
    return series


# --- PDSA cycles (issue 14, item 4) -----------------------------------------------------------------

PDSA_TITLE_LIMIT = 50
PDSA_TEXT_FIELDS = (
    "objective",
    "prediction",
    "plan_details",
    "data_to_collect",
    "what_happened",
    "observations",
    "study",
    "next_steps",
)
PDSA_REQUIRED = {
    "objective": "Say what question this test answers",
    "prediction": "Say what you predict will happen",
    "plan_details": "Say who will do what, when and where",
    "data_to_collect": "Say what will be measured or observed",
}


@dataclass(frozen=True)
class PdsaInput:
    """Every field of a cycle as the form (or the API) gives it."""

    wards: Sequence[Ward]
    title: str
    objective: str
    prediction: str
    plan_details: str
    data_to_collect: str
    starts_on: dt.date | None
    ends_on: dt.date | None = None
    previous: PdsaCycle | None = None
    change_idea: ChangeIdea | None = None
    what_happened: str = ""
    observations: str = ""
    study: str = ""
    decision: str = ""
    next_steps: str = ""


def _pdsa_errors(project: QiProject, data: PdsaInput, *, cycle: PdsaCycle | None = None) -> Errors:  # noqa: C901  (a flat list of field checks)
    errors: Errors = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = (data.title or "").strip()
    if not title:
        err("title", "Enter a short title for the charts")
    elif len(title) > PDSA_TITLE_LIMIT:
        err("title", f"The title must be {PDSA_TITLE_LIMIT} characters or fewer")
    no_nhs_number(errors, "title", title)
    for field, message in PDSA_REQUIRED.items():
        if not (getattr(data, field) or "").strip():
            err(field, message)
    for field in PDSA_TEXT_FIELDS:
        no_nhs_number(errors, field, getattr(data, field))
    project_ward_ids = set(project.wards.values_list("pk", flat=True))
    if not data.wards:
        err("wards", "Select the wards the change is tested on")
    elif not {w.pk for w in data.wards} <= project_ward_ids:
        err("wards", "Select wards of the project")
    if data.starts_on is None:
        err("starts_on", "Enter the date the test starts")
    if data.ends_on is not None and data.starts_on is not None and data.ends_on < data.starts_on:
        err("ends_on", "The test must end after it starts")
    if data.previous is not None:
        if data.previous.project_id != project.pk:
            err("previous", "Choose a cycle of this project")
        elif cycle is not None and data.previous.pk == cycle.pk:
            err("previous", "A cycle cannot follow itself")
    if data.change_idea is not None and data.change_idea.provider_id not in (None, project.provider_id):
        err("change_idea", "Choose a change idea from the starter set or your provider's package")
    if data.decision not in ("", *ActDecision.values):
        err("decision", "Select adopt, adapt or abandon")
    if data.decision and not (data.study or "").strip():
        err("study", "Write what the results showed against the prediction before deciding")
    if (data.study or "").strip() and not (data.what_happened or "").strip():
        err("what_happened", "Say what happened when the change was tried before studying it")
    return errors


def _pdsa_values(data: PdsaInput) -> dict[str, object]:
    return {
        "title": data.title.strip(),
        "previous": data.previous,
        "change_idea": data.change_idea,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "decision": data.decision,
        **{field: (getattr(data, field) or "").strip() for field in PDSA_TEXT_FIELDS},
    }


@transaction.atomic
def pdsa_create(*, project: QiProject, data: PdsaInput, by: User) -> PdsaCycle:
    """Plan a test of change on some of the project's wards; it is on their charts from its start date."""
    if not may_manage_wards(by, project_wards(project)):
        raise PermissionDenied
    errors = _pdsa_errors(project, data)
    if errors:
        raise ValidationError(errors)
    locked = QiProject.objects.select_for_update().get(pk=project.pk)  # one number each, in order
    number = (locked.cycles.aggregate(top=models.Max("number"))["top"] or 0) + 1
    now = timezone.now()
    cycle = PdsaCycle.objects.create(
        project=locked, number=number, created_by=by, created_at=now, updated_at=now, **_pdsa_values(data)
    )
    cycle.wards.set(data.wards)
    audit_record(actor=by, action=AuditAction.CREATE, record=cycle, provider_id=project.provider_id)
    return cycle


@transaction.atomic
def pdsa_update(*, cycle: PdsaCycle, data: PdsaInput, base_version: int | None, by: User) -> PdsaCycle:
    """Move a cycle on (do, study, act) or correct it; refused (``StaleVersion``) if someone saved it
    after ``base_version``. The audit row names the fields changed."""
    locked = PdsaCycle.objects.select_for_update().select_related("project").get(pk=cycle.pk)
    if not may_manage_wards(by, project_wards(locked.project)):
        raise PermissionDenied
    if locked.withdrawn_at is not None:
        raise ValidationError({"title": ["This cycle was withdrawn and cannot be changed"]})
    check_base_version(base=base_version, current=locked.version, what="PDSA cycle")
    errors = _pdsa_errors(locked.project, data, cycle=locked)
    if errors:
        raise ValidationError(errors)
    changed = []
    for name, value in _pdsa_values(data).items():
        if getattr(locked, name) != value:
            changed.append(name)
            setattr(locked, name, value)
    if set(locked.wards.values_list("pk", flat=True)) != {w.pk for w in data.wards}:
        changed.append("wards")
        locked.wards.set(data.wards)
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=locked,
        provider_id=locked.project.provider_id,
        detail={"changed": changed, "version": locked.version},
    )
    return locked


@transaction.atomic
def pdsa_withdraw(*, cycle: PdsaCycle, reason: str, by: User) -> PdsaCycle:
    """Withdraw a cycle recorded by mistake: kept, marked withdrawn, and off the charts from now on."""
    return _withdraw(PdsaCycle, cycle.pk, reason=reason, by=by, what="cycle")
