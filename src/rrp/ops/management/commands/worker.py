"""`rrp worker`: run the background tasks, keep the schedule and leave a heartbeat (docs/deploy.md).

Run one (or more, on other hosts) beside `rrp serve`. TERM or Ctrl+C lets the task in hand finish.
`--batch` ticks once, runs every task waiting and exits: for cron-driven hosts and for tests.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from rrp.ops.worker import Ticker, tick


class Command(BaseCommand):
    help = "Run the background tasks, keep the schedule (rrp.ops.schedule) and leave a heartbeat for /readyz."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at an empty queue (default 1)"
        )
        parser.add_argument(
            "--batch", action="store_true", help="tick once, run every waiting task, then exit"
        )

    def handle(self, *args: Any, interval: float, batch: bool, **options: Any) -> None:
        if not 0 < interval <= 60:
            raise CommandError(
                f"--interval must be more than 0 and at most 60 seconds, not {interval}.", returncode=2
            )
        worker_id = get_random_string(32)
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if batch:
            enqueued = tick(worker_id, timezone.now())
            worker.run()
            self.stdout.write(f"Ran every waiting task (scheduled now: {', '.join(enqueued) or 'none'}).")
            return
        Ticker(worker_id).start()
        worker.configure_signals()
        worker.run()
