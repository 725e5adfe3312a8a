"""The incidents API: the same services, selectors, validation and scope as the pages.

Reads start from `force.selectors` (so an id outside the caller's scope answers 404); writes call
`force.services` (which validate, version and audit). Read-only roles (commissioner, regulator,
national analyst) may read what their scope allows and get 403 for any write.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AfterValidator

from rrp.accounts.models import User
from rrp.accounts.permissions import require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_wards_for
from rrp.api.problems import problem_responses
from rrp.api.schemas import (
    ImportResult,
    IncidentAmendIn,
    IncidentCreateIn,
    IncidentOut,
    IncidentPage,
    InterventionIn,
    PatientCorrectionIn,
    StaffIn,
)
from rrp.api.selectors import incidents_filtered, latest_versions, roster_staff_for
from rrp.core.csv_import import file_rejected
from rrp.core.services import audit_list
from rrp.core.validation.files import FileProblem, decode_text
from rrp.core.validation.schemas import Id, IsoDate, RuleError
from rrp.force.codes import EPISODE_TYPES, InterventionType, episode_type_message
from rrp.force.imports import incidents_import
from rrp.force.models import TEXT_CONTENT_FIELDS, Incident, IncidentVersion
from rrp.force.selectors import incident_get_for, incident_list_for_user
from rrp.force.services import (
    InterventionInput,
    StaffInput,
    incident_amend,
    incident_missing_items,
    incident_patient_correct,
    incident_record,
    incident_submit,
)
from rrp.organisations.models import Ward
from rrp.people.selectors import patients_for

router = Router(tags=["Incidents"])

MAX_PAGE_SIZE = 200
# Far beyond any list (a million pages of 200): a bigger page number is a mistake, not a request.
MAX_PAGE = 1_000_000


def _user(request: HttpRequest) -> User:
    return request.auth  # set by TokenAuth


READ_ONLY = "Your role can read incidents but not record or change them."


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is UK local time, as on the forms."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _content(payload: IncidentCreateIn | IncidentAmendIn, *, only_sent: bool) -> dict[str, Any]:
    """Content fields from a payload, with times made aware; `only_sent` keeps only fields the client sent
    (an amendment changes only those). Empty text and lists stand for "not recorded" as on the forms."""
    names = set(IncidentContentFields)
    data = payload.dict(exclude_unset=only_sent, include=names)
    out: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dt.datetime):
            value = _aware(value)
        if value is None and name in _NOT_NULL_TEXT:
            value = ""
        elif value is None and name in _NOT_NULL_LISTS:
            value = []
        elif value is None and name in _NOT_NULL_BOOLS:
            value = False
        out[name] = value
    if not only_sent:
        out = {k: v for k, v in out.items() if v is not None}
    return out


IncidentContentFields = tuple(
    name
    for name in IncidentCreateIn.model_fields
    if name in IncidentAmendIn.model_fields and name not in {"interventions", "staff", "durations_confirmed"}
)
_NOT_NULL_TEXT = frozenset(TEXT_CONTENT_FIELDS)
_NOT_NULL_LISTS = frozenset({"non_staff_types", "deescalation"})
_NOT_NULL_BOOLS = frozenset({"abuse_alleged", "negligible_force"})


def _interventions(items: list[InterventionIn], errors: dict[str, list[str]]) -> list[InterventionInput]:
    """The interventions sent, for the services. Seclusion and segregation (05, 06) are refused into
    ``errors``: they are recorded as an episode linked to the incident (decision 0020), as on the pages."""
    for n, item in enumerate(items):
        if item.type_code in EPISODE_TYPES:
            errors.setdefault(f"interventions[{n}].type_code", []).append(
                episode_type_message(item.type_code)
            )
    return [
        InterventionInput(
            type_code=i.type_code,
            started_at=_aware(i.started_at),
            ended_at=_aware(i.ended_at),
            in_care_plan=i.in_care_plan,
        )
        for i in items
    ]


def _staff(items: list[StaffIn], ward: Ward, errors: dict[str, list[str]]) -> list[StaffInput]:
    """Staff inputs with roster members looked up in the ward's provider; unknown ids go in `errors`."""
    roster = roster_staff_for(ward, [s.staff_member_id for s in items if s.staff_member_id is not None])
    out = []
    for n, item in enumerate(items):
        member = None
        if item.staff_member_id is not None:
            member = roster.get(item.staff_member_id)
            if member is None:
                errors[f"staff[{n}].staff_member_id"] = [
                    "No member of staff of the ward's provider has this id"
                ]
        out.append(StaffInput(part=item.part, staff_member=member, name=item.name, job_title=item.job_title))
    return out


@contextmanager
def _with_more_errors(errors: dict[str, list[str]]) -> Iterator[None]:
    """Run a service, then report its validation errors and `errors` (found before calling it) together,
    so that every bad field is listed at once; anything the service saved is rolled back."""
    with transaction.atomic():
        try:
            yield
        except ValidationError as invalid:
            if not errors or not hasattr(invalid, "error_dict"):
                raise
            raise ValidationError({**invalid.message_dict, **errors}) from invalid
        if errors:
            raise ValidationError(errors)


def _summary(incident: Incident, version: IncidentVersion | None) -> dict[str, Any]:
    interventions = list(version.interventions.all()) if version else []
    return {
        "id": incident.pk,
        "ward_id": incident.ward_id,
        "ward_code": incident.ward.code,
        # The current patient (decision 0021): a corrected incident names the right one.
        "patient_id": version.patient_id if version else incident.patient_id,
        "status": incident.status,
        "created_at": incident.created_at,
        "version": version.number if version else 0,
        "occurred_at": version.occurred_at if version else None,
        "intervention_types": sorted({i.type_code for i in interventions}),
        "source_system": incident.source_system,
        "source_id": incident.source_id,
    }


def _detail(incident: Incident) -> dict[str, Any]:
    version = latest_versions([incident.pk])[incident.pk]
    content = version.content()
    content.pop("interventions"), content.pop("staff")
    return {
        **_summary(incident, version),
        "recorded_at": version.recorded_at,
        "change_reason": version.change_reason,
        "content": content,
        "interventions": [
            {
                "type_code": i.type_code,
                "type_label": InterventionType(i.type_code).label,
                "started_at": i.started_at,
                "ended_at": i.ended_at,
                "duration_minutes": i.duration_minutes,
                "in_care_plan": i.in_care_plan,
            }
            for i in version.interventions.all()
        ],
        "staff": [
            {"staff_member_id": s.staff_member_id, "name": s.name, "job_title": s.job_title, "part": s.part}
            for s in version.staff.all()
        ],
        "missing_statutory_items": incident_missing_items(incident),
    }


def _writable_incident(user: User, incident_id: int) -> Incident:
    """An incident in scope for a write (the service audits the write, so this read is not audited)."""
    require_permission(user, Permission.INCIDENT_RECORD, denied=READ_ONLY)
    incident = incident_list_for_user(user).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("No incident you can see has this id.")
    return incident


def _type_code(value: str) -> str:
    if value not in InterventionType.values:
        raise RuleError(f"'{value[:20]}' is not an MHSDS restrictive intervention type (01, 04-17)")
    return value


InterventionTypeCode = Annotated[
    str, Field(json_schema_extra={"enum": list(InterventionType.values)}), AfterValidator(_type_code)
]


class IncidentFilters(Schema):
    ward_id: Id | None = None
    occurred_from: IsoDate | None = None
    occurred_to: IsoDate | None = None
    type_code: InterventionTypeCode | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


@router.get(
    "/incidents",
    response={200: IncidentPage, **problem_responses(401, 422)},
    summary="List incidents in your scope",
)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]) -> dict[str, Any]:
    """Incidents on the wards whose patients you may see, newest first. Filter by `ward_id`, the dates
    the incident happened (`occurred_from`, `occurred_to`, inclusive, UK dates) and MHSDS intervention
    `type_code`. Paginated: `page` from 1, `page_size` up to 200."""
    user = _user(request)
    errors: dict[str, list[str]] = {}
    if filters.occurred_from and filters.occurred_to and filters.occurred_to < filters.occurred_from:
        errors["occurred_to"] = ["The end of the date range must be on or after its start"]
    if errors:
        raise ValidationError(errors)
    incidents = incidents_filtered(
        incident_list_for_user(user),
        ward_id=filters.ward_id,
        occurred_from=filters.occurred_from,
        occurred_to=filters.occurred_to,
        type_code=filters.type_code,
    )
    count = incidents.count()
    start = (filters.page - 1) * filters.page_size
    page = list(incidents[start : start + filters.page_size])
    versions = latest_versions([i.pk for i in page])
    audit_list(
        actor=user,
        records=page,
        record_type="force.Incident",
        label="Incident list (API)",
        request=request,
        detail=lambda shown: {"list": True, "ids": [i.pk for i in shown]},
    )
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "pages": math.ceil(count / filters.page_size) if count else 0,
        "items": [_summary(i, versions.get(i.pk)) for i in page],
    }


@router.post(
    "/incidents",
    response={201: IncidentOut, **problem_responses(400, 401, 403, 409, 422)},
    summary="Record an incident (as a draft)",
)
def create_incident(request: HttpRequest, payload: IncidentCreateIn) -> Status:
    """Record a new incident as a draft, version 1, with the same checks as the form. Anything may be
    left out and added later by amending; submit it when every statutory item is recorded."""
    user = _user(request)
    require_permission(user, Permission.INCIDENT_RECORD, denied=READ_ONLY)
    ward = patient_wards_for(user).filter(pk=payload.ward_id).first()
    patient = patients_for(user).filter(pk=payload.patient_id).first()
    errors: dict[str, list[str]] = {}
    if ward is None:
        errors["ward_id"] = ["No ward you can record incidents on has this id"]
    if patient is None:
        errors["patient_id"] = ["No patient you can see has this id"]
    if errors:
        raise ValidationError(errors)
    found: dict[str, list[str]] = {}
    staff = _staff(payload.staff, ward, found)
    interventions = _interventions(payload.interventions, found)
    with _with_more_errors(found):
        incident = incident_record(
            ward=ward,
            patient=patient,
            by=user,
            interventions=interventions,
            staff=staff,
            source_system=payload.source_system,
            source_id=payload.source_id,
            durations_confirmed=payload.durations_confirmed,
            request=request,
            **_content(payload, only_sent=False),
        )
    return Status(201, _detail(incident_list_for_user(user).get(pk=incident.pk)))


@router.post(
    "/incidents/import",
    response={200: ImportResult, **problem_responses(400, 401, 403, 409, 422)},
    summary="Import incidents from a CSV file",
    # Declared before /incidents/{incident_id} so that "import" is not taken for an id.
)
def import_incidents(request: HttpRequest, file: File[UploadedFile]) -> dict[str, int]:
    """Import a CSV in the layout of docs/imports.md (multipart form field `file`). All or nothing: any
    problem rejects the file (422) with every problem listed by row and column. Idempotent by
    `source_system` + `source_id`: an unchanged incident is left alone, a changed one gets a new version."""
    user = _user(request)
    require_permission(user, Permission.INCIDENT_RECORD, denied=READ_ONLY)
    try:
        text = decode_text(file.read())
    except FileProblem as problem:
        raise file_rejected(problem) from None
    return incidents_import(source=io.StringIO(text, newline=""), by=user, request=request)


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentOut, **problem_responses(401, 404)},
    summary="Read an incident",
)
def read_incident(request: HttpRequest, incident_id: Id) -> dict[str, Any]:
    """The latest version of an incident, with what is still missing for the law. Audited."""
    incident = incident_get_for(_user(request), incident_id, request=request)
    if incident is None:
        raise Http404("No incident you can see has this id.")
    return _detail(incident)


@router.post(
    "/incidents/{incident_id}/amendments",
    response={201: IncidentOut, **problem_responses(400, 401, 403, 404, 409, 422)},
    summary="Amend an incident (adds a version)",
)
def amend_incident(request: HttpRequest, incident_id: Id, payload: IncidentAmendIn) -> Status:
    """Add a new version with the fields sent changed; nothing is overwritten. `reason` is required.
    Closed incidents can be amended only by provider governance."""
    user = _user(request)
    incident = _writable_incident(user, incident_id)
    found: dict[str, list[str]] = {}
    staff = _staff(payload.staff, incident.ward, found) if payload.staff is not None else None
    interventions = (
        _interventions(payload.interventions, found) if payload.interventions is not None else None
    )
    with _with_more_errors(found):
        incident_amend(
            incident=incident,
            by=user,
            reason=payload.reason,
            interventions=interventions,
            staff=staff,
            durations_confirmed=payload.durations_confirmed,
            base_version=payload.base_version,
            request=request,
            **_content(payload, only_sent=True),
        )
    return Status(201, _detail(incident_list_for_user(user).get(pk=incident.pk)))


@router.post(
    "/incidents/{incident_id}/patient-corrections",
    response={201: IncidentOut, **problem_responses(400, 401, 403, 404, 409, 422)},
    summary="Correct the patient of an incident (adds a version)",
)
def correct_incident_patient(request: HttpRequest, incident_id: Id, payload: PatientCorrectionIn) -> Status:
    """Move an incident recorded against the wrong patient to the right one: a new version naming the
    right patient, with a reason; the earlier versions keep the wrong one (decision 0021). A ward manager
    or provider governance; both patients must be ones you can see. Closed incidents only by provider
    governance; voided ones not at all (409 on `status`)."""
    user = _user(request)
    require_permission(user, Permission.INCIDENT_REVIEW, denied=READ_ONLY)
    incident = _writable_incident(user, incident_id)
    patient = patients_for(user).filter(pk=payload.patient_id).first()
    if patient is None:
        raise ValidationError({"patient_id": ["No patient you can see has this id"]})
    try:
        incident_patient_correct(
            incident=incident,
            by=user,
            patient=patient,
            reason=payload.reason,
            base_version=payload.base_version,
            request=request,
        )
    except ValidationError as invalid:
        errors = invalid.message_dict
        raise ValidationError(
            {("patient_id" if key == "patient" else key): messages for key, messages in errors.items()}
        ) from invalid
    return Status(201, _detail(incident_list_for_user(user).get(pk=incident.pk)))


@router.post(
    "/incidents/{incident_id}/submit",
    response={200: IncidentOut, **problem_responses(401, 403, 404, 409, 422)},
    summary="Submit an incident for review",
)
def submit_incident(request: HttpRequest, incident_id: Id) -> dict[str, Any]:
    """Send a draft (or a sent-back incident) for review. Refused (422, listing each missing item under
    `statutory_items`) while a statutory item is missing; 409 if it is already submitted or later."""
    user = _user(request)
    incident = _writable_incident(user, incident_id)
    incident_submit(incident=incident, by=user, request=request)
    return _detail(incident_list_for_user(user).get(pk=incident.pk))
