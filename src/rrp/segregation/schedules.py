"""When each Code of Practice review of a seclusion or long-term segregation episode is due.

Pure functions: no database, no Django. The services and selectors pass in what they read (the
episode's times, its reviews, the provider's rules) and an instant `now`.

Time. Every input must be timezone-aware; all arithmetic is done in UTC so an interval is real
elapsed time: a 4-hourly review of seclusion that starts at 23:30 BST on the night the clocks go back
is due four real hours later, at 02:30 GMT, which is only three hours later on the wall clock. Results are returned in UTC; pages show them in Europe/London (settings.TIME_ZONE).

Rules (defaults from the Code of Practice 2015 chapter 26 as quoted by trust policies, to verify;
every interval is configurable per provider in `ReviewRules`):

- seclusion: a medical review within 1 hour if a doctor did not start the seclusion (else the first is
  due after the 4-hour interval); nursing review by two nurses every 2 hours; medical review every
  4 hours until the first multidisciplinary (MDT) review, then every 12 hours (twice a day); MDT
  review every 24 hours; observation every 15 minutes; an independent MDT review once the patient
  has been secluded 8 hours in a row or 12 hours in total within any 48 hours (counting all their
  seclusion episodes);
- long-term segregation: approved clinician review every 24 hours, MDT review every 7 days, external
  independent review every 91 days, and for people with a learning disability or autism an
  independent Care (Education) and Treatment Review every 91 days.

Each recurring review is due one interval after the later of the episode's start and the last review
of that kind. A review at exactly its due time is on time; a minute later it is late. An independent
MDT review counts as an MDT review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

SECLUSION = "seclusion"
LONG_TERM_SEGREGATION = "long_term_segregation"

MEDICAL = "medical"
NURSING = "nursing"
MDT = "mdt"
INDEPENDENT_MDT = "independent_mdt"
APPROVED_CLINICIAN = "approved_clinician"
EXTERNAL_INDEPENDENT = "external_independent"
ICETR = "icetr"
OBSERVATION = "observation"

# Review kinds that also satisfy another kind's schedule.
COUNTS_AS: dict[str, tuple[str, ...]] = {INDEPENDENT_MDT: (MDT,)}


@dataclass(frozen=True)
class Rules:
    """A provider's review intervals, in minutes (see ReviewRules for what each means)."""

    seclusion_first_medical_minutes: int = 60
    seclusion_nursing_minutes: int = 120
    seclusion_medical_minutes: int = 240
    seclusion_medical_after_mdt_minutes: int = 720
    seclusion_mdt_minutes: int = 1440
    seclusion_observation_minutes: int = 15
    independent_mdt_continuous_minutes: int = 480
    independent_mdt_total_minutes: int = 720
    independent_mdt_window_minutes: int = 2880
    independent_mdt_within_minutes: int = 0
    lts_approved_clinician_minutes: int = 1440
    lts_mdt_minutes: int = 10080
    lts_external_minutes: int = 131040
    lts_icetr_minutes: int = 131040

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            minimum = 0 if name == "independent_mdt_within_minutes" else 1
            if not isinstance(value, int) or value < minimum:
                raise ValueError(f"{name} must be a whole number of minutes of at least {minimum}")


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Period:
    """A stretch of time, open-ended (still going) when `ended_at` is None."""

    started_at: dt.datetime
    ended_at: dt.datetime | None = None


@dataclass(frozen=True)
class EpisodeFacts:
    """What the schedule needs to know about an episode."""

    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    started_by_doctor: bool = False
    needs_icetr: bool = False


@dataclass(frozen=True)
class ReviewFact:
    kind: str
    at: dt.datetime


@dataclass(frozen=True)
class Due:
    """The next review of one kind: when it is due, when the last one was, and whether it is overdue."""

    kind: str
    due_at: dt.datetime
    last_at: dt.datetime | None
    overdue: bool
    minutes_overdue: int


@dataclass(frozen=True)
class Timeliness:
    """A review that was done, against when it was due (`due_at` None: not on a schedule)."""

    kind: str
    at: dt.datetime
    due_at: dt.datetime | None
    late: bool
    minutes_late: int


def utc(value: dt.datetime) -> dt.datetime:
    """The same instant in UTC; naive datetimes are refused because their instant is unknown."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Times must be timezone-aware")
    return value.astimezone(dt.UTC)


def minutes(value: int) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def _whole_minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _times(reviews: Iterable[ReviewFact], kind: str) -> list[dt.datetime]:
    """Times of the reviews that count as `kind`, in order."""
    return sorted(utc(r.at) for r in reviews if r.kind == kind or kind in COUNTS_AS.get(r.kind, ()))


def _recurring(
    *,
    kind: str,
    start: dt.datetime,
    done: Sequence[dt.datetime],
    interval_after: Callable[[dt.datetime], dt.timedelta],
    first_interval: dt.timedelta,
) -> tuple[dt.datetime, list[Timeliness]]:
    """Walk a recurring schedule: each review is measured against the due time set by the one before.

    Returns the next due time after the last review, and the timeliness of each review done.
    """
    due = start + first_interval
    history = []
    for at in done:
        late = at > due
        history.append(Timeliness(kind, at, due, late, _whole_minutes(at - due) if late else 0))
        due = at + interval_after(at)
    return due, history


@dataclass(frozen=True)
class _Plan:
    """One recurring check of an episode: the times it was done, and its intervals."""

    done: list[dt.datetime]
    first_interval: dt.timedelta
    interval_after: Callable[[dt.datetime], dt.timedelta]


def _plans(facts: EpisodeFacts, reviews: Sequence[ReviewFact], rules: Rules) -> dict[str, _Plan]:
    """Per review kind, the reviews done and the Code of Practice intervals. Independent MDT is
    handled separately (it is triggered, not recurring)."""
    plans: dict[str, _Plan] = {}

    def add(kind: str, first: dt.timedelta, interval_after: Callable[[dt.datetime], dt.timedelta]) -> None:
        plans[kind] = _Plan(_times(reviews, kind), first, interval_after)

    if facts.kind == SECLUSION:
        mdt_done = _times(reviews, MDT)
        first_mdt = mdt_done[0] if mdt_done else None

        def medical_interval(at: dt.datetime) -> dt.timedelta:
            # Four-hourly until the first MDT review, then twice a day.
            four_hourly = minutes(rules.seclusion_medical_minutes)
            if first_mdt is not None and first_mdt <= at + four_hourly:
                return minutes(rules.seclusion_medical_after_mdt_minutes)
            return four_hourly

        first_medical = minutes(
            rules.seclusion_medical_minutes
            if facts.started_by_doctor
            else rules.seclusion_first_medical_minutes
        )
        add(MEDICAL, first_medical, medical_interval)
        nursing = minutes(rules.seclusion_nursing_minutes)
        add(NURSING, nursing, lambda _at: nursing)
        mdt = minutes(rules.seclusion_mdt_minutes)
        add(MDT, mdt, lambda _at: mdt)
    elif facts.kind == LONG_TERM_SEGREGATION:
        for kind, interval in (
            (APPROVED_CLINICIAN, rules.lts_approved_clinician_minutes),
            (MDT, rules.lts_mdt_minutes),
            (EXTERNAL_INDEPENDENT, rules.lts_external_minutes),
        ):
            step = minutes(interval)
            add(kind, step, lambda _at, step=step: step)
        if facts.needs_icetr:
            step = minutes(rules.lts_icetr_minutes)
            add(ICETR, step, lambda _at: step)
    else:
        raise ValueError(f"Unknown kind of episode: {facts.kind!r}")
    return plans


def _schedule(facts: EpisodeFacts, reviews: Sequence[ReviewFact], rules: Rules) -> dict[str, tuple]:
    """Per review kind: (next due, last done, history). Independent MDT is handled separately."""
    start = utc(facts.started_at)
    result: dict[str, tuple] = {}
    for kind, plan in _plans(facts, reviews, rules).items():
        due, history = _recurring(
            kind=kind,
            start=start,
            done=plan.done,
            interval_after=plan.interval_after,
            first_interval=plan.first_interval,
        )
        result[kind] = (due, plan.done[-1] if plan.done else None, history)
    return result


def merged(periods: Iterable[Period], *, now: dt.datetime) -> list[Period]:
    """Periods in order with overlapping or touching ones joined; open periods end at `now`."""
    now = utc(now)
    spans = sorted(
        (utc(p.started_at), min(utc(p.ended_at), now) if p.ended_at else now)
        for p in periods
        if utc(p.started_at) <= now
    )
    joined: list[list[dt.datetime]] = []
    for start, end in spans:
        if joined and start <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    return [Period(start, end) for start, end in joined]


def continuous_trigger(
    periods: Iterable[Period], *, rules: Rules, now: dt.datetime, since: dt.datetime | None = None
) -> dt.datetime | None:
    """The first instant (from `since`, when given) at which someone had been secluded
    `independent_mdt_continuous_minutes` in a row (back-to-back episodes count as one), or None if that
    has not happened by `now`. With `since`, a stretch that ended before it does not count: it is the
    episode starting at `since` whose independent review is asked about."""
    limit = minutes(rules.independent_mdt_continuous_minutes)
    since = utc(since) if since is not None else None
    for period in merged(periods, now=now):
        if since is not None and period.ended_at < since:
            continue
        at = period.started_at + limit if since is None else max(period.started_at + limit, since)
        if at <= period.ended_at:
            return at
    return None


def _secluded_within(spans: Sequence[Period], start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    total = dt.timedelta(0)
    for p in spans:
        overlap = min(p.ended_at, end) - max(p.started_at, start)
        if overlap > dt.timedelta(0):
            total += overlap
    return total


def total_in_window_trigger(
    periods: Iterable[Period], *, rules: Rules, now: dt.datetime, since: dt.datetime | None = None
) -> dt.datetime | None:
    """The first instant t (from `since`, when given) at which the time secluded in (t - window, t]
    reached the total limit (default 12 hours within 48), or None if it has not happened by `now`.

    The time secluded in the trailing window changes linearly between breakpoints (period starts and
    ends, and those plus the window), so it is evaluated at each breakpoint and the crossing found
    exactly by interpolation.
    """
    now = utc(now)
    spans = merged(periods, now=now)
    if not spans:
        return None
    window, limit = (
        minutes(rules.independent_mdt_window_minutes),
        minutes(rules.independent_mdt_total_minutes),
    )
    since = utc(since) if since is not None else None
    points = sorted(
        {t for p in spans for t in (p.started_at, p.ended_at, p.started_at + window, p.ended_at + window)}
        | {now}
        | ({since} if since is not None else set())
    )
    points = [t for t in points if t <= now and (since is None or t >= since)]
    previous_t, previous_total = None, dt.timedelta(0)
    for t in points:
        total = _secluded_within(spans, t - window, t)
        if total >= limit:
            if previous_t is None or previous_total >= limit:
                return t
            # Between breakpoints the total rises at one second per second (in a period, with nothing
            # leaving the window), so the crossing is the shortfall after the previous breakpoint.
            slope = (total - previous_total) / (t - previous_t)
            return previous_t + (limit - previous_total) / slope
        previous_t, previous_total = t, total
    return None


def independent_mdt_due(
    *, periods: Iterable[Period], rules: Rules, now: dt.datetime, since: dt.datetime | None = None
) -> tuple[dt.datetime | None, str]:
    """When an independent MDT review became due, and why ('8 hours in a row', '12 hours in 48').

    `since` is the start of the episode asked about: only a trigger while it is under way counts, so
    a patient secluded 8 hours last year does not owe an independent review the moment they are
    secluded again (the patient's earlier periods still count towards 12 hours within 48)."""
    periods = list(periods)
    continuous = continuous_trigger(periods, rules=rules, now=now, since=since)
    total = total_in_window_trigger(periods, rules=rules, now=now, since=since)
    candidates = []
    if continuous is not None:
        hours = rules.independent_mdt_continuous_minutes / 60
        candidates.append((continuous, f"secluded {hours:g} hours in a row"))
    if total is not None:
        hours = rules.independent_mdt_total_minutes / 60
        window = rules.independent_mdt_window_minutes / 60
        candidates.append((total, f"secluded {hours:g} hours within {window:g} hours"))
    if not candidates:
        return None, ""
    at, why = min(candidates)
    return at + minutes(rules.independent_mdt_within_minutes), why


def reviews_due(
    *,
    episode: EpisodeFacts,
    reviews: Sequence[ReviewFact],
    rules: Rules = DEFAULT_RULES,
    now: dt.datetime,
    seclusion_periods: Sequence[Period] = (),
) -> list[Due]:
    """The next review of each kind for an episode at `now`, soonest first, marking those overdue.

    `seclusion_periods` are all the patient's seclusion periods (this episode included or not; it is
    added) for the independent MDT triggers. An ended episode has nothing due. Overdue means `now` is
    after the due time: at exactly the due time the review is due, not overdue.
    """
    now = utc(now)
    if episode.ended_at is not None and utc(episode.ended_at) <= now:
        return []
    items: list[Due] = []
    for kind, (due, last, _history) in _schedule(episode, reviews, rules).items():
        items.append(_due(kind, due, last, now))
    if episode.kind == SECLUSION:
        periods = [*seclusion_periods, Period(episode.started_at, episode.ended_at)]
        trigger_at, _why = independent_mdt_due(
            periods=periods, rules=rules, now=now, since=episode.started_at
        )
        if trigger_at is not None:
            done = [t for t in _times(reviews, INDEPENDENT_MDT) if t >= trigger_at - _grace(rules)]
            if not done:
                items.append(_due(INDEPENDENT_MDT, trigger_at, None, now))
    return sorted(items, key=lambda d: (d.due_at, d.kind))


def _grace(rules: Rules) -> dt.timedelta:
    # An independent review done in anticipation, up to an hour before the trigger, satisfies it.
    return dt.timedelta(hours=1) + minutes(rules.independent_mdt_within_minutes)


def _due(kind: str, due: dt.datetime, last: dt.datetime | None, now: dt.datetime) -> Due:
    overdue = now > due
    return Due(kind, due, last, overdue, _whole_minutes(now - due) if overdue else 0)


def review_timeliness(
    *, episode: EpisodeFacts, reviews: Sequence[ReviewFact], rules: Rules = DEFAULT_RULES
) -> list[Timeliness]:
    """Each review done, against when it was due, in time order (for the register and history)."""
    history: list[Timeliness] = []
    scheduled = _schedule(episode, reviews, rules)
    for _kind, (_due_at, _last, done) in scheduled.items():
        history.extend(done)
    counted = {(t.kind, t.at) for t in history}
    for review in reviews:
        at = utc(review.at)
        if (review.kind, at) not in counted and not any(
            (k, at) in counted for k in COUNTS_AS.get(review.kind, ())
        ):
            history.append(Timeliness(review.kind, at, None, False, 0))
    return sorted(history, key=lambda t: (t.at, t.kind))


def observation_due(
    *,
    episode: EpisodeFacts,
    observations: Sequence[dt.datetime],
    rules: Rules = DEFAULT_RULES,
    now: dt.datetime,
) -> Due | None:
    """The next observation of a patient in seclusion (None for LTS or an ended episode)."""
    now = utc(now)
    if episode.kind != SECLUSION or (episode.ended_at is not None and utc(episode.ended_at) <= now):
        return None
    times = sorted(utc(t) for t in observations)
    last = times[-1] if times else None
    due = (last or utc(episode.started_at)) + minutes(rules.seclusion_observation_minutes)
    return _due(OBSERVATION, due, last, now)


@dataclass(frozen=True)
class CheckCount:
    """How one kind of check of an episode went: done on time, done late, and missed.

    A check is missed for each due time that passed with nothing done before the next one fell due: a
    review done late satisfies the due time it was late for, and every whole interval that passed
    before it counts as missed; after the last check, every due time before the episode ended (or, for
    an episode still under way, every one before the check overdue now) counts as missed.
    """

    kind: str
    on_time: int
    late: int
    missed: int


@dataclass(frozen=True)
class CheckRecord:
    """Every review and the observations of one episode against the Code of Practice timers, up to its
    end (or `now` while it is under way): what the episode's record carries afterwards."""

    reviews: tuple[CheckCount, ...]
    observations: CheckCount | None  # seclusion only

    @property
    def reviews_missed(self) -> int:
        return sum(c.missed for c in self.reviews)

    @property
    def reviews_late(self) -> int:
        return sum(c.late for c in self.reviews)

    @property
    def observations_missed(self) -> int:
        return 0 if self.observations is None else self.observations.missed

    @property
    def reviews_on_time(self) -> bool:
        """Every review that fell due was done by its due time (the "reviews on time" measure)."""
        return self.reviews_missed == 0 and self.reviews_late == 0

    @property
    def anything_missed(self) -> bool:
        return bool(self.reviews_missed or self.observations_missed)


def _count_checks(
    kind: str,
    *,
    start: dt.datetime,
    done: Sequence[dt.datetime],
    first_interval: dt.timedelta,
    interval_after: Callable[[dt.datetime], dt.timedelta],
    until: dt.datetime,
    under_way: bool,
) -> CheckCount:
    due = start + first_interval
    on_time = late = missed = 0
    for at in done:
        if at > until:
            break
        if at <= due:
            on_time += 1
        else:
            late += 1
            step = due + interval_after(due)
            while step < at:  # whole intervals that went by with nothing done
                missed += 1
                step += interval_after(step)
        due = at + interval_after(at)
    passed = 0
    while due < until:
        passed += 1
        due += interval_after(due)
    # While the episode is under way the check overdue now can still be done (late): it is overdue,
    # not missed, and the pages show it as overdue.
    missed += max(0, passed - 1) if under_way else passed
    return CheckCount(kind, on_time, late, missed)


def check_record(
    *,
    episode: EpisodeFacts,
    reviews: Sequence[ReviewFact],
    observations: Sequence[dt.datetime] = (),
    rules: Rules = DEFAULT_RULES,
    now: dt.datetime,
    seclusion_periods: Sequence[Period] = (),
) -> CheckRecord:
    """Each kind of review and the observations of an episode, counted on time, late and missed, up to
    the end of the episode (or `now`). An independent MDT review that fell due (``independent_mdt_due``)
    and was not done before the episode ended counts as one missed."""
    now = utc(now)
    start = utc(episode.started_at)
    under_way = episode.ended_at is None or utc(episode.ended_at) > now
    until = now if under_way else utc(episode.ended_at)  # type: ignore[arg-type]
    counts = [
        _count_checks(
            kind,
            start=start,
            done=plan.done,
            first_interval=plan.first_interval,
            interval_after=plan.interval_after,
            until=until,
            under_way=under_way,
        )
        for kind, plan in _plans(episode, reviews, rules).items()
    ]
    observed = None
    if episode.kind == SECLUSION:
        periods = [*seclusion_periods, Period(episode.started_at, episode.ended_at)]
        trigger_at, _why = independent_mdt_due(periods=periods, rules=rules, now=until, since=start)
        if trigger_at is not None and trigger_at < until:
            done = [t for t in _times(reviews, INDEPENDENT_MDT) if trigger_at - _grace(rules) <= t <= until]
            if done:
                counts.append(
                    CheckCount(INDEPENDENT_MDT, int(done[0] <= trigger_at), int(done[0] > trigger_at), 0)
                )
            elif not under_way:
                counts.append(CheckCount(INDEPENDENT_MDT, 0, 0, 1))
        every = minutes(rules.seclusion_observation_minutes)
        observed = _count_checks(
            OBSERVATION,
            start=start,
            done=sorted(utc(t) for t in observations),
            first_interval=every,
            interval_after=lambda _at: every,
            until=until,
            under_way=under_way,
        )
    return CheckRecord(tuple(counts), observed)
