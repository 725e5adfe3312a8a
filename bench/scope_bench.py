"""Benchmark the viewer's scope on national-size demo data (issue 11, decision 0012).

A ward role's wards are read once per request with their links (which two-factor sign-in reads anyway)
and then used as a literal list; before, every selector carried them as a subquery of the links. This times both forms, alternating calls so that a
busy machine slows both alike, for a ward manager linked to two wards (the busiest ward and another of its
provider), made inside a transaction that is rolled back at the end:

- **incident list**: the first page of 25 of the manager's incidents (``incident_list_for_user``);
- **patient list**: the first page of 25 of the patients the manager may see (``patients_for``);

and the one read a membership check makes for the widest scope: the regulator's ward ids (every ward).

    make bench-data    # once: the force pages' national database
    RRP_DEMO=1 DATABASE_URL=sqlite:///$PWD/var/bench/force/national.sqlite3 .venv/bin/python bench/scope_bench.py

Prints the median and 90th centile of each as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from timing import Timings, demo_database_or_exit

PAGE = 25


class _Rollback(Exception):
    pass


def _alternate(
    before: Callable[[], object], after: Callable[[], object], repeat: int
) -> tuple[Timings, Timings]:
    """Time ``before`` and ``after`` ``repeat`` times each, alternating which goes first."""
    times: dict[Callable[[], object], list[float]] = {before: [], after: []}
    before(), after()  # warm-up
    for n in range(repeat):
        for function in (before, after) if n % 2 else (after, before):
            started = time.perf_counter()
            function()
            times[function].append(time.perf_counter() - started)
    return Timings(tuple(sorted(times[before]))), Timings(tuple(sorted(times[after])))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=40, help="timed calls of each form (default 40)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
    import django

    django.setup()
    demo_database_or_exit("the scope benchmark", "make bench-data")

    from django.db import connection, transaction
    from django.db.models import Count, Q

    from rrp.accounts.models import User
    from rrp.accounts.roles import Role
    from rrp.accounts.scope import Scope, scope_memo
    from rrp.force.models import Incident
    from rrp.force.selectors import incident_list_for_user
    from rrp.organisations.models import Ward
    from rrp.people.models import Patient
    from rrp.people.selectors import patients_for

    rows: list[tuple[str, Timings, Timings]] = []
    try:
        # As in a request (ScopeMiddleware): the links are read once, when two-factor asks for them.
        with transaction.atomic(), scope_memo():
            busiest = Ward.objects.annotate(n=Count("incidents")).order_by("-n")[:1].get()
            other = Ward.objects.filter(provider_id=busiest.provider_id).exclude(pk=busiest.pk).first()
            manager = User.objects.create(
                username="bench-scope-manager", role=Role.WARD_MANAGER, provider_id=busiest.provider_id
            )
            manager.wards.set([busiest, other])
            assert manager.requires_two_factor  # reads the links, as the sign-in middleware does

            def links_subquery() -> object:
                # The former form of a ward role's wards: a subquery of their links on every use.
                return Ward.objects.filter(pk__in=manager.wards.values("pk"), provider_id=manager.provider_id)

            def incidents_before() -> list[int]:
                incidents = Incident.objects.filter(Q(ward__in=links_subquery())).with_status()
                return [
                    i.pk
                    for i in incidents.select_related("ward", "patient").order_by("-created_at", "-id")[:PAGE]
                ]

            def incidents_after() -> list[int]:
                return [i.pk for i in incident_list_for_user(manager)[:PAGE]]

            def patients_before() -> list[int]:
                mine = Q(provider_id=manager.provider_id, ward_stays__ward__in=links_subquery())
                return [
                    p.pk for p in Patient.objects.filter(mine).distinct().order_by("family_name", "pk")[:PAGE]
                ]

            def patients_after() -> list[int]:
                return [p.pk for p in patients_for(manager).order_by("family_name", "pk")[:PAGE]]

            assert incidents_before() == incidents_after() and patients_before() == patients_after()
            rows.append(
                (
                    "incident list, two-ward manager",
                    *_alternate(incidents_before, incidents_after, args.repeat),
                )
            )
            rows.append(
                ("patient list, two-ward manager", *_alternate(patients_before, patients_after, args.repeat))
            )

            regulator = User.objects.create(username="bench-scope-regulator", role=Role.REGULATOR)

            def exists_before() -> bool:
                return Ward.objects.filter(pk=busiest.pk).exists()

            def ids_after() -> bool:
                return busiest.pk in Scope(regulator).ward_ids  # a fresh Scope each call: one read

            rows.append(
                (
                    "regulator: one ward check (EXISTS) / every ward id",
                    *_alternate(exists_before, ids_after, args.repeat),
                )
            )
            raise _Rollback
    except _Rollback:
        pass

    wards = Ward.objects.count()
    print(f"{connection.vendor}: {wards:,} wards; {args.repeat} calls of each form, alternating\n")
    print("| Database | Measurement | Before: median (ms) | p90 | After: median (ms) | p90 |")
    print("|---|---|---:|---:|---:|---:|")
    for name, before, after in rows:
        print(
            f"| {connection.vendor} | {name} | {before.median_ms:.1f} | {before.p90_ms:.1f} "
            f"| {after.median_ms:.1f} | {after.p90_ms:.1f} |"
        )


if __name__ == "__main__":
    main()
