"""rrp reviews due — the seclusion and segregation reviews overdue or due soon, per ward (for cron).

The output names episodes by number, kind and place, never patients, because cron mails it.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from rrp.segregation.codes import EpisodeKind, due_label
from rrp.segregation.selectors import due_by_ward


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d %b %Y %H:%M")


class Command(BaseCommand):
    help = "List seclusion and long-term segregation reviews that are overdue or due soon, per ward."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--within", type=int, default=24, help="Also list reviews due within this many hours"
        )
        parser.add_argument(
            "--at", help="Report as at this date-time (ISO 8601; default now), e.g. 2025-06-02T09:00"
        )
        parser.add_argument("--overdue-only", action="store_true", help="List only overdue reviews")

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        if options["at"]:
            now = parse_datetime(str(options["at"]))
            if now is None:
                raise CommandError("--at: enter a date-time like 2025-06-02T09:00")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        if options["within"] < 0:
            raise CommandError("--within: enter a number of hours of 0 or more")
        within = dt.timedelta(hours=0 if options["overdue_only"] else options["within"])
        wards = due_by_ward(now=now, within=within)
        self.stdout.write(
            f"Seclusion and segregation reviews as at {_local(now)} ({timezone.get_current_timezone_name()})"
        )
        if not wards:
            self.stdout.write("Nothing overdue or due within the period.")
            return
        overdue = due_soon = 0
        for ward, entries in wards:
            self.stdout.write("")
            self.stdout.write(f"{ward.provider.name} - {ward.name} ({ward.code})")
            for state, items in entries:
                version = state.version
                self.stdout.write(
                    f"  Episode {state.episode.pk}: {EpisodeKind(state.episode.kind).label.lower()} since "
                    f"{_local(version.started_at)}, {version.place}"
                )
                for item in items:
                    label = due_label(item.kind)
                    if item.overdue:
                        overdue += 1
                        self.stdout.write(
                            f"    OVERDUE  {label}: due {_local(item.due_at)}, {_span(item.minutes_overdue)} overdue"
                        )
                    elif not options["overdue_only"]:
                        due_soon += 1
                        self.stdout.write(f"    due      {label}: due {_local(item.due_at)}")
        self.stdout.write("")
        self.stdout.write(f"{overdue} overdue and {due_soon} due soon, on {len(wards)} ward(s).")


def _span(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days {hours % 24} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"
