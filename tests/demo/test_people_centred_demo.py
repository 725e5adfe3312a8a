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
