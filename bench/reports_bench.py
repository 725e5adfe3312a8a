"""Benchmark the dashboards (ward huddle, board report and PDF, collaborative, equity, national
benchmark) on national-size demo data (issue 6 item 9).

Targets: a ward's huddle under 300 ms, a 50-ward provider's board report under 1 s (its PDF under 5 s),
the national collaborative view under 2 s. Build the data once (several minutes), then measure:

    export RRP_DEMO=1 DEBUG=1 DATABASE_URL=sqlite:///$PWD/var/bench/reports/national.sqlite3
    # or DATABASE_URL=postgres://postgres@127.0.0.1:5432/rrp_reports_bench (created empty first)
    .venv/bin/rrp migrate
    .venv/bin/rrp demo-data --providers 30 --wards-per-provider 50 --years 5 --seed 1 --end-date 2026-11-30
    .venv/bin/python bench/reports_bench.py --repeat 20

30 providers of 50 wards each (1,500 wards, 5 years), so the first provider is a 50-ward provider.
Users are made inside a transaction rolled back at the end (the demo database is left as it was, audit
rows included) and signed in with Django's test Client (``tests.helpers.signed_in_client``), so each
time is the whole request: middleware, session, scope, selectors, the SPC engine, the audit write and
rendering. Pages, after ``--warmup`` untimed requests each:

- **huddle** (``reports:ward-huddle``) of the demo logins' ward and of the ward with the most
  incidents, as a ward manager of that ward;
- **board report** (``reports:board``) and its **PDF** (``reports:board-pdf``) of the demo logins'
  provider (50 wards), as its provider governance lead;
- **collaborative** (``reports:collaborative``) of the collaborative with the most member wards, as a
  national analyst who follows it;
- **equity** (``reports:equity``) of that provider, as its governance lead;
- **national benchmark** (``reports:national-benchmark``), as the same governance lead.

A page whose URL name does not exist yet is skipped (and said so), so the script runs at any commit.
``--measures`` times the shared building block instead: ``reports.measure_charts.measure_charts`` (the
grouped series query and the SPC engine) of every catalogue measure, monthly (24 months) and weekly
(26 weeks), for one ward, the 50-ward provider and the largest collaborative.

``--only huddle,board`` picks pages by the start of their key; ``--profile KEY`` runs one page once
under cProfile and prints the slowest functions and queries instead of the table.

Prints the median, 90th centile and query count per page as a Markdown table, with the target.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from timing import demo_database_or_exit, time_requests

REPO = Path(__file__).resolve().parent.parent


class _Rollback(Exception):
    pass


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    url_name: str
    kwargs: dict[str, int]
    user: object
    target_ms: float | None
    pdf: bool = False
    query: str = ""  # appended to the address, e.g. "?period=week"


def _measure(function: Callable[[], object], *, repeat: int, warmup: int) -> tuple[float, float, int]:
    """Median and 90th centile in milliseconds, and the number of queries of one call."""
    timings, queries = time_requests(function, repeat=repeat, warmup=warmup)
    return timings.median_ms, timings.p90_ms, queries


def _get(client, url: str, *, pdf: bool) -> Callable[[], object]:
    def run() -> object:
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        if pdf and not response.content.startswith(b"%PDF"):
            raise RuntimeError(f"GET {url} did not answer a PDF ({response.get('Content-Type')})")
        return response.content

    return run


def _profile(run: Callable[[], object], *, top: int = 40, out_file: str = "") -> None:
    """One request under cProfile, then its queries with their times (slowest first); ``out_file`` also
    keeps the raw statistics (``pstats.Stats(out_file)``) to read callers and callees afterwards."""
    from django.db import connection

    run()  # warm
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    if out_file:
        profiler.dump_stats(out_file)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print(out.getvalue())
    timed: list[tuple[float, str]] = []

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(clock):
        run()
    print(f"{len(timed)} queries, {sum(t for t, _ in timed):.1f} ms in the database (cursor execute)")
    for ms, sql in sorted(timed, reverse=True)[:25]:
        print(f"{ms:9.1f} ms  {sql[:400]}")


def _measure_table(*, repeat: int, ward_sets: dict[str, list[int]]) -> None:
    """Time ``measure_charts`` for every measure, period and set of wards."""
    import datetime as dt

    from django.db import connection

    from rrp.measures.catalogue import all_measures
    from rrp.reports.measure_charts import measure_charts, reporting_window

    today = dt.date.today()
    print()
    print("| Database | Measure | Period | Wards | Median (ms) | 90th centile (ms) | Queries | Rows |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    totals: dict[tuple[str, str], float] = {}
    for period in ("month", "week"):
        since, until = reporting_window(period, today=today)
        for definition in all_measures().values():
            for label, ward_ids in ward_sets.items():

                def run(definition=definition, ward_ids=ward_ids, period=period, since=since, until=until):
                    return measure_charts(
                        definition, ward_ids=ward_ids, since=since, until=until, period=period
                    )

                median, p90, queries = _measure(run, repeat=repeat, warmup=1)
                rows = len(run().series)
                totals[(period, label)] = totals.get((period, label), 0) + median
                print(
                    f"| {connection.vendor} | {definition.slug} | {period} | {label} | {median:.1f} | "
                    f"{p90:.1f} | {queries} | {rows:,} |",
                    flush=True,
                )
    print()
    for (period, label), total in totals.items():
        print(f"Every measure, {period}, {label}: {total:.0f} ms (sum of medians)")
    _batch_table(repeat=repeat, ward_sets=ward_sets, today=today)


BATCHES = {
    "huddle's six": (
        "restrictive-interventions-per-1000-obd",
        "physical-restraints-per-1000-obd",
        "prone-restraints-per-1000-obd",
        "seclusions-per-1000-obd",
        "incidents",
        "patient-debrief-held",
    ),
    "board's six": (
        "restrictive-interventions-per-1000-obd",
        "prone-restraints-per-1000-obd",
        "seclusions-per-1000-obd",
        "patient-debrief-held",
        "patient-injuries",
        "staff-injuries",
    ),
    "collaborative's three": (
        "restrictive-interventions-per-1000-obd",
        "people-restrained-per-1000-obd",
        "prone-restraints-per-1000-obd",
    ),
}


def _batch_table(*, repeat: int, ward_sets: dict[str, list[int]], today) -> None:
    """A page's measures one ``measure_charts`` at a time against one ``measure_charts_many``."""
    from django.db import connection

    from rrp.measures.catalogue import measure
    from rrp.reports.measure_charts import measure_charts, measure_charts_many, reporting_window

    since, until = reporting_window("month", today=today)
    print()
    print(
        "| Database | Measures (monthly) | Wards | One at a time (ms) | Queries | All at once (ms) | Queries |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, slugs in BATCHES.items():
        definitions = [measure(s) for s in slugs]
        for label, ward_ids in ward_sets.items():
            window = {"ward_ids": ward_ids, "since": since, "until": until}

            def one_by_one(definitions=definitions, window=window):
                return [measure_charts(d, **window) for d in definitions]

            def together(definitions=definitions, window=window):
                return measure_charts_many(definitions, **window)

            single, _, single_queries = _measure(one_by_one, repeat=repeat, warmup=1)
            batch, _, batch_queries = _measure(together, repeat=repeat, warmup=1)
            print(
                f"| {connection.vendor} | {name} | {label} | {single:.0f} | {single_queries} | {batch:.0f} | "
                f"{batch_queries} |",
                flush=True,
            )


def _url(name: str, kwargs: dict[str, int]) -> str | None:
    """The page's address, or None if the page does not exist yet (or takes other arguments)."""
    from django.urls import NoReverseMatch, reverse

    for attempt in (kwargs, {}):
        try:
            return reverse(name, kwargs=attempt)
        except NoReverseMatch:
            continue
    return None


def main() -> None:  # noqa: C901, PLR0915  (a benchmark script: one timed step after another)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--pdf-repeat", type=int, default=5, help="timed requests of the PDF (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first (default 2)")
    parser.add_argument("--only", default="", help="comma-separated page keys (or their starts) to run")
    parser.add_argument("--measures", action="store_true", help="time measure_charts per measure instead")
    parser.add_argument("--batches", action="store_true", help="only the one-at-a-time vs all-at-once table")
    parser.add_argument("--profile", default="", help="profile this one page key instead of timing")
    parser.add_argument(
        "--profile-out", default="", help="with --profile: also write the raw cProfile stats here"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
    import django

    django.setup()
    demo_database_or_exit("the dashboards benchmark", "make bench (or the commands at the top of this file)")
    import logging

    for noisy in ("weasyprint", "fontTools"):  # WeasyPrint logs each step of every PDF
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from django.db import connection, transaction
    from django.db.models import Count

    from rrp.accounts.models import User
    from rrp.accounts.roles import Role
    from rrp.force.models import Incident
    from rrp.organisations.models import CollaborativeMembership, Ward

    by_ward = list(Incident.objects.values("ward_id").annotate(n=Count("id")).order_by("-n", "ward_id"))
    if not by_ward:
        raise SystemExit("No incidents: build the national demo first (see this file's docstring).")
    counts = {row["ward_id"]: row["n"] for row in by_ward}
    demo_ward = Ward.objects.order_by("pk").first()
    busiest = Ward.objects.get(pk=by_ward[0]["ward_id"])
    provider_id = demo_ward.provider_id
    provider_wards = Ward.objects.filter(provider_id=provider_id).count()
    collaborative = (
        CollaborativeMembership.objects.values("collaborative_id")
        .annotate(n=Count("ward_id", distinct=True))
        .order_by("-n", "collaborative_id")
        .first()
    )
    print(
        f"{connection.vendor}: {Incident.objects.count():,} incidents on {len(by_ward):,} wards "
        f"({Ward.objects.count():,} wards in all); provider {provider_id} has {provider_wards} wards; "
        f"collaborative {collaborative['collaborative_id']} has {collaborative['n']} member wards "
        "(ever joined)"
    )
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    try:
        with transaction.atomic():

            def make(username: str, role: Role, **links: object) -> User:
                wards = links.pop("wards", None)
                collaboratives = links.pop("collaboratives", None)
                user = User.objects.create(username=f"bench.{username}", role=role, **links)
                if wards:
                    user.wards.set(wards)
                if collaboratives:
                    user.collaboratives.set(collaboratives)
                return User.objects.get(pk=user.pk)

            manager = make("manager.demo", Role.WARD_MANAGER, provider_id=provider_id, wards=[demo_ward.pk])
            busy_manager = make(
                "manager.busiest", Role.WARD_MANAGER, provider_id=busiest.provider_id, wards=[busiest.pk]
            )
            governance = make("governance", Role.PROVIDER_GOVERNANCE, provider_id=provider_id)
            analyst = make(
                "analyst", Role.NATIONAL_ANALYST, collaboratives=[collaborative["collaborative_id"]]
            )
            pages = [
                Page(
                    "huddle-demo",
                    f"huddle, demo logins' ward ({counts.get(demo_ward.pk, 0):,} incidents)",
                    "reports:ward-huddle",
                    {"ward_id": demo_ward.pk},
                    manager,
                    300,
                ),
                Page(
                    "huddle-busiest",
                    f"huddle, busiest ward ({counts[busiest.pk]:,} incidents)",
                    "reports:ward-huddle",
                    {"ward_id": busiest.pk},
                    busy_manager,
                    300,
                ),
                Page(
                    "huddle-busiest-week",
                    f"huddle by week, busiest ward ({counts[busiest.pk]:,} incidents)",
                    "reports:ward-huddle",
                    {"ward_id": busiest.pk},
                    busy_manager,
                    300,
                    query="?period=week",
                ),
                Page(
                    "board",
                    f"board report, {provider_wards}-ward provider",
                    "reports:board",
                    {"provider_id": provider_id},
                    governance,
                    1000,
                ),
                Page(
                    "board-pdf",
                    f"board pack PDF, {provider_wards}-ward provider",
                    "reports:board-pdf",
                    {"provider_id": provider_id},
                    governance,
                    5000,
                    pdf=True,
                ),
                Page(
                    "collaborative",
                    f"collaborative, {collaborative['n']} wards, national analyst",
                    "reports:collaborative",
                    {"collaborative_id": collaborative["collaborative_id"]},
                    analyst,
                    2000,
                ),
                Page(
                    "equity",
                    f"equity, {provider_wards}-ward provider",
                    "reports:equity",
                    {"provider_id": provider_id},
                    governance,
                    None,
                ),
                Page(
                    "national-benchmark",
                    "national benchmark, provider governance",
                    "reports:national-benchmark",
                    {"provider_id": provider_id},
                    governance,
                    None,
                ),
            ]
            if args.measures or args.batches:
                ward_sets = {
                    "1 ward": [demo_ward.pk],
                    f"{provider_wards} wards": list(
                        Ward.objects.filter(provider_id=provider_id).values_list("pk", flat=True)
                    ),
                    f"{collaborative['n']} wards": list(
                        CollaborativeMembership.objects.filter(
                            collaborative_id=collaborative["collaborative_id"]
                        ).values_list("ward_id", flat=True)
                    ),
                }
                if args.batches:
                    import datetime as dt

                    _batch_table(repeat=min(args.repeat, 5), ward_sets=ward_sets, today=dt.date.today())
                else:
                    _measure_table(repeat=min(args.repeat, 5), ward_sets=ward_sets)
                raise _Rollback
            if wanted:
                pages = [p for p in pages if any(p.key.startswith(w) for w in wanted)]
            if args.profile:
                pages = [p for p in pages if p.key == args.profile]
                if not pages:
                    raise SystemExit(f"No page {args.profile!r}")
            from tests.helpers import signed_in_client

            clients: dict[int, object] = {}
            rows = []
            skipped = []
            for page in pages:
                url = _url(page.url_name, page.kwargs)
                url = url and url + page.query
                if url is None:
                    skipped.append(f"{page.key} ({page.url_name} not there yet)")
                    continue
                if page.user.pk not in clients:
                    clients[page.user.pk] = signed_in_client(page.user)
                run = _get(clients[page.user.pk], url, pdf=page.pdf)
                if args.profile:
                    print(f"Profiling {page.label}: GET {url}")
                    _profile(run, out_file=args.profile_out)
                    continue
                repeat = args.pdf_repeat if page.pdf else args.repeat
                try:
                    median, p90, queries = _measure(run, repeat=repeat, warmup=args.warmup)
                except RuntimeError as error:
                    skipped.append(f"{page.key} ({error})")
                    continue
                if page.target_ms is None:
                    verdict = "–"
                else:
                    verdict = (
                        f"< {page.target_ms / 1000:g} s: {'met' if median < page.target_ms else 'NOT met'}"
                    )
                rows.append(
                    f"| {connection.vendor} | {page.label} | {median:.0f} | {p90:.0f} | {queries} | {verdict} |"
                )
                print(f"  ... {page.key}: {median:.0f} ms median", flush=True)
            if rows:
                print()
                print("| Database | Page | Median (ms) | 90th centile (ms) | Queries | Target (median) |")
                print("|---|---|---:|---:|---:|---|")
                print("\n".join(rows))
            for line in skipped:
                print(f"Skipped: {line}")
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(REPO))
    main()
