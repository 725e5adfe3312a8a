"""Background work (issue 19, item 2): the schedule's slots in UK time, each slot enqueued once however
many workers tick, `rrp worker` running what was scheduled, and /readyz asking for a recent heartbeat."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rrp.ops import health, tasks
from rrp.ops.models import ScheduledRun, WorkerHeartbeat
from rrp.ops.schedule import SCHEDULE, Job, enqueue_due
from rrp.ops.worker import beat

UK = zoneinfo.ZoneInfo("Europe/London")
NIGHTLY = Job("nightly", tasks.refresh_monthly_figures, at=dt.time(2, 0))
HOURLY = Job("hourly", tasks.prune_task_results, every_minutes=60)


def uk(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UK)


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (uk(2026, 12, 7, 1, 59), uk(2026, 12, 6, 2, 0)),  # before tonight's run: last night's
        (uk(2026, 12, 7, 2, 0), uk(2026, 12, 7, 2, 0)),
        (uk(2026, 12, 7, 23, 0), uk(2026, 12, 7, 2, 0)),
        (uk(2026, 7, 7, 2, 30), uk(2026, 7, 7, 2, 0)),  # summer time: 02:00 UK is 01:00 UTC
    ],
)
def test_a_nightly_jobs_latest_slot_is_the_last_02_00_uk_time(now, slot):
    assert NIGHTLY.latest_slot(now) == slot
    assert NIGHTLY.latest_slot(now).tzinfo == dt.UTC


def test_the_summer_slot_is_01_00_utc():
    assert NIGHTLY.latest_slot(uk(2026, 7, 7, 3, 0)) == dt.datetime(2026, 7, 7, 1, 0, tzinfo=dt.UTC)


def test_an_hourly_jobs_slot_is_the_top_of_the_hour():
    assert HOURLY.latest_slot(uk(2026, 12, 7, 9, 41)) == uk(2026, 12, 7, 9, 0)


@pytest.mark.django_db
def test_each_slot_is_enqueued_once_however_often_the_workers_tick():
    now = uk(2026, 12, 7, 9, 41)
    assert enqueue_due(now, (NIGHTLY, HOURLY)) == ["nightly", "hourly"]
    assert enqueue_due(now, (NIGHTLY, HOURLY)) == []
    assert enqueue_due(now + dt.timedelta(minutes=10), (NIGHTLY, HOURLY)) == []
    assert enqueue_due(uk(2026, 12, 7, 10, 0), (NIGHTLY, HOURLY)) == ["hourly"]
    assert DBTaskResult.objects.count() == 3
    assert set(ScheduledRun.objects.values_list("task_id", flat=True)) == {
        str(i) for i in DBTaskResult.objects.values_list("id", flat=True)
    }


@pytest.mark.django_db
def test_a_worker_that_was_down_runs_only_the_latest_missed_slot():
    enqueue_due(uk(2026, 12, 3, 9, 0), (NIGHTLY,))
    assert enqueue_due(uk(2026, 12, 7, 9, 0), (NIGHTLY,)) == ["nightly"]  # four nights missed: one run
    assert list(ScheduledRun.objects.values_list("slot", flat=True)) == [
        uk(2026, 12, 7, 2, 0),
        uk(2026, 12, 3, 2, 0),
    ]


@pytest.mark.django_db
def test_the_schedule_names_the_nightly_figures_refresh():
    assert {job.name for job in SCHEDULE} >= {"refresh-monthly-figures", "prune-task-results"}
    assert all(job.what for job in SCHEDULE)


@pytest.mark.django_db(transaction=True)  # the worker loop closes connections between tasks, as in production
def test_rrp_worker_batch_runs_what_the_schedule_enqueued_and_leaves_a_heartbeat():
    call_command("worker", "--batch")
    finished = dict(DBTaskResult.objects.values_list("task_path", "status"))
    assert finished == {f"rrp.ops.tasks.{job.task.name}": "SUCCESSFUL" for job in SCHEDULE}
    assert "rrp.ops.tasks.refresh_monthly_figures" in finished
    assert WorkerHeartbeat.objects.count() == 1
    call_command("worker", "--batch")  # the same slots: nothing new to run
    assert DBTaskResult.objects.count() == len(SCHEDULE)


def test_rrp_worker_refuses_a_zero_interval():
    with pytest.raises(CommandError, match="--interval must be more than 0") as refused:
        call_command("worker", "--interval", "0")
    assert refused.value.returncode == 2


@pytest.fixture
def ready_migrations(monkeypatch):
    monkeypatch.setattr(health, "_migrations_seen_applied", True)


@pytest.mark.django_db
def test_readyz_is_503_until_a_worker_is_seen(ready_migrations):
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["no background worker has been seen: start `rrp worker`"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_worker_has_not_been_seen_for_longer_than_the_limit(
    ready_migrations, settings
):
    settings.RRP_WORKER_HEARTBEAT_MAX_AGE = 300
    beat("w1", timezone.now())
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(seconds=400))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert re.fullmatch(
        r"the background worker was last seen 4\d\d s ago: is `rrp worker` running\?",
        response.json()["problems"][0],
    )
    beat("w1", timezone.now())
    assert Client().get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_leaves_the_worker_out_when_the_limit_is_zero(ready_migrations, settings):
    settings.RRP_WORKER_HEARTBEAT_MAX_AGE = 0
    assert Client().get("/readyz").status_code == 200
