"""rrp import staff FILE.csv --provider ODS — the staff from an ESR-style CSV (one row per assignment).

All or nothing: a bad row rejects the file with every problem by row and column (exit status 2); the
layout is in docs/imports.md. Leavers are kept with their end date.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.core.csv_import import ImportRejected, rejection_error
from rrp.people.management.provider_option import provider_from
from rrp.people.pas_imports import staff_import


class Command(BaseCommand):
    help = (
        "Import staff from an ESR-style CSV (assignment_number, given_name, family_name, job_title, "
        "staff_group, start_date; ward_codes and end_date optional). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file")
        parser.add_argument("--provider", required=True, help="The provider's ODS code")

    def handle(self, *args: object, **options: object) -> None:
        provider = provider_from(options["provider"])
        try:
            counts = staff_import(provider=provider, source=str(options["file"]), by=None)
        except ImportRejected as rejected:
            raise rejection_error(self, rejected) from rejected
        self.stdout.write(
            f"Imported {counts['rows']} assignments: {counts['created']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged ({counts['leavers']} with an end date, kept)."
        )
