"""rrp import adt FILE --provider ODS — a file of HL7 v2 ADT messages from a patient administration system.

Messages are applied in order, each once by its control id (MSH-10). A malformed message rejects the
whole file, naming the message, segment and field (exit status 2); messages that cannot be applied yet
(out of order, an unknown ward) are held in the queue the information team sees (/patient-feed/held/).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.core.validation.cli import bad_input
from rrp.people.adt import AdtRejected, adt_import
from rrp.people.management.provider_option import provider_from


class Command(BaseCommand):
    help = "Apply a file of HL7 v2 ADT messages (A01 A02 A03 A08 A11 A12 A13 A40): all or none if any is malformed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file of messages (segments separated by CR or new lines)")
        parser.add_argument("--provider", required=True, help="The provider's ODS code")

    def handle(self, *args: object, **options: object) -> None:
        provider = provider_from(options["provider"])
        try:
            outcome = adt_import(provider=provider, source=str(options["file"]), by=None)
        except AdtRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise bad_input(
                f"{len(rejected.problems)} malformed message(s); nothing was applied."
            ) from rejected
        counts = outcome.counts
        parts = [f"{counts.get(k, 0)} {k}" for k in ("applied", "unchanged", "duplicate", "held", "released")]
        parts += [f"{v} {k}" for k, v in sorted(counts.items()) if k.startswith("not read")]
        self.stdout.write("ADT messages: " + ", ".join(parts) + ".")
        if counts.get("held"):
            self.stdout.write(
                "Held messages wait in the queue at /patient-feed/held/ with the reason for each."
            )
