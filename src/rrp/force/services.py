"""Writing use-of-force records: validated, scoped, versioned and audited.

Every function takes keyword arguments and the acting user as `by`, runs in one transaction and
writes its audit row inside it, so a failed audit write leaves nothing saved. Content is never
changed in place: `incident_amend` adds a version, the review steps add status-change rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.core.concurrency import check_base_version
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.times import local_month, to_the_minute
from rrp.core.validation.declared import check_values
from rrp.figures.store import mark_changed
from rrp.force import plausibility
from rrp.force.closure import ReviewAnswers, closure_checklist
from rrp.force.codes import (
    RETIRED_INTERVENTION_TYPES,
    CqcTaskStatus,
    DeEscalation,
    IncidentFlagKind,
    IncidentStatus,
    InterventionReason,
    InterventionType,
    NonStaffPersonType,
    StaffPart,
    VoidKind,
)
from rrp.force.completeness import (
    missing_items,
    negligible_force_exemption_enabled,
    version_items_complete,
)
from rrp.force.models import (
    CONTENT_FIELDS,
    ConsciousnessLevel,
    CqcNotificationTask,
    Hydration,
    Incident,
    IncidentClosure,
    IncidentFlag,
    IncidentStatusChange,
    IncidentVersion,
    IncidentVoid,
    InterventionRecord,
    PhysicalHealthObservation,
    StaffInvolvement,
    StaffStatement,
)
from rrp.force.observations import rt_starts
from rrp.force.triggers import cqc_reasons, flags_for
from rrp.organisations.models import Ward
from rrp.people.models import Patient, StaffMember
from rrp.people.selectors import patients_for


@dataclass(frozen=True)
class InterventionInput:
    """One type of force as entered: MHSDS type code, start and end (kept to the minute), care plan."""

    type_code: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None = None
    in_care_plan: bool | None = None


@dataclass(frozen=True)
class StaffInput:
    """A member of staff who used force: picked from the roster (`staff_member`) or typed."""

    part: str
    staff_member: StaffMember | None = None
    name: str = ""
    job_title: str = ""


# Which status each review step may start from.
TRANSITIONS: dict[str, frozenset[str]] = {
    IncidentStatus.SUBMITTED: frozenset({IncidentStatus.DRAFT, IncidentStatus.SENT_BACK}),
    IncidentStatus.REVIEWED: frozenset({IncidentStatus.SUBMITTED}),
    IncidentStatus.SENT_BACK: frozenset({IncidentStatus.SUBMITTED, IncidentStatus.REVIEWED}),
    IncidentStatus.CLOSED: frozenset({IncidentStatus.REVIEWED}),
}


def patient_snapshot(patient: Patient, *, on: dt.date) -> dict[str, Any]:
    """The patient's characteristics as they are now, for s6(5)(j)-(l), kept with the version."""
    return {
        "primary_mental_disorder": patient.primary_mental_disorder,
        "age": patient.age_on(on),
        "sex": patient.sex,
        "gender_identity": patient.gender_identity,
        "ethnic_category": patient.ethnic_category,
        "religion": patient.religion,
        "sexual_orientation": patient.sexual_orientation,
        "disability": patient.disability,
        "pregnancy": patient.pregnancy,
        "learning_disability": patient.learning_disability,
        "autism": patient.autism,
        "legal_status": patient.legal_status,
    }


def _validate_content(
    content: dict[str, Any], errors: dict[str, list[str]], *, check_switch: bool = True
) -> None:
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown incident fields: {', '.join(sorted(unknown))}")
    check_values(IncidentVersion, content, errors)
    code = content.get("reason_code") or ""
    if code and code not in InterventionReason.values:
        errors.setdefault("reason_code", []).append(
            f"'{code}' is not an MHSDS restrictive intervention reason"
        )
    for item in content.get("deescalation") or []:
        if item not in DeEscalation.values:
            errors.setdefault("deescalation", []).append(
                f"'{item}' is not a de-escalation technique on the list"
            )
    for item in content.get("non_staff_types") or []:
        if item not in NonStaffPersonType.values:
            errors.setdefault("non_staff_types", []).append(f"'{item}' is not a kind of person on the list")
    occurred, ended = content.get("occurred_at"), content.get("ended_at")
    if occurred and ended and ended < occurred:
        errors.setdefault("ended_at", []).append("The incident must end after it started")
    requested, arrived = content.get("police_requested_at"), content.get("police_arrived_at")
    if requested and arrived and arrived < requested:
        errors.setdefault("police_arrived_at", []).append("Police must arrive after they were requested")
    if content.get("negligible_force"):
        if check_switch and not negligible_force_exemption_enabled():
            errors.setdefault("negligible_force", []).append(
                "The negligible force exemption is not switched on here: record the use of force in full"
            )
        if not (content.get("negligible_force_justification") or "").strip():
            errors.setdefault("negligible_force_justification", []).append(
                "Write why the force was negligible"
            )


def _validate_interventions(interventions: Sequence[InterventionInput], errors: dict[str, list[str]]) -> None:
    for n, item in enumerate(interventions):
        key = f"interventions[{n}]"
        check_values(
            InterventionRecord,
            {"started_at": item.started_at, "ended_at": item.ended_at},
            errors,
            prefix=f"{key}.",
        )
        if item.type_code in RETIRED_INTERVENTION_TYPES:
            errors.setdefault(f"{key}.type_code", []).append(
                f"Type '{item.type_code}' is no longer a valid MHSDS restrictive intervention type"
            )
        elif item.type_code not in InterventionType.values:
            errors.setdefault(f"{key}.type_code", []).append(
                f"'{item.type_code}' is not an MHSDS restrictive intervention type (01, 04-17)"
            )
        if item.started_at is None:
            errors.setdefault(f"{key}.started_at", []).append("Enter when this intervention started")
        elif item.ended_at is not None and to_the_minute(item.ended_at) < to_the_minute(item.started_at):
            errors.setdefault(f"{key}.ended_at", []).append("The intervention must end after it started")


def _validate_staff(staff: Sequence[StaffInput], ward: Ward, errors: dict[str, list[str]]) -> None:
    for n, item in enumerate(staff):
        key = f"staff[{n}]"
        if item.staff_member is None:
            check_values(
                StaffInvolvement, {"name": item.name, "job_title": item.job_title}, errors, prefix=f"{key}."
            )
        if item.part not in StaffPart.values:
            errors.setdefault(f"{key}.part", []).append(f"'{item.part}' is not a part on the list")
        if item.staff_member is not None:
            if item.staff_member.provider_id != ward.provider_id:
                errors.setdefault(f"{key}.staff_member", []).append(
                    "This member of staff does not work for the ward's provider"
                )
        elif not item.name.strip():
            errors.setdefault(f"{key}.name", []).append("Pick a member of staff or type their name")


def _check_plausible(
    *,
    content: Mapping[str, Any],
    interventions: Sequence[InterventionInput],
    now: dt.datetime,
    first_recorded_at: dt.datetime,
    durations_confirmed: bool,
    check_durations: bool,
    errors: dict[str, list[str]],
) -> plausibility.Findings:
    """The record's times compared with each other and with now (``force.plausibility``), its problems
    added to ``errors``. Only fields that passed their own rules are compared, and an intervention with a
    problem already is left to that problem, so one mistake is named once."""
    # Only values that passed their own rules are compared: a time already refused is not compared again.
    passed = {name: value for name, value in content.items() if name not in errors}
    found = plausibility.check(
        content=passed,
        interventions=interventions,
        now=now,
        first_recorded_at=first_recorded_at,
        durations_confirmed=durations_confirmed,
        check_durations=check_durations,
    )
    refused_rows = {name.split(".", 1)[0] for name in errors if name.startswith("interventions[")}
    for name, messages in found.problems.items():
        if name not in errors and name.split(".", 1)[0] not in refused_rows:
            errors[name] = messages
    return found


def _plausibility_flags(found: plausibility.Findings) -> dict[str, dict]:
    """The follow-up flags a plausible but unusual record raises: confirmed long restraints, late records."""
    flags: dict[str, dict] = {}
    if found.long_durations:
        flags[IncidentFlagKind.LONG_DURATION.value] = {"interventions": found.long_durations}
    if found.late is not None:
        flags[IncidentFlagKind.LATE_RECORD.value] = found.late
    return flags


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _write_version(
    *,
    incident: Incident,
    patient_id: int,
    number: int,
    by: User,
    change_reason: str,
    content: dict[str, Any],
    interventions: Sequence[InterventionInput],
    staff: Sequence[StaffInput],
    now: dt.datetime,
    extra_flags: Mapping[str, dict] | None = None,
) -> IncidentVersion:
    # The children are built first so that completeness (which needs them) is known before the version
    # row is inserted: versions are append-only, the flag cannot be set afterwards.
    intervention_rows = [
        InterventionRecord(
            type_code=item.type_code,
            started_at=to_the_minute(item.started_at),
            ended_at=to_the_minute(item.ended_at),
            in_care_plan=item.in_care_plan,
        )
        for item in interventions
    ]
    staff_rows = [
        StaffInvolvement(
            staff_member=item.staff_member,
            name=item.staff_member.name if item.staff_member else item.name.strip(),
            job_title=item.staff_member.job_title if item.staff_member else item.job_title.strip(),
            part=item.part,
        )
        for item in staff
    ]
    version = IncidentVersion(
        incident=incident,
        patient_id=patient_id,
        number=number,
        recorded_at=now,
        recorded_by=by,
        change_reason=change_reason,
        **content,
    )
    version.statutory_items_complete = version_items_complete(
        version=version, interventions=intervention_rows, staff=staff_rows
    )
    version.save(force_insert=True)
    for row in (*intervention_rows, *staff_rows):
        row.version = version
    InterventionRecord.objects.bulk_create(intervention_rows)
    StaffInvolvement.objects.bulk_create(staff_rows)
    mark_changed(figures_months_of_incidents({incident.pk: incident.ward_id}))
    _raise_triggers(
        incident=incident, version=version, interventions=interventions, now=now, extra_flags=extra_flags
    )
    for written in _versions_written:
        written(incident, version, now)
    return version


VersionWritten = Callable[[Incident, IncidentVersion, dt.datetime], None]
# What apps above force do when an incident's version is written, in the same transaction (act opens an
# investigation when a version records a death or serious injury, s9). Each registers when it starts;
# force never imports them (decision 0011).
_versions_written: list[VersionWritten] = []


def register_version_written(function: VersionWritten) -> VersionWritten:
    """Call ``function(incident, version, now)`` after every version is written (once, however often it
    is registered); call it from the app's ``AppConfig.ready``."""
    if function not in _versions_written:
        _versions_written.append(function)
    return function


Cells = set[tuple[int, dt.date]]
LinkedCells = Callable[[Sequence[int]], Cells]
# Records of apps above force that hang off an incident and count in their own months (segregation's
# episodes, which are not counted where their incident records their type): each such app registers, when
# it starts, a function giving the (ward, UK month) cells its records linked to some incidents touch, so
# writing an incident makes those months stale too without force importing the app (decision 0011).
_linked_cells: list[LinkedCells] = []


def register_linked_figures_months(function: LinkedCells) -> LinkedCells:
    """Add ``function(incident_ids) -> {(ward id, month)}`` to what ``figures_months_of_incidents``
    asks (once, however often it is registered); call it from the linking app's ``AppConfig.ready``."""
    if function not in _linked_cells:
        _linked_cells.append(function)
    return function


#: How far after a restraint it can change what the stored figures say of the same person's later
#: restraints: the people-centred measure of plans reviewed after repeated restraint counts restraints
#: within 28 days of each other (``measures.series.REPEAT_RESTRAINT_DAYS`` is this).
LATER_RESTRAINTS_WITHIN = dt.timedelta(days=28)


def figures_months_of_incidents(ward_of: Mapping[int, int]) -> Cells:
    """The (ward, UK month) cells whose stored monthly figures these incidents (``{incident id: ward
    id}``) touch: every month of their interventions in any version (an amendment can move one between
    months), of the records linked to them that registered apps name (segregation's episodes), and of
    their patients' interventions (any incident, any ward) up to 28 days after each of theirs, since an
    earlier restraint can make a later one "repeated" (issue 15). Read in chunks, for the import's many
    incidents too."""
    ids = sorted(ward_of)
    cells: set[tuple[int, dt.date]] = set()
    for start in range(0, len(ids), 20_000):
        chunk = ids[start : start + 20_000]
        interventions = list(
            InterventionRecord.objects.filter(version__incident_id__in=chunk).values_list(
                "version__incident_id", "version__patient_id", "started_at"
            )
        )
        cells |= {(ward_of[incident_id], local_month(started)) for incident_id, _, started in interventions}
        cells |= patients_figures_months(
            [
                (patient_id, started, started + LATER_RESTRAINTS_WITHIN)
                for _, patient_id, started in interventions
            ]
        )
        for linked_cells in _linked_cells:
            cells |= linked_cells(chunk)
    return cells


def patients_figures_months(windows: Sequence[tuple[int | None, dt.datetime, dt.datetime]]) -> Cells:
    """The (ward, UK month) cells of every intervention of these patients (any version, any incident)
    that started within their window (patient, from, to): what a write about a person can change in the
    stored figures of their restraints. One query for all of them."""
    by_patient: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for patient_id, first, last in windows:
        if patient_id is not None:
            by_patient.setdefault(patient_id, []).append((first, last))
    if not by_patient:
        return set()
    rows = InterventionRecord.objects.filter(
        version__patient_id__in=sorted(by_patient),
        started_at__gte=min(first for spans in by_patient.values() for first, _ in spans),
        started_at__lte=max(last for spans in by_patient.values() for _, last in spans),
    ).values_list("version__patient_id", "version__incident__ward_id", "started_at")
    return {
        (ward_id, local_month(started))
        for patient_id, ward_id, started in rows
        if any(first <= started <= last for first, last in by_patient[patient_id])
    }


def _raise_triggers(
    *,
    incident: Incident,
    version: IncidentVersion,
    interventions: Iterable[InterventionInput],
    now: dt.datetime,
    extra_flags: Mapping[str, dict] | None = None,
) -> None:
    """CQC tasks for reasons not already raised; flags once per kind per incident (``extra_flags``: those
    the plausibility rules raised)."""
    raised = {reason for task in incident.cqc_tasks.all() for reason in task.reasons}
    new_reasons = [reason for reason in cqc_reasons(version) if reason not in raised]
    if new_reasons:
        CqcNotificationTask.objects.create(
            incident=incident, provider_id=incident.provider_id, raised_at=now, reasons=new_reasons
        )
    existing_flags = set(incident.flags.values_list("kind", flat=True))
    for kind, detail in {**flags_for(interventions), **(extra_flags or {})}.items():
        if kind not in existing_flags:
            IncidentFlag.objects.create(
                incident=incident, version=version, kind=kind, raised_at=now, detail=detail
            )


def current_patient_id(incident: Incident) -> int:
    """The id of the patient the incident is about now: its current version's (decision 0021)."""
    return incident.versions.order_by("-number").values_list("patient_id", flat=True).first()


def _audit(
    *,
    by: User,
    action: AuditAction,
    incident: Incident,
    request: HttpRequest | None,
    patient_id: int | None = None,
    **detail: Any,
) -> None:
    audit_record(
        actor=by,
        action=action,
        record=incident,
        patient_id=patient_id if patient_id is not None else current_patient_id(incident),
        provider_id=incident.provider_id,
        request=request,
        detail=detail,
    )


@transaction.atomic
def incident_record(
    *,
    ward: Ward,
    patient: Patient,
    by: User,
    interventions: Sequence[InterventionInput] = (),
    staff: Sequence[StaffInput] = (),
    source_system: str = "",
    source_id: str = "",
    durations_confirmed: bool = False,
    request: HttpRequest | None = None,
    **content: Any,
) -> Incident:
    """Record a new incident as a draft (version 1). Any content may be left out and added later.

    Raises ValidationError naming each bad field: a ward outside the user's scope, a patient of another
    provider, unknown codes, times out of order, staff of another provider, and the plausibility rules
    (``force.plausibility``: nothing in the future, interventions within the incident, a restraint over
    its limit unless ``durations_confirmed``). A confirmed long restraint or a late record is flagged.
    """
    errors: dict[str, list[str]] = {}
    if not has_permission(by, Permission.INCIDENT_RECORD, ward=ward):
        errors["ward"] = ["You cannot record incidents on this ward"]
    if patient.provider_id != ward.provider_id:
        errors["patient"] = ["This patient is not a patient of the ward's provider"]
    check_values(Incident, {"source_system": source_system, "source_id": source_id}, errors)
    _validate_content(content, errors)
    _validate_interventions(interventions, errors)
    _validate_staff(staff, ward, errors)
    now = timezone.now()
    found = _check_plausible(
        content=content,
        interventions=interventions,
        now=now,
        first_recorded_at=now,
        durations_confirmed=durations_confirmed,
        check_durations=True,
        errors=errors,
    )
    _raise(errors)

    content.setdefault("patient_snapshot", patient_snapshot(patient, on=timezone.localdate(now)))
    incident = Incident.objects.create(
        provider_id=ward.provider_id,
        ward=ward,
        patient=patient,
        created_at=now,
        created_by=by,
        source_system=source_system,
        source_id=source_id,
    )
    _write_version(
        incident=incident,
        patient_id=patient.pk,
        number=1,
        by=by,
        change_reason="",
        content=content,
        interventions=interventions,
        staff=staff,
        now=now,
        extra_flags=_plausibility_flags(found),
    )
    IncidentStatusChange.objects.create(incident=incident, at=now, by=by, to_status=IncidentStatus.DRAFT)
    _audit(
        by=by, action=AuditAction.CREATE, incident=incident, request=request, patient_id=patient.pk, version=1
    )
    return incident


def void_refusal(incident: Incident) -> str | None:
    """Why a voided incident cannot be changed (None if it is not voided). A voided record is kept as
    it is: every amendment and status change checks here, and so do the pages that would start one
    (the task list of a voided draft), so the page, the API (409, key "status") and the import all
    give the same answer."""
    void = IncidentVoid.objects.filter(incident=incident).only("at").first()
    if void is None:
        return None
    return f"This record was voided on {timezone.localtime(void.at):%-d %B %Y} and cannot be changed"


def _lock(incident: Incident) -> Incident:
    """Re-read the incident under a row lock so two amendments cannot take the same version number."""
    return Incident.objects.select_for_update().select_related("ward").get(pk=incident.pk)


@transaction.atomic
def incident_amend(
    *,
    incident: Incident,
    by: User,
    reason: str,
    interventions: Sequence[InterventionInput] | None = None,
    staff: Sequence[StaffInput] | None = None,
    durations_confirmed: bool = False,
    base_version: int | None = None,
    request: HttpRequest | None = None,
    **changes: Any,
) -> IncidentVersion:
    """Add a new version with `changes` applied to the latest one. Interventions and staff, when given,
    replace the previous lists; when left out they are carried forward (and their durations, checked
    when they were written, are not asked to be confirmed again). The plausibility rules apply as in
    `incident_record`.

    Only while the incident is not closed, or by provider governance. `base_version` is the version
    the person started from (the form's hidden field, the API's body): if another version has been
    saved since, StaleVersion is raised and nothing is saved (decision 0018). Left out only by callers
    that work on the latest by design (the import, keyed by source id).
    """
    incident = _lock(incident)
    if not has_permission(by, Permission.INCIDENT_RECORD, ward=incident.ward):
        raise PermissionDenied("You cannot amend incidents on this ward")
    previous = incident.versions.order_by("-number").first()
    check_base_version(base=base_version, current=previous.number, what="incident")
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Say why you are changing this record"]
    check_values(IncidentVersion, {"change_reason": reason}, errors, names={"change_reason": "reason"})
    if incident.status == IncidentStatus.CLOSED and not has_permission(by, Permission.CLOSED_INCIDENT_AMEND):
        errors["status"] = ["This incident is closed: only provider governance can amend it"]
    if refusal := void_refusal(incident):
        errors["status"] = [refusal]
    content = {name: getattr(previous, name) for name in CONTENT_FIELDS}
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown incident fields: {', '.join(sorted(unknown))}")
    content.update(changes)
    # A negligible-force flag carried forward was checked against the switch when it was set.
    _validate_content(content, errors, check_switch="negligible_force" in changes)
    replaced = [
        name for name, given in (("interventions", interventions), ("staff", staff)) if given is not None
    ]
    carried = interventions is None
    if interventions is None:
        interventions = [InterventionInput(*i.as_tuple()) for i in previous.interventions.all()]
    else:
        _validate_interventions(interventions, errors)
    if staff is None:
        staff = [
            StaffInput(part=s.part, staff_member=s.staff_member, name=s.name, job_title=s.job_title)
            for s in previous.staff.select_related("staff_member")
        ]
    else:
        _validate_staff(staff, incident.ward, errors)
    now = timezone.now()
    found = _check_plausible(
        content=content,
        interventions=interventions,
        now=now,
        first_recorded_at=incident.created_at,
        durations_confirmed=durations_confirmed,
        check_durations=not carried,
        errors=errors,
    )
    _raise(errors)

    version = _write_version(
        incident=incident,
        patient_id=previous.patient_id,
        number=previous.number + 1,
        by=by,
        change_reason=reason.strip(),
        content=content,
        interventions=interventions,
        staff=staff,
        now=now,
        extra_flags=_plausibility_flags(found),
    )
    _audit(
        by=by,
        action=AuditAction.CHANGE,
        incident=incident,
        request=request,
        patient_id=version.patient_id,
        version=version.number,
        reason=version.change_reason,
        fields=sorted(changes) + replaced,
    )
    return version


def _change_status(
    *,
    incident: Incident,
    by: User,
    to_status: str,
    note: str = "",
    reviewer: bool,
    request: HttpRequest | None,
) -> IncidentStatusChange:
    incident = _lock(incident)
    if not has_permission(by, Permission.INCIDENT_RECORD, ward=incident.ward):
        raise PermissionDenied("You cannot change incidents on this ward")
    if reviewer and not has_permission(by, Permission.INCIDENT_REVIEW, ward=incident.ward):
        raise PermissionDenied("Only a ward manager or provider governance can review incidents")
    problems: dict[str, list[str]] = {}
    check_values(IncidentStatusChange, {"note": note}, problems)
    if refusal := void_refusal(incident):
        problems["status"] = [refusal]
    _raise(problems)
    current = incident.status
    if current not in TRANSITIONS[to_status]:
        raise ValidationError(
            {
                "status": [
                    f"An incident that is {IncidentStatus(current).label.lower()} cannot be "
                    f"moved to {IncidentStatus(to_status).label.lower()}"
                ]
            }
        )
    change = IncidentStatusChange.objects.create(
        incident=incident, at=timezone.now(), by=by, from_status=current, to_status=to_status, note=note
    )
    _audit(
        by=by,
        action=AuditAction.CHANGE,
        incident=incident,
        request=request,
        from_status=current,
        to_status=to_status,
        note=note,
    )
    return change


def incident_missing_items(incident: Incident) -> list[str]:
    """The s6(5) items the latest version does not yet record."""
    version = incident.versions.select_related("patient").order_by("-number").first()
    return missing_items(
        version=version,
        interventions=list(version.interventions.all()),
        staff=list(version.staff.all()),
        patient=version.patient,
    )


@transaction.atomic
def incident_submit(
    *, incident: Incident, by: User, request: HttpRequest | None = None
) -> IncidentStatusChange:
    """Send a draft (or a sent-back incident) for review. Refused while any s6(5) item is missing."""
    missing = incident_missing_items(incident)
    if missing:
        raise ValidationError({"statutory_items": missing})
    return _change_status(
        incident=incident, by=by, to_status=IncidentStatus.SUBMITTED, reviewer=False, request=request
    )


@transaction.atomic
def incident_review(
    *, incident: Incident, by: User, note: str = "", request: HttpRequest | None = None
) -> IncidentStatusChange:
    """A ward manager or provider governance confirms they have reviewed a submitted incident."""
    return _change_status(
        incident=incident, by=by, to_status=IncidentStatus.REVIEWED, note=note, reviewer=True, request=request
    )


@transaction.atomic
def incident_send_back(
    *, incident: Incident, by: User, request_text: str, request: HttpRequest | None = None
) -> IncidentStatusChange:
    """A reviewer returns the incident to its authors with a request saying what to change."""
    if not (request_text or "").strip():
        raise ValidationError({"request_text": ["Say what needs to change"]})
    return _change_status(
        incident=incident,
        by=by,
        to_status=IncidentStatus.SENT_BACK,
        note=request_text.strip(),
        reviewer=True,
        request=request,
    )


def _check_review(review: ReviewAnswers | None, errors: dict[str, list[str]]) -> None:
    """The closing review's questions: harm, proportionality, least restrictive, learning, and each
    action with its owner."""
    if review is None:
        errors["review"] = ["Answer the review questions before closing"]
        return
    check_values(
        IncidentClosure,
        {name: value for name, value in review.as_fields().items() if name != "actions"},
        errors,
    )
    required = {
        "harm": "Say what harm came to anyone, or that there was none",
        "learning": "Say what the team learned, or that there was nothing new",
    }
    for name, message in required.items():
        if not getattr(review, name).strip() and name not in errors:
            errors[name] = [message]
    for name, question in (
        ("proportionate", "Say whether the force used was proportionate to the risk"),
        ("least_restrictive", "Say whether it was the least restrictive option"),
    ):
        if getattr(review, name) is None:
            errors.setdefault(name, []).append(question)
        elif getattr(review, name) is False and not getattr(review, f"{name}_text").strip():
            errors.setdefault(f"{name}_text", []).append("Say why not, and what should have happened")
    for n, item in enumerate(review.actions):
        action, owner = (item.get("action") or "").strip(), (item.get("owner") or "").strip()
        for key, value in (("action", action), ("owner", owner)):
            check_values(
                IncidentClosure,
                {"prone_review": value},
                errors,
                names={"prone_review": f"actions[{n}].{key}"},
            )
        if action and not owner:
            errors.setdefault(f"actions[{n}].owner", []).append("Name who owns this action")
        elif owner and not action:
            errors.setdefault(f"actions[{n}].action", []).append("Say what the action is")


@transaction.atomic
def incident_close(
    *,
    incident: Incident,
    by: User,
    review: ReviewAnswers | None,
    skipped: Mapping[str, str] | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> IncidentStatusChange:
    """Close a reviewed incident with its closing review (``force.closure``): the review questions
    answered, and each follow-up that applies done or closed without with a reason in ``skipped``
    (``{key: reason}``, refused on ``skip.<key>``). Closed incidents can be amended only by provider
    governance; a follow-up closed without is still owed and still counted."""
    # Who may close, and from which status, first (refused before the answers are read); the status row
    # is rolled back with everything else when the answers are refused.
    change = _change_status(
        incident=incident, by=by, to_status=IncidentStatus.CLOSED, note=note, reviewer=True, request=request
    )
    locked = change.incident
    errors: dict[str, list[str]] = {}
    _check_review(review, errors)
    checklist = closure_checklist(locked, at=change.at)
    skipped = {key: (reason or "").strip() for key, reason in (skipped or {}).items()}
    for item in checklist:
        if item.done:
            continue
        reason = skipped.get(item.key, "")
        if not reason:
            errors.setdefault(f"skip.{item.key}", []).append(
                f"{item.label}: not done yet. Complete it, or say why you are closing without it"
            )
        else:
            check_values(
                IncidentClosure, {"learning": reason}, errors, names={"learning": f"skip.{item.key}"}
            )
    _raise(errors)
    actions = [
        {"action": a["action"].strip(), "owner": a["owner"].strip()}
        for a in review.actions
        if (a.get("action") or "").strip()
    ]
    IncidentClosure.objects.create(
        incident=locked,
        status_change=change,
        closed_at=change.at,
        closed_by=by,
        harm=review.harm.strip(),
        proportionate=review.proportionate,
        proportionate_text=review.proportionate_text.strip(),
        least_restrictive=review.least_restrictive,
        least_restrictive_text=review.least_restrictive_text.strip(),
        learning=review.learning.strip(),
        actions=actions,
        checklist=[
            {
                "key": item.key,
                "label": item.label,
                "done": item.done,
                "detail": item.detail,
                "skipped_reason": "" if item.done else skipped[item.key],
            }
            for item in checklist
        ],
    )
    return change


@transaction.atomic
def incident_void(
    *,
    incident: Incident,
    by: User,
    reason: str,
    duplicate_of: Incident | None = None,
    request: HttpRequest | None = None,
) -> IncidentVoid:
    """Void an incident recorded in error, or (with ``duplicate_of``) mark it a duplicate of another
    incident of the same provider (issue 13 item 5). Provider governance only (``INCIDENT_VOID``).

    Append-only: a new ``IncidentVoid`` row, never a change to the incident or a deletion; the record stays,
    struck through, and measures and exports leave it out, so the stored monthly figures of its months are
    marked stale. Final: a voided incident is not voided again.
    """
    incident = _lock(incident)
    if not has_permission(by, Permission.INCIDENT_VOID, ward=incident.ward):
        raise PermissionDenied("Only provider governance can void an incident or mark it a duplicate")
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Say why this incident is being voided"]
    check_values(IncidentVoid, {"reason": reason or ""}, errors)
    if IncidentVoid.objects.filter(incident=incident).exists():
        errors["incident"] = ["This incident is already voided"]
    if duplicate_of is not None:
        if duplicate_of.pk == incident.pk:
            errors["duplicate_of"] = ["An incident cannot be a duplicate of itself"]
        elif duplicate_of.provider_id != incident.provider_id:
            errors["duplicate_of"] = ["Choose an incident of the same provider"]
        elif IncidentVoid.objects.filter(incident=duplicate_of).exists():
            errors["duplicate_of"] = ["That incident is voided itself: choose the one that counts"]
    _raise(errors)
    void = IncidentVoid.objects.create(
        incident=incident,
        kind=VoidKind.DUPLICATE if duplicate_of is not None else VoidKind.VOID,
        duplicate_of=duplicate_of,
        reason=reason.strip(),
        at=timezone.now(),
        by=by,
    )
    mark_changed(figures_months_of_incidents({incident.pk: incident.ward_id}))
    _audit(
        by=by,
        action=AuditAction.CHANGE,
        incident=incident,
        request=request,
        voided=void.kind,
        duplicate_of=duplicate_of.pk if duplicate_of is not None else None,
        reason=void.reason,
    )
    return void


@transaction.atomic
def incident_patient_correct(
    *,
    incident: Incident,
    by: User,
    patient: Patient,
    reason: str,
    base_version: int | None = None,
    request: HttpRequest | None = None,
) -> IncidentVersion:
    """Move an incident recorded against the wrong patient to the right one (issue 13 item 5, decision 0021).

    A new version naming the right patient, with everything else carried forward and the patient's
    characteristics taken again from the right patient's record (s6(5)(j)-(l)); the earlier versions keep
    the wrong patient, so the history shows who it was and who corrected it, when and why. A ward manager
    or provider governance (``INCIDENT_REVIEW``); both patients must be ones the user may see, and the
    right one a patient of the incident's provider. A closed incident only by provider governance (as any
    amendment); a voided one not at all. Every month of the incident is marked stale (people restrained,
    repeat concentration and equity count patients), and the correction is audited against both patients.
    """
    incident = _lock(incident)
    if not has_permission(by, Permission.INCIDENT_REVIEW, ward=incident.ward):
        raise PermissionDenied("Only a ward manager or provider governance can correct the patient")
    previous = incident.versions.select_related("patient").order_by("-number").first()
    check_base_version(base=base_version, current=previous.number, what="incident")
    visible = patients_for(by)
    if not visible.filter(pk=previous.patient_id).exists():
        # The user cannot see the patient the incident is recorded against: as if it were not there.
        raise PermissionDenied("You cannot see the patient this incident is recorded against")
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Say why the patient is being corrected"]
    check_values(IncidentVersion, {"change_reason": reason or ""}, errors, names={"change_reason": "reason"})
    if patient.provider_id != incident.provider_id or not visible.filter(pk=patient.pk).exists():
        errors["patient"] = ["Choose a patient of this incident's provider that you can see"]
    elif patient.pk == previous.patient_id:
        errors["patient"] = ["The incident is already recorded against this patient: choose the right one"]
    if incident.status == IncidentStatus.CLOSED and not has_permission(by, Permission.CLOSED_INCIDENT_AMEND):
        errors["status"] = ["This incident is closed: only provider governance can correct the patient"]
    if refusal := void_refusal(incident):
        errors["status"] = [refusal]
    _raise(errors)

    content = {name: getattr(previous, name) for name in CONTENT_FIELDS}
    content["patient_snapshot"] = patient_snapshot(patient, on=timezone.localdate(incident.created_at))
    wrong = previous.patient
    version = _write_version(
        incident=incident,
        patient_id=patient.pk,
        number=previous.number + 1,
        by=by,
        change_reason=f"Patient corrected: {reason.strip()}",
        content=content,
        interventions=[InterventionInput(*i.as_tuple()) for i in previous.interventions.all()],
        staff=[
            StaffInput(part=s.part, staff_member=s.staff_member, name=s.name, job_title=s.job_title)
            for s in previous.staff.select_related("staff_member")
        ],
        now=timezone.now(),
    )
    # Audited against both patients, so a search of the audit log for either finds the correction.
    for patient_id in (patient.pk, wrong.pk):
        _audit(
            by=by,
            action=AuditAction.CHANGE,
            incident=incident,
            request=request,
            patient_id=patient_id,
            version=version.number,
            patient_corrected_from=wrong.pk,
            patient_corrected_to=patient.pk,
            reason=reason.strip(),
        )
    return version


@transaction.atomic
def cqc_task_complete(
    *, task: CqcNotificationTask, by: User, status: str, note: str = "", request: HttpRequest | None = None
) -> CqcNotificationTask:
    """Provider governance records that CQC was notified, or why no notification was needed."""
    task = (
        CqcNotificationTask.objects.select_for_update(of=("self",)).select_related("provider").get(pk=task.pk)
    )
    if not has_permission(by, Permission.CQC_TASK_COMPLETE, provider=task.provider):
        raise PermissionDenied("Only provider governance of this provider can complete CQC tasks")
    errors: dict[str, list[str]] = {}
    if task.status != CqcTaskStatus.OPEN:
        errors["status"] = ["This task is already completed"]
    elif status not in (CqcTaskStatus.NOTIFIED, CqcTaskStatus.NOT_REQUIRED):
        errors["status"] = ["Choose notified or not required"]
    if status == CqcTaskStatus.NOT_REQUIRED and not note.strip():
        errors["note"] = ["Say why no notification is needed"]
    check_values(CqcNotificationTask, {"note": note}, errors)
    _raise(errors)
    task.status, task.note, task.completed_at, task.completed_by = status, note.strip(), timezone.now(), by
    task.save(update_fields=["status", "note", "completed_at", "completed_by"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=task,
        patient_id=current_patient_id(task.incident),
        provider_id=task.provider_id,
        request=request,
        detail={"status": status, "note": task.note},
    )
    return task


@transaction.atomic
def incident_record_and_submit(**kwargs: Any) -> Incident:
    """Record a new incident and submit it for review in one step, or save nothing.

    Takes the same arguments as `incident_record`. If a statutory item is missing the ValidationError
    from `incident_submit` rolls back the new record too, so the form can show what is missing
    without leaving a half-finished draft behind.
    """
    incident = incident_record(**kwargs)
    incident_submit(incident=incident, by=kwargs["by"], request=kwargs.get("request"))
    return incident


@transaction.atomic
def incident_amend_and_submit(**kwargs: Any) -> IncidentVersion:
    """Amend an incident and submit it in one step (same arguments as `incident_amend`), or save nothing."""
    version = incident_amend(**kwargs)
    incident_submit(incident=kwargs["incident"], by=kwargs["by"], request=kwargs.get("request"))
    return version


def _staff_member_of(user: User) -> StaffMember | None:
    # The reverse one-to-one raises (an AttributeError subclass) when the user has no roster entry.
    return getattr(user, "staff_member", None)


def statement_author_may_add(*, incident: Incident, by: User) -> bool:
    """Whether `by` is a member of staff named in any version of the incident (so may add a statement)."""
    member = _staff_member_of(by)
    return bool(
        member is not None
        and has_permission(by, Permission.INCIDENT_RECORD, ward=incident.ward)
        and StaffInvolvement.objects.filter(version__incident=incident, staff_member=member).exists()
    )


@transaction.atomic
def statement_add(
    *, incident: Incident, by: User, text: str, request: HttpRequest | None = None
) -> StaffStatement:
    """A member of staff involved in the incident adds their own statement (append-only, audited).

    Only staff named in the record (through their roster entry) may add one, and only their own:
    the statement is always in the name of the signed-in user.
    """
    if not statement_author_may_add(incident=incident, by=by):
        raise PermissionDenied("Only staff named in this incident can add a statement")
    if not (text or "").strip():
        raise ValidationError({"text": ["Write your statement"]})
    problems: dict[str, list[str]] = {}
    check_values(StaffStatement, {"text": text}, problems)
    _raise(problems)
    member = _staff_member_of(by)
    statement = StaffStatement.objects.create(
        incident=incident,
        staff_member=member,
        author=by,
        name=f"{member.name}, {member.job_title}",
        text=text.strip(),
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=statement,
        patient_id=current_patient_id(incident),
        provider_id=incident.provider_id,
        request=request,
        detail={"incident_id": incident.pk},
    )
    return statement


# --- Physical health observations after rapid tranquillisation (NICE QS154) ---

# Plausible ranges for an adult on an inpatient ward: outside them a value is almost certainly mistyped
# (an extreme but real value inside them is for the early-warning score and the doctor, not refused).
OBSERVATION_RANGES: dict[str, tuple[float, float, str]] = {
    "pulse": (20, 250, "Pulse must be between 20 and 250 beats per minute"),
    "bp_systolic": (50, 280, "Systolic blood pressure must be between 50 and 280 mmHg"),
    "bp_diastolic": (20, 180, "Diastolic blood pressure must be between 20 and 180 mmHg"),
    "respiratory_rate": (4, 60, "Respiratory rate must be between 4 and 60 breaths per minute"),
    "temperature": (30, 44, "Temperature must be between 30.0 and 44.0 degrees Celsius"),
    "oxygen_saturation": (50, 100, "Oxygen saturation must be between 50 and 100 per cent"),
}
# NICE NG10 1.4.44 names these; oxygen saturation is welcome but not required.
OBSERVATIONS_REQUIRED: dict[str, str] = {
    "pulse": "Enter the pulse",
    "bp_systolic": "Enter the systolic blood pressure",
    "bp_diastolic": "Enter the diastolic blood pressure",
    "respiratory_rate": "Enter the respiratory rate",
    "temperature": "Enter the temperature",
    "consciousness": "Choose the level of consciousness",
    "hydration": "Choose the level of hydration",
}


def _validate_observation(
    values: dict[str, Any], *, refused: bool, refused_note: str, errors: dict[str, list[str]]
) -> None:
    for name, (low, high, message) in OBSERVATION_RANGES.items():
        value = values.get(name)
        if value is not None and not (low <= value <= high):
            errors.setdefault(name, []).append(message)
    systolic, diastolic = values.get("bp_systolic"), values.get("bp_diastolic")
    if (systolic is None) != (diastolic is None) and refused:
        missing = "bp_diastolic" if diastolic is None else "bp_systolic"
        errors.setdefault(missing, []).append("Enter both blood pressure numbers, or neither")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        errors.setdefault("bp_diastolic", []).append("Diastolic blood pressure must be lower than systolic")
    if values.get("consciousness") and values["consciousness"] not in ConsciousnessLevel.values:
        errors.setdefault("consciousness", []).append("Choose alert, voice, pain or unresponsive")
    if values.get("hydration") and values["hydration"] not in Hydration.values:
        errors.setdefault("hydration", []).append("Choose a level of hydration from the list")
    if refused:
        if not refused_note.strip():
            errors.setdefault("refused_note", []).append(
                "Say what the patient declined and what you could still observe"
            )
    else:
        for name, message in OBSERVATIONS_REQUIRED.items():
            if values.get(name) in (None, "") and name not in errors:
                errors.setdefault(name, []).append(message)


@transaction.atomic
def rt_observation_record(
    *,
    incident: Incident,
    by: User,
    observed_at: dt.datetime | None,
    pulse: int | None = None,
    bp_systolic: int | None = None,
    bp_diastolic: int | None = None,
    respiratory_rate: int | None = None,
    temperature: Decimal | float | None = None,
    oxygen_saturation: int | None = None,
    consciousness: str = "",
    hydration: str = "",
    refused: bool = False,
    refused_note: str = "",
    request: HttpRequest | None = None,
) -> PhysicalHealthObservation:
    """Record one set of physical health observations after rapid tranquillisation (append-only, audited).

    Staff who may record incidents on the incident's ward only (anyone else: PermissionDenied). Refused
    with errors naming each field: values outside plausible ranges, an observation time before the
    rapid tranquillisation started or in the future, missing observations unless the patient declined,
    and a refusal without a note.
    """
    incident = Incident.objects.select_related("ward").get(pk=incident.pk)
    if not has_permission(by, Permission.INCIDENT_RECORD, ward=incident.ward):
        raise PermissionDenied("You cannot record observations on this ward")
    temperature = Decimal(str(temperature)).quantize(Decimal("0.1")) if temperature is not None else None
    values = {
        "pulse": pulse,
        "bp_systolic": bp_systolic,
        "bp_diastolic": bp_diastolic,
        "respiratory_rate": respiratory_rate,
        "temperature": temperature,
        "oxygen_saturation": oxygen_saturation,
        "consciousness": consciousness or "",
        "hydration": hydration or "",
    }
    errors: dict[str, list[str]] = {}
    version = incident.versions.order_by("-number").first()
    starts = rt_starts(version.interventions.all())
    now = timezone.now()
    if not starts:
        errors["incident"] = ["No rapid tranquillisation is recorded on this incident"]
    if observed_at is None:
        errors["observed_at"] = ["Enter when the observations were taken"]
    else:
        observed_at = to_the_minute(observed_at)
        if starts and observed_at < starts[0]:
            errors["observed_at"] = ["The observations cannot be before the rapid tranquillisation started"]
        elif observed_at > now:
            errors["observed_at"] = ["The observations cannot be in the future"]
    _validate_observation(values, refused=refused, refused_note=refused_note or "", errors=errors)
    _raise(errors)

    observation = PhysicalHealthObservation.objects.create(
        incident=incident,
        observed_at=observed_at,
        recorded_by=by,
        recorded_at=now,
        refused=refused,
        refused_note=(refused_note or "").strip(),
        **values,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=observation,
        patient_id=current_patient_id(incident),
        provider_id=incident.provider_id,
        request=request,
        detail={"incident_id": incident.pk, "observed_at": observed_at.isoformat(), "refused": refused},
    )
    return observation
