"""rrp import patients FILE.csv --provider ODS — patients from a patient administration system's CSV.

All or nothing: a bad row rejects the file with every problem by row and column (exit status 2); the
layout is in docs/imports.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.core.csv_import import ImportRejected, rejection_error
from rrp.people.management.provider_option import provider_from
from rrp.people.pas_imports import patients_import


class Command(BaseCommand):
    help = (
        "Register or update patients from a CSV (columns local_identifier, given_name, family_name, "
        "date_of_birth, sex; nhs_number optional). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file")
        parser.add_argument("--provider", required=True, help="The provider's ODS code")

    def handle(self, *args: object, **options: object) -> None:
        provider = provider_from(options["provider"])
        try:
            counts = patients_import(provider=provider, source=str(options["file"]), by=None)
        except ImportRejected as rejected:
            raise rejection_error(self, rejected) from rejected
        self.stdout.write(
            f"Imported {counts['rows']} patients: {counts['written']} new or changed, {counts['unchanged']} unchanged."
        )
