"""CPU time per request of each page in the load test's mix (bench/locustfile.py), on a PostgreSQL demo.

The load test (scripts/load-test) gives wall-clock times that depend on everything else the machine is
doing; this measures what each request costs, in CPU time, which is steady on a shared machine:

- **app CPU**: this process's CPU time (``time.process_time``) for one request through Django's test
  Client with production settings (DEBUG off, every middleware, sessions, audit writes, rendering);
- **db CPU**: the PostgreSQL backend's CPU time for the same request, read from ``/proc/<pid>/stat`` of
  the connection's server process (the benchmark must run on the database's host);
- the wall time and the number of queries, for comparison.

The requests are the locustfile's: the ward huddle (also with the cache emptied before each request, as
the first after a change of the ward's records: what it cost before ``reports.chart_cache``), the incident list, an incident's page and the ward's
page as ward.staff; the API's incident list and recording a draft incident as ward.manager's token; the
sign-in page and signing in (Argon2). Recorded incidents are real rows (drafts, as the load test makes).

    createdb -h 127.0.0.1 -U postgres rrp_h19   # then migrate and load the load test's demo:
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/rrp_h19
    RRP_DEMO=1 .venv/bin/rrp migrate && RRP_DEMO=1 .venv/bin/rrp demo-data --providers 2 --wards-per-provider 4 --years 2 --seed 1
    .venv/bin/python bench/load_mix_bench.py --repeat 20

Prints a Markdown table: median and 90th centile of app CPU, db CPU and wall time per request (ms), queries.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "demo-password-1"
TICKS = os.sysconf("SC_CLK_TCK")


def _backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) the PostgreSQL server process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _centiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[max(0, -(-9 * len(ordered) // 10) - 1)] * 1000


def _production_settings() -> None:
    """Production settings, as `rrp serve` runs, but one persistent connection (no pool) so that its
    server process can be found and its CPU time read; static files collected once into the benchmark's
    own folder."""
    os.environ.update(
        DEBUG="0",
        RRP_DEMO="0",
        RRP_TESTING="0",
        RRP_DB_POOL="0",
        DATABASE_CONN_MAX_AGE="3600",
        ALLOWED_HOSTS="testserver",
        RRP_LOG_FORMAT="text",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("RRP_VAR_DIR", str(REPO / "var" / "bench" / "load-mix"))
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(
            "This benchmark reads the PostgreSQL server's CPU time: set DATABASE_URL to PostgreSQL."
        )
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def _requests(repeat: int, sign_ins: int) -> tuple[str, dict[str, tuple[Callable[[], object], int]]]:
    """The load test's requests, each a function that makes one and checks its answer, with how often to
    time it; and a line about the ward."""
    from django.core.cache import cache
    from django.test import Client

    from rrp.accounts.models import User
    from rrp.api.services import api_token_create
    from rrp.force.models import Incident
    from rrp.people.models import WardStay
    from tests.helpers import signed_in_client

    staff = User.objects.filter(username="ward.staff").first()
    if staff is None:
        raise SystemExit("No demo: load the demo first (see this file's docstring).")
    ward = staff.wards.order_by("pk").first()
    stay = WardStay.objects.filter(ward=ward, ended_at__isnull=True).order_by("pk").first()
    incident = Incident.objects.filter(ward=ward).order_by("-pk").first()
    _, token = api_token_create(
        user=User.objects.get(username="ward.manager"), by=None, name="load mix bench"
    )
    client = signed_in_client(staff)
    api = Client(headers={"Authorization": f"Bearer {token}"})

    def get(c: Client, url: str) -> Callable[[], object]:
        def run() -> object:
            response = c.get(url, secure=True)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            return response

        return run

    def record() -> object:
        body = {"ward_id": ward.pk, "patient_id": stay.patient_id}
        response = api.post("/api/incidents", body, content_type="application/json", secure=True)
        if response.status_code != 201:
            raise RuntimeError(
                f"POST /api/incidents answered {response.status_code}: {response.content[:300]!r}"
            )
        return response

    def sign_in() -> object:
        fresh = Client()
        fresh.get("/account/sign-in/", secure=True)
        response = fresh.post(
            "/account/sign-in/", {"username": "ward.staff", "password": PASSWORD}, secure=True
        )
        if response.status_code != 302 or "/account/sign-in/" in response.headers.get("Location", ""):
            raise RuntimeError(f"sign-in answered {response.status_code}")
        return response

    huddle = get(client, f"/reports/wards/{ward.pk}/huddle/")

    def huddle_uncached() -> object:
        cache.clear()  # as the first request after a change of the ward's records (reports.chart_cache)
        return huddle()

    about = f"ward {ward.pk}, {Incident.objects.filter(ward=ward).count()} incidents on it"
    return about, {
        "huddle": (huddle, repeat),
        "huddle, nothing cached": (huddle_uncached, repeat),
        "incident list": (get(client, "/incidents/"), repeat),
        "incident page": (get(client, f"/incidents/{incident.pk}/"), repeat),
        "ward page": (get(client, f"/wards/{ward.pk}/"), repeat),
        "API list": (get(api, f"/api/incidents?ward_id={ward.pk}"), repeat),
        "API record": (record, repeat),
        "sign-in page": (get(Client(), "/account/sign-in/"), repeat),
        "sign in (POST)": (sign_in, sign_ins),
    }


def _measure(run: Callable[[], object], *, repeat: int, warmup: int) -> str:
    """One table row: app and db CPU and wall time of ``repeat`` requests after ``warmup``, and queries."""
    from django.db import connection

    for _ in range(warmup):
        run()
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        run()
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    app, db, wall = [], [], []
    for _ in range(repeat):
        started_db, started_cpu, started = _backend_cpu(pid), time.process_time(), time.perf_counter()
        run()
        wall.append(time.perf_counter() - started)
        app.append(time.process_time() - started_cpu)
        db.append(_backend_cpu(pid) - started_db)
    if connection.connection.info.backend_pid != pid:
        raise RuntimeError("the database connection changed during the measurement")
    a, d, w = _centiles(app), _centiles(db), _centiles(wall)
    return f"{a[0]:.0f} | {a[1]:.0f} | {d[0]:.0f} | {d[1]:.0f} | {w[0]:.0f} | {len(queries)}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (default 3)")
    parser.add_argument("--sign-ins", type=int, default=5, help="timed sign-ins (Argon2; default 5)")
    parser.add_argument("--only", default="", help="comma-separated request names to measure (default all)")
    args = parser.parse_args()
    _production_settings()
    about, requests = _requests(args.repeat, args.sign_ins)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    print(f"{about}; load average {os.getloadavg()[0]:.1f}")
    print()
    print(
        "| request | app CPU median (ms) | app CPU p90 | db CPU median (ms) | db CPU p90 | wall median (ms) | queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (run, repeat) in requests.items():
        if not only or name in only:
            print(f"| {name} | {_measure(run, repeat=repeat, warmup=args.warmup)} |")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
