"""Long exports made by the background worker, with a page that shows their progress (decision 0023).

A board pack PDF for a provider of many wards takes several seconds of CPU (docs/performance.md), and a
collaborative's member-ward CSV pools every member provider. Made inside a web request they hold one of
gunicorn's few threads and, when many people ask before a board meeting, every thread. So the pages
ask for them here instead: ``export_request`` records an ``ExportJob`` and enqueues ``tasks.run_export``;
the worker makes the file (``run``), saving its progress as it goes; the person's progress page
(rrp.ops.views) offers the file when ready, to them alone, while their scope still allows it, audited;
the file expires after ``settings.RRP_EXPORT_KEEP_HOURS`` hours.

Each kind (``EXPORTS``) says which permission and scope it needs (the same as its page's) and how to
make the file from the reports app, which does the work the direct downloads also do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import collaboratives_for, providers_for
from rrp.core.csv_export import csv_text
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.ops.models import ExportJob, ExportStatus
from rrp.reports import board as board_data
from rrp.reports.board import exports as board_exports
from rrp.reports.collaborative.exports import CSV_COLUMNS, collaborative_csv_rows

logger = logging.getLogger("rrp.ops.exports")

#: Reports a step: (step number from 1, what is being done, in words for the progress page).
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Made:
    """A finished file and what its download's audit entry records."""

    content: bytes
    filename: str
    content_type: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportKind:
    """One kind of long export: the permission and scoped object its page needs, and how it is made."""

    kind: str
    what: str  # "Board pack PDF", in the page's words
    permission: Permission
    objects: Callable[[User], Any]  # the user's scoped queryset of the objects it is made of
    steps: int
    make: Callable[[User, Any, Progress], Made]
    record_type: str
    provider_of: Callable[[Any], int | None] = lambda obj: None

    def scoped(self, user: User, object_id: int) -> Model:
        """The object if `user` may export it: PermissionDenied (403) without the permission, Http404
        outside their scope, as on the page the export comes from."""
        require_permission(user, self.permission)
        obj = self.objects(user).filter(pk=object_id).first()
        if obj is None:
            raise Http404
        return obj

    def label(self, obj: Any) -> str:
        return f"{self.what}: {obj.name}"[:200]


def _board_pack(user: User, provider: Any, progress: Progress) -> Made:
    progress(1, "Working out every ward's figures")
    report = board_data.provider_board(user, provider, today=timezone.localdate())
    progress(2, f"Drawing the charts and laying out the pages for {len(report.wards)} wards")
    pdf = board_exports.board_pack_pdf(
        report, generated_for=user, safety_checks=board_data.safety_checks(user, provider)
    )
    return Made(
        pdf,
        f"board-pack-{provider.ods_code}.pdf",
        "application/pdf",
        {"export": "board_pack_pdf", "wards": len(report.wards), "suppressed": report.suppressed},
    )


def _collaborative_csv(user: User, collaborative: Any, progress: Progress) -> Made:
    progress(1, "Working out every member ward's figures")
    rows = collaborative_csv_rows(collaborative, user=user, today=timezone.localdate())
    return Made(
        csv_text(rows, header=CSV_COLUMNS).encode(),
        f"collaborative-{collaborative.pk}-wards.csv",
        "text/csv; charset=utf-8",
        {"export": "collaborative_wards_csv", "rows": len(rows)},
    )


EXPORTS: dict[str, ExportKind] = {
    kind.kind: kind
    for kind in (
        ExportKind(
            "board_pack_pdf",
            "Board pack PDF",
            Permission.BOARD_REPORT_VIEW,
            providers_for,
            steps=2,
            make=_board_pack,
            record_type="reports.BoardReport",
            provider_of=lambda provider: provider.pk,
        ),
        ExportKind(
            "collaborative_wards_csv",
            "Member wards' figures CSV",
            Permission.COLLABORATIVE_VIEW,
            collaboratives_for,
            steps=1,
            make=_collaborative_csv,
            record_type="organisations.Collaborative",
        ),
    )
}


def export_request(*, user: User, kind: ExportKind, obj: Model) -> ExportJob:
    """Record the export `user` asked for and enqueue its making; the job (its page shows progress)."""
    from rrp.ops import tasks  # tasks import this module

    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user, kind=kind.kind, object_id=obj.pk, label=kind.label(obj), steps=kind.steps
        )
        job.task_id = str(tasks.run_export.enqueue(str(job.pk)).id)
        job.save(update_fields=["task_id"])
    return job


def run(job_id: str) -> ExportJob:
    """Make the job's file (the worker's part), saving each step as it starts so the page can show it.

    Scope is checked again: a person whose role or wards changed since asking gets no file. Any other
    failure is shown on the page in plain words and raised again, so the task table keeps its traceback.
    """
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    kind = EXPORTS[job.kind]
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)

    def progress(step: int, words: str) -> None:
        ExportJob.objects.filter(pk=job.pk).update(step=step, step_label=words[:200])

    try:
        obj = kind.scoped(job.user, job.object_id)
    except Exception:
        _finish(
            job,
            ExportStatus.FAILED,
            error="You can no longer see what this export is of, so it was not made.",
        )
        return job
    try:
        made = kind.make(job.user, obj, progress)
    except Exception as error:
        logger.exception("export %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            ExportStatus.FAILED,
            error=f"Something went wrong while making the file ({type(error).__name__}). Ask for it again; "
            f"if it fails again, tell your system administrator, quoting {job.pk}.",
        )
        raise
    job.content, job.filename, job.content_type, job.detail = (
        made.content,
        made.filename,
        made.content_type,
        made.detail,
    )
    job.step = kind.steps
    _finish(job, ExportStatus.READY, also=("content", "filename", "content_type", "detail", "step"))
    return job


def _finish(job: ExportJob, status: str, *, error: str = "", also: tuple[str, ...] = ()) -> None:
    """Save the outcome, leaving the step the progress saved (a failure shows where it stopped)."""
    now = timezone.now()
    job.status, job.error, job.finished_at = status, error[:300], now
    job.expires_at = now + dt.timedelta(hours=settings.RRP_EXPORT_KEEP_HOURS)
    job.save(update_fields=["status", "error", "finished_at", "expires_at", *also])


def job_for(user: User, job_id: Any) -> ExportJob | None:
    """The job if `user` asked for it (nobody else's: None -> 404)."""
    return ExportJob.objects.filter(pk=job_id, user=user).defer("content").first()


def expired(job: ExportJob, now: dt.datetime | None = None) -> bool:
    return job.expires_at is not None and job.expires_at <= (now or timezone.now())


def download(*, user: User, job: ExportJob, request: HttpRequest | None = None) -> ExportJob:
    """The ready job with its file for `user`, scope checked again and the download audited as an
    export of what it is of (as the direct downloads are)."""
    kind = EXPORTS[job.kind]
    obj = kind.scoped(user, job.object_id)
    job = ExportJob.objects.get(pk=job.pk)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        record_type=kind.record_type,
        record_id=job.object_id,
        record_label=job.label,
        provider_id=kind.provider_of(obj),
        request=request,
        detail={**job.detail, "export_job": str(job.pk)},
    )
    return job


def expire(now: dt.datetime | None = None) -> int:
    """Drop the files of expired jobs (the nightly prune); how many. The rows stay for their page."""
    return ExportJob.objects.filter(expires_at__lte=now or timezone.now(), content__isnull=False).update(
        content=None
    )
