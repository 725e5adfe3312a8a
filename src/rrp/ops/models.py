"""What the worker keeps besides the task queue (django-tasks-db's table): which scheduled runs have
been enqueued, and when each worker was last seen."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """One scheduled job's run for one slot (e.g. the nightly refresh of 7 December 2026 02:00).

    The unique (job, slot) pair is how several workers agree that a slot is enqueued exactly once: the
    first to insert the row enqueues the task, the others find the row there. Operational bookkeeping,
    not a clinical record: old rows may be pruned.
    """

    job = models.CharField(max_length=64)
    slot = models.DateTimeField(help_text="The scheduled time this run is for (UTC).")
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="ops_scheduled_run_once")]
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.job} for {self.slot:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A running `rrp worker`, updated every tick; /readyz asks for a recent one."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname}"
