"""Writing the audit log. Every service that creates, changes or shows patient-identifiable data
calls `audit_record` inside its own transaction, so that a failed audit write undoes the action."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from rrp.core.models import AuditAction, AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The address a request came from (REMOTE_ADDR; a proxy must be trusted to set it)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    record: models.Model | None = None,
    record_type: str = "",
    record_id: str | int = "",
    record_label: str = "",
    patient_id: int | None = None,
    provider_id: int | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event: who did what to which record, when and from where."""
    if record is not None:
        record_type = record_type or record._meta.label
        record_id = record_id or record.pk
        record_label = record_label or str(record)[:200]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor_id=actor.pk if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        actor_role=getattr(actor, "role", "") if authenticated else "",
        action=str(action),
        record_type=record_type,
        record_id=str(record_id),
        record_label=record_label,
        patient_id=patient_id,
        provider_id=provider_id,
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        detail=detail or {},
    )


def audit_list[T](
    *,
    actor: Any,
    records: Sequence[T],
    record_type: str,
    label: str,
    detail: Callable[[Sequence[T]], dict[str, Any]],
    provider_of: Callable[[T], int | None] = lambda record: record.provider_id,  # type: ignore[attr-defined]
    action: AuditAction | str = AuditAction.VIEW,
    request: HttpRequest | None = None,
) -> list[AuditEvent]:
    """Audit one list of records shown: one event for each provider whose records are in it, carrying
    that provider and ``detail`` of its records only, labelled "``label`` (n shown)".

    A provider's governance reads the audit log of its own provider (``provider_id``), so a list that
    carries no provider, or the viewer's own (none for the regulator, another provider's for nobody), hid
    who looked at which provider's records. Nothing is written for an empty list."""
    groups: dict[int | None, list[T]] = {}
    for record in records:
        groups.setdefault(provider_of(record), []).append(record)
    return [
        audit_record(
            actor=actor,
            action=action,
            record_type=record_type,
            record_label=f"{label} ({len(group)} shown)"[:200],
            provider_id=provider_id,
            request=request,
            detail=detail(group),
        )
        for provider_id, group in groups.items()
    ]
