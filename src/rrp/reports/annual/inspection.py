"""The CQC inspection pack (issue 16 item 8): what an inspector asks a provider for, for a period, in one
PDF and one CSV: the monthly counts of the board's key measures and the provider total's SPC charts (the
board's own, from the stored monthly figures), the reviews that are overdue (prone restraint reviews,
seclusion and long-term segregation reviews by the Code of Practice timers, investigations, incidents
waiting for review), the long-term segregation register in brief (no names), training compliance by
ward, the policy's status and the responsible person, the investigations of deaths and serious injuries,
and the CQC notifications raised and made.

The period (``periods``) sets the monthly figures, the charts' last month and the notifications counted;
what is overdue, open or in force is as it is today, which is what an inspector on the ward sees.

Figures come from the same functions the board, the huddle and the Act's pages use (decision 0039), so the
pack says what those pages say. Counts inside the pack are exact: it goes to the regulator, which sees
the provider's records, not to the public.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from rrp.accounts.models import User
from rrp.act.investigations import InvestigationCounts, investigation_counts
from rrp.act.prone import ProneCounts, prone_counts, ward_prone_reviews
from rrp.act.selectors import Duties, duties_for
from rrp.act.training import WardCompliance, ward_compliance
from rrp.force.codes import CqcTaskStatus, IncidentStatus
from rrp.force.models import CqcNotificationTask, Incident
from rrp.organisations.models import Provider, Ward
from rrp.reports.annual.periods import PackPeriod, first_of_month, month_end
from rrp.reports.board import Board, provider_board
from rrp.segregation.codes import EpisodeKind, due_label
from rrp.segregation.models import Episode
from rrp.segregation.selectors import lts_register, reviews_overdue


@dataclass(frozen=True)
class MeasureMonths:
    name: str
    months: list[tuple[dt.date, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.months)


@dataclass(frozen=True)
class LtsLine:
    ward: str
    since: dt.datetime
    days: int
    reviews: int
    has_plan: bool


@dataclass(frozen=True)
class OverdueEpisodeReview:
    """A review of a seclusion or long-term segregation under way, or an observation in seclusion, that
    is overdue now by the segregation app's timers (no patient named)."""

    ward: str
    episode_kind: str
    what: str
    due_at: dt.datetime
    minutes_overdue: int

    @property
    def kind_label(self) -> str:
        return EpisodeKind(self.episode_kind).label

    @property
    def overdue_words(self) -> str:
        hours, minutes = divmod(self.minutes_overdue, 60)
        days, hours = divmod(hours, 24)
        parts = [f"{days} d"] if days else []
        parts += [f"{hours} h"] if hours or days else []
        return " ".join([*parts, f"{minutes} min"])


@dataclass(frozen=True)
class InspectionPack:
    provider: Provider
    period: PackPeriod
    #: The whole months of the monthly figures: from the period's first month to its last whole month.
    since: dt.date
    until: dt.date
    today: dt.date
    board: Board
    measures: list[MeasureMonths]
    duties: Duties
    investigations: InvestigationCounts
    prone: ProneCounts
    waiting_review: int
    lts: list[LtsLine]
    training: list[WardCompliance]
    notifications: dict[str, int]
    episode_reviews: list[OverdueEpisodeReview]

    @property
    def overdue_seclusion_reviews(self) -> int:
        return sum(1 for r in self.episode_reviews if r.episode_kind == EpisodeKind.SECLUSION)

    @property
    def overdue_segregation_reviews(self) -> int:
        return sum(1 for r in self.episode_reviews if r.episode_kind == EpisodeKind.LONG_TERM_SEGREGATION)


def _months(series: pd.DataFrame, since: dt.date, until: dt.date) -> list[tuple[dt.date, int]]:
    periods = pd.to_datetime(series["period"]).dt.date
    return [
        (period, int(n))
        for period, n in zip(periods, series["numerator"].fillna(0), strict=True)
        if since <= period <= until
    ]


def overdue_episode_reviews(
    wards: list[Ward], *, now: dt.datetime | None = None
) -> list[OverdueEpisodeReview]:
    """The reviews (and observations in seclusion) overdue now on the episodes under way on ``wards``, most
    overdue first: ``segregation.selectors.reviews_overdue``, the timers the huddle and `rrp reviews due`
    use."""
    names = {w.pk: w.name for w in wards}
    episodes = Episode.objects.filter(ward_id__in=names).active().select_related("patient")
    out = [
        OverdueEpisodeReview(
            names[episode.ward_id], episode.kind, due_label(due.kind), due.due_at, due.minutes_overdue
        )
        for episode, overdue in reviews_overdue(episodes, now=now)
        for due in overdue
    ]
    return sorted(out, key=lambda r: (-r.minutes_overdue, r.ward))


def inspection_pack(user: User, provider: Provider, *, period: PackPeriod, today: dt.date) -> InspectionPack:
    """The pack for ``period``. The monthly figures and charts are the board's as of the period's last
    whole month (the board of the day after it, or of today when the period runs to this month). The
    caller checked the provider is in the user's scope; the LTS register is read (and audited) as the
    user."""
    board_day = min(month_end(period.until) + dt.timedelta(days=1), today)
    board = provider_board(user, provider, today=board_day)
    since = first_of_month(period.since)
    measures = [
        MeasureMonths(block.definition.name, _months(block.provider_series, since, board.until))
        for block in board.blocks
    ]
    wards = list(Ward.objects.filter(provider=provider, closed_on__isnull=True).order_by("name"))
    prone_rows = [row for ward in wards for row in ward_prone_reviews(ward, today=today)]
    statuses = Counter(
        Incident.objects.filter(provider=provider)
        .not_voided()
        .not_closed()
        .with_status()
        .values_list("current_status", flat=True)
    )
    tasks = Counter(
        CqcNotificationTask.objects.filter(
            provider=provider, raised_at__date__gte=period.since, raised_at__date__lte=period.until
        ).values_list("status", flat=True)
    )
    lts = [
        LtsLine(r.state.episode.ward.name, r.since, r.days, r.reviews_done, r.plan is not None)
        for r in lts_register(user, provider)
    ]
    return InspectionPack(
        provider=provider,
        period=period,
        since=since,
        until=board.until,
        today=today,
        board=board,
        measures=measures,
        duties=duties_for(provider, today=today),
        investigations=investigation_counts(provider, today=today),
        prone=prone_counts(prone_rows),
        waiting_review=statuses.get(IncidentStatus.SUBMITTED, 0),
        lts=lts,
        training=ward_compliance(wards, day=today),
        notifications={label: tasks.get(value, 0) for value, label in CqcTaskStatus.choices},
        episode_reviews=overdue_episode_reviews(wards),
    )


CSV_COLUMNS = ["section", "item", "period", "value"]


def csv_rows(pack: InspectionPack) -> list[list[object]]:
    """The pack's figures as (section, item, period, value) rows."""
    rows: list[list[object]] = [
        [
            "Period",
            "Pack period",
            f"{pack.period.since.isoformat()} to {pack.period.until.isoformat()}",
            pack.period.label,
        ]
    ]
    for m in pack.measures:
        rows += [["Monthly figures", m.name, month.isoformat()[:7], n] for month, n in m.months]
    d = pack.duties
    rp = d.responsible_person
    rows.append(["Duties", "Responsible person", "", f"{rp.name}, {rp.job_title}" if rp else "None recorded"])
    rows.append(["Duties", "Delegations in force", "", len(d.delegations_current)])
    policy = (
        "No policy recorded"
        if d.policy is None
        else f"{d.policy.title} v{d.policy.version_label}, review due {d.policy.review_due_on.isoformat()}"
        + (" (overdue)" if d.policy_overdue else "")
    )
    rows.append(["Duties", "Use-of-force policy", "", policy])
    i = pack.investigations
    rows += [
        ["Investigations", "Open", "", i.open],
        ["Investigations", "Overdue", "", i.overdue],
        ["Investigations", "Closed", "", i.closed],
        ["Overdue reviews", "Prone restraint reviews overdue", "", pack.prone.overdue],
        ["Overdue reviews", "Prone restraint reviews waiting", "", pack.prone.waiting],
        ["Overdue reviews", "Incidents waiting for review", "", pack.waiting_review],
        ["Overdue reviews", "Seclusion reviews and observations overdue", "", pack.overdue_seclusion_reviews],
        ["Overdue reviews", "Long-term segregation reviews overdue", "", pack.overdue_segregation_reviews],
        ["Long-term segregation", "People in long-term segregation now", "", len(pack.lts)],
        [
            "Long-term segregation",
            "Without a plan to end it",
            "",
            sum(1 for line in pack.lts if not line.has_plan),
        ],
    ]
    for c in pack.training:
        shown = f"{c.trained} of {c.roster}" if c.roster else "No roster"
        rows.append(["Training", c.ward.name, "", shown])
    for label, n in pack.notifications.items():
        rows.append(
            [
                "CQC notifications",
                label,
                f"{pack.period.since.isoformat()} to {pack.period.until.isoformat()}",
                n,
            ]
        )
    return rows
