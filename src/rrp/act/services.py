"""Writes of the Act's duties: each a new append-only row, checked, audited in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.act.models import (
    Delegation,
    PolicyVersion,
    ResponsiblePersonAppointment,
    TrainingCourse,
    TrainingTopic,
)
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


#: The largest policy document RRP keeps (a policy is a few hundred kilobytes; 10 MB leaves room for
#: scanned signatures and appendices).
POLICY_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class StoredDocument:
    """An uploaded document as kept: its name in the storage, SHA-256 digest, size and name as uploaded."""

    name: str
    sha256: str
    size: int
    original_name: str


def _check_pdf(document: File, errors: Errors) -> None:
    size = document.size or 0
    if size == 0:
        errors.setdefault("document", []).append("The file chosen is empty")
    elif size > POLICY_DOCUMENT_MAX_BYTES:
        errors.setdefault("document", []).append(
            f"The policy must be 10 MB or smaller (this file is {size / 1024 / 1024:.1f} MB)"
        )
    else:
        document.seek(0)
        if document.read(5) != b"%PDF-":  # PDF's own signature, whatever the name or the browser says
            errors.setdefault("document", []).append("The policy must be a PDF file")
        document.seek(0)


def store_policy_document(document: File) -> StoredDocument:
    """Keep a checked PDF in the default storage (under MEDIA_ROOT) named by its SHA-256 digest, so the
    same file uploaded twice is kept once and a name always means the same contents (decision 0063)."""
    sha = hashlib.sha256()
    document.seek(0)
    for chunk in document.chunks():
        sha.update(chunk)
    digest = sha.hexdigest()
    name = f"policies/{digest}.pdf"
    if not default_storage.exists(name):
        document.seek(0)
        saved = default_storage.save(name, document)
        if saved != name:  # another request stored the same file at the same moment: keep one
            default_storage.delete(saved)
    original = (getattr(document, "name", "") or "policy.pdf").rsplit("/", 1)[-1][:200]
    return StoredDocument(name, digest, document.size, original)


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
    document: File | None = None,
    request: HttpRequest | None = None,
) -> PolicyVersion:
    """Record an approved version of the provider's use-of-force policy (s3), with the address where it
    is published, an uploaded PDF (``document``, kept by ``store_policy_document``), or both. Refused,
    naming the field, without the permission, a title, version, document (address or upload), dates or
    who was consulted, with an upload that is not a PDF or too large, or with a review date not after
    the approval. The file is stored only once every check has passed."""
    errors: Errors = {}
    _may_record(by, provider, errors)
    _require(title, "title", "Enter the policy's title", errors)
    _require(version_label, "version_label", "Enter the version, for example 3.1", errors)
    document_url = document_url or ""
    if not document_url.strip() and document is None:
        errors.setdefault("document_url", []).append(
            "Enter the address where the policy is published, or upload it as a PDF"
        )
    if document is not None:
        _check_pdf(document, errors)
    if document_url.strip():
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
    stored = store_policy_document(document) if document is not None else None
    version = PolicyVersion.objects.create(
        provider=provider,
        title=title.strip(),
        version_label=version_label.strip(),
        document_url=document_url.strip(),
        document_file=stored.name if stored else "",
        document_sha256=stored.sha256 if stored else "",
        document_bytes=stored.size if stored else None,
        document_name=stored.original_name if stored else "",
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


COURSE_FIELDS = (
    "code",
    "title",
    "topics",
    "standard",
    "certificate_number",
    "certificate_expires_on",
    "refresher_months",
    "required",
)


@transaction.atomic
def course_save(
    *,
    provider: Provider,
    by: User,
    course: TrainingCourse | None = None,
    code: str,
    title: str,
    topics: list[str],
    refresher_months: int | None,
    required: bool,
    standard: str = "",
    certificate_number: str = "",
    certificate_expires_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> TrainingCourse:
    """Add a course (``course`` None) or change one: its settings, not a record, so changed in place and
    audited with what it was. Refused, naming the field, without the permission, a code (or one another
    course of the provider has), a title, a topic of s5(2) or a refresher interval of at least a month."""
    errors: Errors = {}
    _may_record(by, provider, errors)
    _require(code, "code", "Enter the course's code in the learning management system", errors)
    _require(title, "title", "Enter the course's title", errors)
    if (code or "").strip():
        others = TrainingCourse.objects.filter(provider=provider, code=code.strip())
        if course is not None:
            others = others.exclude(pk=course.pk)
        if others.exists():
            errors.setdefault("code", []).append("Another course of this provider has this code")
    if not topics or any(t not in TrainingTopic.values for t in topics):
        errors.setdefault("topics", []).append("Choose the Act's training topics the course covers")
    if refresher_months is None or refresher_months < 1:
        errors.setdefault("refresher_months", []).append(
            "Enter how many months until a refresher is due (1 or more)"
        )
    check_values(
        TrainingCourse,
        {"code": code, "title": title, "standard": standard, "certificate_number": certificate_number},
        errors,
    )
    _raise(errors)
    before = {name: getattr(course, name) for name in COURSE_FIELDS} if course is not None else None
    course = course or TrainingCourse(provider=provider)
    course.code, course.title = code.strip(), title.strip()
    course.topics = sorted(set(topics))
    course.standard, course.certificate_number = standard.strip(), certificate_number.strip()
    course.certificate_expires_on = certificate_expires_on
    course.refresher_months, course.required = refresher_months, required
    course.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE if before is None else AuditAction.CHANGE,
        record=course,
        provider_id=provider.pk,
        request=request,
        detail={"before": {k: str(v) for k, v in before.items()}} if before else None,
    )
    return course
