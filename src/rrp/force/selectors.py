"""Reading use-of-force records, always through the reader's scope, auditing each view of an incident."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.accounts.scope import patient_wards_for
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.force.completeness import missing_items
from rrp.force.history import FieldChange, version_diff
from rrp.force.models import (
    CqcNotificationTask,
    Incident,
    IncidentFlag,
    IncidentStatusChange,
    IncidentVersion,
    InterventionRecord,
    PhysicalHealthObservation,
    StaffInvolvement,
    StaffStatement,
)
from rrp.force.observations import MonitoringState, monitoring_hours, rt_monitoring_state, rt_starts
from rrp.organisations.models import Ward
from rrp.people.models import StaffMember


def incident_list_for_user(user: User) -> QuerySet[Incident]:
    """Incidents on the wards whose patients the user may see, newest first, with `current_status`.

    Not audited here: the page that shows the list audits the ids it shows (as the patient list does).

    A user with one ward (the usual ward user) gets that ward as a literal, read first in one small
    query: SQLite then walks the (ward, -created_at) index and stops after the page, where with the
    scope as a subquery it sorts all of the ward's incidents and works out each one's status first
    (45 ms against 15 ms for the list page of a ward with 4,900 incidents; see docs/performance.md,
    "Incident pages"). With several wards the subquery stays: there SQLite does better walking the
    created_at index.
    """
    wards = patient_wards_for(user)
    first_two = list(wards.order_by().values_list("id", flat=True)[:2])
    in_scope = Q(ward_id=first_two[0]) if len(first_two) == 1 else Q(ward__in=wards)
    return (
        Incident.objects.filter(in_scope)
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


# --- Pages: the incident list, the incident page, "my reports", the ward roster, CQC tasks. ---


def incident_wards_for(user: User) -> QuerySet[Ward]:
    """Wards whose incidents the user may see (and, unless read-only, record), by name."""
    return patient_wards_for(user).select_related("provider").order_by("name")


def incident_list_filtered(
    user: User,
    *,
    ward_id: int | None = None,
    status: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Incident]:
    """The user's incident list narrowed by ward, status and the date the incident was recorded."""
    incidents = incident_list_for_user(user)
    if ward_id is not None:
        incidents = incidents.filter(ward_id=ward_id)
    if status:
        incidents = incidents.filter(current_status=status)
    if since is not None:
        incidents = incidents.filter(created_at__date__gte=since)
    if until is not None:
        incidents = incidents.filter(created_at__date__lte=until)
    return incidents


def incident_reports_by(user: User) -> QuerySet[Incident]:
    """Incidents the user reported (still within their scope), newest first, with `current_status`."""
    return incident_list_for_user(user).filter(created_by=user)


def last_status_changes(incidents: list[Incident]) -> dict[int, IncidentStatusChange]:
    """The latest status change of each incident, in one query (for "what happened to my report")."""
    latest: dict[int, IncidentStatusChange] = {}
    changes = (
        IncidentStatusChange.objects.filter(incident__in=[i.pk for i in incidents])
        .select_related("by")
        .order_by("incident_id", "id")
    )
    for change in changes:
        latest[change.incident_id] = change
    return latest


@dataclass(frozen=True)
class IncidentPage:
    """Everything the incident page shows, read in a fixed, small number of queries."""

    incident: Incident
    version: IncidentVersion
    interventions: list[InterventionRecord]
    staff: list[StaffInvolvement]
    status_changes: list[IncidentStatusChange]
    flags: list[IncidentFlag]
    cqc_tasks: list[CqcNotificationTask]
    statements: list[StaffStatement]
    missing_items: list[str]


def incident_page(incident: Incident) -> IncidentPage:
    """The latest version and the incident's review trail. The caller got `incident` from
    `incident_get_for` (scope checked, view audited)."""
    version = (
        incident.versions.select_related("recorded_by")
        .prefetch_related(
            "interventions", Prefetch("staff", queryset=StaffInvolvement.objects.order_by("id"))
        )
        .order_by("-number")
        .first()
    )
    interventions, staff = list(version.interventions.all()), list(version.staff.all())
    return IncidentPage(
        incident=incident,
        version=version,
        interventions=interventions,
        staff=staff,
        status_changes=list(incident.status_changes.select_related("by").order_by("id")),
        flags=list(incident.flags.order_by("id")),
        cqc_tasks=list(incident.cqc_tasks.order_by("raised_at", "id")),
        statements=list(incident.statements.order_by("recorded_at", "id")),
        missing_items=missing_items(
            version=version, interventions=interventions, staff=staff, patient=incident.patient
        ),
    )


def ward_roster(ward: Ward) -> QuerySet[StaffMember]:
    """Staff who may be picked for an incident on the ward: the ward's own staff, and the provider's
    staff who belong to no particular ward (bank, response team)."""
    return (
        StaffMember.objects.filter(provider_id=ward.provider_id)
        .filter(Q(wards=ward) | Q(wards__isnull=True))
        .distinct()
        .order_by("family_name", "given_name")
    )


def recordable_ward_for(user: User, ward_id: int) -> Ward | None:
    """A ward the user may record incidents on, or None (the caller answers 404)."""
    return incident_wards_for(user).filter(pk=ward_id).first()


def cqc_task_get_for(user: User, task_id: int) -> CqcNotificationTask | None:
    """One CQC task for provider governance of its provider, or None (-> 404)."""
    return (
        cqc_tasks_for(user).select_related("incident__patient", "incident__ward").filter(pk=task_id).first()
    )


@dataclass(frozen=True)
class RtMonitoringPage:
    """The physical health observations of an incident with rapid tranquillisation, and what is due."""

    observations: list[PhysicalHealthObservation]
    state: MonitoringState


def rt_monitoring_for(
    incident: Incident, *, interventions: list[InterventionRecord], at: dt.datetime | None = None
) -> RtMonitoringPage | None:
    """The incident's observations and its monitoring checklist at `at` (now by default), or None when
    the latest version records no rapid tranquillisation. The caller got `incident` from
    `incident_get_for` (scope checked, view audited) and passes the latest version's interventions."""
    starts = rt_starts(interventions)
    if not starts:
        return None
    observations = list(incident.observations.select_related("recorded_by").order_by("observed_at", "id"))
    state = rt_monitoring_state(
        starts=starts, observations=observations, at=at or timezone.now(), hours=monitoring_hours()
    )
    return RtMonitoringPage(observations=observations, state=state)
