"""rrp benchmark national --provider NAME --output FILE.csv — a provider against every provider, by month."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rrp.core.csv_export import write_csv
from rrp.measures.models import NationalMetric
from rrp.measures.national import (
    UnknownProvider,
    benchmark_csv_rows,
    people_and_bed_days,
    pooled,
    provider_benchmark,
)
from rrp.measures.selectors import national_figures


class Command(BaseCommand):
    help = (
        "Write one row per month: month,people,bed_days,rate_per_1000,all_providers_rate_per_1000 "
        "(people subject to restrictive interventions, MHS76, per 1,000 bed days) from the imported "
        "national figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--provider", required=True, help="The provider's name as NHS Digital publishes it"
        )
        parser.add_argument("--output", required=True, help="The CSV file to write")
        parser.add_argument(
            "--former-name",
            action="append",
            default=[],
            dest="former_names",
            help="A name the provider was published under before a rename or merger (repeatable)",
        )

    def handle(self, *args: object, **options: object) -> None:
        frame = national_figures(metrics=[NationalMetric.PEOPLE_RESTRAINED, NationalMetric.BED_DAYS])
        if frame.empty:
            raise CommandError(
                "No national figures are held; run `rrp import mhsds-provider-monthly DIR` first."
            )
        try:
            benchmark = provider_benchmark(
                frame, provider=str(options["provider"]), former_names=list(options["former_names"])
            )
        except UnknownProvider as unknown:
            raise CommandError(str(unknown)) from unknown
        except ValueError as clash:
            raise CommandError(str(clash)) from clash
        output = Path(str(options["output"]))
        if not output.parent.is_dir():
            raise CommandError(f"No folder at {output.parent} for --output")
        with output.open("w", newline="", encoding="utf-8") as handle:
            write_csv(handle, benchmark_csv_rows(benchmark), lineterminator="\n")
        mine = pooled(benchmark)
        everyone = pooled(people_and_bed_days(frame))
        self.stdout.write(
            f"Wrote {len(benchmark)} months to {output}. Pooled over {mine.provider_months} months with both "
            f"figures: {mine.people:,.0f} / {mine.bed_days:,.0f} = {mine.rate_per_1000:.3f} per 1,000 bed days; "
            f"all providers over {everyone.provider_months} provider-months: {everyone.rate_per_1000:.3f}."
        )
