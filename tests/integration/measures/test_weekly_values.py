"""Weekly values (issue 20, decision 0079): a measure whose definition says ``entry_period: week`` takes a
value per ISO week (Monday start) on the ward's page, the import and the API; a date that is not a Monday
is refused by row and column; the weekly huddle charts the weeks, and the months are rolled up (a sum of
huddles held over huddles planned, the mean of Safewards in use, a count only with every week given)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rrp.core.csv_import import ImportRejected
from rrp.measures.catalogue import (
    Combine,
    EntryPeriod,
    MeasureDefinitionError,
    measure,
    parse_definition,
    shipped_measures,
)
from rrp.measures.models import MeasureValue, ValuePeriod, ValueRoute
from rrp.measures.series import Period, measure_series, month_of_week, roll_up_weeks, weeks_of_month
from rrp.measures.values import ValueInput, measure_values_import, record_values
from rrp.organisations.models import Ward
from rrp.reports.huddle import huddle_figures
from tests.helpers import signed_in_client

HEADER = "ward_code,measure,period_start,numerator,denominator\n"
HUDDLES = "safety-huddles-held"
SAFEWARDS = "safewards-interventions-in-use"


def monday(weeks_back: int) -> dt.date:
    """The Monday of the week ``weeks_back`` ended weeks ago (1 = last week)."""
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks_back)


def a_whole_month() -> dt.date:
    """A month that ended at least two weeks ago, so all its weeks have ended."""
    return (timezone.localdate() - dt.timedelta(days=45)).replace(day=1)


def enter(
    world, slug: str, start: dt.date, numerator: str, denominator: str | None = None, ward="a1"
) -> None:
    record_values(
        [
            ValueInput(
                world.wards[ward],
                measure(slug),
                start,
                Decimal(numerator),
                None if denominator is None else Decimal(denominator),
            )
        ],
        by=None,
        route=ValueRoute.ENTERED,
        label="test",
    )


# ---- the definitions


def test_huddles_and_safewards_are_weekly_and_the_others_monthly():
    measures = shipped_measures()
    assert measures[HUDDLES].weekly and measures[SAFEWARDS].weekly
    assert not measures["staff-sickness-rate"].weekly
    assert not measures["assaults-on-staff-per-1000-obd"].weekly


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"denominator": "occupied_bed_days"}, "a week straddles two months of bed days"),
        ({"entry_period": "fortnight"}, "entry_period"),
    ],
)
def test_a_weekly_definition_that_cannot_be_rolled_up_is_refused(changes, reason):
    data = {
        "version": 1,
        "name": "Falls",
        "kind": "balancing",
        "why_it_matters": "x",
        "numerator": {"description": "Falls", "counts": "ward_values"},
        "denominator": "none",
        "unit": "falls",
        "multiplier": 1,
        "improvement_direction": "decrease",
        "default_chart": "xmr",
        "mhsds_metric": None,
        "source": "entered",
        "entry_period": "week",
        "authored_by": "A",
        "checked_by": "B",
        "next_review": "2027-12-31",
        **changes,
    }
    with pytest.raises(MeasureDefinitionError) as refused:
        parse_definition(data, path="falls.json")
    assert "entry_period" in str(refused.value) and reason in str(refused.value)


# ---- the roll-up to months


def test_a_week_belongs_to_the_month_of_its_thursday():
    assert month_of_week(dt.date(2026, 6, 29)) == dt.date(2026, 7, 1)  # Mon 29 Jun: Thursday 2 July
    assert month_of_week(dt.date(2026, 9, 28)) == dt.date(2026, 10, 1)  # Thursday 1 October
    assert month_of_week(dt.date(2026, 11, 30)) == dt.date(2026, 12, 1)  # Thursday 3 December
    assert weeks_of_month(dt.date(2026, 10, 1)) == [
        dt.date(2026, 9, 28),
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 19),
        dt.date(2026, 10, 26),
    ]


def test_roll_up_sums_a_rate_means_a_level_and_counts_only_a_whole_month():
    october = weeks_of_month(dt.date(2026, 10, 1))  # five weeks
    november = weeks_of_month(dt.date(2026, 11, 1))  # four weeks
    huddles = {(1, w): (6.0, 7.0) for w in october[:4]}  # one week not given
    assert roll_up_weeks(measure(HUDDLES), huddles) == {(1, dt.date(2026, 10, 1)): (24.0, 28.0)}
    levels = {(1, october[0]): (4.0, None), (1, october[1]): (6.0, None)}
    assert roll_up_weeks(measure(SAFEWARDS), levels) == {(1, dt.date(2026, 10, 1)): (5.0, None)}
    count = dataclasses.replace(measure(SAFEWARDS), combine=Combine.SUM)
    weeks = {(1, w): (2.0, None) for w in october[:4]} | {(1, w): (1.0, None) for w in november}
    # October lacks a week: a gap, not 8 (which would read as fewer events); November is whole.
    assert roll_up_weeks(count, weeks) == {(1, dt.date(2026, 11, 1)): (4.0, None)}


# ---- storage


def test_a_weekly_value_is_kept_by_week_and_the_database_refuses_a_week_not_on_a_monday(world):
    enter(world, HUDDLES, monday(1), "6", "7")

    value = MeasureValue.objects.get()
    assert (value.period, value.period_start, value.definition_version) == ("week", monday(1), 2)
    with transaction.atomic(), pytest.raises(IntegrityError):
        MeasureValue.objects.create(
            ward=world.wards["a1"],
            measure_slug=HUDDLES,
            definition_version=2,
            period=ValuePeriod.WEEK,
            period_start=monday(1) + dt.timedelta(days=1),
            numerator=1,
            denominator=7,
            version=1,
            route=ValueRoute.ENTERED,
            recorded_at=timezone.now(),
        )


# ---- the import and the API


def test_import_takes_a_monday_for_a_weekly_measure_and_refuses_other_days_by_row_and_column(world, tmp_path):
    a1 = world.wards["a1"].code
    good = tmp_path / "ward-tallies.csv"
    good.write_text(
        HEADER + f"{a1},{HUDDLES},{monday(1)},6,7\n{a1},{SAFEWARDS},{monday(2)},5,\n", encoding="utf-8"
    )
    assert measure_values_import(source=good, wards=Ward.objects.all(), by=None)["created"] == 2
    assert measure_values_import(source=good, wards=Ward.objects.all(), by=None)["unchanged"] == 2

    tuesday = monday(2) + dt.timedelta(days=1)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + f"{a1},{HUDDLES},{tuesday},6,7\n"
        + f"{a1},{HUDDLES},{monday(0)},6,7\n"
        + f"{a1},{SAFEWARDS},{a_whole_month():%Y-%m},5,\n"
        + f"{a1},{SAFEWARDS},{monday(3)},4,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        measure_values_import(source=bad, wards=Ward.objects.all(), by=None)

    assert [str(e) for e in rejected.value.errors] == [
        f"Row 2, column period_start (value '{tuesday}'): enter the Monday the week starts: {tuesday} is a "
        f"Tuesday (its week starts on {monday(2)})",
        f"Row 3, column period_start (value '{monday(0)}'): the week has not ended yet: enter it from "
        f"Monday {monday(0) + dt.timedelta(days=7):%d %B %Y}",
        f"Row 4, column period_start (value '{a_whole_month():%Y-%m}'): enter the Monday the week starts as "
        "YYYY-MM-DD, for example 2026-03-02",
    ]
    assert MeasureValue.objects.count() == 2  # nothing of the bad file saved, not even its good row 5


# ---- the ward's page


def test_ward_manager_enters_and_corrects_a_week_on_the_page(world):
    client = signed_in_client(world.users["ward_manager"])
    a1 = world.wards["a1"]
    url = reverse("measures:ward-values", args=(a1.pk,))
    form = {
        "measure": HUDDLES,
        "month": monday(1).isoformat(),
        "numerator": "5",
        "denominator": "7",
        "base_version": "0",
    }

    not_monday = client.post(url, {**form, "month": (monday(1) + dt.timedelta(days=2)).isoformat()})
    saved = client.post(url, form)
    corrected = client.post(
        url, {**form, "numerator": "6", "base_version": "1", "reason": "One huddle missed off"}
    )
    page = client.get(url).content.decode()
    chosen = client.get(url, {"measure": HUDDLES, "month": monday(1).isoformat()}).content.decode()

    assert not_monday.status_code == 400
    assert "Enter the Monday the week starts" in not_monday.content.decode()
    assert saved.status_code == 302 and corrected.status_code == 302
    assert list(MeasureValue.objects.values_list("period", "version", "numerator")) == [
        ("week", 1, Decimal(5)),
        ("week", 2, Decimal(6)),
    ]
    assert "Weekly values held for the last 12 weeks" in page
    assert "6 of 7 (v2)" in page
    assert "Share of planned safety huddles held (weekly)" in page
    assert f'value="{monday(1).isoformat()}"' in chosen and "One huddle missed off" in chosen


# ---- the charts


def test_weekly_huddle_charts_the_weeks_and_the_monthly_series_rolls_them_up(world):
    month = a_whole_month()
    for week in weeks_of_month(month):
        enter(world, HUDDLES, week, "5", "7")
        enter(world, SAFEWARDS, week, "4" if week.day % 2 else "6")
    enter(world, HUDDLES, monday(1), "7", "7")
    a1 = world.wards["a1"].pk
    last = monday(1) + dt.timedelta(days=6)

    weekly = measure_series(measure(HUDDLES), ward_ids=[a1], since=monday(10), until=last, period=Period.WEEK)
    monthly = measure_series(measure(HUDDLES), ward_ids=[a1], since=month, until=last, period=Period.MONTH)
    levels = measure_series(measure(SAFEWARDS), ward_ids=[a1], since=month, until=last, period=Period.MONTH)

    assert weekly["period"].iloc[-1] == monday(1) and weekly["value"].iloc[-1] == pytest.approx(100.0)
    first = monthly[monthly["period"] == month].iloc[0]
    weeks = len(weeks_of_month(month))
    assert (first["numerator"], first["denominator"]) == (5 * weeks, 7 * weeks)
    assert first["value"] == pytest.approx(500 / 7)
    given = [4 if w.day % 2 else 6 for w in weeks_of_month(month)]
    assert levels[levels["period"] == month]["value"].iloc[0] == pytest.approx(np.mean(given))

    huddle = huddle_figures(world.wards["a1"], today=timezone.localdate(), period="week")
    assert HUDDLES in [chart.definition.slug for chart in huddle.charts]


def test_a_month_given_before_the_measure_was_weekly_still_stands(world):
    """Values of version 1 (monthly) are kept and charted: a month given whole is not replaced by its
    weeks' roll-up, and the weeks fill the months after."""
    month = a_whole_month()
    version_1 = dataclasses.replace(measure(HUDDLES), version=1, entry_period=EntryPeriod.MONTH)
    record_values(
        [ValueInput(world.wards["a1"], version_1, month, Decimal(20), Decimal(30))],
        by=None,
        route=ValueRoute.ENTERED,
        label="test",
    )
    for week in weeks_of_month(month):
        enter(world, HUDDLES, week, "1", "7")

    series = measure_series(
        measure(HUDDLES),
        ward_ids=[world.wards["a1"].pk],
        since=month,
        until=month.replace(day=28),
        period="month",
    )

    assert (series["numerator"].iloc[0], series["denominator"].iloc[0]) == (20, 30)
    assert MeasureValue.objects.filter(period="month").get().definition_version == 1
