"""Demo step: events on the wards' charts, an occasional rebase decision, and aims.

Each open ward gets two to four events spread over the period (a change tested such as "Safewards
started" or "Debrief huddles", a new incident form, a staffing or ward change); about one ward in six has
the restrictive interventions chart rebased some months after its first change, with the reason; about one
event in twenty is withdrawn, and ward 1's latest (so the pages show how a withdrawn one looks). Every provider has an aim of 25%
fewer restrictive interventions per 1,000 occupied bed days than its first year of data, and every
collaborative the same aim, its baseline the 12 months before it started (each ward's own 12 months before
joining, by the aim's definition).

Written straight into the tables (``ctx.writer``, thousands of rows at the national size in well under a
second); the wipe drops the append-only triggers while it deletes, as the force and segregation steps do.
Who recorded them: the demo logins (ward manager for events and rebases, governance for provider aims, the
administrator for collaborative aims), as the demo has no users per provider.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from rrp.accounts.models import User
from rrp.demo.registry import DemoContext, demo_step
from rrp.improvement.models import ChartRebase, EventKind, ImprovementAim, WardEvent, Withdrawal

AIM_MEASURE = "restrictive-interventions-per-1000-obd"
AIM_REDUCTION = 25
# (label, kind, description): the first few are changes tested, drawn more often.
EVENTS: list[tuple[str, str, str]] = [
    (
        "Safewards started",
        EventKind.CHANGE_TESTED,
        "The ten Safewards interventions introduced over a month.",
    ),
    ("Debrief huddles", EventKind.CHANGE_TESTED, "A five-minute staff huddle after every restraint."),
    ("Calm-down box", EventKind.CHANGE_TESTED, "Sensory items offered before any hands-on intervention."),
    ("Positive behaviour support plans", EventKind.CHANGE_TESTED, "PBS plans for everyone restrained twice."),
    ("Patient-led ward rounds", EventKind.CHANGE_TESTED, "Patients chair the weekly community meeting."),
    ("New incident form", EventKind.RECORDING_SYSTEM, "The electronic use-of-force form replaced paper."),
    ("Beds reduced", EventKind.WARD_RECONFIGURATION, "Two beds closed to make a quiet lounge."),
    ("New ward manager", EventKind.STAFFING, ""),
    ("Agency staff reduced", EventKind.STAFFING, "Regular bank staff instead of agency staff at night."),
]
CHANGE_WEIGHTS = np.array([5, 4, 3, 3, 2, 2, 1, 1, 1], dtype=float)
EVENTS_PER_WARD = (2, 5)  # two to four
REBASE_SHARE = 1 / 6
WITHDRAWN_SHARE = 0.05
REBASE_REASON = (
    "{label} now embedded in practice: the chart has shown a sustained shift since, so new limits are "
    "calculated from here (agreed at the ward's improvement meeting)."
)
APPEND_ONLY = (Withdrawal, ChartRebase, WardEvent, ImprovementAim)


def improvement_demo_wipe(ctx: DemoContext) -> None:
    """Delete the demo's events, rebases, aims and withdrawals: their tables refuse DELETE, so (demo mode
    only, inside the generator's one transaction) the triggers are dropped and made again."""
    ctx.writer.delete_all_append_only(APPEND_ONLY)


def _at(day: np.ndarray, hour: int) -> np.ndarray:
    """Day numbers as datetimes (seconds, UTC) at an hour of that day."""
    return day.astype("datetime64[s]") + np.timedelta64(hour * 3600, "s")


@demo_step("improvement", after=("organisations", "collaboratives", "logins"), wipe=improvement_demo_wipe)
def improvement(ctx: DemoContext) -> None:
    """Events on every open ward's charts, some rebase decisions, and provider and collaborative aims."""
    rng = ctx.rng
    users = dict(
        User.objects.filter(username__in=["ward.manager", "governance", "admin"]).values_list(
            "username", "pk"
        )
    )
    if len(users) < 3:
        return
    wards = ctx.frame("ward")
    n_days = ctx.n_days
    _events_and_rebases(ctx, rng, wards, n_days, manager=users["ward.manager"])
    _aims(ctx, governance=users["governance"], admin=users["admin"])


def _events_and_rebases(
    ctx: DemoContext, rng: np.random.Generator, wards, n_days: int, *, manager: int
) -> None:
    # Day numbers from the period's first day; a ward may have opened before the period.
    opened, closed = np.maximum(wards["opened"], 0), wards["closed"]
    last = np.where(closed >= 0, closed, n_days) - 1
    # Events fall within the ward's open life, away from its first and last weeks.
    count = rng.integers(*EVENTS_PER_WARD, size=len(wards["id"]))
    count[0] = EVENTS_PER_WARD[1] - 1  # ward 1, the demo logins' ward, shows the most
    count[(last - opened) < 60] = 0
    ward_index = np.repeat(np.arange(len(wards["id"])), count)
    n = len(ward_index)
    if not n:
        return
    lo, hi = opened[ward_index] + 14, last[ward_index] - 7
    day = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
    which = rng.choice(len(EVENTS), size=n, p=CHANGE_WEIGHTS / CHANGE_WEIGHTS.sum())
    # One event of each kind per ward: a repeated label moves on to the next on the list.
    seen: set[tuple[int, int]] = set()
    for i in range(n):
        while (int(ward_index[i]), int(which[i])) in seen:
            which[i] = (which[i] + 1) % len(EVENTS)
        seen.add((int(ward_index[i]), int(which[i])))
    ward_id = wards["id"][ward_index]
    happened = ctx.day0 + day
    recorded_day = np.minimum(day + rng.integers(0, 15, size=n), n_days - 1)
    event_ids = np.arange(1, n + 1)
    ctx.writer.insert(
        WardEvent,
        {
            "id": event_ids,
            "ward_id": ward_id,
            "happened_on": happened,
            "label": [EVENTS[k][0] for k in which],
            "kind": [str(EVENTS[k][1]) for k in which],
            "description": [EVENTS[k][2] for k in which],
            "recorded_by_id": np.full(n, manager),
            "recorded_at": _at(ctx.day0 + recorded_day, 10),
        },
    )
    ctx.publish("ward_event", {"id": event_ids, "ward_id": ward_id, "day": day})

    # Rebases: the first change tested on the ward, its chart rebased 4 to 8 months later if that is still
    # inside the period; always on ward 1 (the demo logins' ward) when it can be.
    is_change = np.array([EVENTS[k][1] == EventKind.CHANGE_TESTED for k in which])
    first_change: dict[int, int] = {}
    for i in np.argsort(day, kind="stable"):
        if is_change[i]:
            first_change.setdefault(int(ward_index[i]), int(i))
    chosen = [i for w, i in first_change.items() if w == 0 or rng.random() < REBASE_SHARE]
    rebase_day = np.array([day[i] + int(rng.integers(120, 241)) for i in chosen], dtype=np.int64)
    keep = [k for k, i in enumerate(chosen) if rebase_day[k] <= last[ward_index[i]]]
    chosen, rebase_day = [chosen[k] for k in keep], rebase_day[keep]
    if chosen:
        index = np.array(chosen)
        # Rebase from the first day of a month: the monthly chart's new limits start with a whole point.
        rebase_on = (ctx.day0 + rebase_day).astype("datetime64[M]").astype("datetime64[D]")
        rebase_on = np.maximum(rebase_on, ctx.day0 + (day[index] + 1))
        ctx.writer.insert(
            ChartRebase,
            {
                "id": np.arange(1, len(index) + 1),
                "ward_id": ward_id[index],
                "measure_slug": np.full(len(index), AIM_MEASURE),
                "rebase_on": rebase_on,
                "reason": [REBASE_REASON.format(label=EVENTS[which[i]][0]) for i in index],
                "decided_by_id": np.full(len(index), manager),
                "decided_at": _at(ctx.day0 + np.minimum(rebase_day + 3, n_days - 1), 14),
            },
        )
    # A few events withdrawn a day after they were recorded, never one whose chart was rebased; on ward 1
    # (the demo logins' ward) its latest event when it has three or more, so the pages show one.
    withdrawn = np.flatnonzero(rng.random(n) < WITHDRAWN_SHARE)
    on_first = np.flatnonzero(ward_index == 0)
    if len(on_first) >= 3:
        withdrawn = np.union1d(withdrawn, on_first[np.argmax(day[on_first])])
    withdrawn = np.setdiff1d(withdrawn, np.array(chosen, dtype=np.int64))
    if len(withdrawn):
        ctx.writer.insert(
            Withdrawal,
            {
                "id": np.arange(1, len(withdrawn) + 1),
                "event_id": event_ids[withdrawn],
                "reason": np.full(len(withdrawn), "Recorded on the wrong ward: re-entered on the right one."),
                "withdrawn_by_id": np.full(len(withdrawn), manager),
                "withdrawn_at": _at(ctx.day0 + np.minimum(recorded_day[withdrawn] + 1, n_days - 1), 11),
            },
        )


def _aims(ctx: DemoContext, *, governance: int, admin: int) -> None:
    providers, collaboratives = ctx.frame("provider"), ctx.frame("collaborative")
    year = dt.timedelta(days=365)
    # Providers: the first 12 months of data as the baseline (or the first half, in a one-year demo).
    baseline_start = ctx.first_day
    baseline_end = min(
        ctx.first_day + year, ctx.first_day + dt.timedelta(days=ctx.n_days // 2)
    ) - dt.timedelta(days=1)
    provider_aim = baseline_end + 2 * year
    # Collaboratives: the 12 months before each started, the aim two years after the start.
    starts = [ctx.first_day + dt.timedelta(days=int(s)) for s in collaboratives["starts"]]
    n_p, n_c = len(providers["id"]), len(starts)

    provider_statement = (
        f"{AIM_REDUCTION}% fewer restrictive interventions per 1,000 occupied bed days than in the baseline "
        f"year ({baseline_start:%-d %B %Y} to {baseline_end:%-d %B %Y}), by {provider_aim:%-d %B %Y}"
    )
    collaborative_statements = [
        f"{AIM_REDUCTION}% fewer restrictive interventions per 1,000 occupied bed days on each member ward "
        f"than in its 12 months before joining, by {start + 2 * year:%-d %B %Y}"
        for start in starts
    ]
    recorded_on = [baseline_end + dt.timedelta(days=1)] * n_p + starts
    ctx.writer.insert(
        ImprovementAim,
        {
            "id": np.arange(1, n_p + n_c + 1),
            "provider_id": np.array([*providers["id"].tolist(), *([None] * n_c)], dtype=object),
            "collaborative_id": np.array([*([None] * n_p), *collaboratives["id"].tolist()], dtype=object),
            "measure_slug": np.full(n_p + n_c, AIM_MEASURE),
            "statement": [provider_statement] * n_p + collaborative_statements,
            "baseline_start": np.array(
                [baseline_start] * n_p + [s - year for s in starts], dtype="datetime64[D]"
            ),
            "baseline_end": np.array(
                [baseline_end] * n_p + [s - dt.timedelta(days=1) for s in starts], dtype="datetime64[D]"
            ),
            "reduction_percent": np.full(n_p + n_c, AIM_REDUCTION),
            "aim_date": np.array(
                [provider_aim] * n_p + [s + 2 * year for s in starts], dtype="datetime64[D]"
            ),
            "recorded_by_id": np.array([governance] * n_p + [admin] * n_c),
            "recorded_at": _at(np.array(recorded_on, dtype="datetime64[D]"), 9),
        },
    )
