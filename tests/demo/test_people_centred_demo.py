"""The people-centred demo steps (src/rrp/demo/steps/people_centred.py): a support plan for every
patient restrained twice or more, written after their second incident, some reviewed, some overdue; the
plans valid by the model's own rules; and a second run replaces them (the wipe)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from rrp.demo.generate import demo_data_generate
from rrp.demo.registry import DemoOptions
from rrp.force.models import Incident
from rrp.people.models import SupportPlanVersion

SMALL = DemoOptions(providers=2, wards_per_provider=3, years=1, seed=5, end_date=dt.date(2025, 6, 30))


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_data_generate(options=SMALL)


def test_support_plans_for_patients_restrained_twice(demo) -> None:
    repeat = set(
        Incident.objects.values("patient")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values_list("patient", flat=True)
    )
    planned = set(SupportPlanVersion.objects.filter(number=1).values_list("patient", flat=True))
    assert repeat and planned == repeat
    plans = list(SupportPlanVersion.objects.all())
    for plan in plans:
        plan.full_clean()
        assert plan.recorded_at.date() <= demo.last_day
        assert plan.number == 1 or plan.change_reason
    assert any(p.number == 2 for p in plans)
    current = {}
    for p in plans:
        if p.number >= current.get(p.patient_id, p).number:
            current[p.patient_id] = p
    assert any(p.review_overdue_on(demo.last_day) for p in current.values())
    assert any(not p.review_overdue_on(demo.last_day) for p in current.values())


def test_support_plans_second_run_replaces_the_first(demo) -> None:
    count = SupportPlanVersion.objects.count()
    again = demo_data_generate(options=SMALL)
    assert SupportPlanVersion.objects.count() == count
    assert again.digest == demo.digest


def test_debriefs_for_most_incidents_most_within_72_hours(demo) -> None:
    from rrp.force.models import Debrief
    from rrp.measures.catalogue import measure
    from rrp.measures.series import measure_series
    from rrp.organisations.models import Ward
    from rrp.people.models import SupportPlanReviewRequest

    patient = list(Debrief.objects.filter(kind="patient"))
    assert len(patient) > 0.8 * Incident.objects.count()
    for debrief in patient[:200]:
        debrief.full_clean()
        assert debrief.offered_at.date() <= demo.last_day
        assert (debrief.held_at is None) == bool(debrief.not_held_reason)
    assert Debrief.objects.filter(kind="staff", staff_support_offered=True).exists()
    assert SupportPlanReviewRequest.objects.exists()
    series = measure_series(
        measure("patient-debrief-offered-72h"),
        ward_ids=list(Ward.objects.values_list("pk", flat=True)),
        since=demo.first_day,
        until=demo.last_day,
    )
    share = series["numerator"].sum() / series["denominator"].sum()
    assert 0.6 < share < 0.95


def test_rights_information_for_most_admissions(demo) -> None:
    from rrp.measures.catalogue import measure
    from rrp.measures.series import measure_series
    from rrp.organisations.models import Ward
    from rrp.people.models import HospitalSpell, RightsInformation

    records = list(RightsInformation.objects.select_related("spell"))
    assert len({r.spell_id for r in records}) > 0.7 * HospitalSpell.objects.count()
    for record in records[:300]:
        record.full_clean()
        assert record.given_at >= record.spell.admitted_at
    assert {"given", "not_possible"} <= {r.outcome for r in records}
    series = measure_series(
        measure("rights-information-recorded"),
        ward_ids=list(Ward.objects.values_list("pk", flat=True)),
        since=demo.first_day,
        until=demo.last_day,
    )
    share = series["numerator"].sum() / series["denominator"].sum()
    assert 0.6 < share < 0.98
