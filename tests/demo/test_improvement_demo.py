"""The improvement demo step (src/rrp/demo/steps/improvement.py): events inside each ward's life, a rebase
with its reason, a withdrawn event, an aim per provider and per collaborative; and a second run replaces them
(the wipe)."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.demo.generate import demo_data_generate
from rrp.demo.registry import DemoOptions
from rrp.improvement import selectors
from rrp.improvement.models import ChartRebase, ImprovementAim, WardEvent, Withdrawal
from rrp.measures.catalogue import all_measures
from rrp.organisations.models import Collaborative, Provider, Ward

SMALL = DemoOptions(providers=3, wards_per_provider=4, years=2, seed=5, end_date=dt.date(2025, 6, 30))


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_data_generate(options=SMALL)


def test_improvement_demo_events_fall_in_each_wards_open_life(demo) -> None:
    first_day, last_day = demo.first_day, demo.last_day
    events = list(WardEvent.objects.select_related("ward"))
    assert len(events) >= 2 * Ward.objects.count() // 2
    for event in events:
        assert max(first_day, event.ward.opened_on) <= event.happened_on <= last_day
        assert event.ward.closed_on is None or event.happened_on < event.ward.closed_on
        assert 0 < len(event.label) <= 60
        assert event.recorded_at.date() >= event.happened_on
    # One event of each label per ward.
    pairs = [(e.ward_id, e.label) for e in events]
    assert len(pairs) == len(set(pairs))
    assert {"Safewards started", "Debrief huddles"} & {e.label for e in events}


def test_improvement_demo_rebases_follow_a_change_and_a_withdrawn_event_is_marked(demo) -> None:
    rebases = list(ChartRebase.objects.all())
    assert rebases, "ward 1 at least has its chart rebased"
    for rebase in rebases:
        assert rebase.measure_slug in all_measures()
        assert "embedded in practice" in rebase.reason
        assert rebase.rebase_on.day == 1 and rebase.rebase_on <= demo.last_day
        first_change = WardEvent.objects.filter(ward=rebase.ward, kind="change_tested").order_by(
            "happened_on"
        )[0]
        assert rebase.rebase_on > first_change.happened_on
    withdrawn = Withdrawal.objects.select_related("event").get(event__ward_id=1)
    assert withdrawn.event.label not in [e.label for e in selectors.events_by_ward([1]).get(1, [])]


def test_improvement_demo_aims_for_every_provider_and_collaborative(demo) -> None:
    for provider in Provider.objects.all():
        (aim,) = selectors.aims_for_provider(provider.pk)
        assert aim.reduction_percent == 25 and aim.measure_slug == "restrictive-interventions-per-1000-obd"
        assert aim.baseline_start == demo.first_day
        assert (aim.baseline_end - aim.baseline_start).days == 364
        assert aim.aim_date > aim.baseline_end
    for collaborative in Collaborative.objects.all():
        (aim,) = selectors.aims_for_collaborative(collaborative.pk)
        assert aim.baseline_end == collaborative.starts_on - dt.timedelta(days=1)
        assert (aim.baseline_end - aim.baseline_start).days == 364
        assert "12 months before joining" in aim.statement


def test_improvement_demo_second_run_replaces_the_first(demo, settings) -> None:
    counts = (WardEvent.objects.count(), ChartRebase.objects.count(), ImprovementAim.objects.count())

    again = demo_data_generate(options=SMALL)

    assert (WardEvent.objects.count(), ChartRebase.objects.count(), ImprovementAim.objects.count()) == counts
    assert again.digest == demo.digest
    assert again.step_seconds["improvement"] < 2
