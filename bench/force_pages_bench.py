"""Benchmark a ward's incident list and an incident page on national-size demo data (issue 3 item 8).

Build the data once (a few minutes), then measure as often as you like:

    RRP_DEMO=1 DATABASE_URL=sqlite:///$PWD/var/bench/force/national.sqlite3 .venv/bin/rrp migrate
    RRP_DEMO=1 DATABASE_URL=sqlite:///$PWD/var/bench/force/national.sqlite3 .venv/bin/rrp demo-data \\
        --providers 100 --wards-per-provider 15 --years 5 --seed 1 --end-date 2025-12-31
    RRP_DEMO=1 DATABASE_URL=sqlite:///$PWD/var/bench/force/national.sqlite3 .venv/bin/python bench/force_pages_bench.py

(the same with DATABASE_URL=postgres://postgres@127.0.0.1:5432/rrp_force_bench for PostgreSQL).

For each of three wards (the demo logins' ward, the ward with the most incidents, and a ward of median
size) a ward manager attached to that ward is made inside a transaction that is rolled back at the end,
so the demo database is left as it was (audit rows included). Then, `--repeat` times each (after warm-up):

- **incident list**: a GET of the ward's incident list (`force:incident-list`, first page of 25)
  through Django's test Client, signed in as that ward's manager (`tests.helpers.signed_in_client`),
  so the time includes middleware, session, scope, the selector, the audit write and rendering.
- **incident page** and **history page**: GETs of `force:incident-detail` and
  `force:incident-history` for the ward's most recent incident with more than one version (sent back
  and amended), or its most recent incident if none was amended.

With `--selectors` (or if the pages are not installed) it times the selectors alone instead:
`incident_list_for_user` for the ward (count and first page), and `incident_get_for` +
`incident_page` + `incident_history`.

Prints the median, 90th centile and query count per measurement as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from timing import demo_database_or_exit, time_requests

REPO = Path(__file__).resolve().parent.parent
PAGE_SIZE = 25


class _Rollback(Exception):
    pass


def _measure(function: Callable[[], object], *, repeat: int, warmup: int = 3) -> tuple[float, float, int]:
    """Median and 90th centile in milliseconds, and the number of queries of one call."""
    timings, queries = time_requests(function, repeat=repeat, warmup=warmup)
    return timings.median_ms, timings.p90_ms, queries


def _selector_list(user, ward) -> Callable[[], object]:
    from rrp.force.selectors import incident_list_for_user

    def run() -> object:
        incidents = incident_list_for_user(user).filter(ward=ward)
        total = incidents.count()
        rows = [
            (i.pk, i.status, i.ward.name, i.patient.name, i.patient.nhs_number, i.created_at)
            for i in incidents[:PAGE_SIZE]
        ]
        return total, rows

    return run


def _selector_detail(user, incident_id: int) -> Callable[[], object]:
    from rrp.force.selectors import incident_get_for, incident_history, incident_page

    def run() -> object:
        incident = incident_get_for(user, incident_id)
        return incident.status, incident_page(incident), len(incident_history(incident))

    return run


def _page(client, url: str) -> Callable[[], object]:
    def run() -> object:
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response.content

    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per measurement (default 50)")
    parser.add_argument("--selectors", action="store_true", help="measure the selectors even if pages exist")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
    import django

    django.setup()
    demo_database_or_exit(
        "the incident pages benchmark", "make bench (or the commands at the top of this file)"
    )
    from django.db import connection, transaction
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from rrp.accounts.models import User
    from rrp.accounts.roles import Role
    from rrp.force.models import Incident, IncidentVersion

    try:
        reverse("force:incident-list")
        pages = not args.selectors
    except NoReverseMatch:
        pages = False

    by_ward = list(Incident.objects.values("ward_id").annotate(n=Count("id")).order_by("-n", "ward_id"))
    if not by_ward:
        raise SystemExit("No incidents: build the national demo first (see this file's docstring).")
    counts = {row["ward_id"]: row["n"] for row in by_ward}
    wards = {
        "demo logins' ward": 1,
        "busiest ward": by_ward[0]["ward_id"],
        "median ward": by_ward[len(by_ward) // 2]["ward_id"],
    }
    print(
        f"{connection.vendor}: {Incident.objects.count():,} incidents on {len(by_ward):,} wards; "
        f"{'pages through the test Client' if pages else 'selectors only'}"
    )
    print()
    print("| Database | Ward (incidents) | Measurement | Median (ms) | 90th centile (ms) | Queries |")
    print("|---|---|---|---:|---:|---:|")
    try:
        with transaction.atomic():
            for label, ward_id in wards.items():
                user = User.objects.create(
                    username=f"bench.manager.{ward_id}",
                    role=Role.WARD_MANAGER,
                    provider_id=Incident.objects.filter(ward_id=ward_id).values_list(
                        "provider_id", flat=True
                    )[0],
                )
                user.wards.set([ward_id])
                user = User.objects.get(pk=user.pk)
                ward = user.wards.get()
                amended = (
                    IncidentVersion.objects.filter(incident__ward_id=ward_id, number__gt=1)
                    .order_by("-incident_id")
                    .values_list("incident_id", flat=True)
                    .first()
                )
                incident_id = amended or Incident.objects.filter(ward_id=ward_id).order_by("-id")[0].pk
                if pages:
                    from tests.helpers import signed_in_client

                    client = signed_in_client(user)
                    runs = {
                        "incident list, first page": _page(client, reverse("force:incident-list")),
                        "incident page": _page(client, reverse("force:incident-detail", args=[incident_id])),
                        "history page": _page(client, reverse("force:incident-history", args=[incident_id])),
                    }
                else:
                    runs = {
                        "incident list selector, first page": _selector_list(user, ward),
                        "incident page selectors": _selector_detail(user, incident_id),
                    }
                for what, run in runs.items():
                    median, p90, queries = _measure(run, repeat=args.repeat)
                    print(
                        f"| {connection.vendor} | {label} ({counts.get(ward_id, 0):,}) | {what} | "
                        f"{median:.1f} | {p90:.1f} | {queries} |"
                    )
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(REPO))
    main()
