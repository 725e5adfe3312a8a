"""The background tasks (Django's tasks framework, run by `rrp worker`; decision 0015). Each is a small
wrapper over a service that a command or page also calls, so the work is the same whoever starts it."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.tasks import task
from django.utils import timezone

from rrp.measures.services import monthly_figures_refresh
from rrp.ops import reminders
from rrp.ops.models import ScheduledRun, WorkerHeartbeat
from rrp.organisations.models import Ward

FIGURES_MONTHS = 60
TASK_RESULTS_KEPT_DAYS = 30


@task
def refresh_monthly_figures(months: int = FIGURES_MONTHS) -> dict[str, object]:
    """Compute every ward's stored monthly figures that are missing or stale over the last `months`
    months (as `rrp refresh-monthly-figures` does), so no page waits for them in the morning."""
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    cells = monthly_figures_refresh(ward_ids=None, since=first, until=today)
    return {"ward_months": cells, "from": first.isoformat(), "to": today.isoformat()}


@task
def prune_task_results(days: int = TASK_RESULTS_KEPT_DAYS) -> None:
    """Delete finished task results, scheduled-run rows and silent workers' heartbeats older than `days`
    days (the task results by django-tasks-db's own command), so the tables stay small over years."""
    call_command("prune_db_task_results", min_age_days=days, verbosity=0)
    cutoff = timezone.now() - dt.timedelta(days=days)
    ScheduledRun.objects.filter(slot__lt=cutoff).delete()
    WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()


def _slot(now: dt.datetime, *, hour: int | None = None) -> dt.datetime:
    """This UK hour's start, or today's `hour` o'clock UK (yesterday's if not yet reached)."""
    local = timezone.localtime(now)
    if hour is None:
        return local.replace(minute=0, second=0, microsecond=0)
    slot = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return slot if slot <= local else slot - dt.timedelta(days=1)


@task
def send_reminders() -> dict[str, int]:
    """Hourly: reminders of seclusion and segregation reviews overdue or due within two hours, and of
    observations due after rapid tranquillisation, to each person who can act on them; then send."""
    now = timezone.now()
    notices = reminders.reviews_notices(now) + reminders.rt_notices(now)
    created = reminders.build(notices, slot=_slot(now), now=now)
    sent, failed = reminders.deliver_due(now)
    return {"created": created, "sent": sent, "failed": failed}


@task
def send_follow_up_reminders() -> dict[str, int]:
    """Daily at 08:00: reminders of staff statements and patient debriefs outstanding; then send."""
    now = timezone.now()
    since = now - dt.timedelta(days=reminders.FOLLOW_UP_DAYS + 1)
    wards = list(Ward.objects.filter(incidents__created_at__gte=since).distinct().select_related("provider"))
    created = reminders.build(reminders.follow_up_notices(now, wards), slot=_slot(now, hour=8), now=now)
    sent, failed = reminders.deliver_due(now)
    return {"created": created, "sent": sent, "failed": failed}


@task
def deliver_reminders() -> dict[str, int]:
    """Every five minutes: send the reminders whose next attempt is due (the retries)."""
    sent, failed = reminders.deliver_due()
    return {"sent": sent, "failed": failed}
