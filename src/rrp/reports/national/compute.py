"""The national benchmark, the figures: a provider's published restraint rate against every provider's.

The figures are NHS Digital's published provider-level monthly statistics (MHS76 people subject to
restrictive interventions, MHS24 bed days), imported by ``rrp import mhsds-provider-monthly DIR`` into
``measures.models.NationalProviderMonth``. They are official statistics, already suppressed and rounded
by NHS Digital, so every role that may open the page sees the same figures; nothing from RRP's own
records is mixed in. The arithmetic is ``measures.national``'s (the same as ``rrp benchmark national``):
this module only chooses the provider and the months and runs the SPC engine on them.

Providers are published by name, in upper case, with no ODS code. A provider's own people find it by
its RRP name in upper case (as ``rrp benchmark national --provider`` matches, ignoring case); when the
names differ the page says so and offers the closest published names.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rrp.accounts.models import User
from rrp.core.formatting import iso_month, month_year
from rrp.measures.models import NationalMetric
from rrp.measures.national import (
    PER,
    UnknownProvider,
    people_and_bed_days,
    pooled,
    provider_benchmark,
    providers_pooled,
)
from rrp.measures.selectors import national_figures
from rrp.spc import SpcResult, analyse
from rrp.spc.engine import MDC_MIN_POINTS_FOR_LIMITS

LAST_12 = "last-12"


class BadMonth(ValueError):
    """The month asked for is not one held; the message says which are."""


@dataclass(frozen=True)
class NationalFigures:
    """Everything the page shows, as figures. ``provider`` is the published name benchmarked (None if
    none chosen or matched); ``unmatched`` the name asked for or the user's own that is not published,
    and ``problem`` why no benchmark could be made of a published name."""

    providers: list[str]
    months: list[dt.date]
    provider: str | None
    month_choice: str  # LAST_12 or YYYY-MM
    funnel_months: tuple[dt.date, dt.date] | None
    funnel: SpcResult | None  # every provider over the chosen months
    over_time: SpcResult | None  # the provider by month
    benchmark: pd.DataFrame | None = field(repr=False)  # the provider by month, beside all providers
    provider_pooled_rate: float | None
    all_pooled_rate: float | None
    unmatched: str | None
    problem: str | None
    suggestions: list[str]
    own_provider_name: str | None
    held: bool
    provider_asked: bool = False  # the provider came from ?provider= (so an unmatched one is bad input)


def _published_frame() -> pd.DataFrame:
    return national_figures(metrics=[NationalMetric.PEOPLE_RESTRAINED, NationalMetric.BED_DAYS])


def published_providers(frame: pd.DataFrame) -> list[str]:
    """Every provider name with a people-restrained (MHS76) row, as published, alphabetically."""
    people = frame[frame["metric"] == NationalMetric.PEOPLE_RESTRAINED.value]
    return sorted(people["provider_name"].unique().tolist())


def match_provider(name: str, published: list[str]) -> tuple[str | None, list[str]]:
    """The published name for ``name`` (ignoring case, as ``rrp benchmark national`` does), or None with
    up to three close published names."""
    by_upper = {p.upper(): p for p in published}
    found = by_upper.get(name.strip().upper())
    if found is not None:
        return found, []
    return None, difflib.get_close_matches(name.strip().upper(), list(by_upper), n=3, cutoff=0.6)


def parse_month_choice(text: str, months: list[dt.date]) -> str:
    """``last-12`` (the default) or a held month as YYYY-MM; :class:`BadMonth` otherwise."""
    text = (text or "").strip()
    if text in ("", LAST_12):
        return LAST_12
    held = {iso_month(m) for m in months}
    if text not in held:
        first, last = (month_year(months[0]), month_year(months[-1])) if months else ("", "")
        raise BadMonth(
            f"Choose a month from {first} to {last}" if months else "No national figures are held yet"
        )
    return text


def funnel_result(joined: pd.DataFrame, *, months: list[dt.date]) -> SpcResult | None:
    """Every provider's people restrained per 1,000 bed days over ``months`` (pooled where several)
    against its bed days, limits around the all-providers pooled rate."""
    rows = providers_pooled(joined, months=months)
    rows = rows[rows["bed_days"] > 0]
    if rows.empty:
        return None
    return analyse(
        "funnel",
        dates=None,
        numerators=rows["people"].to_numpy(dtype=float),
        denominators=rows["bed_days"].to_numpy(dtype=float),
        groups=rows["provider_name"].to_numpy(dtype=object),
        multiplier=PER,
        improvement_direction="decrease",
        # Providers differ by more than Poisson chance alone (case mix, recording); Spiegelhalter's
        # random-effects widening keeps the limits for the ones that really stand out.
        overdispersion=True,
    )


def over_time_result(benchmark: pd.DataFrame, *, provider: str) -> SpcResult | None:
    """The provider's monthly rate as an XmR chart (a run chart under 13 months)."""
    have = benchmark["bed_days"].fillna(0) > 0
    if not have.any():
        return None
    # Making Data Count draws limits from 13 points on; with fewer months a run chart (median and runs
    # rules) says what can be said.
    rates = (benchmark["people"] / benchmark["bed_days"]).replace([np.inf, -np.inf], np.nan)
    chart = "xmr" if int(rates.notna().sum()) >= MDC_MIN_POINTS_FOR_LIMITS else "run"
    return analyse(
        chart,
        dates=pd.to_datetime(benchmark["month"]).to_numpy(dtype="datetime64[D]"),
        numerators=benchmark["people"].to_numpy(dtype=float),
        denominators=benchmark["bed_days"].fillna(0).to_numpy(dtype=float),
        multiplier=PER,
        improvement_direction="decrease",
        groups=np.full(len(benchmark), provider, dtype=object),
    )


def national_figures_for(*, user: User, provider: str | None, month: str | None) -> NationalFigures:
    """The page's figures for this user: ``provider`` is a published name chosen from the list (or None
    for the user's own provider, matched by name); ``month`` is ``last-12`` or YYYY-MM (:class:`BadMonth`
    if not held). Two queries: the published figures, and the user's provider."""
    frame = _published_frame()
    names = published_providers(frame)
    months = sorted(pd.Timestamp(m).date() for m in frame["month"].unique())
    choice = parse_month_choice(month or "", months)
    own = user.provider.name if getattr(user, "provider_id", None) else None
    empty = NationalFigures(
        providers=names,
        months=months,
        provider=None,
        month_choice=choice,
        funnel_months=None,
        funnel=None,
        over_time=None,
        benchmark=None,
        provider_pooled_rate=None,
        all_pooled_rate=None,
        unmatched=None,
        problem=None,
        suggestions=[],
        own_provider_name=own,
        held=not frame.empty,
    )
    if frame.empty:
        return empty
    chosen, suggestions, unmatched, problem = None, [], None, None
    wanted = provider or own
    if wanted:
        chosen, suggestions = match_provider(wanted, names)
        if chosen is None:
            unmatched = wanted
    joined = people_and_bed_days(frame)
    chosen_months = months[-12:] if choice == LAST_12 else [m for m in months if iso_month(m) == choice]
    funnel = funnel_result(joined, months=chosen_months)
    over_time = None
    benchmark = None
    provider_rate = None
    if chosen is not None:
        try:
            benchmark = provider_benchmark(frame, provider=chosen)
        except (UnknownProvider, ValueError) as error:  # pragma: no cover - chosen is a published name
            problem = str(error)
        else:
            over_time = over_time_result(benchmark, provider=chosen)
            mine = pooled(benchmark[benchmark["month"].isin(chosen_months)])
            provider_rate = mine.rate_per_1000 if mine.bed_days else None
    everyone = pooled(joined[joined["month"].isin(chosen_months)])
    return NationalFigures(
        providers=names,
        months=months,
        provider=chosen,
        month_choice=choice,
        funnel_months=(chosen_months[0], chosen_months[-1]),
        funnel=funnel,
        over_time=over_time,
        benchmark=benchmark,
        provider_pooled_rate=provider_rate,
        all_pooled_rate=everyone.rate_per_1000 if everyone.bed_days else None,
        unmatched=unmatched,
        problem=problem,
        suggestions=suggestions,
        own_provider_name=own,
        held=True,
        provider_asked=provider is not None,
    )
