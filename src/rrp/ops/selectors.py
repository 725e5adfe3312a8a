"""Reads of the ops app: reminder preferences and the reminders that could not be sent."""

from __future__ import annotations

from django.db.models import QuerySet

from rrp.accounts.models import User
from rrp.ops.models import Reminder, ReminderStatus


def reminders_not_sent() -> QuerySet[Reminder]:
    """Reminders that failed every attempt, then those still being retried, newest first: for the
    administrators' page (they name the user and ward, never a patient)."""
    return (
        Reminder.objects.filter(status__in=[ReminderStatus.FAILED, ReminderStatus.PENDING], attempts__gt=0)
        .select_related("user", "ward", "ward__provider")
        .order_by("status", "-created_at")
    )


def reminders_sent_to(user: User, limit: int = 10) -> list[Reminder]:
    """The latest reminders sent to `user`, for their preferences page."""
    return list(Reminder.objects.filter(user=user, status=ReminderStatus.SENT).select_related("ward")[:limit])
