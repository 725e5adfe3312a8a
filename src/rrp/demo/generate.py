"""Generate the synthetic demo: wipe the previous demo, run every registered step, record the run.

Usage from code (the `rrp demo-data` command is a thin wrapper):

    summary = demo_data_generate(options=DemoOptions(providers=3, wards_per_provider=4, years=2, seed=1))

It runs only in demo mode (settings.DEMO_MODE, env RRP_DEMO=1). A database that already holds
organisations or patients but no record of a demo run is someone's real data, and is refused; a
demo database is wiped and rebuilt, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from rrp.accounts.models import User
from rrp.demo.logins import DEMO_USERNAMES
from rrp.demo.models import DemoRun
from rrp.demo.registry import DemoContext, DemoOptions, Step, ordered_steps
from rrp.demo.writer import TableWriter
from rrp.organisations.models import Provider, Region, Ward
from rrp.people.models import Patient

MAX_YEARS = 10


class DemoDataRefused(Exception):
    """The generator will not run here; the message says why and what to do."""


@dataclass
class DemoSummary:
    """What a run made: row counts per model, the digest of every frame, and the time it took."""

    options: DemoOptions
    first_day: dt.date
    last_day: dt.date
    counts: dict[str, int]
    digest: str
    seconds: float
    occupancy: float
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


# Every module of steps, in the order their steps run where `after` leaves it open (and so the order of
# the run's digest). A new app's steps go in rrp/demo/steps/<app>.py, named here: production apps never
# import the demo (decision 0011).
STEP_MODULES = (
    "rrp.demo.steps.organisations",
    "rrp.demo.steps.people",
    "rrp.demo.steps.bed_days",
    "rrp.demo.steps.staff",
    "rrp.demo.logins",
    "rrp.demo.steps.force",
    "rrp.demo.steps.segregation",
    "rrp.demo.steps.measures",
    "rrp.demo.steps.improvement",
    "rrp.demo.steps.act",
    "rrp.demo.steps.people_centred",
    "rrp.demo.steps.qi_projects",
)


def load_steps() -> list[Step]:
    """Every step of STEP_MODULES, in run order."""
    for module in STEP_MODULES:
        import_module(module)
    return ordered_steps(modules=STEP_MODULES)


def check_options(options: DemoOptions) -> None:
    if options.providers < 1 or options.wards_per_provider < 1:
        raise DemoDataRefused("A demo needs at least one provider with at least one ward.")
    if not 1 <= options.years <= MAX_YEARS:
        raise DemoDataRefused(f"--years must be from 1 to {MAX_YEARS}.")


def check_demo_database() -> None:
    """Refuse a database holding data that no demo run made."""
    if not DemoRun.objects.exists() and any(m.objects.exists() for m in (Region, Provider, Ward, Patient)):
        raise DemoDataRefused(
            "This database already holds organisations or patients that the demo did not make, so the "
            "demo will not touch it. Use a fresh database (e.g. RRP_VAR_DIR=var/demo or another "
            "DATABASE_URL) for the demo."
        )
    linked = (
        User.objects.exclude(username__in=DEMO_USERNAMES)
        .filter(
            Q(provider__isnull=False)
            | Q(commissioner__isnull=False)
            | Q(wards__isnull=False)
            | Q(collaboratives__isnull=False)
        )
        .values_list("username", flat=True)
        .distinct()
    )
    if linked:
        raise DemoDataRefused(
            "These users belong to demo organisations that a new demo would delete: "
            f"{', '.join(sorted(linked)[:10])}. Remove them first, or use a fresh database."
        )


def demo_data_wipe(*, ctx: DemoContext, steps: list[Step]) -> None:
    """Delete what every step owns, later steps first, so that nothing is left pointing at a parent."""
    for step in reversed(steps):
        if step.wipe:
            step.wipe(ctx)
        for model in reversed(step.models):
            ctx.writer.delete_all(model)
    DemoRun.objects.all().delete()


def demo_data_generate(
    *,
    options: DemoOptions,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Wipe the previous demo and build a new one; raise DemoDataRefused where that is unsafe."""
    if not settings.DEMO_MODE:
        raise DemoDataRefused(
            "Demo data is only made in demo mode, so that synthetic patients never mix with real ones. "
            "Set RRP_DEMO=1 (as `make run` does) on a database used only for the demo."
        )
    check_options(options)
    steps = load_steps()
    last_day = options.end_date or (timezone.localdate() - dt.timedelta(days=1))
    first_day = _period_first_day(end_date=last_day, years=options.years)
    writer = TableWriter(connections[using])
    ctx = DemoContext(options=options, first_day=first_day, last_day=last_day, writer=writer)
    started = time.perf_counter()
    step_seconds: dict[str, float] = {}
    try:
        with transaction.atomic(using=using):
            check_demo_database()
            demo_data_wipe(ctx=ctx, steps=steps)
            step_seconds["wipe"] = time.perf_counter() - started
            for step in steps:
                begun = time.perf_counter()
                ctx.rng = ctx.rng_for(step.name)
                step.function(ctx)
                # A later step may create rows through the ORM in a table an earlier step filled with
                # assigned ids (the oversight step's LTS episode): PostgreSQL's sequences must already
                # be past those ids, not only at the end.
                writer.reset_sequences()
                step_seconds[step.name] = time.perf_counter() - begun
                if progress:
                    progress(f"{step.name}: {step_seconds[step.name]:.1f} s")
            seconds = time.perf_counter() - started
            digest = ctx.digest()
            DemoRun.objects.create(
                generated_at=timezone.now(),
                seed=options.seed,
                options=options.as_json(),
                counts=dict(writer.counts),
                digest=digest,
                seconds=seconds,
            )
    except (IntegrityError, ProtectedError) as problem:
        raise DemoDataRefused(
            "Other records still refer to the old demo data, so it cannot be replaced "
            f"({problem}). Use a fresh database for the demo."
        ) from problem
    return DemoSummary(
        options=options,
        first_day=first_day,
        last_day=last_day,
        counts=dict(writer.counts),
        digest=digest,
        seconds=time.perf_counter() - started,
        occupancy=float(ctx.extras.get("occupancy", 0.0)),
        step_seconds=step_seconds,
    )


def _period_first_day(*, end_date: dt.date, years: int) -> dt.date:
    """The first day of a period of `years` whole years ending on `end_date`."""
    try:
        start = end_date.replace(year=end_date.year - years)
    except ValueError:  # 29 February
        start = end_date.replace(year=end_date.year - years, day=28)
    return start + dt.timedelta(days=1)
