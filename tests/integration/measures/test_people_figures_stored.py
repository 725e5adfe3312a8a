"""The people-centred measures (issue 15) in the stored monthly figures: each of their write paths
(debriefs, support plan versions, information about rights, the weekly check, and incidents for the
restraints they count together) makes the months it changes stale, so the store always says what the
records say. Each test reads the store first (so it holds the figures from before the write), writes,
and checks the store against the records and that the figure moved."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.utils import timezone

from rrp.core.times import local_month
from rrp.force.debriefs import debrief_record
from rrp.measures.series import measure_series_many, stored_definitions
from rrp.people.services import rights_information_record, support_plan_record, voice_check_record
from tests import factories
from tests.integration.measures.series_data import record

pytestmark = pytest.mark.django_db
PEOPLE = (
    "patient-debrief-offered-72h",
    "patient-debrief-held-72h",
    "plan-reviewed-after-repeat-restraint",
    "rights-information-recorded",
    "patients-felt-safe",
    "patients-treated-with-respect",
)


def _window() -> dict[str, dt.date]:
    """Whole months from two months ago to this one (the writes below are of the last fortnight)."""
    now = timezone.localdate()
    since = local_month(now - dt.timedelta(days=62))
    until = (local_month(now) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {"since": since, "until": until}


def _series(world, *, stored: bool) -> dict[str, pd.DataFrame]:
    wards = [world.wards["a1"].pk, world.wards["a2"].pk]
    return measure_series_many(
        list(stored_definitions().values()), ward_ids=wards, **_window(), stored=stored
    )


def store_matches_records(world) -> dict[str, pd.DataFrame]:
    """The stored figures (filled or refreshed as needed) are exactly what the records say."""
    from_records = _series(world, stored=False)
    from_store = _series(world, stored=True)
    for slug, frame in from_records.items():
        pd.testing.assert_frame_equal(from_store[slug], frame, obj=slug)
    return from_store


def total(frames: dict[str, pd.DataFrame], slug: str) -> tuple[float, float]:
    frame = frames[slug]
    return frame["numerator"].sum(), frame["denominator"].fillna(0).sum()


def ago(**kwargs: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def test_every_people_centred_measure_is_stored():
    assert set(PEOPLE) <= set(stored_definitions())


def test_a_debrief_recorded_refreshes_its_incidents_month(world):
    incident = record(world, "a1", ("01", ago(days=3), 5))
    before = store_matches_records(world)

    debrief_record(
        incident=incident,
        kind="patient",
        by=world.users["ward_staff"],
        base_version=0,
        offered_at=ago(days=2, hours=23),
        held_at=ago(days=2, hours=22),
        held_by="Sam, named nurse",
        account="I was frightened when they held my arms.",
    )
    after = store_matches_records(world)

    assert total(before, "patient-debrief-held-72h") == (0, 1)
    assert total(after, "patient-debrief-held-72h") == (1, 1)
    assert total(after, "patient-debrief-offered-72h") == (1, 1)


def test_a_plan_written_after_a_repeated_restraint_refreshes_that_restraints_month(world):
    person = factories.patient(provider=world.wards["a1"].provider)
    for days in (6, 4, 2):
        record(world, "a1", ("07", ago(days=days), 3), patient=person)
    before = store_matches_records(world)

    support_plan_record(
        patient=person,
        by=world.users["provider_governance"],
        base_version=0,
        what_matters="Time in the garden",
        review_due=timezone.localdate() + dt.timedelta(days=90),
    )
    after = store_matches_records(world)

    assert total(before, "plan-reviewed-after-repeat-restraint") == (0, 1)
    assert total(after, "plan-reviewed-after-repeat-restraint") == (1, 1)


def test_an_earlier_restraint_recorded_late_refreshes_a_later_one_on_another_ward(world):
    person = factories.patient(provider=world.wards["a1"].provider)
    for days in (10, 9):
        record(world, "a2", ("07", ago(days=days), 3), patient=person)
    before = store_matches_records(world)

    record(world, "a1", ("07", ago(days=12), 3), patient=person)  # makes 9 days ago the third in 28
    after = store_matches_records(world)

    a2 = world.wards["a2"].pk
    plans = after["plan-reviewed-after-repeat-restraint"]
    assert total(before, "plan-reviewed-after-repeat-restraint") == (0, 0)
    assert plans[plans["ward_id"] == a2]["denominator"].fillna(0).sum() == 1


def test_information_about_rights_refreshes_the_month_of_the_admission(world):
    ward = world.wards["a2"]
    person = factories.patient(provider=ward.provider)
    factories.stay(patient=person, ward=ward, started_at=ago(days=5))
    before = store_matches_records(world)

    rights_information_record(
        patient=person,
        by=world.users["provider_governance"],
        occasion="admission",
        recipient="patient",
        outcome="given",
        format="written",
        given_at=ago(days=4),
    )
    after = store_matches_records(world)

    assert (
        total(before, "rights-information-recorded")[0] == total(after, "rights-information-recorded")[0] - 1
    )


def test_a_weekly_check_refreshes_its_wards_month(world):
    before = store_matches_records(world)

    voice_check_record(
        ward=world.wards["a1"], by=world.users["ward_staff"], felt_safe="always", respected="no"
    )
    after = store_matches_records(world)

    assert total(before, "patients-felt-safe") == (0, 0)
    assert total(after, "patients-felt-safe") == (1, 1)
    assert total(after, "patients-treated-with-respect") == (0, 1)
