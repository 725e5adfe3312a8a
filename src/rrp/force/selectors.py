"""Reading use-of-force records, always through the reader's scope, auditing each view of an incident."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_wards_for, scope_of
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.times import local_midnight
from rrp.force.codes import OPEN_STATUSES, RESTRAINT_TYPES, DebriefKind, IncidentStatus, InterventionType
from rrp.force.completeness import missing_items
from rrp.force.history import FieldChange, version_diff
from rrp.force.models import (
    CqcNotificationTask,
    Debrief,
    Incident,
    IncidentClosure,
    IncidentFlag,
    IncidentStatusChange,
    IncidentVersion,
    IncidentVoid,
    InterventionRecord,
    PhysicalHealthObservation,
    StaffInvolvement,
    StaffStatement,
    current_version_value,
)
from rrp.force.observations import MonitoringState, monitoring_hours, rt_monitoring_state, rt_starts
from rrp.organisations.models import Ward
from rrp.people.models import Patient, StaffMember
from rrp.people.selectors import PatientRecordList, PatientRecordRow


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
    scope = scope_of(user)
    sole = scope.sole_patient_ward_id
    in_scope = Q(ward_id=sole) if sole is not None else Q(ward__in=scope.patient_wards())
    return (
        Incident.objects.filter(in_scope)
        .with_status()
        .annotate(voided=Exists(IncidentVoid.objects.filter(incident=OuterRef("pk"))))
        .select_related("ward")
        .order_by("-created_at", "-id")
    )


def attach_current_patients(incidents: Sequence[Incident]) -> Sequence[Incident]:
    """Set each incident's ``current_patient`` (its current version's patient, decision 0021) in two
    queries, for the lists that show the patient of every row."""
    ids = [incident.pk for incident in incidents]
    patient_of = dict(
        IncidentVersion.objects.filter(incident_id__in=ids).current().values_list("incident_id", "patient_id")
    )
    patients = Patient.objects.in_bulk(set(patient_of.values()))
    for incident in incidents:
        incident.current_patient = patients[patient_of[incident.pk]]
    return incidents


def incident_get_for(user: User, incident_id: int, *, request: HttpRequest | None = None) -> Incident | None:
    """One incident if in scope, auditing the view; None if not (the caller answers 404)."""
    incident = incident_list_for_user(user).select_related("provider").filter(pk=incident_id).first()
    if incident is not None:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            record=incident,
            patient_id=incident.current_patient.pk,
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
        incident.versions.select_related("recorded_by", "patient")
        .prefetch_related(
            "interventions", Prefetch("staff", queryset=StaffInvolvement.objects.order_by("id"))
        )
        .order_by("number")
    )
    entries, previous = [], None
    for version in versions:
        # The patient first: a correction of the wrong patient (decision 0021) shows as its change.
        patient = version.patient
        content = {"patient": f"{patient.name}, NHS number {patient.nhs_number_display or 'not known'}"}
        content.update(version.content())
        entries.append(VersionHistoryEntry(version=version, changes=version_diff(previous, content)))
        previous = content
    return entries


def cqc_tasks_for(user: User) -> QuerySet[CqcNotificationTask]:
    """CQC notification tasks for provider governance of the user's provider (nobody else)."""
    if not has_permission(user, Permission.CQC_TASK_COMPLETE):
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
    patient_ids: Sequence[int] = (),
) -> QuerySet[Incident]:
    """The user's incident list narrowed by ward, status, the date the incident was recorded and the
    patient (the ids of one person's identities: ``people.selectors.patient_identities``)."""
    incidents = incident_list_for_user(user)
    if patient_ids:
        incidents = incidents.filter(pk__in=_incidents_of(patient_ids))
    if ward_id is not None:
        incidents = incidents.filter(ward_id=ward_id)
    if status:
        incidents = incidents.filter(current_status=status)
    if since is not None:
        incidents = incidents.filter(created_at__date__gte=since)
    if until is not None:
        incidents = incidents.filter(created_at__date__lte=until)
    return incidents


def _incidents_of(patient_ids: Sequence[int]) -> QuerySet[IncidentVersion]:
    """The ids of incidents whose current version names one of these patients (decision 0021: a
    corrected patient counts, the one corrected away does not)."""
    return IncidentVersion.objects.filter(patient_id__in=list(patient_ids)).current().values("incident_id")


PATIENT_PAGE_INCIDENTS = 20


def incidents_of_patient(user: User, patient: Patient, identity_ids: list[int]) -> PatientRecordList:
    """The person's incidents the user may see, newest first, for their page (registered with people):
    those recorded under any of their identities, each merged one named. Not audited here: the patient
    page's view is."""
    incidents = incident_list_filtered(user, patient_ids=identity_ids)
    shown = list(attach_current_patients(list(incidents[:PATIENT_PAGE_INCIDENTS])))
    total = len(shown) if len(shown) < PATIENT_PAGE_INCIDENTS else incidents.count()
    rows = [
        PatientRecordRow(
            text=f"Incident {incident.pk}, {incident.ward.name}, "
            f"{timezone.localtime(incident.created_at):%d %b %Y}",
            href=reverse("force:incident-detail", args=[incident.pk]),
            merged_identity=""
            if incident.current_patient.pk == patient.pk
            else incident.current_patient.local_identifier,
        )
        for incident in shown
    ]
    return PatientRecordList(
        heading="Use of force incidents",
        rows=rows,
        empty="No use of force incidents recorded that you may see.",
        more_href=f"{reverse('force:incident-list')}?patient={patient.pk}",
        more_text="All incidents of this person",
        total=total,
    )


PATIENT_PAGE_DEBRIEFS = 20
DEBRIEF_WITH = {
    DebriefKind.PATIENT: "Patient",
    DebriefKind.CARER: "Carer or family",
    DebriefKind.STAFF: "Staff",
}


def debriefs_of_patient(user: User, patient: Patient, identity_ids: list[int]) -> PatientRecordList:
    """The person's debriefs on the incidents the user may see, latest first, for their page (registered
    with people): the current record of each kind on each incident recorded under any of their
    identities, each merged one named (decision 0082). Only what happened, never the words said: those
    stay on the incident's own page. Not audited here: the patient page's view is."""
    incidents = incident_list_filtered(user, patient_ids=identity_ids)
    current: dict[tuple[int, str], Debrief] = {}
    rows_read = Debrief.objects.filter(incident_id__in=incidents.order_by().values("pk")).select_related(
        "incident__ward"
    )
    for debrief in rows_read.order_by("id"):
        current[(debrief.incident_id, debrief.kind)] = debrief
    latest = sorted(current.values(), key=lambda d: (d.recorded_at, d.pk), reverse=True)
    shown = latest[:PATIENT_PAGE_DEBRIEFS]
    patient_of = {i.pk: i.current_patient for i in attach_current_patients(list({d.incident for d in shown}))}
    rows = []
    for debrief in shown:
        if debrief.held_at is not None:
            what = f"held {timezone.localtime(debrief.held_at):%d %b %Y}"
        elif debrief.not_held_reason:
            what = "not held"
        else:
            what = (
                f"offered {timezone.localtime(debrief.offered_at):%d %b %Y}"
                if debrief.offered_at
                else "offered"
            )
        recorded_under = patient_of[debrief.incident_id]
        rows.append(
            PatientRecordRow(
                text=f"{DEBRIEF_WITH[debrief.kind]} debrief, incident {debrief.incident_id} "
                f"({debrief.incident.ward.name}), {what}",
                href=reverse("force:incident-detail", args=[debrief.incident_id]) + "#debriefs",
                merged_identity="" if recorded_under.pk == patient.pk else recorded_under.local_identifier,
            )
        )
    return PatientRecordList(
        heading="Debriefs",
        rows=rows,
        empty="No debriefs recorded on incidents you may see.",
        total=len(latest),
    )


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
    closure: IncidentClosure | None = None
    void: IncidentVoid | None = None


# Notices from apps above force about an incident (act: staff involved without current training). Each
# registers, when it starts, a function of the page giving lines to show; force never imports them
# (decision 0011).
IncidentNotices = Callable[[IncidentPage], list[str]]
_incident_notices: list[IncidentNotices] = []


def register_incident_notices(function: IncidentNotices) -> IncidentNotices:
    """Add ``function(page) -> [text]`` to what the incident page shows (once, however often registered);
    call it from the app's ``AppConfig.ready``."""
    if function not in _incident_notices:
        _incident_notices.append(function)
    return function


def incident_notices(page: IncidentPage) -> list[str]:
    """Every registered app's notices about the incident on this page, in the order they registered."""
    return [notice for function in _incident_notices for notice in function(page)]


def incident_page(incident: Incident) -> IncidentPage:
    """The latest version and the incident's review trail. The caller got `incident` from
    `incident_get_for` (scope checked, view audited)."""
    version = (
        incident.versions.select_related("recorded_by", "patient")
        .prefetch_related(
            "interventions", Prefetch("staff", queryset=StaffInvolvement.objects.order_by("id"))
        )
        .order_by("-number")
        .first()
    )
    incident.current_patient = version.patient
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
            version=version, interventions=interventions, staff=staff, patient=version.patient
        ),
        closure=IncidentClosure.objects.filter(incident=incident).select_related("closed_by").first(),
        void=IncidentVoid.objects.filter(incident=incident).select_related("by").first(),
    )


def incident_version(incident: Incident, number: int) -> IncidentVersion:
    """One version of an incident the caller may already see (for comparing two of them)."""
    return (
        incident.versions.select_related("recorded_by")
        .prefetch_related(
            "interventions", Prefetch("staff", queryset=StaffInvolvement.objects.order_by("id"))
        )
        .get(number=number)
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
    return cqc_tasks_for(user).select_related("incident__ward").filter(pk=task_id).first()


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


# --- For ward views (the huddle, reporting health): counts and dates, never a person. ---------------
# Not scoped or audited: the caller chose the wards from ``accounts.scope`` and shows no patient. Each
# reads current versions only (``InterventionRecord.objects.current()`` and friends) in a fixed number of
# queries whatever the ward's history.

#: A record is made after the force it records, so an incident with force on or after a day was created
#: after it too, less this margin for times corrected later. Windows of recent force read only the
#: incidents created in them (through the (ward, created_at) index) instead of a ward's whole history.
RECORDED_WITHIN = dt.timedelta(days=31)
#: The first window the last restraint and seclusion are looked for in: a busy ward has both in it.
LAST_FORCE_FIRST_DAYS = 31


class LastForce(NamedTuple):
    """The (UK) days of a ward's last restraint and last seclusion recorded in an incident, if any."""

    restraint_on: dt.date | None
    seclusion_on: dt.date | None


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else timezone.localtime(value).date()


def last_force_on_ward(ward_id: int, *, today: dt.date, recent_from: dt.date | None = None) -> LastForce:
    """The last restraint and the last seclusion recorded in an incident (current versions), by today.

    Looked for in widening windows, each asked only for what the narrower ones did not hold: the last
    month, then (with ``recent_from``, e.g. a chart's first day) from then, then the whole history. A
    bounded window reads only the incidents created in it (less ``RECORDED_WITHIN``, as reporting
    health's silence does: a record is made after the force it records), through the ward's
    (ward, created_at) index; without that bound every window walked all of a national-size ward's
    5,900 incidents. The whole-history look-up has no bound, so a ward with no restraint or seclusion
    for years still shows the last one.
    """
    end = local_midnight(today + dt.timedelta(days=1))
    found: dict[str, dt.datetime | None] = {"restraint": None, "seclusion": None}
    starts: list[dt.date | None] = [today - dt.timedelta(days=LAST_FORCE_FIRST_DAYS)]
    if recent_from is not None and recent_from < starts[0]:
        starts.append(recent_from)
    starts.append(None)
    for start in starts:
        # A voided incident or a duplicate never counts (issue 13 item 5).
        rows = InterventionRecord.objects.filter(version__incident__ward_id=ward_id).current().not_voided()
        rows = rows.filter(started_at__lt=end)
        if start is not None:
            since = local_midnight(start)
            rows = rows.filter(
                started_at__gte=since, version__incident__created_at__gte=since - RECORDED_WITHIN
            )
        wanted = {
            "restraint": Max("started_at", filter=Q(type_code__in=RESTRAINT_TYPES)),
            "seclusion": Max("started_at", filter=Q(type_code=InterventionType.SECLUSION)),
        }
        row = rows.aggregate(**{k: v for k, v in wanted.items() if found[k] is None})
        found.update({k: v for k, v in row.items() if v is not None})
        if all(found.values()):
            break
    return LastForce(_local_date(found["restraint"]), _local_date(found["seclusion"]))


def open_status_counts(ward_id: int) -> dict[str, int]:
    """How many of the ward's incidents not yet closed are in each status now (one grouped query).

    Closed incidents are left out before their status is worked out (``IncidentQuerySet.not_closed``):
    on a busy ward nearly every incident of five years is closed, so working out each one's latest
    status was most of this query's time. An incident with no status change yet is a draft.
    """
    rows = (
        Incident.objects.filter(ward_id=ward_id)
        .not_closed()
        .not_voided()  # a voided record is kept as it is, never waiting for anything
        .with_status()
        .values("current_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["current_status"] or IncidentStatus.DRAFT: row["n"] for row in rows}


class FollowUp(NamedTuple):
    """Follow-up still to come on a ward's recent incidents, closed or not."""

    statements: int  # staff statements outstanding (each member of staff once per incident)
    statement_incidents: int  # incidents waiting for at least one of them
    debriefs: int  # patient debriefs neither held nor explained


def follow_up_outstanding(ward_id: int, *, since: dt.date) -> FollowUp:
    """Statements and patient debriefs still to come on the ward's incidents made from ``since``, closed
    or not (two queries): closing an incident does not make a follow-up it still owes go away (issue 13;
    the closing review records why it was closed without, ``force.closure``).

    A statement is outstanding for each member of staff named (from the roster) in the current version
    who has written none on that incident. A patient debrief is outstanding while it is not held and
    no reason is given (for example the patient declined it), by the current debrief record, or by the
    current version's own answers where there is no record (decision 0061).
    """
    incidents = Incident.objects.filter(
        ward_id=ward_id, created_at__gte=local_midnight(since)
    ).with_current_version()
    # The debrief records answer where there are any (decision 0061): the current patient record's
    # held time and reason, read in the same query as subqueries, else the version's own answers.
    record = Debrief.objects.filter(incident_id=OuterRef("incident_id"), kind=DebriefKind.PATIENT).order_by(
        "-id"
    )
    versions = list(
        IncidentVersion.objects.filter(pk__in=incidents.values("current_version_id"))
        .order_by()
        .annotate(
            record_id=Subquery(record.values("id")[:1]),
            record_held=Subquery(record.values("held_at")[:1]),
            record_reason=Subquery(record.values("not_held_reason")[:1]),
        )
        .values(
            "pk",
            "incident_id",
            "debrief_patient_held",
            "debrief_patient_not_held_reason",
            "record_id",
            "record_held",
            "record_reason",
        )
    )
    debriefs = 0
    for v in versions:
        if v["record_id"] is not None:
            held, reason = v["record_held"] is not None, v["record_reason"] or ""
        else:
            held, reason = v["debrief_patient_held"] is True, v["debrief_patient_not_held_reason"] or ""
        debriefs += int(not held and not reason.strip())
    written = StaffStatement.objects.filter(
        incident_id=OuterRef("version__incident_id"), staff_member_id=OuterRef("staff_member_id")
    )
    waiting = list(
        StaffInvolvement.objects.filter(
            version_id__in=[v["pk"] for v in versions], staff_member__isnull=False
        )
        .filter(~Exists(written))
        # No ordering: the model's (by incident and row) would make DISTINCT keep one row per line
        # of the record, so a member of staff named twice in it would be counted twice.
        .order_by()
        .values_list("version__incident_id", "staff_member_id")
        .distinct()
    )
    return FollowUp(
        statements=len(waiting),
        statement_incidents=len({incident for incident, _ in waiting}),
        debriefs=debriefs,
    )


class WardForce(NamedTuple):
    """A ward's force in a window: when the last recorded started, and in how many incidents."""

    last_started_at: dt.datetime
    incidents: int


def force_in_window(
    ward_ids: Sequence[int], *, since: dt.datetime, until: dt.datetime
) -> dict[int, WardForce]:
    """Per ward with any: the last intervention started in [since, until) and the number of incidents
    with one (current versions), in one grouped query.

    Only incidents created from ``since`` less ``RECORDED_WITHIN`` are read: the database walks the
    (ward, created_at) index instead of every incident the wards ever recorded (about 6x faster on
    five years of history).
    """
    rows = (
        InterventionRecord.objects.filter(
            version__incident__ward_id__in=ward_ids,
            version__incident__created_at__gte=since - RECORDED_WITHIN,
            started_at__gte=since,
            started_at__lt=until,
        )
        .current()
        .not_voided()  # a voided incident or a duplicate never counts (issue 13 item 5)
        .values(ward_id=F("version__incident__ward_id"))
        .annotate(last=Max("started_at"), year=Count("version__incident_id", distinct=True))
        .order_by()
    )
    return {row["ward_id"]: WardForce(row["last"], row["year"]) for row in rows}


class RecordFacts(NamedTuple):
    """What reporting health needs of one record: is it complete, when did it happen, when submitted."""

    ward_id: int
    created_at: dt.datetime
    status: str
    complete: bool  # every s6(5) item, the patient's name and NHS number included
    occurred_at: dt.datetime  # the current version's time, else its first intervention's, else created
    first_submitted_at: dt.datetime | None


def record_facts(
    ward_ids: Sequence[int], *, open_since: dt.datetime, recent_since: dt.datetime
) -> list[RecordFacts]:
    """The wards' records made from ``recent_since``, and those made from ``open_since`` that are still
    open (draft or sent back), in one query.

    Completeness is the flag each version stores when it is written
    (``IncidentVersion.statutory_items_complete``, by ``force.completeness.version_items_complete``)
    plus items (e) and (g), the patient's name and NHS number, read from the patient as they are now,
    exactly as the statutory-record-complete measure counts.
    """
    first_start = (
        InterventionRecord.objects.filter(version_id=OuterRef("current_version_id"))
        .order_by("started_at")
        .values("started_at")[:1]
    )
    first_submitted = (
        IncidentStatusChange.objects.filter(incident=OuterRef("pk"), to_status=IncidentStatus.SUBMITTED)
        .order_by("id")
        .values("at")[:1]
    )
    incidents = (
        Incident.objects.filter(ward_id__in=ward_ids, created_at__gte=open_since)
        .not_voided()  # a voided incident or a duplicate never counts (issue 13 item 5)
        .with_status()
        .filter(Q(created_at__gte=recent_since) | Q(current_status__in=OPEN_STATUSES))
        .with_current_version(
            version_complete="statutory_items_complete",
            # The current patient's name and NHS number (decision 0021: the patient is the version's).
            given="patient__given_name",
            family="patient__family_name",
            nhs="patient__nhs_number",
        )
        .annotate(submitted_at=Subquery(first_submitted))
        # When the incident happened: the current version's time, else its first intervention's, else
        # when it was recorded (COALESCE looks up the first intervention only where it is needed).
        .annotate(
            occurred=Coalesce(current_version_value("occurred_at"), Subquery(first_start), F("created_at"))
        )
        .order_by()
        .values_list(
            "ward_id",
            "created_at",
            "current_status",
            "version_complete",
            "occurred",
            "submitted_at",
            "given",
            "family",
            "nhs",
        )
    )
    return [
        RecordFacts(
            ward_id=ward_id,
            created_at=created_at,
            status=status or IncidentStatus.DRAFT,
            complete=bool(complete) and all((part or "").strip() for part in (given, family, nhs_number)),
            occurred_at=occurred,
            first_submitted_at=submitted_at,
        )
        for ward_id, created_at, status, complete, occurred, submitted_at, given, family, nhs_number in incidents
    ]


def recorded_types(incident_ids: Collection[int]) -> set[tuple[int, str]]:
    """(incident, intervention type) for every type of force the current versions of these incidents
    record, in one query (none without ids): a seclusion or segregation episode linked to an incident
    that records its type is counted once, from the incident.

    Types are left to the caller: with a type filter SQLite walks the (type, start) index over every
    ward's seclusions instead of these incidents' few records (0.8 s on national data).
    """
    if not incident_ids:
        return set()
    return set(
        InterventionRecord.objects.filter(version__incident_id__in=list(incident_ids))
        .current()
        .values_list("version__incident_id", "type_code")
    )


@dataclass(frozen=True)
class RtOverdue:
    """An incident whose physical health observations after rapid tranquillisation are overdue: which
    incident and ward, when the first injection was, and how many hourly observations are overdue."""

    incident_id: int
    ward_id: int
    started_at: dt.datetime
    hours_overdue: int
    first_due_at: dt.datetime


def rt_observations_overdue(
    ward_ids: Collection[int] | QuerySet, *, since: dt.datetime, now: dt.datetime | None = None
) -> list[RtOverdue]:
    """Incidents on these wards (ids, or a subquery of them) with rapid tranquillisation given from
    ``since`` (current versions) whose hourly observations (NICE QS154; ``observations.rt_monitoring_state``)
    are overdue at ``now``, most overdue first, in two queries. Before, an overdue observation showed only on the incident's own page.

    Not scoped or audited, and names no patient: the caller chose the wards from ``accounts.scope`` (the
    huddle shows counts; the seclusion and segregation provider page links to each incident, which
    checks and audits access)."""
    now = now or timezone.now()
    starts: dict[int, list[dt.datetime]] = {}
    wards: dict[int, int] = {}
    for incident_id, ward_id, started_at in (
        InterventionRecord.objects.current()
        .filter(
            version__incident__ward_id__in=ward_ids,
            type_code=InterventionType.RAPID_TRANQUILLISATION,
            started_at__gte=since,
            started_at__lte=now,
        )
        .values_list("version__incident_id", "version__incident__ward_id", "started_at")
    ):
        starts.setdefault(incident_id, []).append(started_at)
        wards[incident_id] = ward_id
    if not starts:
        return []
    taken: dict[int, list[PhysicalHealthObservation]] = {}
    for observation in PhysicalHealthObservation.objects.filter(incident_id__in=list(starts)).only(
        "incident_id", "observed_at", "refused"
    ):
        taken.setdefault(observation.incident_id, []).append(observation)
    hours = monitoring_hours()
    out = []
    for incident_id, times in starts.items():
        state = rt_monitoring_state(
            starts=times, observations=taken.get(incident_id, []), at=now, hours=hours
        )
        if state is not None and state.overdue:
            out.append(
                RtOverdue(
                    incident_id=incident_id,
                    ward_id=wards[incident_id],
                    started_at=state.started_at,
                    hours_overdue=len(state.overdue),
                    first_due_at=state.overdue[0].due_at,
                )
            )
    return sorted(out, key=lambda r: (r.first_due_at, r.incident_id))
