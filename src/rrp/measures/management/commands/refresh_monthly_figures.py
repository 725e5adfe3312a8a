"""rrp refresh-monthly-figures [--months N] — fill the stored monthly figures ahead of the pages (nightly)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rrp.measures.services import monthly_figures_refresh

DEFAULT_MONTHS = 60


class Command(BaseCommand):
    help = (
        "Compute every ward's stored monthly figures that are missing or stale, from N months back to "
        "this month (default 60), so that no page waits for them: run it nightly (decision 0005)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--months", type=int, default=DEFAULT_MONTHS, help="How many months back, this one included"
        )

    def handle(self, *args: object, **options: object) -> None:
        months = int(options["months"])  # type: ignore[arg-type]
        if not 1 <= months <= 240:
            raise CommandError("--months must be from 1 to 240")
        today = timezone.localdate()
        first = today.replace(day=1)
        for _ in range(months - 1):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        started = time.perf_counter()
        cells = monthly_figures_refresh(ward_ids=None, since=first, until=today)
        self.stdout.write(
            f"Stored monthly figures fresh for {cells:,} ward-months from {first:%B %Y} to {today:%B %Y} "
            f"in {time.perf_counter() - started:.1f} s."
        )
