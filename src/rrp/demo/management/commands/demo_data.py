"""`rrp demo-data`: build the synthetic demo (demo mode only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rrp.demo.generate import DemoDataRefused, demo_data_generate
from rrp.demo.registry import DemoOptions


class Command(BaseCommand):
    help = (
        "Replace the demo data with a new synthetic collaborative: regions, ICBs, providers, wards, "
        "patients, stays, bed days, staff and one login per role. Runs only with RRP_DEMO=1, and "
        "refuses a database holding data the demo did not make."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = DemoOptions()
        parser.add_argument("--providers", type=int, default=defaults.providers)
        parser.add_argument("--wards-per-provider", type=int, default=defaults.wards_per_provider)
        parser.add_argument("--years", type=int, default=defaults.years)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--end-date",
            type=dt.date.fromisoformat,
            default=None,
            help="Last day of the period, YYYY-MM-DD (default yesterday). Fix it to reproduce a demo exactly.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        demo_options = DemoOptions(
            providers=options["providers"],
            wards_per_provider=options["wards_per_provider"],
            years=options["years"],
            seed=options["seed"],
            end_date=options["end_date"],
        )
        verbose = options["verbosity"] > 1
        try:
            summary = demo_data_generate(
                options=demo_options, progress=self.stdout.write if verbose else None
            )
        except DemoDataRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {demo_options.providers} providers x {demo_options.wards_per_provider} wards, "
                f"{summary.first_day} to {summary.last_day}, seed {demo_options.seed}"
            )
        )
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label:<40} {count:>12,}")
        rate = summary.total_rows / summary.seconds if summary.seconds else 0
        self.stdout.write(
            f"  {summary.total_rows:,} rows in {summary.seconds:.1f} s ({rate:,.0f} rows/s); "
            f"mean occupancy {summary.occupancy:.1%}; digest {summary.digest[:12]}"
        )
