"""What the worker keeps besides the task queue (django-tasks-db's table): which scheduled runs have
been enqueued, and when each worker was last seen."""

from __future__ import annotations

import uuid

from django.conf import settings
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


class ReminderKind(models.TextChoices):
    REVIEWS = "reviews", "Seclusion and segregation reviews overdue or due soon"
    FOLLOW_UP = "follow_up", "Staff statements and patient debriefs outstanding"
    RT_OBSERVATIONS = "rt_observations", "Physical health observations due after rapid tranquillisation"
    CQC = "cqc", "Notifications to the Care Quality Commission still to make (regulation 18)"
    LTS_ENTRY = "lts_entry", "Someone your ICB commissions care for has entered long-term segregation"
    OVERDUE_ACTIONS = (
        "overdue_actions",
        "Recommendations of independent reviews and C(E)TRs overdue on your wards",
    )
    ICB_ACTIONS = "icb_actions", "Recommendations your ICB owns that are overdue"


class ReminderPreference(models.Model):
    """What one user has chosen to be reminded of. No row: every kind their role may act on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    kinds = models.JSONField(default=list, help_text="The ReminderKind values chosen.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"reminders for {self.user}"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed after every attempt"


class Reminder(models.Model):
    """One reminder to one person about one ward, for one slot; the outbox the worker sends from.

    Unique per (user, kind, ward, slot), so building the same slot twice never sends twice. The body
    says what is due, where, and links to it: never a patient's name or NHS number.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    ward = models.ForeignKey("organisations.Ward", on_delete=models.CASCADE, related_name="+")
    slot = models.DateTimeField()
    channel = models.CharField(max_length=10)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "ward", "slot"], name="ops_reminder_once_per_slot"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on ward {self.ward_id} for user {self.user_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the background worker"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Could not be made"


class ExportJob(models.Model):
    """One long export (a board pack PDF, a collaborative's CSV) made by the background worker for the
    person who asked (decision 0023): its progress, then the file, kept in the database so a web server
    and a worker on different hosts share it, until `expires_at`. Only that person may see or download
    it, and only while their role and scope still allow the page it came from.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    object_id = models.PositiveIntegerField(help_text="The provider or collaborative the export is of.")
    label = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    step = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=1)
    step_label = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    detail = models.JSONField(default=dict, help_text="What the audit entry of a download records.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.label} for user {self.user_id} ({self.get_status_display()})"
