"""The measure values demo step (issue 20): every demo ward has a value of each entered or imported
measure for every whole month, valid by the model's own rules, charted on the huddle like the rest."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.demo.generate import demo_data_generate
from rrp.demo.registry import DemoOptions
from rrp.measures.catalogue import measure
from rrp.measures.models import MeasureValue
from rrp.measures.series import analyse_series, measure_series, month_of_week
from rrp.measures.values import value_measures
from rrp.organisations.models import Ward

SMALL = DemoOptions(providers=1, wards_per_provider=2, years=2, seed=5, end_date=dt.date(2025, 6, 30))


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_data_generate(options=SMALL)


def test_every_ward_has_24_months_of_every_value_measure(demo) -> None:
    wards = list(Ward.objects.all())
    values = list(MeasureValue.objects.all())

    for ward in wards:
        for slug, definition in value_measures().items():
            given = [v for v in values if v.ward_id == ward.pk and v.measure_slug == slug]
            # A weekly measure (decision 0079) has a value each whole week, each in its Thursday's month.
            assert {v.period for v in given} == {"week" if definition.weekly else "month"}, slug
            months = {month_of_week(v.period_start) if definition.weekly else v.period_start for v in given}
            assert len(months) == 24, (ward.code, slug)
            assert {v.definition_version for v in given} == {definition.version}
    for value in values[:200]:
        value.full_clean()
    assert max(v.period_start for v in values if v.period == "month") == dt.date(2025, 6, 1)
    assert max(v.period_start for v in values if v.period == "week") == dt.date(2025, 6, 23)


def test_demo_values_chart_with_the_engine(demo) -> None:
    """The weekly huddles held roll up to 24 months (and chart by week too)."""
    ward = Ward.objects.first()
    definition = measure("safety-huddles-held")

    series = measure_series(
        definition, ward_ids=[ward.pk], since=dt.date(2023, 7, 1), until=dt.date(2025, 6, 30)
    )
    result = analyse_series(definition, series)

    assert series["value"].notna().sum() == 24
    assert 60 < series["value"].mean() < 100
    assert result.summaries
    weekly = measure_series(
        definition, ward_ids=[ward.pk], since=dt.date(2025, 1, 6), until=dt.date(2025, 6, 29), period="week"
    )
    assert weekly["value"].notna().sum() == 25 and set(weekly["denominator"].dropna()) == {7}


def test_a_second_run_replaces_the_values(demo) -> None:
    before = MeasureValue.objects.count()

    demo_data_generate(options=SMALL)

    assert MeasureValue.objects.count() == before
