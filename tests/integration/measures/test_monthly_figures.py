"""The stored monthly figures (figures.store): the same as the records say, kept fresh by every
write path, never fresh after a write that raced their computing, and one query to read when held."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from rrp.figures import store
from rrp.figures.models import WardMonthFigures
from rrp.force.services import InterventionInput, incident_amend
from rrp.measures.catalogue import measure
from rrp.measures.series import measure_series, measure_series_many, stored_definitions
from rrp.organisations.models import Ward
from rrp.organisations.services import monthly_bed_days_record
from rrp.segregation.services import episode_amend
from tests.integration.measures.series_data import SINCE, UNTIL, at, record, seclusion_episode

RATE = measure("restrictive-interventions-per-1000-obd")
JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


def _all_stored(world, *, stored: bool) -> dict[str, pd.DataFrame]:
    wards = [world.wards["a1"].pk, world.wards["a2"].pk]
    return measure_series_many(
        list(stored_definitions().values()), ward_ids=wards, since=SINCE, until=UNTIL, stored=stored
    )


def assert_store_matches_records(world) -> dict[str, pd.DataFrame]:
    from_records = _all_stored(world, stored=False)
    from_store = _all_stored(world, stored=True)
    for slug, frame in from_records.items():
        pd.testing.assert_frame_equal(from_store[slug], frame, obj=slug)
    return from_store


def _jan_to_mar(world):
    return record(world, "a1", ("01", at(dt.date(2025, 1, 20)), 12))


def test_every_stored_measure_is_what_the_records_say_when_computed_and_when_read_back(provider_a):
    seclusion_episode(provider_a, "a1", at(dt.date(2025, 3, 4)), 6)

    computed = assert_store_matches_records(provider_a)
    read_back = assert_store_matches_records(provider_a)

    assert len(stored_definitions()) >= 10
    assert WardMonthFigures.objects.count() == 6  # 2 wards x 3 months
    assert computed[RATE.slug]["numerator"].sum() == read_back[RATE.slug]["numerator"].sum() == 6


def test_amending_an_incident_into_another_month_refreshes_both_months(provider_a):
    incident = _jan_to_mar(provider_a)
    before = assert_store_matches_records(provider_a)[RATE.slug].set_index(["ward_id", "period"])

    incident_amend(
        incident=incident,
        by=provider_a.users["provider_governance"],
        reason="It was in March",
        interventions=[
            InterventionInput(
                type_code="01", started_at=at(dt.date(2025, 3, 20)), ended_at=at(dt.date(2025, 3, 20), 10, 12)
            )
        ],
        durations_confirmed=True,
    )
    after = assert_store_matches_records(provider_a)[RATE.slug].set_index(["ward_id", "period"])

    a1 = provider_a.wards["a1"].pk
    assert after.loc[(a1, JAN), "numerator"] == before.loc[(a1, JAN), "numerator"] - 1
    assert after.loc[(a1, MAR), "numerator"] == before.loc[(a1, MAR), "numerator"] + 1


def test_moving_a_seclusion_episode_refreshes_both_months(provider_a):
    episode = seclusion_episode(provider_a, "a1", at(dt.date(2025, 3, 4)), 6)
    assert_store_matches_records(provider_a)

    episode_amend(
        episode=episode,
        by=provider_a.users["provider_governance"],
        change_reason="Wrong month",
        started_at=at(dt.date(2025, 1, 4)),
        ended_at=at(dt.date(2025, 1, 4), 16),
    )
    after = assert_store_matches_records(provider_a)[measure("seclusions-per-1000-obd").slug]

    a1 = provider_a.wards["a1"].pk
    by_month = after[after["ward_id"] == a1].set_index("period")["numerator"]
    assert by_month[JAN] == 1 and by_month[MAR] == 0


def test_recording_a_seclusion_on_an_incident_refreshes_the_month_of_its_linked_episode(provider_a):
    # An episode is not counted where its incident records its type; here the episode's month
    # (February) is not a month of the incident's interventions (January), so only the cells force gets
    # from segregation's registered look-up make February stale.
    incident = record(provider_a, "a1", ("01", at(dt.date(2025, 1, 31), 21), 10))
    seclusion_episode(provider_a, "a1", at(dt.date(2025, 2, 1), 1), 6, incident=incident)
    before = assert_store_matches_records(provider_a)[measure("seclusions-per-1000-obd").slug]

    incident_amend(
        incident=incident,
        by=provider_a.users["provider_governance"],
        reason="The seclusion is part of this incident",
        interventions=[
            InterventionInput(
                type_code="01",
                started_at=at(dt.date(2025, 1, 31), 21),
                ended_at=at(dt.date(2025, 1, 31), 21, 10),
            ),
            InterventionInput(
                type_code="05",
                started_at=at(dt.date(2025, 1, 31), 21, 10),
                ended_at=at(dt.date(2025, 2, 1), 7),
            ),
        ],
    )
    after = assert_store_matches_records(provider_a)[measure("seclusions-per-1000-obd").slug]

    a1 = provider_a.wards["a1"].pk
    before, after = (
        frame[frame["ward_id"] == a1].set_index("period")["numerator"] for frame in (before, after)
    )
    assert after[FEB] == before[FEB] - 1  # the episode no longer counts: its incident records it
    assert after[JAN] == before[JAN] + 1  # the incident's seclusion counts where it started


def test_correcting_a_month_of_bed_days_refreshes_its_rates(provider_a):
    assert_store_matches_records(provider_a)

    monthly_bed_days_record(
        ward=provider_a.wards["a1"], month=JAN, bed_days=300, by=provider_a.users["provider_governance"]
    )
    after = assert_store_matches_records(provider_a)[RATE.slug]

    a1 = after[after["ward_id"] == provider_a.wards["a1"].pk].set_index("period")
    assert a1.loc[JAN, "denominator"] == 300


def _counting_compute(calls: list, during=None):
    def compute(ward_ids, first, last):
        calls.append((tuple(ward_ids), first, last))
        if during:
            during()
        return {(w, m): {"n": 7} for w in ward_ids for m in store.months_from(first, last)}

    return compute


def test_a_write_while_figures_are_computed_leaves_them_stale_not_wrong(world):
    ward = world.wards["a1"].pk
    calls: list = []

    def a_writer_commits():  # between reading the generation and storing the figures
        store.mark_changed([(ward, FEB)])

    kw = {"ward_ids": [ward], "months": [JAN, FEB], "key": "k", "names": ["n"]}
    first = store.figures(**kw, compute=_counting_compute(calls, during=a_writer_commits))
    store.figures(**kw, compute=_counting_compute(calls))
    store.figures(**kw, compute=_counting_compute(calls))

    assert first == {(ward, JAN): {"n": 7}, (ward, FEB): {"n": 7}}
    # The second read recomputes February only (January stayed fresh); the third computes nothing.
    assert calls == [((ward,), JAN, FEB), ((ward,), FEB, FEB)]
    row = WardMonthFigures.objects.get(ward_id=ward, month=FEB)
    assert row.computed_generation == row.generation == 1


def test_figures_for_other_definitions_are_recomputed(world):
    ward = world.wards["a1"].pk
    calls: list = []
    kw = {"ward_ids": [ward], "months": [JAN], "names": ["n"]}

    store.figures(**kw, key="first", compute=_counting_compute(calls))
    store.figures(**kw, key="first", compute=_counting_compute(calls))
    store.figures(**kw, key="second", compute=_counting_compute(calls))

    assert len(calls) == 2


def test_figures_held_are_read_in_one_query_whatever_the_wards(provider_a):
    wards = [provider_a.wards["a1"].pk, provider_a.wards["a2"].pk]
    measure_series(RATE, ward_ids=wards, since=SINCE, until=UNTIL)  # computes and stores them

    with CaptureQueriesContext(connection) as one_ward:
        measure_series(RATE, ward_ids=wards[:1], since=SINCE, until=UNTIL)
    with CaptureQueriesContext(connection) as two_wards:
        measure_series(RATE, ward_ids=wards, since=SINCE, until=UNTIL)

    assert len(one_ward) == len(two_wards) == 1


@pytest.mark.parametrize(
    ("since", "until", "period"),
    [
        (dt.date(2025, 1, 2), UNTIL, "month"),  # part of a month
        (SINCE, dt.date(2025, 3, 30), "month"),
        (SINCE, UNTIL, "week"),
    ],
)
def test_part_months_and_weeks_are_computed_from_the_records(provider_a, since, until, period):
    measure_series(RATE, ward_ids=[provider_a.wards["a1"].pk], since=since, until=until, period=period)

    assert not WardMonthFigures.objects.filter(computed_generation__isnull=False).exists()


def test_refresh_command_fills_every_wards_months_and_says_how_many(provider_a):
    out = io.StringIO()
    call_command("refresh_monthly_figures", "--months", "3", stdout=out)

    wards = Ward.objects.count()
    fresh = WardMonthFigures.objects.filter(computed_generation=F("generation"))
    assert fresh.count() == wards * 3
    assert f"fresh for {wards * 3:,} ward-months" in out.getvalue()
    with CaptureQueriesContext(connection) as again:
        call_command("refresh_monthly_figures", "--months", "3", stdout=io.StringIO())
    assert len(again) <= 2  # the wards, then one read: nothing left to compute


def test_refresh_command_refuses_a_silly_number_of_months(world):
    with pytest.raises(CommandError, match="--months must be from 1 to 240"):
        call_command("refresh_monthly_figures", "--months", "0")


def test_voiding_an_incident_takes_it_out_of_the_measures_and_the_stored_months(provider_a):
    """Issue 13 item 5: a voided incident (or a duplicate) is kept but never counted, and the stored
    figures of its months go stale, so the board does not keep showing it."""
    from rrp.force.services import incident_void

    incident = _jan_to_mar(provider_a)
    before = assert_store_matches_records(provider_a)[RATE.slug].set_index(["ward_id", "period"])
    incident_void(incident=incident, by=provider_a.users["provider_governance"], reason="A training record")
    after = assert_store_matches_records(provider_a)[RATE.slug].set_index(["ward_id", "period"])
    a1 = provider_a.wards["a1"].pk
    assert after.loc[(a1, JAN), "numerator"] == before.loc[(a1, JAN), "numerator"] - 1


def test_correcting_the_patient_moves_the_people_counts_and_the_stored_months(provider_a):
    """Issue 13 item 5 (decision 0021): an incident moved to the right patient counts for them, in the
    people-restrained and repeat-concentration measures worked out from the records and stored."""
    from rrp.force.services import incident_patient_correct
    from tests import factories

    ward = provider_a.wards["a1"]
    right, wrong = factories.patient(provider=ward.provider), factories.patient(provider=ward.provider)
    for person in (right, wrong):
        factories.stay(patient=person, ward=ward)
    a1 = ward.pk
    repeat = measure("repeat-restraint-concentration")
    repeats_before = measure_series(repeat, ward_ids=[a1], since=SINCE, until=UNTIL).set_index("period")
    record(
        provider_a,
        "a1",
        ("07", at(dt.date(2025, 1, 20)), 5),
        ("07", at(dt.date(2025, 1, 20), 16, 0), 5),
        patient=right,
    )
    moved = record(provider_a, "a1", ("07", at(dt.date(2025, 1, 21)), 5), patient=wrong)
    people = measure("people-restrained")
    before = assert_store_matches_records(provider_a)
    # Two restraints on one and one on another: under the threshold of three, no repeats added yet.
    repeats = measure_series(repeat, ward_ids=[a1], since=SINCE, until=UNTIL).set_index("period")
    assert repeats.loc[JAN, "numerator"] == repeats_before.loc[JAN, "numerator"]

    incident_patient_correct(
        incident=moved, by=provider_a.users["provider_governance"], patient=right, reason="Wrong bed"
    )
    after = assert_store_matches_records(provider_a)
    counted = {slug: frame.set_index(["ward_id", "period"]) for slug, frame in after.items()}
    was = {slug: frame.set_index(["ward_id", "period"]) for slug, frame in before.items()}
    assert (
        counted[people.slug].loc[(a1, JAN), "numerator"] == was[people.slug].loc[(a1, JAN), "numerator"] - 1
    )
    # Three restraints on one person now, the repeat threshold: all three count as repeats.
    assert repeat.numerator.repeat_threshold == 3
    repeats = measure_series(repeat, ward_ids=[a1], since=SINCE, until=UNTIL).set_index("period")
    assert repeats.loc[JAN, "numerator"] == repeats_before.loc[JAN, "numerator"] + 3
