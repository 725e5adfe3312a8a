"""The ward huddle, the figures: one ward's charts (SPC results), days since the last restraint and
seclusion, the work waiting, reviews overdue now and reporting health, read in a fixed number of queries
whatever the ward's history (the page is the one a ward PC opens most).

Records are read only through the ward-level selectors of ``force`` and ``segregation``; the caller
chose the ward from ``accounts.scope`` (``huddle_ward_for``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import wards_for
from rrp.charts import Event
from rrp.core.times import local_midnight
from rrp.force.codes import IncidentStatus
from rrp.force.selectors import (
    RtOverdue,
    follow_up_outstanding,
    last_force_on_ward,
    open_status_counts,
    rt_observations_overdue,
)
from rrp.improvement.selectors import events_by_ward
from rrp.measures.catalogue import MeasureDefinition, measure
from rrp.measures.series import Period
from rrp.organisations.models import Ward
from rrp.reports.chart_cache import cached_measure_charts, charts_key
from rrp.reports.measure_charts import PATIENT_VOICE_MEASURES, PEOPLE_PROCESS_MEASURES, reporting_window
from rrp.reports.reporting_health.compute import (
    RECENT_DAYS,
    VOLUME_MEASURE,
    WardHealthFigures,
    health_figures,
)
from rrp.segregation.codes import EpisodeKind
from rrp.segregation.selectors import (
    last_seclusion_started,
    ward_ended_with_missed_checks,
    ward_episodes_now,
)
from rrp.spc import SpcResult

#: Observations after rapid tranquillisation given in this many days are checked for overdue hours.
RT_RECENT_DAYS = 30

#: The measures charted at the huddle, in the order shown.
HUDDLE_MEASURES: tuple[str, ...] = (
    "restrictive-interventions-per-1000-obd",
    "physical-restraints-per-1000-obd",
    "prone-restraints-per-1000-obd",
    "seclusions-per-1000-obd",
    "incidents",
    "patient-debrief-held",
    *PEOPLE_PROCESS_MEASURES,
    *PATIENT_VOICE_MEASURES,
    "seclusion-reviews-on-time",
    # Entered or imported per month (issue 20): charted only on wards that collect them, monthly only.
    "safety-huddles-held",
    "safewards-interventions-in-use",
    "assaults-on-staff-per-1000-obd",
    "assaults-on-patients-per-1000-obd",
    "self-harm-incidents-per-1000-obd",
    "staff-sickness-rate",
)


@dataclass(frozen=True)
class OverdueReview:
    """A review of an active episode, or its observation in seclusion, that is overdue now (no patient
    named: the huddle shows counts). ``review_kind`` is ``observation`` for an observation."""

    episode_kind: str
    review_kind: str
    due_at: dt.datetime
    minutes_overdue: int


@dataclass(frozen=True)
class MissedChecks:
    """An episode of the ward that ended recently with reviews or observations missed (no patient named)."""

    episode_kind: str
    ended_at: dt.datetime
    reviews_missed: int
    observations_missed: int


@dataclass(frozen=True)
class MeasureChart:
    """One measure's chart of the ward: its definition and the SPC engine's result."""

    definition: MeasureDefinition
    result: SpcResult


@dataclass(frozen=True)
class HuddleFigures:
    """Everything the ward huddle counts and charts for one ward."""

    ward: Ward
    today: dt.date
    period: Period
    since: dt.date
    until: dt.date
    charts: list[MeasureChart]  # in HUDDLE_MEASURES order, measures with no result left out
    events: list[Event]  # the ward's recorded events in the charts' window
    last_restraint_on: dt.date | None
    last_seclusion_on: dt.date | None
    in_seclusion_now: int
    in_segregation_now: int
    waiting_review: int
    open_records: int
    statements_outstanding: int
    statements_incidents: int
    debriefs_outstanding: int
    overdue_reviews: list[OverdueReview]
    health: WardHealthFigures
    #: Episodes that ended in the last ``ENDED_RECENTLY_DAYS`` days with checks missed.
    ended_with_missed: list[MissedChecks]
    #: Incidents with observations after rapid tranquillisation overdue (``RT_RECENT_DAYS``).
    rt_overdue: list[RtOverdue]
    #: The cache key of ``charts`` (``reports.chart_cache.charts_key``): what they were computed from.
    charts_key: str

    @property
    def days_since_restraint(self) -> int | None:
        return None if self.last_restraint_on is None else (self.today - self.last_restraint_on).days

    @property
    def days_since_seclusion(self) -> int | None:
        if self.in_seclusion_now:
            return 0
        return None if self.last_seclusion_on is None else (self.today - self.last_seclusion_on).days

    @property
    def overdue_seclusion_reviews(self) -> int:
        return sum(1 for r in self.overdue_reviews if r.episode_kind == EpisodeKind.SECLUSION)

    @property
    def overdue_seclusion_observations(self) -> int:
        return sum(1 for r in self.overdue_reviews if r.review_kind == "observation")

    @property
    def rt_hours_overdue(self) -> int:
        return sum(r.hours_overdue for r in self.rt_overdue)

    @property
    def overdue_segregation_reviews(self) -> int:
        return sum(1 for r in self.overdue_reviews if r.episode_kind == EpisodeKind.LONG_TERM_SEGREGATION)


def huddle_wards_for(user: User) -> QuerySet[Ward]:
    """The wards whose huddle the user may open (none without HUDDLE_VIEW), by provider and name."""
    if not has_permission(user, Permission.HUDDLE_VIEW):
        return Ward.objects.none()
    return wards_for(user).select_related("provider").order_by("provider__name", "name")


def huddle_ward_for(user: User, ward_id: int) -> Ward | None:
    """One ward whose huddle the user may open, or None (the view answers 404)."""
    return huddle_wards_for(user).select_related("site").filter(pk=ward_id).first()


#: Above this many wards the index leaves out the reporting health column (the regulator sees every
#: ward in the country; the provider board and collaborative views carry it for them).
INDEX_HEALTH_LIMIT = 60


def index_figures(user: User, *, today: dt.date) -> list[tuple[Ward, WardHealthFigures | None]]:
    """The user's wards for the huddle index, each with its reporting health (in bulk) when few."""
    wards = list(huddle_wards_for(user))
    health = health_figures([w.pk for w in wards], today=today) if len(wards) <= INDEX_HEALTH_LIMIT else {}
    return [(w, health.get(w.pk)) for w in wards]


def huddle_figures(ward: Ward, *, today: dt.date, period: Period | str = Period.MONTH) -> HuddleFigures:
    """The huddle of one ward as figures (the caller got ``ward`` from ``huddle_ward_for``)."""
    period = Period(period)
    since, until = reporting_window(period, today=today)
    definitions = [measure(slug) for slug in HUDDLE_MEASURES]
    # The version of the records behind the charts is read before anything is computed (chart_cache).
    key = charts_key(definitions, ward_ids=[ward.pk], since=since, until=until, period=period)
    last_restraint, last_seclusion = last_force_on_ward(ward.pk, today=today, recent_from=since)
    last_episode, active, overdue = _episodes(ward, today=today)
    now = timezone.now()
    ended_with_missed = [
        MissedChecks(
            episode_kind=s.episode.kind,
            ended_at=s.version.ended_at,
            reviews_missed=s.checks.reviews_missed,
            observations_missed=s.checks.observations_missed,
        )
        for s in ward_ended_with_missed_checks(ward.pk, now=now)
        if s.checks is not None and s.version.ended_at is not None
    ]
    rt_overdue = rt_observations_overdue([ward.pk], since=now - dt.timedelta(days=RT_RECENT_DAYS), now=now)
    statuses = open_status_counts(ward.pk)
    follow_up = follow_up_outstanding(ward.pk, since=today - dt.timedelta(days=RECENT_DAYS))
    events = [e for e in events_by_ward([ward.pk]).get(ward.pk, []) if since <= e.date <= until]
    # Every measure in one pass: one grouped query of the ward's interventions, episodes and bed days once;
    # kept in the cache while the records behind the charts are unchanged (reports.chart_cache).
    many = cached_measure_charts(
        definitions, ward_ids=[ward.pk], since=since, until=until, period=period, key=key
    )
    charts = [
        MeasureChart(many[slug].definition, result)
        for slug in HUDDLE_MEASURES
        if (result := many[slug].for_ward(ward.pk)) is not None
    ]
    if last_episode and (last_seclusion is None or last_episode > last_seclusion):
        last_seclusion = last_episode
    return HuddleFigures(
        ward=ward,
        today=today,
        period=period,
        since=since,
        until=until,
        charts=charts,
        events=events,
        last_restraint_on=last_restraint,
        last_seclusion_on=last_seclusion,
        in_seclusion_now=active.get(EpisodeKind.SECLUSION, 0),
        in_segregation_now=active.get(EpisodeKind.LONG_TERM_SEGREGATION, 0),
        waiting_review=statuses.get(IncidentStatus.SUBMITTED, 0),
        open_records=statuses.get(IncidentStatus.DRAFT, 0) + statuses.get(IncidentStatus.SENT_BACK, 0),
        statements_outstanding=follow_up.statements,
        statements_incidents=follow_up.statement_incidents,
        debriefs_outstanding=follow_up.debriefs,
        overdue_reviews=overdue,
        ended_with_missed=ended_with_missed,
        rt_overdue=rt_overdue,
        charts_key=key,
        # The incidents measure's series rides along with the charts for the volume check.
        health=health_figures(
            [ward.pk], today=today, period=period, volume_series=many[VOLUME_MEASURE].series
        )[ward.pk],
    )


def _episodes(ward: Ward, *, today: dt.date) -> tuple[dt.date | None, dict[str, int], list[OverdueReview]]:
    """Seclusion and segregation on the ward: the day the last seclusion started, how many are in each
    kind of episode now, and the reviews overdue now, most overdue first (the Code of Practice timers of
    ``segregation.schedules``, as `rrp reviews due`)."""
    last = last_seclusion_started(ward.pk, before=local_midnight(today + dt.timedelta(days=1)))
    counts: dict[str, int] = {}
    overdue = []
    for episode, overdue_reviews in ward_episodes_now(ward.pk):
        counts[episode.kind] = counts.get(episode.kind, 0) + 1
        overdue += [
            OverdueReview(
                episode_kind=episode.kind,
                review_kind=due.kind,
                due_at=due.due_at,
                minutes_overdue=due.minutes_overdue,
            )
            for due in overdue_reviews
        ]
    overdue.sort(key=lambda r: -r.minutes_overdue)
    return (None if last is None else timezone.localtime(last).date()), counts, overdue
