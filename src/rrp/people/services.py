"""Registering patients (validated, scoped and audited), and occupied bed days derived from their ward
stays: the midnight census belongs with the stays it counts, so organisations never imports people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_filter_for
from rrp.core.concurrency import check_base_version
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.figures.store import mark_changed, months_from
from rrp.organisations.models import OccupiedBedDays, Provider, Ward
from rrp.people.codes import RightsOutcome, RightsRecipient, VoiceAnswer
from rrp.people.models import (
    SUPPORT_PLAN_FIELDS,
    HospitalSpell,
    Patient,
    RightsInformation,
    SupportPlanReviewRequest,
    SupportPlanVersion,
    VoiceCheck,
    WardStay,
)
from rrp.people.validation import InvalidNhsNumber, validate_icd10, validate_nhs_number


@transaction.atomic
def patient_register(
    *,
    provider: Provider,
    local_identifier: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    sex: str,
    nhs_number: str = "",
    by: User | None,
    **characteristics: str,
) -> Patient:
    """Add a patient to a provider's records. Raises ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    if nhs_number:
        try:
            nhs_number = validate_nhs_number(nhs_number)
        except InvalidNhsNumber as problem:
            errors["nhs_number"] = str(problem)
    if "primary_mental_disorder" in characteristics:
        try:
            characteristics["primary_mental_disorder"] = validate_icd10(
                characteristics["primary_mental_disorder"]
            )
        except ValueError as problem:
            errors["primary_mental_disorder"] = str(problem)
    if date_of_birth > dt.date.today():
        errors["date_of_birth"] = "Date of birth must be in the past"
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    patient = Patient(
        provider=provider,
        local_identifier=local_identifier,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        sex=sex,
        nhs_number=nhs_number,
        **characteristics,
    )
    patient.full_clean()
    patient.save()
    audit_record(
        actor=by, action=AuditAction.CREATE, record=patient, patient_id=patient.pk, provider_id=provider.pk
    )
    return patient


def daily_census(
    starts: np.ndarray, ends: np.ndarray, *, first_day: dt.date, last_day: dt.date
) -> np.ndarray:
    """Patients on a ward at each midnight from first_day to last_day.

    `starts` and `ends` are day numbers (numpy datetime64[D]) of each stay; an open stay has an end
    of NaT and counts to last_day. A patient admitted on day A and leaving on day B occupies a bed on
    the nights of A..B-1, the NHS occupied-bed-day convention (a same-day stay counts none).
    """
    first = np.datetime64(first_day, "D")
    n_days = (np.datetime64(last_day, "D") - first).astype(int) + 1
    start_index = np.clip((starts - first).astype(int), 0, n_days)
    end_filled = np.where(np.isnat(ends), np.datetime64(last_day, "D") + np.timedelta64(1, "D"), ends)
    end_index = np.clip((end_filled - first).astype(int), 0, n_days)
    keep = end_index > start_index
    delta = np.zeros(n_days + 1, dtype=np.int64)
    np.add.at(delta, start_index[keep], 1)
    np.add.at(delta, end_index[keep], -1)
    return np.cumsum(delta)[:n_days]


@transaction.atomic
def bed_days_derive_from_stays(*, wards: list[Ward], first_day: dt.date, last_day: dt.date) -> int:
    """Recompute daily occupied bed days from ward stays for these wards and dates; return rows written."""
    tz = timezone.get_current_timezone()
    written = 0
    for ward in wards:
        stays = (
            WardStay.objects.filter(ward=ward, started_at__date__lte=last_day)
            .exclude(ended_at__date__lt=first_day)
            .values_list("started_at", "ended_at")
        )
        starts = np.array([s.astimezone(tz).date() for s, _ in stays], dtype="datetime64[D]")
        ends = np.array([e.astimezone(tz).date() if e else None for _, e in stays], dtype="datetime64[D]")
        census = daily_census(starts, ends, first_day=first_day, last_day=last_day)
        OccupiedBedDays.objects.filter(ward=ward, date__gte=first_day, date__lte=last_day).delete()
        day0 = first_day
        OccupiedBedDays.objects.bulk_create(
            [
                OccupiedBedDays(ward=ward, date=day0 + dt.timedelta(days=i), bed_days=int(count))
                for i, count in enumerate(census)
                if ward.is_open_on(day0 + dt.timedelta(days=i))
            ],
            batch_size=5000,
        )
        written += len(census)
    mark_changed((ward.pk, month) for ward in wards for month in months_from(first_day, last_day))
    return written


#: A support plan version written within this long after a person's repeated restraint counts as their
#: plan reviewed since it (the measure ``plan-reviewed-after-repeat-restraint``, measures.series).
PLAN_REVIEW_WITHIN = dt.timedelta(days=7)

Cells = set[tuple[int, dt.date]]
PatientCells = Callable[[Sequence[tuple[int, dt.datetime, dt.datetime]]], Cells]
# Apps above people that count a person's records in the stored figures of some ward's months (force:
# their restraints) register how to find those cells from (patient, from, to) windows, so that writing a
# support plan makes them stale without people importing the app (decision 0011).
_patient_cells: list[PatientCells] = []


def register_patient_figures_months(function: PatientCells) -> PatientCells:
    """Add ``function([(patient id, from, to)]) -> {(ward id, month)}`` to what a support plan's write
    marks stale (once, however often it is registered); call it from the app's ``AppConfig.ready``."""
    if function not in _patient_cells:
        _patient_cells.append(function)
    return function


@transaction.atomic
def support_plan_record(
    *,
    patient: Patient,
    by: User,
    base_version: int | None,
    change_reason: str = "",
    request: HttpRequest | None = None,
    **content: Any,
) -> SupportPlanVersion:
    """Write a new version of the patient's support plan (the first, or a revision or review of the
    current one), audited. ``base_version`` is the version the writer started from (0 for none): if
    someone else saved since, StaleVersion and nothing is saved (decision 0018). Raises
    PermissionDenied outside the writer's scope and ValidationError naming each bad field."""
    _may_write_for(by, patient)
    # Lock the patient row so two writers cannot both make version n+1.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    current = SupportPlanVersion.objects.filter(patient=patient).order_by("-number").first()
    number = current.number if current else 0
    check_base_version(base=base_version, current=number, what="support plan")
    unknown = set(content) - set(SUPPORT_PLAN_FIELDS)
    if unknown:
        raise TypeError(f"support_plan_record: unknown fields {sorted(unknown)}")
    errors: dict[str, str] = {}
    change_reason = (change_reason or "").strip()
    if current is not None and not change_reason:
        errors["change_reason"] = "Enter why the plan is being changed or reviewed"
    merged = {**(current.content() if current else {}), **content}
    if not merged.get("review_due"):
        errors["review_due"] = "Enter the date by which the plan will be reviewed"
    if not any(
        (merged.get(name) or "").strip()
        for name in ("what_matters", "primary_strategies", "secondary_strategies")
    ):
        errors["what_matters"] = (
            "Enter what matters to the person, or at least one primary or secondary strategy"
        )
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    version = SupportPlanVersion(
        patient=patient,
        number=number + 1,
        recorded_at=timezone.now(),
        recorded_by=by,
        change_reason=change_reason,
        **merged,
    )
    version.full_clean()
    version.save()
    # The plan counts as reviewed after each restraint of the week before it (the stored figures).
    window = [(patient.pk, version.recorded_at - PLAN_REVIEW_WITHIN, version.recorded_at)]
    mark_changed(cell for cells_of in _patient_cells for cell in cells_of(window))
    audit_record(
        actor=by,
        action=AuditAction.CREATE if number == 0 else AuditAction.CHANGE,
        record=version,
        record_label=f"Support plan of patient {patient.pk}, version {version.number}",
        patient_id=patient.pk,
        provider_id=patient.provider_id,
        request=request,
        detail={"version": version.number, "reason": "first plan" if number == 0 else "revised"},
    )
    return version


def support_plan_review_request(
    *, patient: Patient, by: User, source: str, wanted_changes: str, request: HttpRequest | None = None
) -> SupportPlanReviewRequest:
    """Ask for the patient's support plan to be reviewed, saying what should change (in the patient's
    words where they are the source). Called inside the caller's transaction (a debrief), audited."""
    wanted_changes = (wanted_changes or "").strip()
    if not wanted_changes:
        raise ValidationError({"wanted_changes": ["Enter what should change in the plan"]})
    review = SupportPlanReviewRequest.objects.create(
        patient=patient,
        requested_at=timezone.now(),
        requested_by=by,
        source=source[:200],
        wanted_changes=wanted_changes,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=review,
        record_label=f"Support plan review requested for patient {patient.pk}",
        patient_id=patient.pk,
        provider_id=patient.provider_id,
        request=request,
    )
    return review


RIGHTS_FIELDS = ("occasion", "recipient", "chosen_person", "outcome", "format", "given_at", "reason")


@transaction.atomic
def rights_information_record(
    *, patient: Patient, by: User, request: HttpRequest | None = None, **fields: Any
) -> RightsInformation:
    """Record that information about the use of force was given (Use of Force Act s4), or refused or not
    possible with the reason, for the patient's admission at that time; audited. Raises PermissionDenied
    outside the writer's scope and ValidationError naming each bad field."""
    _may_write_for(by, patient)
    unknown = set(fields) - set(RIGHTS_FIELDS)
    if unknown:
        raise TypeError(f"rights_information_record: unknown fields {sorted(unknown)}")
    content = {name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()}
    errors, spell = _rights_errors(patient, content)
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})
    if content.get("recipient") != RightsRecipient.CHOSEN_PERSON:
        content["chosen_person"] = ""
    content["format"] = content.get("format") or ""
    record = RightsInformation(
        patient=patient, spell=spell, recorded_at=timezone.now(), recorded_by=by, **content
    )
    record.full_clean()
    record.save()
    # The measure counts it for the admission: the spell's first ward stay, in the month it started.
    admission = WardStay.objects.filter(spell=spell).order_by("started_at").first()
    if admission is not None:
        mark_changed([(admission.ward_id, admission.started_at)])
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=record,
        record_label=f"Information about the use of force for patient {patient.pk}",
        patient_id=patient.pk,
        provider_id=patient.provider_id,
        request=request,
    )
    return record


def _may_write_for(by: User, patient: Patient) -> None:
    """PermissionDenied unless the user may write support records of this patient."""
    allowed = has_permission(by, Permission.PATIENT_SUPPORT_RECORD)
    if not allowed or not Patient.objects.filter(patient_filter_for(by), pk=patient.pk).exists():
        raise PermissionDenied("You cannot write this patient's records.")


def _rights_errors(patient: Patient, content: dict[str, Any]) -> tuple[dict[str, str], HospitalSpell | None]:
    """What is wrong with a record of rights information, by field, and the admission it belongs to."""
    errors: dict[str, str] = {}
    given_at = content.get("given_at")
    spell = None
    if given_at is None:
        errors["given_at"] = "Enter when the information was given, refused or tried"
    elif given_at > timezone.now():
        errors["given_at"] = "This is in the future: enter when it happened"
    else:
        spell = patient.spells.filter(admitted_at__lte=given_at).order_by("-admitted_at").first()
        if spell is None:
            errors["given_at"] = "This is before the patient's admission: check the date"
    outcome = content.get("outcome")
    if outcome == RightsOutcome.GIVEN and not content.get("format"):
        errors["format"] = "Select how the information was given"
    if outcome in (RightsOutcome.REFUSED, RightsOutcome.NOT_POSSIBLE) and not content.get("reason"):
        errors["reason"] = "Enter why it was refused or not possible"
    if content.get("recipient") == RightsRecipient.CHOSEN_PERSON and not content.get("chosen_person"):
        errors["chosen_person"] = "Enter the name of the person the patient chose"
    for name, message in (
        ("occasion", "Select when this was"),
        ("recipient", "Select who was given the information"),
        ("outcome", "Select whether it was given"),
    ):
        if not content.get(name):
            errors.setdefault(name, message)
    return errors, spell


@transaction.atomic
def voice_check_record(
    *,
    ward: Ward,
    by: User,
    felt_safe: str,
    respected: str,
    comment: str = "",
    with_support: bool = False,
    easy_read: bool = False,
    request: HttpRequest | None = None,
) -> VoiceCheck:
    """Save one patient's weekly check on the ward's tablet, anonymously (no patient linked); audited as
    the staff member's session without the answers. Raises PermissionDenied outside the user's wards and
    ValidationError naming each unanswered question."""
    if not has_permission(by, Permission.PATIENT_SUPPORT_RECORD, ward=ward):
        raise PermissionDenied("You cannot collect the weekly check on this ward.")
    # The summary at the top lists both messages, so each names its question (a tablet user with
    # support must know which one is missing, not read "Choose an answer" twice).
    errors = {
        name: [message]
        for name, value, message in (
            ("felt_safe", felt_safe, "Choose whether you felt safe on the ward this week"),
            ("respected", respected, "Choose whether staff treated you kindly and with respect this week"),
        )
        if value not in VoiceAnswer.values
    }
    if errors:
        raise ValidationError(errors)
    check = VoiceCheck.objects.create(
        ward=ward,
        answered_at=timezone.now(),
        entered_by=by,
        felt_safe=felt_safe,
        respected=respected,
        comment=(comment or "").strip(),
        with_support=with_support,
        easy_read=easy_read,
    )
    mark_changed([(ward.pk, check.answered_at)])
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=check,
        record_label=f"Weekly check on {ward.name} (anonymous)",
        provider_id=ward.provider_id,
        request=request,
    )
    return check
