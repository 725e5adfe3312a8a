"""rrp export cqc-72h [--provider ODS] [--since ISO] --output FILE.csv — the proposed CQC 72-hour export.

Off by default (settings.RRP_CQC_72H_EXPORT); see rrp.force.export and docs/use-of-force.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rrp.force.export import ExportSwitchedOff, cqc_72h_export


def parse_since(value: str) -> dt.datetime:
    """An ISO 8601 date or date-time; without a zone it is UK local time."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError as problem:
        raise CommandError(
            f"--since: {value!r} is not an ISO 8601 date or date-time, for example 2026-03-01T14:00"
        ) from problem
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class Command(BaseCommand):
    help = (
        "Write the proposed CQC 'notify within 72 hours' export: one row per use of force (incident and "
        "category) started since --since (default: the last 72 hours), without names or NHS numbers. "
        "Off unless RRP_CQC_72H_EXPORT=1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="The CSV file to write")
        parser.add_argument("--provider", default="", help="Only this provider (its ODS code)")
        parser.add_argument(
            "--since", default="", help="Start of the window, ISO 8601 (default: 72 hours ago)"
        )

    def handle(self, *args: object, **options: object) -> None:
        since = parse_since(str(options["since"])) if options["since"] else None
        output = Path(str(options["output"]))
        if not output.parent.is_dir():
            raise CommandError(f"--output: no folder {output.parent}")
        try:
            count = cqc_72h_export(output=output, provider_ods=str(options["provider"]) or None, since=since)
        except ExportSwitchedOff as off:
            raise CommandError(str(off)) from off
        except ValueError as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"Wrote {count} uses of force to {output}.")
