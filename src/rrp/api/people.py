"""The people-at-the-centre API (issue 15 item 7): support plans, information about rights, debriefs and
the weekly check, over the same selectors, services, scope and audit as the pages (decision 0037).

Mounted at /api/people/ (rrp.api.api). A patient or incident out of the reader's scope answers 404, as on
the pages; every answer that shows a plan, a debrief or rights information writes a view in the audit
log, every write a create or change event. A plan is written from the version the client read
(``base_version``): if someone saved since, 409 and nothing saved (decision 0018). Writes need
``patient_support_record`` (plans, rights information, the weekly check) or ``incident_record`` on the
incident's ward (debriefs): 403 otherwise. The weekly check is anonymous: the API takes answers for a
ward and never gives them back one by one, nor their comments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from rrp.accounts.models import User
from rrp.accounts.permissions import require_permission
from rrp.accounts.roles import Permission
from rrp.api.problems import problem_responses
from rrp.api.schemas import BodyIn
from rrp.core.validation.schemas import Id, declared_types
from rrp.force import debriefs
from rrp.force.codes import DebriefKind
from rrp.force.models import Debrief
from rrp.force.selectors import incident_get_for
from rrp.people import selectors, services
from rrp.people.models import Patient, RightsInformation, SupportPlanVersion, VoiceCheck

P = declared_types(SupportPlanVersion)
R = declared_types(RightsInformation)
D = declared_types(Debrief)
C = declared_types(VoiceCheck)

router = Router(tags=["People at the centre"])

NO_PATIENT = "No patient you can see has this id."
NO_INCIDENT = "No incident you can see has this id."
READ_ONLY = "Your role can read these records but not write them."


class SupportPlanOut(Schema):
    """One version of a patient's support plan: the patient's own words (never sent outside the trust)."""

    patient_id: int
    version: int = Field(description="Send it back as base_version to write the next version")
    recorded_at: dt.datetime
    recorded_by: str
    change_reason: str
    what_matters: str
    triggers: str
    early_signs: str
    primary_strategies: str
    secondary_strategies: str
    tertiary_strategies: str
    safety_plan: str
    views_on_restraint: str
    views_on_seclusion: str
    views_on_rapid_tranquillisation: str
    who_to_tell: str
    made_with_patient: bool | None
    review_due: dt.date
    review_overdue: bool
    reviews_requested: list[str] = Field(description="What was asked to change since this version")


class SupportPlanIn(BodyIn):
    """The next version of the plan. Fields left out keep their value from the current version."""

    base_version: int = Field(..., ge=0, description="The version you read (0 when there is no plan yet)")
    change_reason: P.change_reason = ""
    what_matters: P.what_matters | None = None
    triggers: P.triggers | None = None
    early_signs: P.early_signs | None = None
    primary_strategies: P.primary_strategies | None = None
    secondary_strategies: P.secondary_strategies | None = None
    tertiary_strategies: P.tertiary_strategies | None = None
    safety_plan: P.safety_plan | None = None
    views_on_restraint: P.views_on_restraint | None = None
    views_on_seclusion: P.views_on_seclusion | None = None
    views_on_rapid_tranquillisation: P.views_on_rapid_tranquillisation | None = None
    who_to_tell: P.who_to_tell | None = None
    made_with_patient: bool | None = None
    review_due: P.review_due | None = None


class RightsOut(Schema):
    id: int
    occasion: str
    recipient: str
    chosen_person: str
    outcome: str
    format: str
    given_at: dt.datetime
    reason: str
    recorded_at: dt.datetime


class RightsIn(BodyIn):
    """Information about the use of force (Use of Force Act s4): given, refused or not possible yet."""

    occasion: str = Field(..., examples=["admission"])
    recipient: str = Field(..., examples=["patient"])
    chosen_person: R.chosen_person = ""
    outcome: str = Field(..., examples=["given"])
    format: str = ""
    given_at: R.given_at
    reason: R.reason = ""


class DebriefOut(Schema):
    kind: str
    id: int
    version: int = Field(description="Send it back as base_version to correct this debrief")
    recorded_at: dt.datetime
    change_reason: str
    offered_at: dt.datetime | None
    held_at: dt.datetime | None
    held_by: str
    not_held_reason: str
    account: str
    what_would_have_helped: str
    plan_changes: str
    staff_support_offered: bool | None
    wellbeing_follow_up_on: dt.date | None


class DebriefIn(BodyIn):
    """A debrief of one kind, or a correction of the one recorded (with ``change_reason``)."""

    base_version: int = Field(
        ..., ge=0, description="The version of this kind of debrief you read (0 when none is recorded)"
    )
    change_reason: D.change_reason = ""
    offered_at: D.offered_at | None = None
    held_at: D.held_at | None = None
    held_by: D.held_by = ""
    not_held_reason: D.not_held_reason = ""
    account: D.account = ""
    what_would_have_helped: D.what_would_have_helped = ""
    plan_changes: D.plan_changes = ""
    staff_support_offered: bool | None = None
    wellbeing_follow_up_on: D.wellbeing_follow_up_on | None = None


class VoiceCheckIn(BodyIn):
    """One patient's weekly check, anonymous: no patient is named or linked."""

    felt_safe: str = Field(..., examples=["always"])
    respected: str = Field(..., examples=["sometimes"])
    comment: C.comment = ""
    with_support: bool = False
    easy_read: bool = False


class VoiceCheckSaved(Schema):
    ward_id: int
    saved: bool


def _user(request: HttpRequest) -> User:
    return request.auth


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is UK local time, as on the forms."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _patient(request: HttpRequest, patient_id: int) -> Patient:
    patient = selectors.patient_get_for(_user(request), patient_id, request=request)
    if patient is None:
        raise Http404(NO_PATIENT)
    return patient


def _plan(plan: SupportPlanVersion) -> dict[str, Any]:
    return {
        "patient_id": plan.patient_id,
        "version": plan.number,
        "recorded_at": plan.recorded_at,
        "recorded_by": plan.recorded_by.get_full_name() or plan.recorded_by.username,
        "change_reason": plan.change_reason,
        **plan.content(),
        "review_overdue": plan.review_overdue_on(timezone.localdate()),
        "reviews_requested": [r.wanted_changes for r in selectors.plan_reviews_open(plan.patient)],
    }


def _rights(record: RightsInformation) -> dict[str, Any]:
    fields = ("id", "occasion", "recipient", "chosen_person", "outcome", "format", "given_at", "reason")
    return {**{name: getattr(record, name) for name in fields}, "recorded_at": record.recorded_at}


def _debrief(debrief: Debrief) -> dict[str, Any]:
    return {
        "kind": debrief.kind,
        "id": debrief.pk,
        "version": debrief.incident.debriefs.filter(kind=debrief.kind, id__lte=debrief.pk).count(),
        "recorded_at": debrief.recorded_at,
        "change_reason": debrief.change_reason,
        **{name: getattr(debrief, name) for name in debriefs.DEBRIEF_FIELDS},
    }


@router.get(
    "/patients/{patient_id}/support-plan",
    response={200: SupportPlanOut, **problem_responses(401, 404)},
    summary="A patient's current support plan",
)
def get_support_plan(request: HttpRequest, patient_id: Id) -> dict[str, Any]:
    """The current version of the patient's support plan, with what was asked to change since (audited as
    a view of the plan). 404 when the patient is not yours to see or has no plan yet."""
    patient = _patient(request, patient_id)
    plan = selectors.support_plan_for(_user(request), patient, request=request, where="API")
    if plan is None:
        raise Http404("This patient has no support plan yet.")
    return _plan(plan)


@router.post(
    "/patients/{patient_id}/support-plan",
    response={201: SupportPlanOut, **problem_responses(401, 403, 404, 409, 422)},
    summary="Write the next version of a patient's support plan",
)
def write_support_plan(request: HttpRequest, patient_id: Id, payload: SupportPlanIn) -> Status:
    """Write the first plan or revise or review the current one: a new version, with ``change_reason``
    after the first. ``base_version`` is the version you read: if someone saved since, 409 with the current
    version in ``detail`` and nothing saved. Bad fields are a 422 naming each."""
    user = _user(request)
    require_permission(user, Permission.PATIENT_SUPPORT_RECORD, denied=READ_ONLY)
    patient = _patient(request, patient_id)
    content = payload.model_dump(exclude={"base_version", "change_reason"}, exclude_none=True)
    try:
        plan = services.support_plan_record(
            patient=patient,
            by=user,
            base_version=payload.base_version,
            change_reason=payload.change_reason,
            request=request,
            **content,
        )
    except PermissionDenied:
        raise Http404(NO_PATIENT) from None
    return Status(201, _plan(plan))


@router.get(
    "/patients/{patient_id}/rights-information",
    response={200: list[RightsOut], **problem_responses(401, 404)},
    summary="Information about the use of force given to a patient",
)
def list_rights_information(request: HttpRequest, patient_id: Id) -> list[dict[str, Any]]:
    """Every record of information about the use of force given to the patient or a person they chose, or
    refused or not possible with the reason, newest first (audited with the patient's view)."""
    patient = _patient(request, patient_id)
    return [_rights(r) for r in selectors.rights_information_of(patient)]


@router.post(
    "/patients/{patient_id}/rights-information",
    response={201: RightsOut, **problem_responses(401, 403, 404, 422)},
    summary="Record information about the use of force",
)
def record_rights_information(request: HttpRequest, patient_id: Id, payload: RightsIn) -> Status:
    """Record that information was given (with its ``format``), refused or not possible yet (with the
    ``reason``), to the patient or to a ``chosen_person``; it belongs to the admission in progress then."""
    user = _user(request)
    require_permission(user, Permission.PATIENT_SUPPORT_RECORD, denied=READ_ONLY)
    patient = _patient(request, patient_id)
    fields = payload.model_dump()
    fields["given_at"] = _aware(payload.given_at)
    try:
        record = services.rights_information_record(patient=patient, by=user, request=request, **fields)
    except PermissionDenied:
        raise Http404(NO_PATIENT) from None
    return Status(201, _rights(record))


@router.get(
    "/incidents/{incident_id}/debriefs",
    response={200: list[DebriefOut], **problem_responses(401, 404)},
    summary="An incident's debriefs",
)
def list_debriefs(request: HttpRequest, incident_id: Id) -> list[dict[str, Any]]:
    """The current debrief of each kind recorded (patient, carer, staff): the patient's account in their
    own words. Audited as a view of the incident."""
    incident = incident_get_for(_user(request), incident_id, request=request)
    if incident is None:
        raise Http404(NO_INCIDENT)
    current = debriefs.debriefs_current(incident)
    return [_debrief(current[kind]) for kind in DebriefKind.values if kind in current]


@router.post(
    "/incidents/{incident_id}/debriefs/{kind}",
    response={201: DebriefOut, **problem_responses(401, 403, 404, 409, 422)},
    summary="Record a debrief",
)
def record_debrief(request: HttpRequest, incident_id: Id, kind: str, payload: DebriefIn) -> Status:
    """Record the ``patient``, ``carer`` or ``staff`` debrief, or correct the one recorded (then
    ``change_reason`` is needed). ``base_version`` is the ``version`` you read (0 when none was recorded):
    if someone saved this kind of debrief since, 409 and nothing saved. What the patient wants changed in their plan asks for a plan review.
    Fields that kind does not ask for are ignored."""
    user = _user(request)
    if kind not in DebriefKind.values:
        raise Http404("Debriefs are patient, carer or staff.")
    incident = incident_get_for(user, incident_id, request=request)
    if incident is None:
        raise Http404(NO_INCIDENT)
    require_permission(user, Permission.INCIDENT_RECORD, ward=incident.ward, denied=READ_ONLY)
    fields = payload.model_dump(exclude={"change_reason", "base_version"})
    fields["offered_at"], fields["held_at"] = _aware(payload.offered_at), _aware(payload.held_at)
    debrief = debriefs.debrief_record(
        incident=incident,
        kind=kind,
        by=user,
        base_version=payload.base_version,
        change_reason=payload.change_reason,
        request=request,
        **fields,
    )
    return Status(201, _debrief(debrief))


@router.post(
    "/wards/{ward_id}/weekly-checks",
    response={201: VoiceCheckSaved, **problem_responses(401, 403, 404, 422)},
    summary="Save a patient's weekly check (anonymous)",
)
def record_weekly_check(request: HttpRequest, ward_id: Id, payload: VoiceCheckIn) -> Status:
    """Save one patient's answers to "did you feel safe" and "were you treated with respect and dignity"
    (``always``, ``sometimes`` or ``no``) on one of your wards, as the ward's tablet does: anonymous, so
    no patient is named and the answers are never given back one by one (the ward's charts count them)."""
    user = _user(request)
    ward = selectors.ward_for_voice(user, ward_id)
    if ward is None:
        raise Http404("No ward you can see has this id.")
    require_permission(user, Permission.PATIENT_SUPPORT_RECORD, ward=ward, denied=READ_ONLY)
    services.voice_check_record(ward=ward, by=user, request=request, **payload.model_dump())
    return Status(201, {"ward_id": ward.pk, "saved": True})
