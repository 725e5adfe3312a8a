"""Seclusion reviews on time in the stored monthly figures (issue 13 item 4), so the board reads it as it
reads the others: the store says exactly what the records say (the huddle's figure) on a world with
seclusions whose reviews were on time, late and missed, and every write that can change it makes the
months of the seclusions' ends stale: ending or amending an episode, a review recorded after the end,
another seclusion of the same patient within the 48 hours the independent review counts, and the
provider's review rules. Each test reads the store first, so it holds the figures from before the write."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.utils import timezone

from rrp.core.times import local_month
from rrp.measures.catalogue import all_measures
from rrp.measures.series import measure_series, stored_definitions
from rrp.reports.huddle import ward_huddle
from rrp.segregation.models import Episode
from rrp.segregation.selectors import ended_reviews_on_time, episode_states
from rrp.segregation.services import (
    episode_amend,
    episode_end,
    episode_start,
    review_record,
    review_rules_set,
)
from tests.integration.segregation.episode_data import seclusion_kwargs

pytestmark = pytest.mark.django_db
SLUG = "seclusion-reviews-on-time"
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def _window() -> dict[str, dt.date]:
    """Whole months from two months ago to this one."""
    now = timezone.localdate()
    since = local_month(now - dt.timedelta(days=62))
    until = (local_month(now) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {"since": since, "until": until}


def _series(world, *, stored: bool) -> pd.DataFrame:
    wards = [world.wards["a1"].pk, world.wards["a2"].pk]
    return measure_series(all_measures()[SLUG], ward_ids=wards, **_window(), stored=stored)


def store_matches_records(world) -> pd.DataFrame:
    """The stored figures (filled or refreshed as needed) are exactly what the records say."""
    from_records = _series(world, stored=False)
    from_store = _series(world, stored=True)
    pd.testing.assert_frame_equal(from_store, from_records, obj=SLUG)
    return from_store


def totals(frame: pd.DataFrame) -> tuple[float, float]:
    return frame["numerator"].sum(), frame["denominator"].fillna(0).sum()


def seclusion(world, ward_key: str, start: dt.datetime, end: dt.datetime | None, **extra):
    return episode_start(
        ward=world.wards[ward_key],
        patient=world.patients[ward_key],
        by=world.users["provider_governance"],
        started_at=start,
        ended_at=end,
        end_reason="Calm and talking" if end else "",
        authorised_by_name="Charge nurse on shift",
        **seclusion_kwargs(**extra),
    )


def review(world, episode, kind: str, at: dt.datetime, roster) -> None:
    nurses = {"second_reviewer": roster["nurse2"]} if kind == "nursing" else {}
    review_record(
        episode=episode,
        kind=kind,
        at=at,
        by=world.users["provider_governance"],
        reviewer=roster["doctor"] if kind == "medical" else roster["nurse1"],
        outcome="Reviewed",
        decision="continue",
        **nurses,
    )


def days_ago(days: int) -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=days)


def test_seclusion_reviews_on_time_is_stored():
    assert SLUG in stored_definitions()


def test_store_and_records_agree_on_seclusions_on_time_late_and_missed(world, roster):
    # On time: the first medical review (due within the hour) at 40 minutes, ended before nursing was due.
    on_time = seclusion(world, "a1", days_ago(20), None)
    review(world, on_time, "medical", days_ago(20) + 40 * M, roster)
    episode_end(
        episode=on_time,
        by=world.users["provider_governance"],
        ended_at=days_ago(20) + 90 * M,
        end_reason="Calm",
    )
    # Late: the medical review at 70 minutes, the nursing review on time at 2 hours.
    late = seclusion(world, "a1", days_ago(10), None)
    review(world, late, "medical", days_ago(10) + 70 * M, roster)
    review(world, late, "nursing", days_ago(10) + 2 * H, roster)
    episode_end(
        episode=late, by=world.users["provider_governance"], ended_at=days_ago(10) + 3 * H, end_reason="Calm"
    )
    # Missed: three hours with no review at all, recorded after it ended.
    seclusion(world, "a1", days_ago(5), days_ago(5) + 3 * H)
    # Another ward: on time.
    other = seclusion(world, "a2", days_ago(8), None)
    review(world, other, "medical", days_ago(8) + 30 * M, roster)
    episode_end(
        episode=other, by=world.users["provider_governance"], ended_at=days_ago(8) + 45 * M, end_reason="Calm"
    )

    stored = store_matches_records(world)
    a1 = stored[stored["ward_id"] == world.wards["a1"].pk]
    a2 = stored[stored["ward_id"] == world.wards["a2"].pk]
    assert totals(a1) == (1, 3) and totals(a2) == (1, 1)

    # Read as plain rows, each seclusion is judged as the episode pages judge it (episode_states).
    wards = [world.wards["a1"].pk, world.wards["a2"].pk]
    states = episode_states(Episode.objects.filter(ward_id__in=wards))
    judged = sorted((s.episode.ward_id, s.version.ended_at, s.checks.reviews_on_time) for s in states)
    read = ended_reviews_on_time(
        ward_ids=wards, kinds=["seclusion"], since=days_ago(30), until=timezone.now()
    )
    assert sorted(read) == judged and [on_time for *_, on_time in judged].count(False) == 2

    # The huddle charts the same figure for its whole months (the current one is not yet on its chart).
    huddle = ward_huddle(world.wards["a1"], user=world.users["ward_manager"], today=timezone.localdate())
    chart = next(c for c in huddle.charts if c.definition.slug == SLUG)
    present = chart.result.denominator == chart.result.denominator
    shown = a1[a1["period"] < local_month(timezone.localdate())]
    shown = shown[shown["denominator"] > 0]
    assert chart.result.denominator[present].tolist() == shown["denominator"].tolist()
    assert chart.result.value[present].tolist() == shown["value"].tolist()


def test_a_review_recorded_after_the_end_refreshes_the_end_month(world, roster):
    episode = seclusion(world, "a1", days_ago(6), days_ago(6) + 50 * M)  # medical review due at 1 h: none
    assert totals(store_matches_records(world)) == (1, 1)  # ended before any review fell due

    episode_amend(
        episode=episode,
        by=world.users["provider_governance"],
        change_reason="The end time was mistyped",
        ended_at=days_ago(6) + 2 * H,
    )
    assert totals(store_matches_records(world)) == (0, 1)  # now the medical review was missed

    review(world, episode, "medical", days_ago(6) + 45 * M, roster)  # written up late, done on time
    assert totals(store_matches_records(world)) == (1, 1)


def test_ending_an_episode_refreshes_the_month_it_ended(world):
    episode = seclusion(world, "a1", days_ago(3), None)
    assert totals(store_matches_records(world)) == (0, 0)  # still under way: not counted
    episode_end(
        episode=episode,
        by=world.users["provider_governance"],
        ended_at=days_ago(3) + 30 * M,
        end_reason="Calm",
    )
    assert totals(store_matches_records(world)) == (1, 1)


def test_an_earlier_seclusion_recorded_later_refreshes_the_one_it_makes_owe_an_independent_review(
    world, roster
):
    """Four hours of seclusion with every review on time, starting on the first of last month; then a
    nine-hour seclusion ending four hours before it, in the month before, is recorded: 12 hours within 48
    are reached three hours into the later one, whose independent MDT review was not done. The later
    one's month is only reached through the patient's other seclusions (the earlier one ends a month
    before it)."""
    first_of_last_month = local_month(local_month(timezone.localdate()) - dt.timedelta(days=1))
    start = timezone.make_aware(dt.datetime.combine(first_of_last_month, dt.time(3)))
    later = seclusion(world, "a1", start, None)
    review(world, later, "medical", start + 50 * M, roster)
    review(world, later, "nursing", start + 110 * M, roster)
    review(world, later, "nursing", start + 230 * M, roster)
    episode_end(
        episode=later, by=world.users["provider_governance"], ended_at=start + 4 * H, end_reason="Calm"
    )
    assert totals(store_matches_records(world)) == (1, 1)

    seclusion(world, "a1", start - 13 * H, start - 4 * H)
    stored = store_matches_records(world)
    month = stored[(stored["ward_id"] == world.wards["a1"].pk) & (stored["period"] == first_of_last_month)]
    assert month[["numerator", "denominator"]].values.tolist() == [[0, 1]]  # the independent review missed
    assert totals(stored) == (0, 2)


def test_changing_the_review_rules_refreshes_every_ended_seclusion(world, roster):
    episode = seclusion(world, "a1", days_ago(12), None)
    review(world, episode, "medical", days_ago(12) + 40 * M, roster)
    episode_end(
        episode=episode,
        by=world.users["provider_governance"],
        ended_at=days_ago(12) + 50 * M,
        end_reason="Calm",
    )
    assert totals(store_matches_records(world)) == (1, 1)

    review_rules_set(
        provider=world.wards["a1"].provider,
        by=world.users["provider_governance"],
        seclusion_first_medical_minutes=30,
        reason="Trust policy: the first medical review within 30 minutes",
    )
    assert totals(store_matches_records(world)) == (0, 1)  # the review at 40 minutes is now late


def test_a_seclusion_on_another_ward_changes_the_huddles_cached_chart_at_the_next_request(world, roster):
    """The huddle keeps its charts cached under the version of the records behind them
    (reports.chart_cache). A seclusion's reviews on time count the patient's other seclusions within the
    48 hours, wherever they were: the same patient's nine-hour seclusion on another ward, ending four
    hours before this ward's four-hour one, makes this one owe an independent review it did not have,
    and the huddle's chart shows it at the next request, not when the cached chart expires."""
    from rrp.reports.huddle.compute import huddle_figures

    def last_month() -> tuple[float, float]:
        figures = huddle_figures(world.wards["a1"], today=timezone.localdate())
        chart = next(c for c in figures.charts if c.definition.slug == SLUG)
        return float(chart.result.numerator[-1]), float(chart.result.denominator[-1])

    first_of_last_month = local_month(local_month(timezone.localdate()) - dt.timedelta(days=1))
    start = timezone.make_aware(dt.datetime.combine(first_of_last_month + dt.timedelta(days=5), dt.time(3)))
    later = seclusion(world, "a1", start, None)
    review(world, later, "medical", start + 50 * M, roster)
    review(world, later, "nursing", start + 110 * M, roster)
    review(world, later, "nursing", start + 230 * M, roster)
    episode_end(
        episode=later, by=world.users["provider_governance"], ended_at=start + 4 * H, end_reason="Calm"
    )
    assert last_month() == (1, 1)  # computed and cached

    episode_start(
        ward=world.wards["a2"],
        patient=world.patients["a1"],
        by=world.users["provider_governance"],
        started_at=start - 13 * H,
        ended_at=start - 4 * H,
        end_reason="Calm and talking",
        authorised_by_name="Charge nurse on shift",
        **seclusion_kwargs(),
    )

    assert last_month() == (0, 1)  # the independent review missed
