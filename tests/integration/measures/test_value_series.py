"""Entered and imported measures charted like every other (issue 20 item 1): each ward's current value
per month, over its own denominator or RRP's bed days, with a gap (never a zero) where nothing was
entered, and no chart at all for a ward that does not collect the measure."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from rrp.measures.catalogue import Denominator, EntryPeriod, measure
from rrp.measures.models import ValueRoute
from rrp.measures.series import (
    Period,
    analyse_series,
    measure_series,
    measure_series_many,
    ward_values_series,
)
from rrp.measures.values import ValueInput, record_values, value_measures
from tests.integration.measures.series_data import SINCE, UNTIL, bed_days

JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


def monthly(slug):
    """The measure as it was before it was weekly (huddles and Safewards were monthly in version 1,
    decision 0079): the values these tests enter are months, which still stand."""
    definition = measure(slug)
    if not definition.weekly:
        return definition
    return dataclasses.replace(definition, version=1, entry_period=EntryPeriod.MONTH)


def _enter(world, ward_key, slug, month, numerator, denominator=None, reason=""):
    ward = world.wards[ward_key]
    return record_values(
        [
            ValueInput(
                ward,
                monthly(slug),
                month,
                Decimal(numerator),
                None if denominator is None else Decimal(denominator),
                reason=reason,
            )
        ],
        by=world.users["provider_governance"],
        route=ValueRoute.ENTERED,
        label="test",
    )


def test_entered_rate_is_over_its_own_denominator_with_a_gap_where_nothing_was_entered(world):
    _enter(world, "a1", "staff-sickness-rate", JAN, "12", "400")
    _enter(world, "a1", "staff-sickness-rate", MAR, "30", "600")

    series = measure_series(
        measure("staff-sickness-rate"), ward_ids=[world.wards["a1"].pk], since=SINCE, until=UNTIL
    )

    assert list(series["period"]) == [JAN, FEB, MAR]
    assert series["value"].iloc[0] == 3.0 and series["value"].iloc[2] == 5.0
    assert np.isnan(series["numerator"].iloc[1]) and np.isnan(series["value"].iloc[1])


def test_a_correction_replaces_the_value_on_the_chart(world):
    _enter(world, "a1", "safewards-interventions-in-use", JAN, "4")
    counts = _enter(
        world, "a1", "safewards-interventions-in-use", JAN, "6", reason="Fidelity check recounted"
    )

    series = measure_series(
        measure("safewards-interventions-in-use"), ward_ids=[world.wards["a1"].pk], since=SINCE, until=UNTIL
    )

    assert counts == {"created": 0, "corrected": 1, "unchanged": 0}
    assert series["value"].iloc[0] == 6.0


def test_imported_rate_is_over_the_wards_occupied_bed_days(world):
    bed_days(world.wards["a1"], JAN, 500)
    _enter(world, "a1", "assaults-on-staff-per-1000-obd", JAN, "3")

    series = measure_series(
        measure("assaults-on-staff-per-1000-obd"), ward_ids=[world.wards["a1"].pk], since=SINCE, until=UNTIL
    )

    assert series["denominator"].iloc[0] == 500 and series["value"].iloc[0] == 6.0
    assert np.isnan(series["value"].iloc[1])  # February: no bed days and no value


def test_ward_with_no_values_has_no_series_and_a_month_has_no_weeks(world):
    a1, a2 = world.wards["a1"], world.wards["a2"]
    _enter(world, "a1", "safety-huddles-held", JAN, "28", "31")
    definition = measure("safety-huddles-held")

    monthly = measure_series(definition, ward_ids=[a1.pk, a2.pk], since=SINCE, until=UNTIL)
    weekly = measure_series(definition, ward_ids=[a1.pk], since=SINCE, until=UNTIL, period="week")

    assert set(monthly["ward_id"]) == {a1.pk}
    assert weekly.empty


def test_value_measures_chart_with_the_engine_beside_record_measures(world):
    for month, held in zip((JAN, FEB, MAR), ("28", "20", "30"), strict=True):
        _enter(world, "a1", "safety-huddles-held", month, held, "30")
    definitions = [measure("safety-huddles-held"), measure("incidents")]

    many = measure_series_many(definitions, ward_ids=[world.wards["a1"].pk], since=SINCE, until=UNTIL)
    result = analyse_series(definitions[0], many["safety-huddles-held"])

    assert set(many) == {"safety-huddles-held", "incidents"}
    assert result.summaries[-1].centre == pytest.approx(78 / 90 * 100)


def test_every_value_measure_is_read_together_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    """A board reads every entered and imported monthly measure in one ``measure_series_many`` call:
    their values in one query and the bed days (daily, then monthly figures) in two more, however many
    measures there are (read one at a time they cost up to three queries each, 0.31 s of a 50-ward
    board: docs/performance.md). Each series is the one ``ward_values_series`` gives for that measure
    alone."""
    a1, a2 = world.wards["a1"], world.wards["a2"]
    bed_days(a1, JAN, 500)
    bed_days(a2, FEB, 400)
    definitions = [d for d in value_measures().values() if not d.weekly]  # weekly: decision 0079
    for index, definition in enumerate(definitions):
        denominator = "300" if definition.denominator is Denominator.ENTERED else None
        _enter(world, "a1", definition.slug, JAN, str(10 + index), denominator)
        _enter(world, "a2", definition.slug, FEB, str(20 + index), denominator)
    alone = {
        d.slug: ward_values_series(d, ward_ids=[a1.pk, a2.pk], since=SINCE, until=UNTIL, period=Period.MONTH)
        for d in definitions
    }

    with django_assert_max_num_queries(3):
        many = measure_series_many(definitions, ward_ids=[a1.pk, a2.pk], since=SINCE, until=UNTIL)

    assert len(definitions) >= 4
    for definition in definitions:
        pd.testing.assert_frame_equal(many[definition.slug], alone[definition.slug])
        assert set(many[definition.slug]["ward_id"]) == {a1.pk, a2.pk}
    assaults = many["assaults-on-staff-per-1000-obd"]
    entered = 10 + [d.slug for d in definitions].index("assaults-on-staff-per-1000-obd")
    first = assaults[(assaults["ward_id"] == a1.pk) & (assaults["period"] == JAN)].iloc[0]
    assert first["denominator"] == 500 and first["value"] == pytest.approx(entered / 500 * 1000)
    sickness = many["staff-sickness-rate"]
    second = sickness[(sickness["ward_id"] == a2.pk) & (sickness["period"] == FEB)].iloc[0]
    assert second["denominator"] == 300
