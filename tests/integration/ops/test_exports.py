"""Long exports as background tasks (issue 19, item 2; decision 0023): the board pack PDF and a
collaborative's member-ward CSV are made by the worker for the person who asked, whose progress page
offers the file when ready; to them alone, scope checked again, audited; files expire; failures shown."""

from __future__ import annotations

import datetime as dt

import pytest
import weasyprint
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditAction, AuditEvent
from rrp.ops import exports, tasks
from rrp.ops.models import ExportJob, ExportStatus
from rrp.reports.collaborative.exports import CSV_COLUMNS
from tests import factories
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


def ask(client, kind: str, object_id: int):
    return client.post(reverse("ops:export-start"), {"kind": kind, "object_id": object_id})


def progress(client, job: ExportJob, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(reverse("ops:export-progress", args=[job.pk]), headers=headers)


def test_the_board_pack_is_made_by_the_worker_and_offered_to_the_person_who_asked(world):
    governance = world.users["provider_governance"]
    provider = world.providers[0]
    client = signed_in_client(governance)
    asked = ask(client, "board_pack_pdf", provider.pk)
    job = ExportJob.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/exports/{job.pk}/"
    assert (job.user, job.status, job.label) == (
        governance,
        ExportStatus.QUEUED,
        f"Board pack PDF: {provider.name}",
    )

    waiting = progress(client, job)
    assert waiting.status_code == 200
    assert "Waiting for the background worker to start it." in waiting.text
    assert f'<noscript><p><a href="/exports/{job.pk}/">Check again</a>' in waiting.text  # without JS
    assert f'hx-get="/exports/{job.pk}/"' in waiting.text and 'hx-trigger="every 2s"' in waiting.text
    assert "background worker has not been seen running lately" in waiting.text  # none runs in this test
    assert progress(client, job, htmx=True).status_code == 200  # htmx keeps asking

    assert tasks.run_export.call(str(job.pk)) == {"job": str(job.pk), "status": "ready"}
    job.refresh_from_db()
    assert job.status == ExportStatus.READY and job.step == job.steps == 2
    assert job.expires_at == job.finished_at + dt.timedelta(hours=24)
    done = progress(client, job, htmx=True)
    assert done.status_code == 286  # htmx stops asking
    assert f"Download board-pack-{provider.ods_code}.pdf" in done.text
    page = progress(client, job)
    assert "hx-get" not in page.text and "Check again" not in page.text

    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()  # made, not yet downloaded
    file = client.get(reverse("ops:export-file", args=[job.pk]))
    assert file["Content-Type"] == "application/pdf" and file.content.startswith(b"%PDF")
    assert file["Content-Disposition"] == f'attachment; filename="board-pack-{provider.ods_code}.pdf"'
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor_username, event.provider_id, event.record_type) == (
        governance.username,
        provider.pk,
        "reports.BoardReport",
    )
    assert event.detail["export"] == "board_pack_pdf" and event.detail["export_job"] == str(job.pk)

    colleague = signed_in_client(factories.user(role="provider_governance", provider=provider))
    assert progress(colleague, job).status_code == 404  # only the person who asked
    assert colleague.get(reverse("ops:export-file", args=[job.pk])).status_code == 404


def test_asking_needs_the_pages_permission_and_scope(world):
    assert (
        ask(signed_in_client(world.users["ward_staff"]), "board_pack_pdf", world.providers[0].pk).status_code
        == 403
    )
    governance = signed_in_client(world.users["provider_governance"])
    assert ask(governance, "board_pack_pdf", world.providers[2].pk).status_code == 404  # another provider
    refused = ask(governance, "everything", world.providers[0].pk)
    assert refused.status_code == 400 and "not one RRP makes" in refused.text
    assert ask(governance, "board_pack_pdf", "x").status_code == 400
    assert governance.get(reverse("ops:export-start")).status_code == 405
    assert not ExportJob.objects.exists()


def test_a_collaboratives_csv_for_a_national_analyst(world):
    analyst = world.users["national_analyst"]
    client = signed_in_client(analyst)
    assert ask(client, "collaborative_wards_csv", world.collaborative.pk).status_code == 302
    job = ExportJob.objects.get()
    tasks.run_export.call(str(job.pk))
    file = client.get(reverse("ops:export-file", args=[job.pk]))
    assert file["Content-Type"] == "text/csv; charset=utf-8"
    assert file.content.decode().splitlines()[0] == ",".join(CSV_COLUMNS)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (
        event.record_type == "organisations.Collaborative"
        and event.detail["export"] == "collaborative_wards_csv"
    )


def test_a_file_expires_and_can_be_made_again(world):
    client = signed_in_client(world.users["provider_governance"])
    ask(client, "board_pack_pdf", world.providers[0].pk)
    job = ExportJob.objects.get()
    tasks.run_export.call(str(job.pk))
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    gone = client.get(reverse("ops:export-file", args=[job.pk]))
    assert gone.status_code == 410 and "has been deleted" in gone.text and "Make it again" in gone.text
    assert exports.expire() == 1
    assert ExportJob.objects.get().content is None
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_no_file_for_someone_who_lost_the_scope_since_asking(world):
    governance = world.users["provider_governance"]
    client = signed_in_client(governance)
    ask(client, "board_pack_pdf", world.providers[0].pk)
    first = ExportJob.objects.get()
    tasks.run_export.call(str(first.pk))
    ask(client, "board_pack_pdf", world.providers[0].pk)
    second = ExportJob.objects.exclude(pk=first.pk).get()
    governance.provider = world.providers[1]
    governance.save(update_fields=["provider"])
    assert client.get(reverse("ops:export-file", args=[first.pk])).status_code == 404
    tasks.run_export.call(str(second.pk))
    second.refresh_from_db()
    assert second.status == ExportStatus.FAILED and second.content is None
    shown = progress(client, second)
    assert (
        "The file could not be made" in shown.text
        and "You can no longer see what this export is of" in shown.text
    )


def test_a_failure_while_making_is_shown_and_kept_in_the_task_table(world, monkeypatch):
    def broken(self, *args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)  # a fault of the PDF library, not of RRP
    client = signed_in_client(world.users["provider_governance"])
    ask(client, "board_pack_pdf", world.providers[0].pk)
    job = ExportJob.objects.get()
    with pytest.raises(OSError):
        tasks.run_export.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.step == 2
    shown = progress(client, job, htmx=True)
    assert shown.status_code == 286
    assert "Something went wrong while making the file (OSError)" in shown.text and str(job.pk) in shown.text


def test_the_progress_page_says_which_step_is_being_done(world):
    client = signed_in_client(world.users["provider_governance"])
    ask(client, "board_pack_pdf", world.providers[0].pk)
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING,
        step=2,
        step_label="Drawing the charts and laying out the pages for 2 wards",
    )
    shown = progress(client, job, htmx=True)
    assert "Step 2 of 2: Drawing the charts and laying out the pages for 2 wards." in shown.text
    assert 'value="50"' in shown.text
