"""rrp import measure-values FILE.csv: values of entered or imported measures, e.g. a nightly export
from Datix or another incident system (docs/measure-values.md).

All or nothing: a bad cell rejects the file with every problem by row and column (exit status 2); the
same file again changes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.core.csv_import import ImportRejected, rejection_error
from rrp.measures.values import IMPORT_COLUMNS, measure_values_import
from rrp.organisations.models import Ward


class Command(BaseCommand):
    help = (
        f"Import values of entered or imported measures from a CSV with the columns {','.join(IMPORT_COLUMNS)} "
        "(denominator blank where the measure is over occupied bed days or is a count). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file")

    def handle(self, *args: object, **options: object) -> None:
        try:
            counts = measure_values_import(source=str(options["file"]), wards=Ward.objects.all(), by=None)
        except ImportRejected as rejected:
            raise rejection_error(self, rejected) from rejected
        self.stdout.write(
            f"Read {counts['rows']} values: {counts['created']} new, {counts['corrected']} corrected "
            f"(a new version each), {counts['unchanged']} already held."
        )
