"""rrp import training FILE.csv --provider ODS — course completions from a learning management system.

All or nothing: a bad row rejects the file with every problem by row and column (exit status 2); see
docs/act.md for the layout.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.act.training import training_import
from rrp.core.csv_import import ImportRejected, rejection_error
from rrp.core.validation.cli import bad_input
from rrp.organisations.models import Provider


class Command(BaseCommand):
    help = (
        "Import training completions from a learning management system's CSV (columns employee_number, "
        "course_code, completed_on; staff_name and course_title are read past). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file")
        parser.add_argument("--provider", required=True, help="The provider's ODS code")

    def handle(self, *args: object, **options: object) -> None:
        provider = Provider.objects.filter(ods_code__iexact=str(options["provider"]).strip()).first()
        if provider is None:
            raise bad_input(f"--provider: no provider has the ODS code {options['provider']!r}")
        try:
            counts = training_import(provider=provider, source=str(options["file"]), by=None)
        except ImportRejected as rejected:
            raise rejection_error(self, rejected) from rejected
        self.stdout.write(
            f"Imported {counts['rows']} completions: {counts['created']} new, {counts['unchanged']} already held."
        )
