"""The ward huddle: what a ward team looks at together each week, on one page.

For one ward: SPC charts of its key measures (monthly or weekly, with the ward's recorded events as
markers and the Making Data Count icons); days since the last restraint and the last seclusion; the
work waiting (incidents to review, staff statements, patient debriefs); seclusion and segregation
reviews overdue now; and the ward's reporting health (``reporting_health``), because charts of a ward
that has stopped recording would mislead the huddle.

Counts only: the page names no patient, so it links to the incident list and the seclusion and
segregation pages (which check and audit access) for the detail. Everything is read in a fixed
number of queries for the ward, whatever its history (the page is the one a ward PC opens most).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import wards_for
from rrp.core.times import local_midnight
from rrp.force.codes import IncidentStatus
from rrp.force.selectors import follow_up_outstanding, last_force_on_ward, open_status_counts
from rrp.improvement.selectors import events_by_ward
from rrp.measures.catalogue import measure
from rrp.measures.series import Period
from rrp.organisations.models import Ward
from rrp.reports.measure_charts import measure_charts_many, reporting_window
from rrp.reports.panels import ChartPanel, chart_panel, measure_y_title
from rrp.reports.reporting_health import (
    RECENT_DAYS,
    VOLUME_MEASURE,
    WardReportingHealth,
    reporting_health,
)
from rrp.segregation.codes import EpisodeKind
from rrp.segregation.presenters import due_label
from rrp.segregation.selectors import last_seclusion_started, ward_episodes_now

#: The measures charted at the huddle, in the order shown.
HUDDLE_MEASURES: tuple[str, ...] = (
    "restrictive-interventions-per-1000-obd",
    "physical-restraints-per-1000-obd",
    "prone-restraints-per-1000-obd",
    "seclusions-per-1000-obd",
    "incidents",
    "patient-debrief-held",
)


@dataclass(frozen=True)
class OverdueReview:
    """A review of an active episode that is overdue now (no patient named: the huddle shows counts)."""

    episode_kind: str
    review: str
    due_at: dt.datetime
    minutes_overdue: int


@dataclass(frozen=True)
class WardHuddle:
    """Everything the ward huddle page shows for one ward."""

    ward: Ward
    today: dt.date
    period: Period
    since: dt.date
    until: dt.date
    panels: list[ChartPanel]
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
    health: WardReportingHealth
    links: dict[str, str] = field(default_factory=dict)

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
    def overdue_segregation_reviews(self) -> int:
        return sum(1 for r in self.overdue_reviews if r.episode_kind == EpisodeKind.LONG_TERM_SEGREGATION)


def huddle_wards_for(user: User):
    """The wards whose huddle the user may open (none without HUDDLE_VIEW), by provider and name."""
    if not has_permission(user, Permission.HUDDLE_VIEW):
        return Ward.objects.none()
    return wards_for(user).select_related("provider").order_by("provider__name", "name")


def huddle_ward_for(user: User, ward_id: int) -> Ward | None:
    """One ward whose huddle the user may open, or None (the view answers 404)."""
    return huddle_wards_for(user).select_related("site").filter(pk=ward_id).first()


@dataclass(frozen=True)
class HuddleIndexRow:
    ward: Ward
    health: WardReportingHealth | None


#: Above this many wards the index leaves out the reporting health column (the regulator sees every
#: ward in the country; the provider board and collaborative views carry it for them).
INDEX_HEALTH_LIMIT = 60


def huddle_index(user: User, *, today: dt.date) -> list[HuddleIndexRow]:
    """The user's wards for the huddle index, each with its reporting health (in bulk) when few."""
    wards = list(huddle_wards_for(user))
    health = reporting_health([w.pk for w in wards], today=today) if len(wards) <= INDEX_HEALTH_LIMIT else {}
    return [HuddleIndexRow(ward=w, health=health.get(w.pk)) for w in wards]


def ward_huddle(ward: Ward, *, user: User, today: dt.date, period: Period | str = Period.MONTH) -> WardHuddle:
    """The huddle of one ward (the caller got ``ward`` from ``huddle_ward_for``)."""
    period = Period(period)
    since, until = reporting_window(period, today=today)
    last_restraint, last_seclusion = last_force_on_ward(ward.pk, today=today, recent_from=since)
    episodes = _episodes(ward, today=today)
    statuses = open_status_counts(ward.pk)
    follow_up = follow_up_outstanding(ward.pk, since=today - dt.timedelta(days=RECENT_DAYS))
    panels, series = _panels(ward, since=since, until=until, period=period)
    if episodes["last_seclusion"] and (last_seclusion is None or episodes["last_seclusion"] > last_seclusion):
        last_seclusion = episodes["last_seclusion"]
    return WardHuddle(
        ward=ward,
        today=today,
        period=period,
        since=since,
        until=until,
        panels=panels,
        last_restraint_on=last_restraint,
        last_seclusion_on=last_seclusion,
        in_seclusion_now=episodes["active"].get(EpisodeKind.SECLUSION, 0),
        in_segregation_now=episodes["active"].get(EpisodeKind.LONG_TERM_SEGREGATION, 0),
        waiting_review=statuses.get(IncidentStatus.SUBMITTED, 0),
        open_records=statuses.get(IncidentStatus.DRAFT, 0) + statuses.get(IncidentStatus.SENT_BACK, 0),
        statements_outstanding=follow_up.statements,
        statements_incidents=follow_up.statement_incidents,
        debriefs_outstanding=follow_up.debriefs,
        overdue_reviews=episodes["overdue"],
        health=reporting_health(
            [ward.pk], today=today, period=period, volume_series=series.get(VOLUME_MEASURE)
        )[ward.pk],
        links=_links(ward, user=user),
    )


def _panels(
    ward: Ward, *, since: dt.date, until: dt.date, period: Period
) -> tuple[list[ChartPanel], dict[str, pd.DataFrame]]:
    """The ward's chart panels, and each measure's series (reporting health reuses the incidents')."""
    events = events_by_ward([ward.pk]).get(ward.pk, [])
    panels, series = [], {}
    # Every measure in one pass: one grouped query of the ward's interventions, episodes and bed days once.
    many = measure_charts_many(
        [measure(slug) for slug in HUDDLE_MEASURES],
        ward_ids=[ward.pk],
        since=since,
        until=until,
        period=period,
    )
    for slug in HUDDLE_MEASURES:
        definition = measure(slug)
        charts = many[slug]
        series[slug] = charts.series
        result = charts.for_ward(ward.pk)
        if result is None:
            continue
        panels.append(
            chart_panel(
                result,
                chart_id=f"huddle-{period.value}-{slug}",
                title=f"{definition.name} ({'monthly' if period is Period.MONTH else 'weekly'})",
                y_title=measure_y_title(definition),
                events=[e for e in events if since <= e.date <= until],
                subject=ward.name,
            )
        )
    return panels, series


def _episodes(ward: Ward, *, today: dt.date) -> dict:
    """Seclusion and segregation on the ward: the last seclusion started, who is in one now, and the
    reviews overdue now (the Code of Practice timers of ``segregation.schedules``, as `rrp reviews due`)."""
    last = last_seclusion_started(ward.pk, before=local_midnight(today + dt.timedelta(days=1)))
    counts: dict[str, int] = {}
    overdue = []
    for episode, overdue_reviews in ward_episodes_now(ward.pk):
        counts[episode.kind] = counts.get(episode.kind, 0) + 1
        for due in overdue_reviews:
            overdue.append(
                OverdueReview(
                    episode_kind=episode.kind,
                    review=due_label(due.kind),
                    due_at=due.due_at,
                    minutes_overdue=due.minutes_overdue,
                )
            )
    overdue.sort(key=lambda r: -r.minutes_overdue)
    last_on = None if last is None else timezone.localtime(last).date()
    return {"last_seclusion": last_on, "active": counts, "overdue": overdue}


def _links(ward: Ward, *, user: User) -> dict[str, str]:
    """Links to the pages with the detail, only where the user may open them."""
    links: dict[str, str] = {}
    if has_permission(user, Permission.INCIDENT_VIEW, ward=ward):
        incidents = reverse("force:incident-list")
        links["incidents"] = f"{incidents}?ward={ward.pk}"
        links["waiting_review"] = f"{incidents}?ward={ward.pk}&status={IncidentStatus.SUBMITTED}"
        links["drafts"] = f"{incidents}?ward={ward.pk}&status={IncidentStatus.DRAFT}"
    if has_permission(user, Permission.PATIENT_VIEW, ward=ward):
        links["segregation"] = reverse("segregation:ward", args=[ward.pk])
    links["events"] = _events_url(ward)
    links["ward"] = reverse("web:ward-detail", args=[ward.pk])
    return links


def _events_url(ward: Ward) -> str:
    try:
        return reverse("improvement:ward-events", args=[ward.pk])
    except NoReverseMatch:
        return ""
