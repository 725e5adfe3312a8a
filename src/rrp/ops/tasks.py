"""The background tasks (Django's tasks framework, run by `rrp worker`; decision 0015). Each is a small
wrapper over a service that a command or page also calls, so the work is the same whoever starts it."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.tasks import task
from django.utils import timezone

from rrp.measures.services import monthly_figures_refresh
from rrp.ops import exports, reminders
from rrp.ops.models import ExportJob, ScheduledRun, WorkerHeartbeat

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
    """Delete finished task results, scheduled-run rows, silent workers' heartbeats and export jobs older
    than `days` days (the task results by django-tasks-db's own command), so the tables stay small over
    years; and drop expired exports' files (their downloads are in the audit log)."""
    call_command("prune_db_task_results", min_age_days=days, verbosity=0)
    cutoff = timezone.now() - dt.timedelta(days=days)
    ScheduledRun.objects.filter(slot__lt=cutoff).delete()
    WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()
    exports.expire()
    ExportJob.objects.filter(created_at__lt=cutoff).delete()


@task
def send_reminders(kinds: list[str], slot: str) -> dict[str, int]:
    """Build the reminders of `kinds` (ReminderKind values) for the schedule's `slot` (ISO 8601: the
    hour or day they are for, so a slot run twice builds nothing new), then send what is due. One task
    for every kind: the schedule says which kinds run when (rrp.ops.schedule)."""
    now = timezone.now()
    at = dt.datetime.fromisoformat(slot)
    created = reminders.build(reminders.notices_for(kinds, now=now, slot=at), slot=at, now=now)
    sent, failed = reminders.deliver_due(now)
    return {"created": created, "sent": sent, "failed": failed}


@task
def deliver_reminders() -> dict[str, int]:
    """Every five minutes: send the reminders whose next attempt is due (the retries)."""
    sent, failed = reminders.deliver_due()
    return {"sent": sent, "failed": failed}


@task
def run_export(job_id: str) -> dict[str, str]:
    """Make one long export a person asked for (a board pack PDF, a collaborative's CSV), saving its
    progress for their page (rrp.ops.exports, decision 0023)."""
    job = exports.run(job_id)
    return {"job": str(job.pk), "status": job.status}
