"""Post-incident debriefs (issue 15 item 2): writing them, reading them, and the times the measures need.

A debrief with the patient is led by the patient: their account in their own words, what would have
helped, and what they want changed in their support plan, which asks for a plan review
(``people.services.support_plan_review_request``: people holds the words and where they came from, not
a link to the incident, since people sits below force). Carers' and staff debriefs are recorded the same
way; a staff debrief also records the support offered and a wellbeing follow-up date.

Append-only (``force.models.Debrief``): each kind's current debrief is its latest row; recording it again
is a correction, with a reason. Scoped and audited like every incident page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.core.concurrency import check_base_version
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.figures.store import mark_changed
from rrp.force.codes import DebriefKind
from rrp.force.models import Debrief, Incident, InterventionRecord
from rrp.force.services import figures_months_of_incidents
from rrp.people.services import support_plan_review_request

DEBRIEF_FIELDS = (
    "offered_at",
    "held_at",
    "held_by",
    "not_held_reason",
    "account",
    "what_would_have_helped",
    "plan_changes",
    "staff_support_offered",
    "wellbeing_follow_up_on",
)
# The fields each kind of debrief asks for; the others are left empty.
KIND_FIELDS: dict[str, frozenset[str]] = {
    DebriefKind.PATIENT: frozenset(DEBRIEF_FIELDS) - {"staff_support_offered", "wellbeing_follow_up_on"},
    DebriefKind.CARER: frozenset(DEBRIEF_FIELDS) - {"staff_support_offered", "wellbeing_follow_up_on"},
    DebriefKind.STAFF: frozenset(DEBRIEF_FIELDS) - {"plan_changes"},
}
DEBRIEF_WINDOW = dt.timedelta(hours=72)


def debriefs_current(incident: Incident) -> dict[str, Debrief]:
    """The incident's current debrief of each kind recorded (its latest row), by kind."""
    current: dict[str, Debrief] = {}
    for debrief in incident.debriefs.select_related("recorded_by").order_by("id"):
        current[debrief.kind] = debrief
    return current


def debrief_version(incident: Incident, kind: str) -> int:
    """How many times this kind of debrief has been recorded for the incident (0: never): the version a
    page or API client reads and sends back as ``base_version`` when it records or corrects it."""
    return incident.debriefs.filter(kind=kind).count()


def _check(incident: Incident, kind: str, fields: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    offered, held = fields.get("offered_at"), fields.get("held_at")
    now = timezone.now()
    if not offered and not held and not (fields.get("not_held_reason") or "").strip():
        errors["offered_at"] = "Enter when the debrief was offered or held, or why it was not held"
    for name, value in (("offered_at", offered), ("held_at", held)):
        if value and value > now:
            errors[name] = "This is in the future: enter when it happened"
        elif value and value < incident.created_at - dt.timedelta(days=365):
            errors[name] = "This is more than a year before the incident was recorded: check the date"
    if offered and held and held < offered and "held_at" not in errors:
        errors["held_at"] = "The debrief was held before it was offered: check the times"
    if held and not (fields.get("held_by") or "").strip():
        errors["held_by"] = "Enter who led the debrief"
    if held and kind != DebriefKind.STAFF and not (fields.get("account") or "").strip():
        errors["account"] = "Enter their account, in their own words (or that they chose not to say)"
    return errors


@transaction.atomic
def debrief_record(
    *,
    incident: Incident,
    kind: str,
    by: User,
    base_version: int | None,
    change_reason: str = "",
    request: HttpRequest | None = None,
    **fields: Any,
) -> Debrief:
    """Record a debrief of one kind (or correct the one recorded, with a reason), audited. What the patient
    wants changed in their plan asks for a plan review in the same transaction. ``base_version`` is the
    version the writer started from (``debrief_version``: 0 when none was recorded): if someone else saved
    this kind of debrief since, StaleVersion and nothing is saved (decision 0018), so two people recording
    the same debrief at once cannot silently replace each other's account. Raises PermissionDenied
    outside the writer's scope and ValidationError naming each bad field."""
    if kind not in DebriefKind.values:
        raise ValidationError({"kind": [f"Unknown kind of debrief: {kind}"]})
    if not has_permission(by, Permission.INCIDENT_RECORD, ward=incident.ward):
        raise PermissionDenied("You cannot record debriefs on this ward.")
    if hasattr(incident, "void"):
        raise ValidationError({"incident": ["This incident was voided: its debriefs cannot be changed"]})
    unknown = set(fields) - set(DEBRIEF_FIELDS)
    if unknown:
        raise TypeError(f"debrief_record: unknown fields {sorted(unknown)}")
    allowed = KIND_FIELDS[kind]
    content = {name: value for name, value in fields.items() if name in allowed}
    for name, value in content.items():
        if isinstance(value, str):
            content[name] = value.strip()
    # Lock the incident so two writers of the same debrief are taken one after the other.
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    check_base_version(base=base_version, current=debrief_version(incident, kind), what="debrief")
    errors = _check(incident, kind, content)
    earlier = incident.debriefs.filter(kind=kind).order_by("-id").first()
    change_reason = (change_reason or "").strip()
    if earlier is not None and not change_reason:
        errors["change_reason"] = "Enter why this replaces the debrief already recorded"
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})
    debrief = Debrief(
        incident=incident,
        kind=kind,
        recorded_at=timezone.now(),
        recorded_by=by,
        change_reason=change_reason,
        **content,
    )
    debrief.full_clean()
    debrief.save()
    # The debrief measures count it in the months of the incident's force (the stored figures).
    mark_changed(figures_months_of_incidents({incident.pk: incident.ward_id}))
    audit_record(
        actor=by,
        action=AuditAction.CHANGE if earlier is not None else AuditAction.CREATE,
        record=debrief,
        patient_id=incident.current_patient.pk,
        provider_id=incident.provider_id,
        request=request,
        detail={"kind": kind, "incident_id": incident.pk},
    )
    # A correction asks for a review only when what the patient wants changed is new.
    if content.get("plan_changes") and (earlier is None or earlier.plan_changes != content["plan_changes"]):
        who = "Patient" if kind == DebriefKind.PATIENT else "Carer"
        support_plan_review_request(
            patient=incident.current_patient,
            by=by,
            source=f"{who} debrief after the use of force on {timezone.localtime(_start(incident)):%d %b %Y}",
            wanted_changes=content["plan_changes"],
            request=request,
        )
    return debrief


def _start(incident: Incident) -> dt.datetime:
    first = (
        InterventionRecord.objects.filter(version__incident=incident).current().aggregate(s=Min("started_at"))
    )
    return first["s"] or incident.created_at


def patient_debrief_times(
    incident_ids: QuerySet | Iterable[int],
) -> dict[int, tuple[dt.datetime | None, dt.datetime | None]]:
    """For each incident with a patient debrief recorded, when its current record says the debrief was
    offered and held (either may be None): the "within 72 hours" measures. One query, whatever the
    incidents (a queryset of ids is used as a subquery)."""
    times: dict[int, tuple[dt.datetime | None, dt.datetime | None]] = {}
    ids = incident_ids if isinstance(incident_ids, QuerySet) else list(incident_ids)
    rows = (
        Debrief.objects.filter(incident_id__in=ids, kind=DebriefKind.PATIENT)
        .order_by("incident_id", "id")
        .values_list("incident_id", "offered_at", "held_at")
    )
    for incident_id, offered, held in rows:
        times[incident_id] = (offered, held)  # the latest row wins
    return times
