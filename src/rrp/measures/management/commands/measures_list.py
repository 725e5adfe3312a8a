"""rrp measures list [--format csv]: every measure in the catalogue with its key, name, kind, source and
next review date (issue 20 item 3), so the measures working group can see what is held and what is due."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.core.csv_export import write_csv
from rrp.measures.catalogue import all_measures
from rrp.measures.governance import refresh_catalogue

COLUMNS = ["key", "name", "kind", "source", "next_review"]


class Command(BaseCommand):
    help = "List every measure: key, name, kind (outcome, process, balancing, data quality), source, review date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["text", "csv"], default="text", help="text (default) or csv")

    def handle(self, *args: object, **options: object) -> None:
        refresh_catalogue()  # the measures approved on the catalogue's pages too
        rows = [
            [d.slug, d.name, d.kind.value, d.source.value, d.next_review.isoformat()]
            for d in sorted(all_measures().values(), key=lambda d: (d.kind.value, d.slug))
        ]
        if options["format"] == "csv":
            write_csv(self.stdout, rows, header=COLUMNS, lineterminator="\n")
            return
        width = max(len(r[0]) for r in rows)
        for key, name, kind, source, review in rows:
            self.stdout.write(f"{key:<{width}}  {kind:<12} {source:<9} {review}  {name}")
