"""Reading the audit log, scoped to the reader."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import scope_of
from rrp.core.models import AuditAction, AuditEvent
from rrp.core.services import audit_record
from rrp.people.models import Patient
from rrp.people.selectors import patients_for
from rrp.people.validation import normalise_nhs_number


def audit_events_for(
    user: User,
    *,
    username: str = "",
    action: str = "",
    record_type: str = "",
    patient_ids: list[int] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events the user may search: their own provider's for governance, everything for admins.
    ``patient_ids`` (from ``audit_patients_matching``) keeps the entries about those patients."""
    if not has_permission(user, Permission.AUDIT_VIEW):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(scope_of(user).audit_filter())
    if username:
        events = events.filter(actor_username__iexact=username)
    if action:
        events = events.filter(action=action)
    if record_type:
        events = events.filter(record_type=record_type)
    if patient_ids is not None:
        events = events.filter(patient_id__in=patient_ids)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")


def audit_patients_matching(user: User, query: str, *, request: HttpRequest | None = None) -> list[Patient]:
    """The patients an audit log search by NHS number or name is about: an NHS number (spaces or dashes
    allowed) matches exactly; otherwise every word must start the patient's given or family name. Only
    for readers with ``AUDIT_PATIENTS_VIEW`` and only patients they may see (governance: their provider's).

    The search is itself audited: finding which entries concern a named patient is a use of their
    identity, so the log records who looked for whom."""
    if not has_permission(user, Permission.AUDIT_PATIENTS_VIEW):
        return []
    query = query.strip()
    digits = normalise_nhs_number(query)
    if re.fullmatch(r"\d{10}", digits):
        condition = Q(nhs_number=digits)
    else:
        condition = Q()
        for word in query.split():
            condition &= Q(given_name__istartswith=word) | Q(family_name__istartswith=word)
    patients = list(patients_for(user).filter(condition).order_by("family_name", "given_name", "pk")[:50])
    if patients:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record_type=AuditEvent._meta.label,
            record_label=f"Audit log searched for {len(patients)} patient(s)",
            provider_id=user.provider_id,
            request=request,
            detail={"patient_ids": [p.pk for p in patients]},
        )
    return patients


def audit_patients_by_id(user: User, patient_ids: set[int]) -> dict[int, Patient]:
    """The patients named by a page of audit entries, by id: only for readers with ``AUDIT_PATIENTS_VIEW``,
    and only those they may see (a patient of another provider is not named)."""
    if not patient_ids or not has_permission(user, Permission.AUDIT_PATIENTS_VIEW):
        return {}
    return {p.pk: p for p in patients_for(user).filter(pk__in=patient_ids)}
