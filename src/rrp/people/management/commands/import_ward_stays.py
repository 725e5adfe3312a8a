"""rrp import ward-stays FILE.csv --provider ODS — admissions, transfers and discharges as ward stays.

All or nothing: a bad row rejects the file with every problem by row and column (exit status 2); the
layout is in docs/imports.md. The rows go through the same code as the HL7 feed (people.feeds).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.core.csv_import import ImportRejected, rejection_error
from rrp.people.management.provider_option import provider_from
from rrp.people.pas_imports import ward_stays_import


class Command(BaseCommand):
    help = (
        "Import ward stays from a CSV (columns local_identifier, visit_number, ward_code, started_at; "
        "ended_at optional): each visit's stays follow on. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file")
        parser.add_argument("--provider", required=True, help="The provider's ODS code")

    def handle(self, *args: object, **options: object) -> None:
        provider = provider_from(options["provider"])
        try:
            counts = ward_stays_import(provider=provider, source=str(options["file"]), by=None)
        except ImportRejected as rejected:
            raise rejection_error(self, rejected) from rejected
        self.stdout.write(
            f"Imported {counts['spells']} spells: {counts['written']} admissions, transfers or discharges "
            f"written, {counts['unchanged']} already held."
        )
