"""Benchmark the demo-data generator at a few sizes, up to national (1,500 wards x 5 years).

    .venv/bin/python bench/demo_data_bench.py                  # SQLite: 30 and 150 wards, then national
    .venv/bin/python bench/demo_data_bench.py --sizes small    # just the quick sizes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/demo_data_bench.py

Each size runs in its own process on a fresh database, migrated first: a temporary SQLite file under
var/bench/, and with DATABASE_URL set also a throwaway PostgreSQL database on that server (created
and dropped here). Prints seconds and rows per second per size as a Markdown table for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from timing import fresh_sqlite, postgres_database, run_in_subprocess

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "var" / "bench"

# name -> (providers, wards per provider, years)
SIZES: dict[str, tuple[int, int, int]] = {
    "30 wards x 2 years": (5, 6, 2),
    "150 wards x 5 years": (15, 10, 5),
    "national: 1,500 wards x 5 years": (100, 15, 5),
}
QUICK = list(SIZES)[:2]


def run_one(*, providers: int, wards_per_provider: int, years: int) -> dict[str, object]:
    """Migrate the database in DATABASE_URL and generate one demo there (in this process)."""
    import datetime as dt

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
    django.setup()
    from django.core.management import call_command

    from rrp.demo.generate import demo_data_generate
    from rrp.demo.registry import DemoOptions

    call_command("migrate", verbosity=0, interactive=False)
    options = DemoOptions(
        providers=providers,
        wards_per_provider=wards_per_provider,
        years=years,
        seed=1,
        end_date=dt.date(2025, 12, 31),
    )
    summary = demo_data_generate(options=options)
    return {
        "rows": summary.total_rows,
        "seconds": summary.seconds,
        "occupancy": summary.occupancy,
        "steps": summary.step_seconds,
        "counts": summary.counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", choices=["small", "all"], default="all")
    parser.add_argument("--one", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(providers=args.one[0], wards_per_provider=args.one[1], years=args.one[2])))
        return

    sizes = QUICK if args.sizes == "small" else list(SIZES)
    backends = ["sqlite"]
    base_url = os.environ.get("DATABASE_URL", "")
    if base_url.startswith("postgres"):
        backends.append("postgresql")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print("| Database | Size | Rows | Generate (s) | Rows/s | Wall incl. migrate (s) | Occupancy |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for backend in backends:
        for name in sizes:
            if backend == "sqlite":
                url = fresh_sqlite(BENCH_DIR / "demo_bench.sqlite3")
            else:
                url = postgres_database(base_url, "rrp_demo_bench", drop=False)
            try:
                # wall_seconds includes migrating and start-up
                data = run_in_subprocess(__file__, ["--one", *map(str, SIZES[name])], database_url=url)
            finally:
                if backend == "postgresql":
                    postgres_database(base_url, "rrp_demo_bench", drop=True)
            rows, seconds = int(data["rows"]), float(data["seconds"])
            print(
                f"| {backend} | {name} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | "
                f"{float(data['wall_seconds']):.1f} | {float(data['occupancy']):.1%} |",
                flush=True,
            )
            steps = ", ".join(f"{k} {v:.1f}" for k, v in dict(data["steps"]).items())
            print(f"<!-- {backend} {name} steps (s): {steps} -->", flush=True)


if __name__ == "__main__":
    main()
