"""Writes of the ops app: a user's reminder preferences."""

from __future__ import annotations

from django.db import transaction

from rrp.accounts.models import User
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.ops.models import ReminderPreference


def reminder_preferences_set(*, user: User, kinds: list[str], request=None) -> ReminderPreference:
    """Record what `user` wants to be reminded of (their own choice: only they set it), audited."""
    with transaction.atomic():
        preference, _ = ReminderPreference.objects.update_or_create(
            user=user, defaults={"kinds": sorted(kinds)}
        )
        audit_record(
            actor=user,
            action=AuditAction.CHANGE,
            record=preference,
            request=request,
            detail={"kinds": sorted(kinds)},
        )
    return preference
