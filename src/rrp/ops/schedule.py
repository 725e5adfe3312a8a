"""The schedule `rrp worker` keeps: which jobs run when, in UK time (docs/deploy.md).

Each job has slots (a time of day, or every N minutes). On each tick the worker works out each job's
latest slot at or before now and enqueues the job for it unless a `ScheduledRun` row says that slot is
already enqueued. So a worker that was down at 02:00 runs the nightly job when it comes back (once: only
the latest slot, never a backlog), and two workers never enqueue the same slot twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone

from rrp.ops import tasks
from rrp.ops.models import ReminderKind, ScheduledRun

UK = zoneinfo.ZoneInfo("Europe/London")
logger = logging.getLogger("rrp.ops.schedule")


@dataclass(frozen=True)
class Job:
    """A task run at a UK time of day (`at`), or every `every_minutes` minutes from midnight, with
    `kwargs`; `pass_slot` adds the slot it runs for (`slot`, ISO 8601) to them."""

    name: str
    task: Task
    at: dt.time | None = None
    every_minutes: int | None = None
    what: str = ""
    kwargs: Mapping[str, object] = field(default_factory=dict)
    pass_slot: bool = False

    def enqueue(self, slot: dt.datetime) -> str:
        """Enqueue this job's task for `slot`; the task result's id."""
        kwargs = {**self.kwargs, **({"slot": slot.isoformat()} if self.pass_slot else {})}
        return str(self.task.enqueue(**kwargs).id)

    def latest_slot(self, now: dt.datetime) -> dt.datetime:
        """The latest scheduled moment at or before `now` (aware), as an aware UTC datetime."""
        local = now.astimezone(UK)
        if self.at is not None:
            slot = dt.datetime.combine(local.date(), self.at, tzinfo=UK)
            if slot > local:
                slot = dt.datetime.combine(local.date() - dt.timedelta(days=1), self.at, tzinfo=UK)
        else:
            assert self.every_minutes
            minutes = local.hour * 60 + local.minute
            start = minutes - minutes % self.every_minutes
            slot = dt.datetime.combine(local.date(), dt.time(start // 60, start % 60), tzinfo=UK)
        return slot.astimezone(dt.UTC)


SCHEDULE: tuple[Job, ...] = (
    Job(
        "refresh-monthly-figures",
        tasks.refresh_monthly_figures,
        at=dt.time(2, 0),
        what="every night at 02:00: every ward's stored monthly figures that are missing or stale (decision 0005)",
    ),
    Job(
        "reminders",
        tasks.send_reminders,
        every_minutes=60,
        kwargs={
            "kinds": [
                ReminderKind.REVIEWS,
                ReminderKind.RT_OBSERVATIONS,
                ReminderKind.CQC,
                ReminderKind.LTS_ENTRY,
            ]
        },
        pass_slot=True,
        what="every hour: seclusion and segregation reviews overdue or due within two hours, observations "
        "due after rapid tranquillisation and CQC notification tasks raised in the hour before (at 08:00: every "
        "one still open), to each person who can act on them; to commissioners, long-term segregation episodes "
        "recorded in the hour before at the providers their ICB commissions",
    ),
    Job(
        "follow-up-reminders",
        tasks.send_reminders,
        at=dt.time(8, 0),
        kwargs={"kinds": [ReminderKind.FOLLOW_UP, ReminderKind.OVERDUE_ACTIONS, ReminderKind.ICB_ACTIONS]},
        pass_slot=True,
        what="every day at 08:00: staff statements and patient debriefs outstanding on the last 28 days' incidents; "
        "recommendations of independent reviews and C(E)TRs on their first day overdue and every seventh day "
        "after, to their owners (the provider's staff who record segregation on the ward, or the commissioning "
        "ICB's commissioners)",
    ),
    Job(
        "deliver-reminders",
        tasks.deliver_reminders,
        every_minutes=5,
        what="every 5 minutes: reminders not yet sent are tried again (5 attempts, 5, 10, 20 and 40 minutes apart)",
    ),
    Job(
        "prune-task-results",
        tasks.prune_task_results,
        at=dt.time(3, 30),
        what="every night at 03:30: finished background tasks older than 30 days are deleted",
    ),
)


def enqueue_due(now: dt.datetime | None = None, schedule: tuple[Job, ...] = SCHEDULE) -> list[str]:
    """Enqueue every job whose latest slot is not yet enqueued; the names of those enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in schedule:
        slot = job.latest_slot(now)
        if ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                run.task_id = job.enqueue(slot)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another worker took this slot between our check and our insert
        logger.info("enqueued %s for %s", job.name, f"{slot:%Y-%m-%d %H:%M} UTC", extra={"job": job.name})
        enqueued.append(job.name)
    return enqueued
