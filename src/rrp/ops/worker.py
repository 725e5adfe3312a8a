"""The worker's own duties besides running tasks: a heartbeat (for /readyz) and the schedule, on a tick.

`rrp worker` runs django-tasks-db's worker loop in the main thread (it owns the signals: TERM lets the
task in hand finish) and `Ticker` in a daemon thread beside it, every TICK_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from rrp.ops.models import WorkerHeartbeat
from rrp.ops.schedule import enqueue_due

TICK_SECONDS = 30
logger = logging.getLogger("rrp.ops.worker")


def beat(worker_id: str, started_at: dt.datetime) -> None:
    """Record that this worker is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def tick(worker_id: str, started_at: dt.datetime) -> list[str]:
    """One heartbeat and one pass over the schedule; the jobs enqueued."""
    beat(worker_id, started_at)
    return enqueue_due()


def last_seen_problem(now: dt.datetime | None = None) -> str | None:
    """None when a worker has been seen within RRP_WORKER_HEARTBEAT_MAX_AGE seconds (or that is 0)."""
    max_age = settings.RRP_WORKER_HEARTBEAT_MAX_AGE
    if max_age <= 0:
        return None
    now = now or timezone.now()
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if latest is None:
        return "no background worker has been seen: start `rrp worker`"
    age = (now - latest).total_seconds()
    if age > max_age:
        return f"the background worker was last seen {int(age)} s ago: is `rrp worker` running?"
    return None


class Ticker(threading.Thread):
    """Ticks until the process ends; a failed tick is logged and the next one tried."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="rrp-worker-ticker", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                tick(self.worker_id, self.started_at)
            except Exception:
                logger.exception("the worker's heartbeat and schedule tick failed; trying again")
            finally:
                connection.close()
            self.stopped.wait(TICK_SECONDS)
