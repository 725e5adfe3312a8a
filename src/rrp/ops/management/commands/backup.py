"""`rrp backup --output FILE`: a backup of the database with a manifest of every table (rrp.ops.backup)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from rrp.ops.backup import BackupError, Target, backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) with a manifest of row counts and digests."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="the backup file to write (a .tar)")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        try:
            manifest = backup(
                Target.from_settings(connection.settings_dict), output, Path(settings.MEDIA_ROOT)
            )
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        rows = sum(t["rows"] for t in manifest["tables"].values())
        files = len(manifest["media"])
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows:,} rows) and {files} uploaded document"
            f"{'' if files == 1 else 's'} to {output}."
        )
