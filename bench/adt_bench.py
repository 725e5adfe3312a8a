"""Benchmark `rrp import adt`: N HL7 v2 ADT messages applied, on SQLite and PostgreSQL (issue 18: 100,000
in under 60 s).

    .venv/bin/python bench/adt_bench.py                       # SQLite, 100,000 messages
    .venv/bin/python bench/adt_bench.py --messages 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/adt_bench.py

Each database runs in its own process on a fresh, migrated database (a temporary SQLite file under
var/bench/; with DATABASE_URL set also a throwaway PostgreSQL database, created and dropped here). Its own
fixtures: one provider with 20 wards opened in 2020. The messages (written once to var/bench/) are the
admissions, transfers and discharges of synthetic patients over two years (tests/pas_data.py: 0-2
transfers each, four in five discharged, about 2.9 messages a patient). Two runs are timed: the file
(everything new: patients registered, spells and stays written, bed days derived for every ward and day,
an audit row per message) and the same file again (every message a duplicate by control id). Prints a
Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from timing import Stopwatch, fresh_sqlite, postgres_database, run_in_subprocess

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "var" / "bench"
WARDS = 20
sys.path.insert(0, str(REPO))


def write_file(path: Path, *, messages: int) -> int:
    """Write about ``messages`` ADT messages (whole journeys) to path; return how many were written."""
    from tests.pas_data import adt_messages, journeys

    start = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    people = journeys(
        [f"BW{i:02d}" for i in range(WARDS)], patients=int(messages / 2.9), start=start, days=730
    )
    texts = adt_messages(people)[:messages]
    path.write_text("\n".join(texts) + "\n")
    return len(texts)


def run_one(*, messages: int) -> dict[str, object]:
    """Migrate the database in DATABASE_URL, make the fixtures and time two imports (in this process)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
    django.setup()
    from django.core.management import call_command

    from rrp.organisations.models import OccupiedBedDays, Provider, Region, Site, Ward
    from rrp.people.adt import adt_import
    from rrp.people.models import FeedMessage, Patient, WardStay

    call_command("migrate", verbosity=0, interactive=False)
    region = Region.objects.create(code="YBENCH", name="Bench region")
    provider = Provider.objects.create(ods_code="RBEN", name="Bench trust", kind="nhs_trust", region=region)
    site = Site.objects.create(provider=provider, ods_code="RBEN01", name="Bench hospital")
    for i in range(WARDS):
        Ward.objects.create(
            site=site,
            provider=provider,
            code=f"BW{i:02d}",
            name=f"Bench ward {i}",
            specialism="adult_acute",
            sex="mixed",
            beds=40,
            opened_on=dt.date(2020, 1, 1),
        )
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"adt_{messages}.hl7"
    written = write_file(path, messages=messages)
    results: dict[str, object] = {"messages": written}
    for label in ("first", "again"):
        with Stopwatch() as watch:
            outcome = adt_import(provider=provider, source=path, by=None)
        results[label] = {
            "seconds": watch.seconds,
            "cpu_seconds": watch.cpu_seconds,
            "counts": dict(outcome.counts),
        }
    results["tables"] = {
        "patients": Patient.objects.count(),
        "ward stays": WardStay.objects.count(),
        "feed messages": FeedMessage.objects.count(),
        "daily bed days": OccupiedBedDays.objects.count(),
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(messages=args.one)))
        return
    backends = [] if args.postgres_only else ["sqlite"]
    base_url = os.environ.get("DATABASE_URL", "")
    if base_url.startswith("postgres") and not args.sqlite_only:
        backends.append("postgresql")
    print("| Database | Run | Messages | Applied / duplicate / held | Seconds | CPU s | Messages/s |")
    print("|---|---|---:|---|---:|---:|---:|")
    for backend in backends:
        if backend == "sqlite":
            url = fresh_sqlite(BENCH_DIR / "adt_bench.sqlite3")
        else:
            url = postgres_database(base_url, "rrp_adt_bench", drop=False)
        try:
            data = run_in_subprocess(__file__, ["--one", str(args.messages)], database_url=url)
        finally:
            if backend == "postgresql":
                postgres_database(base_url, "rrp_adt_bench", drop=True)
        for label in ("first", "again"):
            run = data[label]
            counts = run["counts"]
            seconds = float(run["seconds"])
            print(
                f"| {backend} | {label} | {data['messages']:,} | {counts.get('applied', 0):,} / "
                f"{counts.get('duplicate', 0):,} / {counts.get('held', 0):,} | {seconds:.1f} | "
                f"{float(run['cpu_seconds']):.1f} | {data['messages'] / seconds:,.0f} |",
                flush=True,
            )
        print(f"<!-- {backend} tables after the runs: {data['tables']} -->", flush=True)


if __name__ == "__main__":
    main()
