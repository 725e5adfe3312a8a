"""Reading the audit log, scoped to the reader."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import scope_of
from rrp.core.models import AuditEvent


def audit_events_for(
    user: User,
    *,
    username: str = "",
    action: str = "",
    record_type: str = "",
    patient_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events the user may search: their own provider's for governance, everything for admins."""
    if not has_permission(user, Permission.AUDIT_VIEW):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(scope_of(user).audit_filter())
    if username:
        events = events.filter(actor_username__iexact=username)
    if action:
        events = events.filter(action=action)
    if record_type:
        events = events.filter(record_type=record_type)
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")
