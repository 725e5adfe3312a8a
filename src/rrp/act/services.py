"""Writes of the Act's duties: each a new append-only row, checked, audited in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.act.models import Delegation, PolicyVersion, ResponsiblePersonAppointment
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.validation.declared import check_values
from rrp.organisations.models import Provider

Errors = dict[str, list[str]]


def _require(text: str, name: str, message: str, errors: Errors) -> None:
    if not (text or "").strip():
        errors.setdefault(name, []).append(message)


def _may_record(by: User, provider: Provider, errors: Errors) -> None:
    if not has_permission(by, Permission.ACT_DUTIES_RECORD, provider=provider):
        errors.setdefault("provider", []).append("You cannot record this provider's Use of Force Act duties")


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def responsible_person_appoint(
    *,
    provider: Provider,
    by: User,
    name: str,
    job_title: str,
    appointed_on: dt.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> ResponsiblePersonAppointment:
    """Record the appointment of the provider's responsible person (s2) from `appointed_on`; the previous
    one's term ends the day before. Refused, naming the field, without the permission or a name, job title
    or date, or with an appointment date before the one in the latest appointment."""
    errors: Errors = {}
    _may_record(by, provider, errors)
    _require(name, "name", "Enter the responsible person's name", errors)
    _require(job_title, "job_title", "Enter the responsible person's job title", errors)
    if appointed_on is None:
        errors.setdefault("appointed_on", []).append("Enter the date the appointment took effect")
    else:
        latest = ResponsiblePersonAppointment.objects.filter(provider=provider).first()
        if latest is not None and appointed_on < latest.appointed_on:
            errors.setdefault("appointed_on", []).append(
                f"The appointment cannot take effect before the latest one ({latest.appointed_on:%d %B %Y})"
            )
    check_values(ResponsiblePersonAppointment, {"name": name, "job_title": job_title, "note": note}, errors)
    _raise(errors)
    appointment = ResponsiblePersonAppointment.objects.create(
        provider=provider,
        name=name.strip(),
        job_title=job_title.strip(),
        appointed_on=appointed_on,
        note=note.strip(),
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    audit_record(
        actor=by, action=AuditAction.CREATE, record=appointment, provider_id=provider.pk, request=request
    )
    return appointment


@transaction.atomic
def delegation_record(
    *,
    provider: Provider,
    by: User,
    delegate_name: str,
    delegate_job_title: str,
    functions: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Delegation:
    """Record a delegation of the responsible person's functions (s10). Refused, naming the field, without
    the permission, a delegate, the functions or a start, or with an end before the start."""
    errors: Errors = {}
    _may_record(by, provider, errors)
    _require(delegate_name, "delegate_name", "Enter who the functions are delegated to", errors)
    _require(delegate_job_title, "delegate_job_title", "Enter their job title", errors)
    _require(functions, "functions", "Say which functions are delegated", errors)
    if starts_on is None:
        errors.setdefault("starts_on", []).append("Enter the date the delegation starts")
    elif ends_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", []).append("The delegation cannot end before it starts")
    check_values(
        Delegation,
        {"delegate_name": delegate_name, "delegate_job_title": delegate_job_title, "functions": functions},
        errors,
    )
    _raise(errors)
    delegation = Delegation.objects.create(
        provider=provider,
        delegate_name=delegate_name.strip(),
        delegate_job_title=delegate_job_title.strip(),
        functions=functions.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    audit_record(
        actor=by, action=AuditAction.CREATE, record=delegation, provider_id=provider.pk, request=request
    )
    return delegation


@transaction.atomic
def policy_version_record(
    *,
    provider: Provider,
    by: User,
    title: str,
    version_label: str,
    document_url: str,
    approved_on: dt.date,
    review_due_on: dt.date,
    consulted: str,
    patients_consulted: bool,
    carers_consulted: bool,
    request: HttpRequest | None = None,
) -> PolicyVersion:
    """Record an approved version of the provider's use-of-force policy (s3). Refused, naming the field,
    without the permission, a title, version, document address, dates or who was consulted, or with a
    review date not after the approval."""
    errors: Errors = {}
    _may_record(by, provider, errors)
    _require(title, "title", "Enter the policy's title", errors)
    _require(version_label, "version_label", "Enter the version, for example 3.1", errors)
    _require(document_url, "document_url", "Enter the address where the policy is published", errors)
    if (document_url or "").strip():
        try:
            URLValidator(schemes=["https", "http"])(document_url.strip())
        except ValidationError:
            errors.setdefault("document_url", []).append(
                "Enter a web address, for example https://www.example.nhs.uk/policies/use-of-force"
            )
    _require(consulted, "consulted", "Say who was consulted on this version", errors)
    if approved_on is None:
        errors.setdefault("approved_on", []).append("Enter the date the policy was approved")
    if review_due_on is None:
        errors.setdefault("review_due_on", []).append("Enter the date the next review is due")
    elif approved_on is not None and review_due_on <= approved_on:
        errors.setdefault("review_due_on", []).append("The next review must be due after the approval date")
    check_values(
        PolicyVersion,
        {
            "title": title,
            "version_label": version_label,
            "document_url": document_url,
            "consulted": consulted,
        },
        errors,
    )
    _raise(errors)
    version = PolicyVersion.objects.create(
        provider=provider,
        title=title.strip(),
        version_label=version_label.strip(),
        document_url=document_url.strip(),
        approved_on=approved_on,
        review_due_on=review_due_on,
        consulted=consulted.strip(),
        patients_consulted=patients_consulted,
        carers_consulted=carers_consulted,
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    audit_record(
        actor=by, action=AuditAction.CREATE, record=version, provider_id=provider.pk, request=request
    )
    return version
