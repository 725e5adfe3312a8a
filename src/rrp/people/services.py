"""Registering patients: validated, scoped and audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from rrp.accounts.models import User
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.organisations.models import Provider
from rrp.people.models import Patient
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
