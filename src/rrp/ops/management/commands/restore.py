"""`rrp restore FILE [--verify] [--database-url URL]`: restore a backup into an empty database and, with
--verify, check every table against the backup's manifest (rrp.ops.backup)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from rrp.ops.backup import BackupError, Target, differences, restore


class Command(BaseCommand):
    help = "Restore a backup made by `rrp backup` into an empty database; --verify checks every table."
    requires_system_checks = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument(
            "--verify", action="store_true", help="compare every table with the manifest after"
        )
        parser.add_argument("--database-url", help="restore into this database instead of the configured one")

    def handle(self, *args: Any, file: Path, verify: bool, database_url: str | None, **options: Any) -> None:
        try:
            target = (
                Target.from_url(database_url)
                if database_url
                else Target.from_settings(connection.settings_dict)
            )
            connection.close()  # restoring into our own database: no open connection of ours in the way
            media_root = Path(settings.MEDIA_ROOT)
            manifest = restore(file, target, media_root)
            problems = differences(manifest, target, media_root) if verify else []
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        if problems:
            raise CommandError("Restored, but it differs from the backup:\n  " + "\n  ".join(problems))
        checked = f", every one of {len(manifest['tables'])} tables identical to the backup" if verify else ""
        self.stdout.write(f"Restored the backup of {manifest['made_at']}{checked}.")
