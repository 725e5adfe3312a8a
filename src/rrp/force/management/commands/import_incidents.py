"""rrp import incidents FILE.csv --user USERNAME — incidents from a trust's incident system (docs/imports.md)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from rrp.accounts.models import User
from rrp.core.csv_import import ImportRejected, rejection_error
from rrp.core.validation.cli import bad_input
from rrp.force.imports import incidents_import


class Command(BaseCommand):
    help = (
        "Import use-of-force incidents from a CSV file (one row per intervention; layout in docs/imports.md). "
        "All or nothing; re-importing changes only incidents whose content changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file")
        parser.add_argument(
            "--user",
            required=True,
            help="Who the incidents are recorded by: a user who can record incidents on every ward in the file "
            "(usually provider governance)",
        )

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise bad_input(f"No user has the username {options['user']!r}")
        started = time.perf_counter()
        try:
            counts = incidents_import(source=str(options["file"]), by=user)
        except ImportRejected as rejected:
            raise rejection_error(self, rejected) from rejected
        self.stdout.write(
            f"Imported {counts['rows']} rows: {counts['created']} new incidents, {counts['amended']} amended "
            f"(a new version), {counts['unchanged']} unchanged, in {time.perf_counter() - started:.1f} s."
        )
