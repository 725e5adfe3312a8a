"""The ward huddle in words and pictures: chart panels with their titles, each overdue review named, the
reporting-health flags in words, and links to the pages with the detail where the user may open them."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission, on_ward_team
from rrp.accounts.roles import Permission
from rrp.force.codes import IncidentStatus
from rrp.measures.series import Period
from rrp.organisations.models import Ward
from rrp.reports.chart_cache import cached
from rrp.reports.huddle.compute import HuddleFigures, OverdueReview
from rrp.reports.panels import ChartPanel, chart_panel, measure_y_title
from rrp.reports.reporting_health.presenters import WardReportingHealth, in_words
from rrp.segregation.presenters import due_label


@dataclass(frozen=True)
class NamedOverdueReview(OverdueReview):
    """An overdue review with the review's name as the page shows it."""

    review: str


@dataclass(frozen=True)
class WardHuddle(HuddleFigures):
    """Everything the ward huddle page shows for one ward."""

    overdue_reviews: list[NamedOverdueReview]
    health: WardReportingHealth
    panels: list[ChartPanel]
    links: dict[str, str]
    #: The names of measures charted only for the ward's own team and left out for this reader (decision
    #: 0077: the patients' weekly check, whose weekly points would give a few patients' answers exactly).
    team_only: list[str] = dataclasses.field(default_factory=list)


def period_words(period: Period) -> str:
    return "monthly" if period is Period.MONTH else "weekly"


def huddle_panels(huddle: HuddleFigures) -> list[ChartPanel]:
    """Each measure's chart of the ward with its title, events, text alternative and data table; from the
    cache when the charts (``charts_key``), the events and the ward's name are as they were."""
    if not huddle.charts_key:
        return _huddle_panels(huddle)
    slugs = [chart.definition.slug for chart in huddle.charts]
    inputs = repr((huddle.charts_key, huddle.period.value, huddle.ward.name, huddle.events, slugs))
    key = "huddle-panels:" + hashlib.blake2b(inputs.encode(), digest_size=20).hexdigest()
    return cached(key, lambda: _huddle_panels(huddle))


def _huddle_panels(huddle: HuddleFigures) -> list[ChartPanel]:
    return [
        chart_panel(
            chart.result,
            chart_id=f"huddle-{huddle.period.value}-{chart.definition.slug}",
            title=f"{chart.definition.name} ({period_words(huddle.period)})",
            y_title=measure_y_title(chart.definition),
            events=huddle.events,
            subject=huddle.ward.name,
            floor=chart.definition.lowest_value,
        )
        for chart in huddle.charts
    ]


def huddle_links(ward: Ward, *, user: User) -> dict[str, str]:
    """Links to the pages with the detail, only where the user may open them."""
    links: dict[str, str] = {}
    if has_permission(user, Permission.INCIDENT_VIEW, ward=ward):
        incidents = reverse("force:incident-list")
        links["incidents"] = f"{incidents}?ward={ward.pk}"
        links["waiting_review"] = f"{incidents}?ward={ward.pk}&status={IncidentStatus.SUBMITTED}"
        links["drafts"] = f"{incidents}?ward={ward.pk}&status={IncidentStatus.DRAFT}"
    if has_permission(user, Permission.PATIENT_VIEW, ward=ward):
        links["segregation"] = reverse("segregation:ward", args=[ward.pk])
        provider_page = reverse("segregation:provider", args=[ward.provider_id])
        links["missed"] = f"{provider_page}#missed"
        links["rapid_tranquillisation"] = f"{provider_page}#rapid-tranquillisation"
    links["events"] = _events_url(ward)
    links["ward"] = reverse("web:ward-detail", args=[ward.pk])
    return links


def _events_url(ward: Ward) -> str:
    try:
        return reverse("improvement:ward-events", args=[ward.pk])
    except NoReverseMatch:
        return ""


def present_huddle(huddle: HuddleFigures, *, user: User) -> WardHuddle:
    """The huddle's figures with their words, chart panels and links for this user: a reader who is not
    on the ward's own team (governance, say) is not shown the charts of the patients' weekly check."""
    figures = {f.name: getattr(huddle, f.name) for f in dataclasses.fields(huddle)}
    figures["overdue_reviews"] = [
        NamedOverdueReview(**dataclasses.asdict(r), review=due_label(r.review_kind))
        for r in huddle.overdue_reviews
    ]
    figures["health"] = in_words(huddle.health)
    team_only = []
    if not on_ward_team(user, huddle.ward.pk):
        team_only = [c.definition.name for c in huddle.charts if c.definition.suppress_outside_ward]
        figures["charts"] = [c for c in huddle.charts if not c.definition.suppress_outside_ward]
        huddle = dataclasses.replace(huddle, charts=figures["charts"])
    return WardHuddle(
        **figures,
        panels=huddle_panels(huddle),
        links=huddle_links(huddle.ward, user=user),
        team_only=team_only,
    )
