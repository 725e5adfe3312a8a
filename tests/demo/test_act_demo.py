"""The Act's demo step (src/rrp/demo/steps/act.py) for items 4 and 5: every serious injury or death has
its investigation, older ones closed with findings; nearly every older prone restraint is reviewed by a
named reviewer and the latest wait; every row valid by the model's own rules; a second run replaces them."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.act.models import Investigation, InvestigationVersion, ProneReview, ProneReviewer
from rrp.demo.generate import demo_data_generate
from rrp.demo.registry import DemoOptions
from rrp.force.models import IncidentFlag, IncidentVersion

SMALL = DemoOptions(providers=2, wards_per_provider=3, years=1, seed=5, end_date=dt.date(2025, 6, 30))


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_data_generate(options=SMALL)


def test_investigations_and_prone_reviews(demo) -> None:
    harmed = set(
        IncidentVersion.objects.current()
        .filter(patient_serious_injury=True)
        .values_list("incident_id", flat=True)
    )
    assert harmed and set(Investigation.objects.values_list("incident_id", flat=True)) == harmed
    versions = list(InvestigationVersion.objects.all())
    assert len(versions) == len(harmed)
    # Closed once the target date is three weeks past at the period's end; open (a lead named) before.
    assert all(
        (v.closed_on is not None) == (v.due_on + dt.timedelta(days=20) < demo.last_day) for v in versions
    )
    for version in versions:
        version.full_clean()
        assert version.closed_on is None or (version.findings and version.signed_off_by)
    flagged = IncidentFlag.objects.filter(kind="prone_review").count()
    reviews = ProneReview.objects.count()
    assert flagged and 0 < reviews < flagged
    assert set(ProneReview.objects.values_list("incident_id", flat=True)) <= set(
        ProneReviewer.objects.values_list("incident_id", flat=True)
    )
    for review in ProneReview.objects.all()[:50]:
        review.full_clean()
    again = demo_data_generate(options=SMALL)
    assert again.counts == demo.counts and Investigation.objects.count() == len(harmed)
