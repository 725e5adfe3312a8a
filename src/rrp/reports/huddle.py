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
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_wards_for, wards_for
from rrp.force.codes import IncidentStatus, InterventionType
from rrp.force.models import (
    Incident,
    IncidentStatusChange,
    IncidentVersion,
    InterventionRecord,
    StaffInvolvement,
    StaffStatement,
)
from rrp.improvement.selectors import events_by_ward
from rrp.measures.catalogue import measure
from rrp.measures.series import Period
from rrp.organisations.models import Ward
from rrp.reports.measure_charts import measure_charts_many, reporting_window
from rrp.reports.panels import ChartPanel, chart_panel, measure_y_title
from rrp.reports.reporting_health import (
    RECENT_DAYS,
    RECORDED_WITHIN,
    VOLUME_MEASURE,
    WardReportingHealth,
    reporting_health,
)
from rrp.segregation.codes import EpisodeKind
from rrp.segregation.models import Episode
from rrp.segregation.presenters import due_label
from rrp.segregation.selectors import reviews_overdue

#: The measures charted at the huddle, in the order shown.
HUDDLE_MEASURES: tuple[str, ...] = (
    "restrictive-interventions-per-1000-obd",
    "physical-restraints-per-1000-obd",
    "prone-restraints-per-1000-obd",
    "seclusions-per-1000-obd",
    "incidents",
    "patient-debrief-held",
)

T = InterventionType
#: Restraint in the Use of Force Act's sense: physical, mechanical or chemical (not seclusion or
#: segregation, which are counted on their own).
RESTRAINT_TYPES: tuple[str, ...] = tuple(
    t.value for t in InterventionType if t not in (T.SECLUSION, T.SEGREGATION)
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
    if not user.is_authenticated or not user.has_role_permission(Permission.HUDDLE_VIEW):
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
    last_restraint, last_seclusion = _last_interventions(ward, today=today, recent_from=since)
    episodes = _episodes(ward, today=today)
    statuses = _status_counts(ward)
    follow_up = _follow_up(ward, today=today)
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
        statements_outstanding=follow_up["statements"],
        statements_incidents=follow_up["statement_incidents"],
        debriefs_outstanding=follow_up["debriefs"],
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


def _latest_versions_of_ward(ward: Ward):
    newer = IncidentVersion.objects.filter(
        incident_id=OuterRef("version__incident_id"), number__gt=OuterRef("version__number")
    )
    return InterventionRecord.objects.filter(version__incident__ward_id=ward.pk).filter(~Exists(newer))


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else timezone.localtime(value).date()


#: The first window the last restraint and seclusion are looked for in: a busy ward has both in it.
LAST_INTERVENTION_FIRST_DAYS = 31


def _last_interventions(
    ward: Ward, *, today: dt.date, recent_from: dt.date | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """The last restraint and the last seclusion recorded in an incident (latest versions), by today.

    Looked for in widening windows, each asked only for what the narrower ones did not hold: the last
    month, then (with ``recent_from``, the charts' first day) the charts' window, then the whole
    history. A bounded window reads only the incidents created in it (less ``RECORDED_WITHIN``, as
    reporting health's silence does: a record is made after the force it records), through the
    ward's (ward, created_at) index; without that bound every window walked all of a national-size
    ward's 5,900 incidents. The whole-history look-up has no bound, so a ward with no restraint or
    seclusion for years still shows the last one.
    """
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    found: dict[str, dt.datetime | None] = {"restraint": None, "seclusion": None}
    starts: list[dt.date | None] = [today - dt.timedelta(days=LAST_INTERVENTION_FIRST_DAYS)]
    if recent_from is not None and recent_from < starts[0]:
        starts.append(recent_from)
    starts.append(None)
    for start in starts:
        rows = _latest_versions_of_ward(ward).filter(started_at__lt=end)
        if start is not None:
            since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
            rows = rows.filter(
                started_at__gte=since, version__incident__created_at__gte=since - RECORDED_WITHIN
            )
        wanted = {
            "restraint": Max("started_at", filter=Q(type_code__in=RESTRAINT_TYPES)),
            "seclusion": Max("started_at", filter=Q(type_code=InterventionType.SECLUSION)),
        }
        row = rows.aggregate(**{k: v for k, v in wanted.items() if found[k] is None})
        found.update({k: v for k, v in row.items() if v is not None})
        if all(found.values()):
            break
    return _local_date(found["restraint"]), _local_date(found["seclusion"])


def _episodes(ward: Ward, *, today: dt.date) -> dict:
    """Seclusion and segregation on the ward: the last seclusion started, who is in one now, and the
    reviews overdue now (the Code of Practice timers of ``segregation.schedules``, as `rrp reviews due`)."""
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    last = (
        Episode.objects.filter(ward_id=ward.pk, kind=EpisodeKind.SECLUSION)
        .with_current()
        .filter(current_started_at__lt=end)
        .aggregate(last=Max("current_started_at"))["last"]
    )
    active = list(Episode.objects.filter(ward_id=ward.pk).active().select_related("patient"))
    counts: dict[str, int] = {}
    overdue = []
    for episode, overdue_reviews in reviews_overdue(active):
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
    return {"last_seclusion": _local_date(last), "active": counts, "overdue": overdue}


def _status_counts(ward: Ward) -> dict[str, int]:
    """How many of the ward's incidents not yet closed are in each status now (one grouped query).

    Closed incidents are left out before their status is worked out: closing is final (no review step
    starts from it, ``force.services.TRANSITIONS``), and on a busy ward nearly every incident of five
    years is closed, so working out each one's latest status was most of this query's time.
    """
    closed = IncidentStatusChange.objects.filter(incident=OuterRef("pk"), to_status=IncidentStatus.CLOSED)
    rows = (
        Incident.objects.filter(ward_id=ward.pk)
        .filter(~Exists(closed))
        .with_status()
        .values("current_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["current_status"] or IncidentStatus.DRAFT: row["n"] for row in rows}


def _follow_up(ward: Ward, *, today: dt.date) -> dict[str, int]:
    """Statements and patient debriefs still to come on the ward's incidents of the last 90 days that are
    not closed.

    A statement is outstanding for each member of staff named (from the roster) in the latest version
    who has written none on that incident. A debrief is outstanding while the latest version does not
    say it was held, unless it says why not (for example the patient declined it).
    """
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=RECENT_DAYS), dt.time.min))
    latest = IncidentVersion.objects.filter(incident=OuterRef("pk")).order_by("-number")
    incidents = (
        Incident.objects.filter(ward_id=ward.pk, created_at__gte=since)
        .with_status()
        .exclude(current_status=IncidentStatus.CLOSED)
        .annotate(version_id=Subquery(latest.values("pk")[:1]))
    )
    versions = list(
        IncidentVersion.objects.filter(pk__in=incidents.values("version_id"))
        .order_by()
        .values("pk", "incident_id", "debrief_patient_held", "debrief_patient_not_held_reason")
    )
    debriefs = sum(
        1
        for v in versions
        if v["debrief_patient_held"] is not True and not (v["debrief_patient_not_held_reason"] or "").strip()
    )
    written = StaffStatement.objects.filter(
        incident_id=OuterRef("version__incident_id"), staff_member_id=OuterRef("staff_member_id")
    )
    waiting = list(
        StaffInvolvement.objects.filter(
            version_id__in=[v["pk"] for v in versions], staff_member__isnull=False
        )
        .filter(~Exists(written))
        # No ordering: the model's (by incident and row) would make DISTINCT keep one row per line
        # of the record, so a member of staff named twice in it would be counted twice.
        .order_by()
        .values_list("version__incident_id", "staff_member_id")
        .distinct()
    )
    return {
        "statements": len(waiting),
        "statement_incidents": len({incident for incident, _ in waiting}),
        "debriefs": debriefs,
    }


def _links(ward: Ward, *, user: User) -> dict[str, str]:
    """Links to the pages with the detail, only where the user may open them."""
    links: dict[str, str] = {}
    sees_patients = patient_wards_for(user).filter(pk=ward.pk).exists()
    if user.has_role_permission(Permission.INCIDENT_VIEW) and sees_patients:
        incidents = reverse("force:incident-list")
        links["incidents"] = f"{incidents}?ward={ward.pk}"
        links["waiting_review"] = f"{incidents}?ward={ward.pk}&status={IncidentStatus.SUBMITTED}"
        links["drafts"] = f"{incidents}?ward={ward.pk}&status={IncidentStatus.DRAFT}"
    if user.has_role_permission(Permission.PATIENT_VIEW) and sees_patients:
        links["segregation"] = reverse("segregation:ward", args=[ward.pk])
    links["events"] = _events_url(ward)
    links["ward"] = reverse("organisations:ward-detail", args=[ward.pk])
    return links


def _events_url(ward: Ward) -> str:
    try:
        return reverse("improvement:ward-events", args=[ward.pk])
    except NoReverseMatch:
        return ""
