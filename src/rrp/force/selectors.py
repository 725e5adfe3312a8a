"""Reading use-of-force records, always through the reader's scope, auditing each view of an incident."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.accounts.scope import patient_wards_for
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.force.history import FieldChange, version_diff
from rrp.force.models import CqcNotificationTask, Incident, IncidentVersion, StaffInvolvement


def incident_list_for_user(user: User) -> QuerySet[Incident]:
    """Incidents on the wards whose patients the user may see, newest first, with `current_status`.

    Not audited here: the page that shows the list audits the ids it shows (as the patient list does).
    """
    return (
        Incident.objects.filter(ward__in=patient_wards_for(user))
        .with_status()
        .select_related("ward", "patient")
        .order_by("-created_at", "-id")
    )


def incident_get_for(user: User, incident_id: int, *, request: HttpRequest | None = None) -> Incident | None:
    """One incident if in scope, auditing the view; None if not (the caller answers 404)."""
    incident = incident_list_for_user(user).select_related("provider").filter(pk=incident_id).first()
    if incident is not None:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record=incident,
            patient_id=incident.patient_id,
            provider_id=incident.provider_id,
            request=request,
        )
    return incident


@dataclass(frozen=True)
class VersionHistoryEntry:
    version: IncidentVersion
    changes: list[FieldChange]


def incident_history(incident: Incident) -> list[VersionHistoryEntry]:
    """Every version, oldest first, each with what changed from the one before.

    The caller must have the incident from `incident_get_for` (which checked scope and audited).
    """
    versions = (
        incident.versions.select_related("recorded_by")
        .prefetch_related(
            "interventions", Prefetch("staff", queryset=StaffInvolvement.objects.order_by("id"))
        )
        .order_by("number")
    )
    entries, previous = [], None
    for version in versions:
        content = version.content()
        entries.append(VersionHistoryEntry(version=version, changes=version_diff(previous, content)))
        previous = content
    return entries


def cqc_tasks_for(user: User) -> QuerySet[CqcNotificationTask]:
    """CQC notification tasks for provider governance of the user's provider (nobody else)."""
    if user.role != Role.PROVIDER_GOVERNANCE or not user.is_active:
        return CqcNotificationTask.objects.none()
    return CqcNotificationTask.objects.filter(provider_id=user.provider_id).select_related("incident")
