"""rrp episode_types_migrate — move seclusion and segregation recorded as types of force (MHSDS 05, 06) on
incidents made before issue 13 onto their episodes (decision 0020): each event one record, counted once.

Idempotent (run it again and it does nothing more), audited (every change is a version with a reason,
made by the provider-governance user named), and ``--dry-run`` says what it would do without saving.
The output names incidents and episodes by number, never patients.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rrp.accounts.models import User
from rrp.segregation.services import episode_types_migrate


class Command(BaseCommand):
    help = (
        "Move seclusion and segregation recorded as types of force (05, 06) onto linked episodes, for the "
        "provider of the provider-governance user given by --by."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--by", required=True, help="Username of the provider-governance user doing it")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change, save nothing")

    def handle(self, *args: object, **options: object) -> None:
        by = User.objects.filter(username=options["by"]).first()
        if by is None:
            raise CommandError(f"--by: no user is called {options['by']!r}", returncode=2)
        try:
            report = episode_types_migrate(by=by, dry_run=bool(options["dry_run"]))
        except PermissionDenied as denied:
            raise CommandError(f"--by: {denied}", returncode=2) from None
        would = "would be " if options["dry_run"] else ""
        for incident_id, episode_id in report.linked:
            self.stdout.write(f"Incident {incident_id}: episode {episode_id} {would}linked to it")
        for incident_id in report.moved:
            self.stdout.write(f"Incident {incident_id}: 05/06 {would}removed as types of force (new version)")
        for incident_id, why in report.left:
            self.stdout.write(f"Incident {incident_id}: left as it is, {why}")
        self.stdout.write(
            f"{len(report.moved)} incidents {would}changed, {len(report.linked)} episodes {would}linked, "
            f"{len(report.left)} left for a person to look at."
        )
