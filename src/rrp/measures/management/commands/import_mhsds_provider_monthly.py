"""rrp import mhsds-provider-monthly DIR — NHS Digital's provider-level monthly files (docs/measures.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.core.csv_import import ImportRejected, rejection_error
from rrp.core.validation.cli import bad_input
from rrp.measures.services import national_figures_import


class Command(BaseCommand):
    help = (
        "Import NHS Digital's published provider-level monthly MHSDS files (rstrNN_Mon_YYYY.csv, "
        "bedsNN_..., sectNN_...) from a folder. All or nothing; safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="The folder holding the published CSV files")

    def handle(self, *args: object, **options: object) -> None:
        directory = str(options["directory"])
        try:
            counts = national_figures_import(directory=directory, by=None)
        except FileNotFoundError as missing:
            raise bad_input(f"No folder at {directory}") from missing
        except ImportRejected as rejected:
            raise rejection_error(self, rejected) from rejected
        self.stdout.write(
            f"Imported national figures: {counts['created']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged."
        )
