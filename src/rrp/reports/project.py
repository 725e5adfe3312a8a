"""A quality-improvement project's charts: each of its measures on its wards, with the aim line, the
wards' events (changes tested, PDSA cycles) and the project's milestones as markers (issue 14, item 1).

The charts are the same as everywhere else in RRP: the series from ``measures.series`` (one grouped
query for all the project's measures, ``measure_charts_many``), the SPC engine, and the events from
``improvement.selectors.events_by_ward`` (the one source of every chart's markers). A project on one ward
shows that ward's own chart (its recorded rebases honoured, as on the huddle); a project on several wards
shows their figures pooled month by month, as the collaborative view pools its members. Viewers outside
the provider see the figures suppressed as NHS Digital does (``sees_unsuppressed``), and so does anyone
not on the team of every ward of the project for the patients' weekly check (decision 0077).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rrp.accounts.models import User
from rrp.accounts.permissions import on_ward_team, sees_unsuppressed
from rrp.charts import Event
from rrp.improvement.models import PdsaCycle, QiProject
from rrp.improvement.project_selectors import Aim, aim_of, measures_of, milestones_of
from rrp.improvement.selectors import events_by_ward
from rrp.measures.catalogue import Denominator, MeasureDefinition
from rrp.measures.series import Period
from rrp.reports.collaborative.compute import pooled_series, suppressed_result
from rrp.reports.measure_charts import charts_of_series, measure_charts_many, reporting_window
from rrp.reports.panels import ChartPanel, chart_panel, measure_y_title
from rrp.spc import SpcResult, analyse

ROLE_WORDS = {"outcome": "Outcome measure", "process": "Process measure", "balancing": "Balancing measure"}


@dataclass(frozen=True)
class ProjectChart:
    definition: MeasureDefinition
    role: str
    panel: ChartPanel | None  # None where there are no figures to chart


def project_events(project: QiProject, wards: list, *, since: dt.date, until: dt.date) -> list[Event]:
    """The markers of the project's charts: every event of its wards in the window, once each (a change
    tested on three wards at once is one marker), named by ward where the project has several, and the
    project's own milestones ("Milestone: ..."), which are on its charts only."""
    by_ward = events_by_ward([w.pk for w in wards])
    names = {w.pk: w.name for w in wards}
    seen: dict[tuple[dt.date, str], set[int]] = {}
    for ward_id, events in by_ward.items():
        for event in events:
            if since <= event.date <= until:
                seen.setdefault((event.date, event.label), set()).add(ward_id)
    out = []
    for (day, label), ward_ids in sorted(seen.items()):
        if len(wards) > 1 and len(ward_ids) < len(wards):
            label = f"{label} ({', '.join(sorted(names[i] for i in ward_ids))})"
        out.append(Event(day, label))
    milestones = [
        Event(m.reached_on, str(m))
        for m in milestones_of(project)
        if m.withdrawn_at is None and since <= m.reached_on <= until
    ]
    return sorted(out + milestones, key=lambda e: e.date)


def _pooled_result(
    definition: MeasureDefinition, series: pd.DataFrame, target: float | None
) -> SpcResult | None:
    """The wards' figures summed month by month and charted as one series."""
    if definition.denominator is Denominator.NONE:
        pooled = series.groupby("period", as_index=False).agg(numerator=("numerator", "sum"))
        if pooled.empty:
            return None
        return analyse(
            definition.default_chart,
            values=pooled["numerator"].to_numpy(dtype=float),
            dates=pd.to_datetime(pooled["period"]).to_numpy(dtype="datetime64[D]"),
            improvement_direction=definition.improvement_direction,
            groups=np.full(len(pooled), "Project"),
            target=target,
        )
    pooled = pooled_series(series)
    if pooled.empty or not (pooled["denominator"] > 0).any():
        return None
    return analyse(
        definition.default_chart,
        numerators=pooled["numerator"].to_numpy(dtype=float),
        denominators=pooled["denominator"].to_numpy(dtype=float),
        multiplier=definition.multiplier,
        dates=pd.to_datetime(pooled["period"]).to_numpy(dtype="datetime64[D]"),
        improvement_direction=definition.improvement_direction,
        groups=np.full(len(pooled), "Project"),
        target=target,
    )


def _result(
    definition: MeasureDefinition, series: pd.DataFrame, ward_ids: list[int], target: float | None
) -> SpcResult | None:
    if series.empty:
        return None
    if len(ward_ids) == 1:
        targets = {ward_ids[0]: target} if target is not None else None
        return charts_of_series(definition, series, ward_ids=ward_ids, targets=targets).for_ward(ward_ids[0])
    return _pooled_result(definition, series, target)


def chart_window(project: QiProject, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """From the baseline's first month (or 24 months back, if later) to the last whole month."""
    since, until = reporting_window(Period.MONTH, today=today)
    return min(project.baseline_start, since), until


def cycle_window(cycle: PdsaCycle, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The chart for a PDSA cycle's period: from six months before its start to six months after its
    end (or to the last whole month)."""
    _since, last = reporting_window(Period.MONTH, today=today)
    since = cycle.starts_on.replace(day=1)
    for _ in range(6):
        since = (since - dt.timedelta(days=1)).replace(day=1)
    until = last
    if cycle.ends_on is not None:
        until = min(last, cycle.ends_on + dt.timedelta(days=183))
    return since, max(until, since)


def project_charts(
    project: QiProject, *, user: User, today: dt.date, window: tuple[dt.date, dt.date] | None = None
) -> tuple[Aim | None, list[ProjectChart]]:
    """The aim, and a chart of each of the project's measures (the aim's first, with the aim line), over
    ``window`` (by default from the baseline to the last whole month)."""
    wards = list(project.wards.order_by("name"))
    ward_ids = [w.pk for w in wards]
    aim = aim_of(project)
    measures = measures_of(project)
    since, until = window or chart_window(project, today=today)
    many = measure_charts_many(
        [d for d, _ in measures], ward_ids=ward_ids, since=since, until=until, period=Period.MONTH
    )
    events = project_events(project, wards, since=since, until=until)
    suppress = not sees_unsuppressed(user, project.provider_id)
    # The patients' weekly check is exact only for a reader on every one of the wards' teams (decision 0077).
    on_every_team = all(on_ward_team(user, ward_id) for ward_id in ward_ids)
    subject = wards[0].name if len(wards) == 1 else f"the project's {len(wards)} wards together"
    charts = []
    for index, (definition, role) in enumerate(measures):
        target = aim.target if aim is not None and index == 0 else None
        series = many[definition.slug].series
        result = _result(definition, series, ward_ids, target)
        if result is None or len(result) == 0:
            charts.append(ProjectChart(definition, role, None))
            continue
        if suppress or (definition.suppress_outside_ward and not on_every_team):
            counts = result.value if definition.denominator is Denominator.NONE else result.numerator
            result = suppressed_result(result, counts=np.nan_to_num(counts, nan=0.0))
        title = definition.name + (" (the aim's measure, with the aim line)" if target is not None else "")
        panel = chart_panel(
            result,
            chart_id=f"project-{project.pk}-{definition.slug}" + (f"-{since:%Y%m}" if window else ""),
            title=title,
            y_title=measure_y_title(definition),
            events=events,
            subject=subject,
            floor=definition.lowest_value,
        )
        charts.append(ProjectChart(definition, role, panel))
    return aim, charts
