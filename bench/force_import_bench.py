"""Benchmark `rrp import incidents`: N interventions from one CSV, on SQLite and PostgreSQL.

    .venv/bin/python bench/force_import_bench.py                       # SQLite, 1,000,000 interventions
    .venv/bin/python bench/force_import_bench.py --interventions 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/force_import_bench.py

Each database runs in its own process on a fresh, migrated database: a temporary SQLite file under
var/bench/, and with DATABASE_URL set also a throwaway PostgreSQL database on that server (created and
dropped here). Its own minimal fixtures: one provider with 60 wards, 30,000 patients and a roster of
600 staff, and a provider governance user who imports. The CSV (written once to var/bench/) has one row
per intervention, 1-4 interventions per incident (2.5 on average), two staff each and every statutory
column filled, so every incident is complete. Three imports are timed: the first (everything new), the
same file again (everything unchanged), and the file with one incident in ten changed (new versions).
Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
from pathlib import Path

from timing import Stopwatch, fresh_sqlite, postgres_database, run_in_subprocess

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "var" / "bench"
WARDS = 60
PATIENTS = 30_000
STAFF = 600
# No 05 or 06: seclusion and segregation are episodes, which the import refuses as types of force (decision 0020).
TYPES = ["01", "09", "07", "08", "10", "11", "14", "15", "16"]
PARTS = ["lead", "head", "left_arm", "right_arm", "legs", "observer"]
DEESCALATION = ["verbal", "listening", "time_and_space", "reduced_stimulation", "choices"]


def write_csv(path: Path, *, interventions: int, seed: int = 1, changed_every: int = 0) -> int:
    """Write the benchmark file; return the number of incidents. `changed_every` > 0 changes the outcome
    of every n-th incident (for the amendment run)."""
    from rrp.force.imports import ALL_COLUMNS

    rng = random.Random(seed)
    start = dt.datetime(2021, 1, 1, 0, 0)
    written = incidents = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ALL_COLUMNS)
        while written < interventions:
            incidents += 1
            n = min(rng.choice((1, 2, 2, 3, 3, 4)), interventions - written)
            # Daytime (06:00-22:59), so that no time falls in the hour the clocks skip in March.
            occurred = start + dt.timedelta(
                days=rng.randrange(5 * 365), minutes=rng.randrange(6 * 60, 23 * 60)
            )
            patient = rng.randrange(PATIENTS)
            ward = patient % WARDS
            by_nhs = incidents % 2 == 0
            outcome = "Settled in own room"
            if changed_every and incidents % changed_every == 0:
                outcome = "Settled after review by the doctor"
            staff = ";".join(
                f"Given{s} Family{s}|Staff nurse|{PARTS[k]}"
                for k, s in enumerate(rng.sample(range(STAFF), 2))
            )
            incident = {
                "source_system": "Datix",
                "source_id": f"INC-{incidents:07d}",
                "ward_code": f"BW{ward:03d}",
                "patient_nhs_number": f"{9_000_000_000 + patient}" if by_nhs else "",
                "patient_local_identifier": "" if by_nhs else f"BL{patient:06d}",
                "reason_code": rng.choice(["10", "11", "13", "17"]),
                "reason_text": "Assaulting another patient",
                "place_on_ward": rng.choice(["Lounge", "Corridor", "Bedroom", "Dining room"]),
                "occurred_at": f"{occurred:%Y-%m-%d %H:%M}",
                "ended_at": f"{occurred + dt.timedelta(minutes=60):%Y-%m-%d %H:%M}",
                "how_force_used": "Held in a standing restraint then guided to the floor",
                "outcome": outcome,
                "patient_died": "N",
                "patient_serious_injury": "N",
                "injury_patient": rng.choice("NNNNY"),
                "injury_staff": rng.choice("NNNNY"),
                "injury_others": "N",
                "abuse_alleged": "N",
                "police_used_force": "",
                "non_staff_involved": "N",
                "deescalation": ";".join(rng.sample(DEESCALATION, 2)),
                "deescalation_text": "Offered a quiet space",
                "care_plan_notification_sent": "Y",
                "care_plan_notified_to": "Nearest relative",
                "care_plan_notified_at": f"{occurred + dt.timedelta(minutes=61):%Y-%m-%d %H:%M}",
                "debrief_patient_offered": "Y",
                "debrief_patient_held": "Y",
                "debrief_staff_held": "Y",
                "debrief_carers_held": "N",
                "staff": staff,
            }
            for k in range(n):
                begins = occurred + dt.timedelta(minutes=1 + 12 * k)
                writer.writerow(
                    [
                        *(incident.get(c, "") for c in ALL_COLUMNS[:-4]),
                        rng.choice(TYPES),
                        f"{begins:%Y-%m-%d %H:%M}",
                        f"{begins + dt.timedelta(minutes=rng.randrange(1, 12)):%Y-%m-%d %H:%M}",
                        rng.choice("NNY"),
                    ]
                )
            written += n
    return incidents


def fixtures() -> str:
    """One provider, its wards, patients and roster, and the provider governance user; returns the username."""
    from rrp.accounts.models import User
    from rrp.accounts.roles import Role
    from rrp.organisations.models import Provider, Region, Site, Ward
    from rrp.people.models import Patient, StaffMember

    region = Region.objects.create(code="YB1", name="Bench region")
    provider = Provider.objects.create(
        ods_code="RB1", name="Bench NHS Trust", kind="nhs_trust", region=region
    )
    site = Site.objects.create(provider=provider, ods_code="RB1S1", name="Bench Hospital")
    Ward.objects.bulk_create(
        Ward(
            site=site,
            provider=provider,
            code=f"BW{i:03d}",
            name=f"Bench ward {i}",
            specialism="adult_acute",
            sex="mixed",
            beds=20,
            opened_on=dt.date(2015, 1, 1),
        )
        for i in range(WARDS)
    )
    Patient.objects.bulk_create(
        (
            Patient(
                provider=provider,
                nhs_number=f"{9_000_000_000 + i}",
                local_identifier=f"BL{i:06d}",
                given_name=f"Given{i}",
                family_name=f"Family{i}",
                date_of_birth=dt.date(1970 + i % 40, 1 + i % 12, 1 + i % 28),
                sex="1" if i % 2 else "2",
            )
            for i in range(PATIENTS)
        ),
        batch_size=5_000,
    )
    StaffMember.objects.bulk_create(
        StaffMember(
            provider=provider,
            given_name=f"Given{i}",
            family_name=f"Family{i}",
            job_title="Staff nurse",
            staff_group="nursing",
        )
        for i in range(STAFF)
    )
    user = User.objects.create_user(
        username="bench-governance", password=None, role=Role.PROVIDER_GOVERNANCE, provider=provider
    )
    return user.username


def run_one(*, interventions: int) -> dict[str, object]:
    """Migrate the database in DATABASE_URL, make the fixtures and time three imports (in this process)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
    django.setup()
    from django.core.management import call_command

    from rrp.accounts.models import User
    from rrp.core.csv_import import ImportRejected
    from rrp.force.imports import incidents_import
    from rrp.force.models import Incident, IncidentVersion, InterventionRecord

    call_command("migrate", verbosity=0, interactive=False)
    user = User.objects.get(username=fixtures())
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    first = BENCH_DIR / f"force_import_{interventions}.csv"
    changed = BENCH_DIR / f"force_import_{interventions}_changed.csv"
    if not first.exists():
        write_csv(first, interventions=interventions)
    if not changed.exists():
        write_csv(changed, interventions=interventions, changed_every=10)
    results: dict[str, object] = {}
    for label, path in (("first", first), ("unchanged", first), ("one in ten changed", changed)):
        timings: dict[str, float] = {}
        try:
            with Stopwatch() as watch:
                counts = incidents_import(source=path, by=user, timings=timings)
        except ImportRejected as rejected:
            raise SystemExit("\n".join(map(str, rejected.errors[:20]))) from rejected
        results[label] = {
            "seconds": watch.seconds,
            "cpu_seconds": watch.cpu_seconds,
            "steps": timings,
            **counts,
        }
    import resource

    results["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["tables"] = {
        "incidents": Incident.objects.count(),
        "versions": IncidentVersion.objects.count(),
        "interventions": InterventionRecord.objects.count(),
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--interventions", type=int, default=1_000_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(interventions=args.one)))
        return
    backends = [] if args.postgres_only else ["sqlite"]
    base_url = os.environ.get("DATABASE_URL", "")
    if base_url.startswith("postgres") and not args.sqlite_only:
        backends.append("postgresql")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print(
        "| Database | Run | Rows | Incidents new / amended / unchanged | Seconds | CPU s (this process) | Rows/s |"
    )
    print("|---|---|---:|---|---:|---:|---:|")
    for backend in backends:
        if backend == "sqlite":
            url = fresh_sqlite(BENCH_DIR / "force_import_bench.sqlite3")
        else:
            url = postgres_database(base_url, "rrp_force_import_bench", drop=False)
        try:
            data = run_in_subprocess(__file__, ["--one", str(args.interventions)], database_url=url)
        finally:
            if backend == "postgresql":
                postgres_database(base_url, "rrp_force_import_bench", drop=True)
        for label in ("first", "unchanged", "one in ten changed"):
            run = data[label]
            seconds = float(run["seconds"])
            print(
                f"| {backend} | {label} | {run['rows']:,} | {run['created']:,} / {run['amended']:,} / "
                f"{run['unchanged']:,} | {seconds:.1f} | {float(run['cpu_seconds']):.1f} | "
                f"{run['rows'] / seconds:,.0f} |",
                flush=True,
            )
            steps = ", ".join(f"{k} {v:.1f}" for k, v in dict(run["steps"]).items())
            print(f"<!-- {backend} {label} steps (s): {steps} -->", flush=True)
        print(
            f"<!-- {backend} tables after the runs: {data['tables']}; peak memory "
            f"{float(data['peak_memory_mb']):,.0f} MB -->",
            flush=True,
        )


if __name__ == "__main__":
    main()
