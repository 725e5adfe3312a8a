"""One measure's charts for many wards: bulk series, the engine, and recorded rebases."""

from __future__ import annotations

import datetime as dt

import numpy as np

from rrp.improvement.services import chart_rebase_record
from rrp.measures.catalogue import measure
from rrp.reports.measure_charts import measure_charts, reporting_window

RATE = measure("restrictive-interventions-per-1000-obd")


def test_reporting_window_months_are_the_last_24_whole_months():
    assert reporting_window("month", today=dt.date(2026, 12, 2)) == (
        dt.date(2024, 12, 1),
        dt.date(2026, 11, 30),
    )


def test_reporting_window_weeks_end_last_sunday():
    since, until = reporting_window("week", today=dt.date(2026, 12, 2))  # a Wednesday
    assert until == dt.date(2026, 11, 29) and until.weekday() == 6
    assert since.weekday() == 0 and (until - since).days + 1 == 26 * 7


def test_measure_charts_gives_each_ward_its_own_result(provider_a):
    a1, a2 = provider_a.wards["a1"], provider_a.wards["a2"]
    charts = measure_charts(
        RATE, ward_ids=[a1.pk, a2.pk], since=dt.date(2025, 1, 1), until=dt.date(2025, 3, 31)
    )
    assert set(charts.results_by_ward) == {a1.pk, a2.pk}
    assert charts.for_ward(a1.pk).groups() == [str(a1.pk)]
    assert np.allclose(charts.for_ward(a1.pk).value[:2], [3 / 500 * 1000, 1 / 500 * 1000])


def test_measure_charts_honours_a_recorded_rebase_for_that_ward_only(provider_a):
    a1, a2 = provider_a.wards["a1"], provider_a.wards["a2"]
    chart_rebase_record(
        ward=a1,
        measure_slug=RATE.slug,
        rebase_on=dt.date(2025, 2, 1),
        reason="Safewards embedded",
        by=provider_a.users["ward_manager"],
    )
    charts = measure_charts(
        RATE, ward_ids=[a1.pk, a2.pk], since=dt.date(2025, 1, 1), until=dt.date(2025, 3, 31)
    )
    assert list(charts.for_ward(a1.pk).period) == [0, 1, 1]
    assert set(charts.for_ward(a2.pk).period.tolist()) == {0}


def test_measure_charts_many_matches_measure_charts_with_rebases_and_targets(provider_a):
    from rrp.reports.measure_charts import measure_charts_many

    a1, a2 = provider_a.wards["a1"], provider_a.wards["a2"]
    chart_rebase_record(
        ward=a1,
        measure_slug=RATE.slug,
        rebase_on=dt.date(2025, 2, 1),
        reason="Safewards embedded",
        by=provider_a.users["ward_manager"],
    )
    people = measure("people-restrained-per-1000-obd")
    window = {"ward_ids": [a1.pk, a2.pk], "since": dt.date(2025, 1, 1), "until": dt.date(2025, 3, 31)}
    targets = {RATE.slug: {a2.pk: 1.5}}

    many = measure_charts_many([RATE, people], targets=targets, **window)

    for definition in (RATE, people):
        alone = measure_charts(definition, targets=targets.get(definition.slug), **window)
        assert many[definition.slug].series.equals(alone.series)
        for ward in (a1, a2):
            assert np.array_equal(
                many[definition.slug].for_ward(ward.pk).value, alone.for_ward(ward.pk).value, equal_nan=True
            )
            assert many[definition.slug].for_ward(ward.pk).summaries == alone.for_ward(ward.pk).summaries
    assert list(many[RATE.slug].for_ward(a1.pk).period) == [0, 1, 1]
