"""Registering patients (validated, scoped and audited), and occupied bed days derived from their ward
stays: the midnight census belongs with the stays it counts, so organisations never imports people."""

from __future__ import annotations

import datetime as dt
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
from rrp.people.models import SUPPORT_PLAN_FIELDS, Patient, SupportPlanVersion, WardStay
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
    if (
        not has_permission(by, Permission.SUPPORT_PLAN_RECORD)
        or not Patient.objects.filter(patient_filter_for(by), pk=patient.pk).exists()
    ):
        raise PermissionDenied("You cannot write this patient's support plan.")
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
