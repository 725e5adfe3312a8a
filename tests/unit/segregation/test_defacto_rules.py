"""The rules that flag possible de-facto segregation (segregation.defacto), without a database."""

from __future__ import annotations

import datetime as dt

from rrp.segregation import defacto
from rrp.segregation.defacto import Span

NOW = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)
H, D = dt.timedelta(hours=1), dt.timedelta(days=1)


def kinds(found):
    return [(f.patient_id, f.kind) for f in found]


def test_long_seclusion_over_48_hours_flags_at_the_48th_hour():
    found = defacto.flags(
        seclusions=[Span(1, NOW - 5 * D, NOW - 5 * D + 49 * H), Span(2, NOW - 5 * D, NOW - 5 * D + 47 * H)],
        lts_episodes=[],
        segregation_recorded=[],
        now=NOW,
    )
    assert kinds(found) == [(1, "long_seclusion")]
    assert found[0].at == NOW - 5 * D + 48 * H and found[0].text == "Seclusion of 49 hours (more than 48)"


def test_ongoing_seclusion_counts_to_now():
    found = defacto.flags(
        seclusions=[Span(1, NOW - 3 * D, None)], lts_episodes=[], segregation_recorded=[], now=NOW
    )
    assert found[0].text == "Seclusion of 72 hours so far (more than 48)"


def test_three_seclusions_in_seven_days_but_not_spread_over_more():
    close = [Span(1, NOW - d * D, NOW - d * D + H) for d in (10, 7, 4)]
    spread = [Span(2, NOW - d * D, NOW - d * D + H) for d in (20, 12, 4)]
    found = defacto.flags(seclusions=close + spread, lts_episodes=[], segregation_recorded=[], now=NOW)
    assert kinds(found) == [(1, "repeated_seclusion")] and found[0].at == NOW - 4 * D


def test_segregation_on_an_incident_without_an_episode():
    found = defacto.flags(
        seclusions=[],
        lts_episodes=[Span(2, NOW - 60 * D, None)],
        segregation_recorded=[Span(1, NOW - 2 * D, None), Span(2, NOW - 2 * D, None)],
        now=NOW,
    )
    assert kinds(found) == [(1, "apart_without_episode")]


def test_events_before_the_lookback_are_ignored():
    old = NOW - (defacto.LOOKBACK_DAYS + 3) * D
    found = defacto.flags(
        seclusions=[Span(1, old - 3 * D, old)],
        lts_episodes=[],
        segregation_recorded=[Span(1, old, None)],
        now=NOW,
    )
    assert found == []
