"""rrp import bed-days FILE.csv — monthly occupied bed days per ward (layout in docs/imports.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.core.csv_import import ImportRejected, rejection_error
from rrp.organisations.services import bed_days_import


class Command(BaseCommand):
    help = "Import monthly occupied bed days from a CSV file (columns ward_code, month, occupied_bed_days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file")

    def handle(self, *args: object, **options: object) -> None:
        try:
            counts = bed_days_import(source=str(options["file"]), by=None)
        except ImportRejected as rejected:
            raise rejection_error(self, rejected) from rejected
        self.stdout.write(
            f"Imported bed days: {counts['created']} new, {counts['changed']} changed, {counts['unchanged']} unchanged."
        )
