"""rrp export mhsds --provider ODS --month YYYY-MM --output DIR — the MHSDS restrictive-intervention tables.

One CSV per table (MHS505, MHS515, MHS516) and a validation report, written only when every row passes
the checks; otherwise exit status 2 with each problem listed and nothing written (docs/mhsds.md).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from rrp.act.mhsds import TABLES, MonthRefused, file_name, mhsds_export, parse_month, report_name
from rrp.core.validation.cli import bad_input


class Command(BaseCommand):
    help = (
        "Write a provider's MHSDS restrictive-intervention tables for one month (MHS505, MHS515, MHS516) "
        "and a validation report into a folder. A month with an invalid record is refused: nothing is "
        "written and each problem is listed (exit status 2)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", required=True, help="The provider's ODS code")
        parser.add_argument("--month", required=True, help="The month, YYYY-MM (UK calendar month)")
        parser.add_argument("--output", required=True, help="The folder to write the files into")

    def handle(self, *args: object, **options: object) -> None:
        try:
            month = parse_month(str(options["month"]))
            output = Path(str(options["output"]))
            tables = mhsds_export(provider_ods=str(options["provider"]), month=month, output=output)
        except ValueError as problem:
            raise bad_input(str(problem)) from problem
        except MonthRefused as refused:
            lines = [
                f"The month {options['month']} was refused: {len(refused.problems)} problem(s) in its records; "
                "nothing was written. Correct each record in RRP (a new version) and export again.",
                *(f"  - {problem}" for problem in refused.problems),
            ]
            raise bad_input("\n".join(lines)) from refused
        provider = tables.provider
        for table in TABLES:
            self.stdout.write(
                f"{len(tables.rows[table]):>6} rows  {output / file_name(provider, month, table)}"
            )
        self.stdout.write(f"{'':>6}       {output / report_name(provider, month)}")
