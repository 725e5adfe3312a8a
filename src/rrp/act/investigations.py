"""Investigations of a patient's death or serious injury after force (s9 of the Act, issue 16 item 4).

A version of an incident that records the patient died or was seriously injured opens an investigation
in the same transaction (``open_for_harm``, registered with force when act starts: force never imports
act, decision 0011). The provider's governance team then records, each time as a new append-only
version, who leads it, the learning response (NHS England's PSIRF), the family's involvement, the
external references, the findings, the actions with owners and dates, and the closure sign-off. Two
people saving at once: the second is refused (``StaleVersion``, decision 0018). A closed investigation is
final.

Who sees them: the provider's people who see patients by name, for the wards in their scope (the
incident's scope); the board shows only the counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.act.models import (
    FamilyInvolvement,
    Investigation,
    InvestigationReason,
    InvestigationVersion,
    LearningResponse,
)
from rrp.core.concurrency import check_base_version
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.validation.declared import check_values
from rrp.force.models import Incident, IncidentVersion
from rrp.force.selectors import incident_list_for_user
from rrp.force.services import current_patient_id
from rrp.organisations.models import Provider

# PSIRF's guide says a patient safety incident investigation should normally be completed within one to
# three months of its start (and no longer than six); until the lead sets a date, three months is the target.
FIRST_TARGET_DAYS = 90

Errors = dict[str, list[str]]


def open_for_harm(incident: Incident, version: IncidentVersion, now: dt.datetime) -> Investigation | None:
    """Open the incident's investigation if this version records a death or serious injury and none is
    open yet (a later version saying otherwise does not close it: the lead closes it with findings)."""
    if not (version.patient_died or version.patient_serious_injury):
        return None
    if Investigation.objects.filter(incident=incident).exists():
        return None
    investigation = Investigation.objects.create(
        provider_id=incident.provider_id,
        incident=incident,
        reason=InvestigationReason.DEATH if version.patient_died else InvestigationReason.SERIOUS_INJURY,
        opened_at=now,
        due_on=timezone.localdate(now) + dt.timedelta(days=FIRST_TARGET_DAYS),
    )
    audit_record(
        actor=version.recorded_by,
        action=AuditAction.CREATE,
        record=investigation,
        patient_id=version.patient_id,
        provider_id=incident.provider_id,
        detail={
            "opened_by": f"incident {incident.pk} version {version.number}",
            "reason": investigation.reason,
        },
    )
    return investigation


@dataclass(frozen=True)
class InvestigationRow:
    """An investigation with its current version (None until the lead first records it)."""

    investigation: Investigation
    current: InvestigationVersion | None
    today: dt.date

    @property
    def due_on(self) -> dt.date:
        return self.current.due_on if self.current else self.investigation.due_on

    @property
    def closed(self) -> bool:
        return self.current is not None and self.current.closed_on is not None

    @property
    def overdue(self) -> bool:
        return not self.closed and self.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due_on).days if self.overdue else 0

    @property
    def version_number(self) -> int:
        return self.current.number if self.current else 0

    @property
    def open_actions(self) -> list[dict[str, Any]]:
        return [a for a in (self.current.actions if self.current else []) if not a.get("done")]


def _rows(investigations: list[Investigation], today: dt.date) -> list[InvestigationRow]:
    latest: dict[int, InvestigationVersion] = {}
    for version in InvestigationVersion.objects.filter(investigation__in=investigations).order_by("number"):
        latest[version.investigation_id] = version
    return [InvestigationRow(i, latest.get(i.pk), today) for i in investigations]


def investigations_for(user: User, provider: Provider, *, today: dt.date) -> list[InvestigationRow]:
    """The provider's investigations of incidents in the user's scope (patients by name), open ones first."""
    if not has_permission(user, Permission.PATIENT_VIEW):
        return []
    incidents = incident_list_for_user(user).filter(provider=provider).values("pk")
    found = list(
        Investigation.objects.filter(provider=provider, incident_id__in=incidents).select_related(
            "incident__ward"
        )
    )
    return sorted(_rows(found, today), key=lambda r: (r.closed, r.due_on, r.investigation.pk))


def investigation_get_for(
    user: User, investigation_id: int, *, today: dt.date, request: HttpRequest | None = None
) -> InvestigationRow | None:
    """One investigation if its incident is in the user's scope (patients by name), auditing the view."""
    if not has_permission(user, Permission.PATIENT_VIEW):
        return None
    incidents = incident_list_for_user(user).values("pk")
    investigation = (
        Investigation.objects.filter(pk=investigation_id, incident_id__in=incidents)
        .select_related("provider", "incident__ward", "incident__patient")
        .first()
    )
    if investigation is None:
        return None
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        record=investigation,
        patient_id=current_patient_id(investigation.incident),
        provider_id=investigation.provider_id,
        request=request,
    )
    [row] = _rows([investigation], today)
    return row


@dataclass(frozen=True)
class InvestigationCounts:
    """A provider's investigations in brief (no patient data): for the board and the inspection pack."""

    open: int
    overdue: int
    closed: int


def investigation_counts(provider: Provider, *, today: dt.date) -> InvestigationCounts:
    rows = _rows(list(Investigation.objects.filter(provider=provider)), today)
    return InvestigationCounts(
        open=sum(1 for r in rows if not r.closed),
        overdue=sum(1 for r in rows if r.overdue),
        closed=sum(1 for r in rows if r.closed),
    )


def history(investigation: Investigation) -> list[InvestigationVersion]:
    """Every version, newest first, with who recorded it."""
    return list(investigation.versions.select_related("recorded_by").order_by("-number"))


def _check_actions(actions: list[dict[str, Any]], errors: Errors) -> list[dict[str, Any]]:
    """Each action needs what, who and by when; blank rows are dropped. Errors are keyed by row
    (``actions-N-owner``), as the form names its fields."""
    kept = []
    for n, action in enumerate(actions):
        text = (action.get("action") or "").strip()
        owner = (action.get("owner") or "").strip()
        due = action.get("due_on")
        if not text and not owner and due is None:
            continue
        if not text:
            errors.setdefault(f"actions-{n}-action", []).append(f"Action {n + 1}: say what is to be done")
        if not owner:
            errors.setdefault(f"actions-{n}-owner", []).append(f"Action {n + 1}: enter who owns it")
        if due is None:
            errors.setdefault(f"actions-{n}-due_on", []).append(f"Action {n + 1}: enter the date it is due")
        kept.append(
            {
                "action": text,
                "owner": owner,
                "due_on": due.isoformat() if isinstance(due, dt.date) else due,
                "done": bool(action.get("done")),
            }
        )
    return kept


def _check_required(
    lead_name: str,
    lead_job_title: str,
    learning_response: str,
    family_involvement: str,
    due_on: dt.date | None,
    errors: Errors,
) -> None:
    for name, value, message in (
        ("lead_name", lead_name, "Enter who leads the investigation"),
        ("lead_job_title", lead_job_title, "Enter the lead's job title"),
    ):
        if not (value or "").strip():
            errors.setdefault(name, []).append(message)
    if learning_response not in LearningResponse.values:
        errors.setdefault("learning_response", []).append("Choose the learning response")
    if family_involvement not in FamilyInvolvement.values:
        errors.setdefault("family_involvement", []).append("Say how the family or carers are involved")
    if due_on is None:
        errors.setdefault("due_on", []).append("Enter the target date for closing")


def _check_closure(
    investigation: Investigation,
    closed_on: dt.date | None,
    findings: str,
    signed_off_by: str,
    family_involvement: str,
    actions: list[dict[str, Any]],
    errors: Errors,
) -> None:
    """A closure needs its date (not future, not before opening), findings, a sign-off, the family asked
    (or why not said) and every action done; a sign-off needs its date."""
    if closed_on is None:
        if signed_off_by.strip():
            errors.setdefault("closed_on", []).append("Enter the closing date with the sign-off")
        return
    opened = timezone.localdate(investigation.opened_at)
    if closed_on > timezone.localdate():
        errors.setdefault("closed_on", []).append("The closing date cannot be in the future")
    elif closed_on < opened:
        errors.setdefault("closed_on", []).append(
            f"The closing date cannot be before it opened ({opened:%d %B %Y})"
        )
    if not findings.strip():
        errors.setdefault("findings", []).append("Enter the findings before closing")
    if not signed_off_by.strip():
        errors.setdefault("signed_off_by", []).append("Enter who signed off the closure")
    if family_involvement == FamilyInvolvement.NOT_YET:
        errors.setdefault("family_involvement", []).append(
            "Contact the family or carers, or say why not, before closing"
        )
    if any(not a["done"] for a in actions):
        errors.setdefault("closed_on", []).append("Every action must be done before closing")


@transaction.atomic
def investigation_record(
    *,
    investigation: Investigation,
    by: User,
    base_version: int | None,
    lead_name: str,
    lead_job_title: str,
    learning_response: str,
    family_involvement: str,
    due_on: dt.date | None,
    family_notes: str = "",
    inquest_reference: str = "",
    lfpse_reference: str = "",
    other_references: str = "",
    findings: str = "",
    actions: list[dict[str, Any]] | None = None,
    closed_on: dt.date | None = None,
    signed_off_by: str = "",
    request: HttpRequest | None = None,
) -> InvestigationVersion:
    """Record the investigation as it stands now, as its next version. Refused, naming the field: without
    the permission (the provider's governance), a lead, a learning response, the family's involvement or a
    target date; an action without what, who or when; a closure without findings, a sign-off, the family
    asked, every action done, or dated in the future or before it opened; any change after closure.
    ``base_version``: the version the person started from; another's save since raises StaleVersion."""
    locked = Investigation.objects.select_for_update().get(pk=investigation.pk)
    current = locked.versions.order_by("-number").first()
    check_base_version(base=base_version, current=current.number if current else 0, what="investigation")
    errors: Errors = {}
    if not has_permission(by, Permission.ACT_DUTIES_RECORD, provider=locked.provider):
        errors.setdefault("provider", []).append("You cannot record this provider's investigations")
    if current is not None and current.closed_on is not None:
        errors.setdefault("closed_on", []).append(
            "This investigation is closed and signed off: it cannot change"
        )
    _check_required(lead_name, lead_job_title, learning_response, family_involvement, due_on, errors)
    kept = _check_actions(actions or [], errors)
    _check_closure(locked, closed_on, findings, signed_off_by, family_involvement, kept, errors)
    check_values(
        InvestigationVersion,
        {
            "lead_name": lead_name,
            "lead_job_title": lead_job_title,
            "inquest_reference": inquest_reference,
            "lfpse_reference": lfpse_reference,
            "signed_off_by": signed_off_by,
        },
        errors,
    )
    if errors:
        raise ValidationError(errors)
    version = InvestigationVersion.objects.create(
        investigation=locked,
        number=(current.number if current else 0) + 1,
        lead_name=lead_name.strip(),
        lead_job_title=lead_job_title.strip(),
        learning_response=learning_response,
        family_involvement=family_involvement,
        family_notes=family_notes.strip(),
        inquest_reference=inquest_reference.strip(),
        lfpse_reference=lfpse_reference.strip(),
        other_references=other_references.strip(),
        findings=findings.strip(),
        actions=kept,
        due_on=due_on,
        closed_on=closed_on,
        signed_off_by=signed_off_by.strip(),
        recorded_at=timezone.now(),
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CHANGE if current else AuditAction.CREATE,
        record=version,
        patient_id=current_patient_id(locked.incident),
        provider_id=locked.provider_id,
        request=request,
        detail={"closed": closed_on is not None},
    )
    return version
