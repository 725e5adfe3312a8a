"""The national benchmark in words and pictures: the funnel of every provider, the provider's monthly
chart beside the all-providers rate, its months as a table, and what to say when a provider is not
published under the name asked for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from rrp.core.formatting import SUPPRESSED_MARK, decimal, iso_date, month_span, month_year, whole_number
from rrp.reports.national.compute import NationalFigures
from rrp.reports.panels import ChartPanel, chart_panel, funnel_panel
from rrp.spc import SpcResult

Y_TITLE = "People restrained per 1,000 bed days"


@dataclass(frozen=True)
class BenchmarkRow:
    month: dt.date
    people: str
    bed_days: str
    rate: str
    all_providers_rate: str


@dataclass(frozen=True)
class NationalBenchmark:
    """Everything on the page. ``provider`` is the published name benchmarked (None if none chosen or
    matched); ``problem`` says in words why no provider is shown."""

    providers: list[str]
    months: list[dt.date]
    provider: str | None
    month_choice: str  # LAST_12 or YYYY-MM
    funnel_months: tuple[dt.date, dt.date] | None
    funnel: ChartPanel | None
    over_time: ChartPanel | None
    rows: list[BenchmarkRow]
    provider_pooled_rate: float | None
    all_pooled_rate: float | None
    problem: str | None
    suggestions: list[str]
    own_provider_name: str | None
    held: bool
    provider_asked: bool = False  # the provider came from ?provider= (so an unmatched one is bad input)


def _count(value: float, suppressed: bool) -> str:
    if suppressed:
        return SUPPRESSED_MARK
    return "not published" if pd.isna(value) else whole_number(value)


def _rate(value: float) -> str:
    return "none" if pd.isna(value) else decimal(value, 2)


def unmatched_words(name: str) -> str:
    return (
        f"{name} is not among the providers NHS Digital publishes restraint figures for under that name. "
        "Providers are published by name only, so a renamed or merged provider may appear under another "
        "name: choose it from the list."
    )


def national_funnel_panel(result: SpcResult, *, highlight: str | None, title: str) -> ChartPanel:
    """Every provider's rate against its bed days, the chosen provider ringed and labelled."""
    return funnel_panel(
        result,
        chart_id="national-funnel",
        title=title,
        y_title=Y_TITLE,
        x_title="Bed days (MHS24)",
        count_label="People restrained (MHS76)",
        unit_label="Provider",
        highlight=highlight,
    )


def over_time_panel(result: SpcResult, benchmark: pd.DataFrame, *, provider: str) -> ChartPanel:
    """The provider's monthly chart, with the all-providers pooled rate drawn beside it as a dotted line."""
    title = f"{provider}: people restrained per 1,000 bed days by month"
    panel = chart_panel(result, chart_id="national-over-time", title=title, y_title=Y_TITLE, floor=0.0)
    national = [
        {"date": iso_date(pd.Timestamp(m)), "all_providers": float(r)}
        for m, r in zip(benchmark["month"], benchmark["all_providers_rate_per_1000"], strict=True)
        if pd.notna(r)
    ]
    layer = {
        "data": {"values": national},
        "mark": {"type": "line", "color": "#005EB8", "strokeDash": [2, 2], "strokeWidth": 2},
        "encoding": {
            "x": {"field": "date", "type": "temporal"},
            "y": {"field": "all_providers", "type": "quantitative"},
            "tooltip": [
                {"field": "date", "type": "temporal", "title": "Month"},
                {"field": "all_providers", "format": ".2f", "title": "All providers"},
            ],
        },
    }
    spec = {**panel.spec, "layer": [*panel.spec["layer"], layer]}  # type: ignore[list-item]
    description = (
        panel.description + " The dotted blue line is the rate pooled over every provider with both "
        "figures published that month."
    )
    spec["description"] = description
    return replace(panel, spec=spec, description=description)


def benchmark_rows(benchmark: pd.DataFrame) -> list[BenchmarkRow]:
    return [
        BenchmarkRow(
            month=pd.Timestamp(r.month).date(),
            people=_count(r.people, r.people_suppressed),
            bed_days=_count(r.bed_days, r.bed_days_suppressed),
            rate=_rate(r.rate_per_1000),
            all_providers_rate=_rate(r.all_providers_rate_per_1000),
        )
        for r in benchmark.itertuples(index=False)
    ]


def present_national(figures: NationalFigures) -> NationalBenchmark:
    """The page: the charts with their words, the provider's months as a table, any problem in words."""
    f = figures
    funnel = None
    if f.funnel is not None and f.funnel_months is not None:
        first, last = f.funnel_months
        span = f"{month_span(first, last)} pooled" if first != last else month_year(first)
        title = f"People restrained per 1,000 bed days, every provider, {span}"
        funnel = national_funnel_panel(f.funnel, highlight=f.provider, title=title)
    over_time = None
    if f.over_time is not None and f.benchmark is not None and f.provider is not None:
        over_time = over_time_panel(f.over_time, f.benchmark, provider=f.provider)
    return NationalBenchmark(
        providers=f.providers,
        months=f.months,
        provider=f.provider,
        month_choice=f.month_choice,
        funnel_months=f.funnel_months,
        funnel=funnel,
        over_time=over_time,
        rows=benchmark_rows(f.benchmark) if f.benchmark is not None else [],
        provider_pooled_rate=f.provider_pooled_rate,
        all_pooled_rate=f.all_pooled_rate,
        problem=unmatched_words(f.unmatched) if f.unmatched else f.problem,
        suggestions=f.suggestions,
        own_provider_name=f.own_provider_name,
        held=f.held,
        provider_asked=f.provider_asked,
    )
