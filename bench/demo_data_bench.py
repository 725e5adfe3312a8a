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
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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


def in_subprocess(*, database_url: str, size: tuple[int, int, int]) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": database_url, "RRP_DEMO": "1", "DEBUG": "0"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--one", *map(str, size)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"Benchmark run failed:\n{result.stderr[-3000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["wall_seconds"] = time.perf_counter() - started  # includes migrating and start-up
    return data


def postgres_database(base_url: str, name: str, *, drop: bool) -> str:
    """Create (or drop) a throwaway database on the server of `base_url`; return its URL."""
    import psycopg

    parts = urlsplit(base_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


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
                path = BENCH_DIR / "demo_bench.sqlite3"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                url = f"sqlite:///{path}"
            else:
                url = postgres_database(base_url, "rrp_demo_bench", drop=False)
            try:
                data = in_subprocess(database_url=url, size=SIZES[name])
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
