"""Care (Education) and Treatment Reviews (issue 17, items 1 and 2): recorded like independent reviews of
segregation but of the person, for everyone in hospital with a learning disability or autism; their
recommendations are actions on the same lists; the schedule lists who is due and overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.people.models import Patient
from rrp.segregation.models import IndependentReview, Review
from rrp.segregation.oversight import cetr_record, recommendation_status_set
from rrp.segregation.oversight_selectors import cetr_schedule_for, recommendations_for_provider
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.segregation.test_oversight_reviews import PANEL, recommendations


@pytest.fixture
def autistic(patient):
    """Ward a1's patient (an adult admitted 10 days ago), recorded as autistic."""
    Patient.objects.filter(pk=patient.pk).update(autism="Y")
    patient.refresh_from_db()
    return patient


def record(patient, by, **overrides):
    today = timezone.localdate()
    values = {
        "patient": patient,
        "by": by,
        "held_on": today - dt.timedelta(days=5),
        "panel": PANEL,
        "person_views": "I want to live near my sister",
        "family_views": "Sister: the ward is too noisy for him",
        "findings": "He does not need to be in hospital; a community placement is needed",
        "recommendations": recommendations(today),
    } | overrides
    return cetr_record(**values)


def test_ctr_recorded_for_an_adult_with_its_recommendations(autistic, nurse_user):
    review = record(autistic, nurse_user)
    assert review.kind == "ctr" and review.episode is None and review.review is None
    assert review.panel.count() == 3 and review.recommendations.count() == 3
    assert not Review.objects.exists()  # no segregation timer is touched
    event = AuditEvent.objects.get(record_type="segregation.IndependentReview")
    assert event.patient_id == autistic.pk and event.detail["kind"] == "ctr"


def test_cetr_for_someone_under_18_on_the_day(autistic, nurse_user):
    Patient.objects.filter(pk=autistic.pk).update(
        date_of_birth=timezone.localdate() - dt.timedelta(days=16 * 365)
    )
    autistic.refresh_from_db()
    assert record(autistic, nurse_user).kind == "cetr"


def test_refused_for_someone_recorded_without_learning_disability_or_autism(patient, nurse_user):
    with pytest.raises(ValidationError) as error:
        record(patient, nurse_user)
    assert "patient" in error.value.message_dict
    assert not IndependentReview.objects.exists()


def test_refused_before_admission_or_in_the_future_and_each_field_named(autistic, nurse_user):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        record(autistic, nurse_user, held_on=today - dt.timedelta(days=30), findings="", panel=PANEL[1:])
    errors = error.value.message_dict
    assert errors["held_on"] == ["The C(E)TR must be on a day the person was in hospital here"]
    assert errors["findings"] == ["Enter what the panel found"]
    assert errors["panel_1_name"] == ["The panel must include an independent clinician"]
    with pytest.raises(ValidationError) as error:
        record(autistic, nurse_user, held_on=today + dt.timedelta(days=1))
    assert error.value.message_dict["held_on"] == ["The C(E)TR date cannot be in the future"]
    assert not IndependentReview.objects.exists()


def test_other_providers_staff_cannot_record(autistic, world):
    other = factories.user(role="ward_staff", provider=world.providers[1], wards=[world.wards["b1"]])
    with pytest.raises(PermissionDenied):
        record(autistic, other)


def test_recommendations_are_actions_on_the_providers_list(autistic, nurse_user):
    review = record(autistic, nurse_user)
    states = recommendations_for_provider(nurse_user, autistic.provider)
    assert [s.recommendation.independent_review_id for s in states] == [review.pk] * 3
    assert [s.recommendation.number for s in states if s.overdue] == [1]
    first = review.recommendations.get(number=1)
    recommendation_status_set(
        recommendation=first, by=nurse_user, status="achieved", evidence="Placement found", base_version=1
    )
    assert not any(s.overdue for s in recommendations_for_provider(nurse_user, autistic.provider))


def test_schedule_lists_every_inpatient_with_learning_disability_or_autism(autistic, nurse_user, world):
    governance = world.users["provider_governance"]
    # Ward a2's patient: learning disability unknown, so counted as not known, not scheduled.
    schedule = cetr_schedule_for(governance, autistic.provider)
    assert [r.patient for r in schedule.rows] == [autistic]
    assert schedule.unknown == 1
    row = schedule.rows[0]
    # Admitted 10 days ago, no C(E)TR: the post-admission one is due in 4 days.
    assert row.due.post_admission and row.due_soon and not row.overdue
    assert row.due.due_on == row.admitted_on + dt.timedelta(days=14)

    record(autistic, nurse_user)
    row = cetr_schedule_for(governance, autistic.provider).rows[0]
    assert not row.due.post_admission and row.group == "adult"
    assert row.last_held_on == timezone.localdate() - dt.timedelta(days=5)
    assert (row.due.due_on - row.last_held_on).days in range(181, 185)  # six calendar months
    assert AuditEvent.objects.filter(
        actor_id=governance.pk, record_label__startswith="C(E)TR schedule"
    ).exists()


def test_schedule_flags_an_overdue_post_admission_review(world, nurse_user):
    ward = world.wards["a1"]
    person = factories.patient(provider=ward.provider, learning_disability="Y")
    factories.stay(patient=person, ward=ward, started_at=timezone.now() - dt.timedelta(days=30))
    rows = {r.patient: r for r in cetr_schedule_for(nurse_user, ward.provider).rows}
    assert rows[person].overdue and rows[person].days_overdue == 16


def test_schedule_is_scoped(autistic, world):
    other = factories.user(role="provider_governance", provider=world.providers[1])
    assert cetr_schedule_for(other, autistic.provider).rows == []


def test_pages_record_schedule_and_summary(autistic, nurse_user, world):
    client = signed_in_client(nurse_user)
    url = reverse("segregation:cetr-new", args=[autistic.pk])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    data = {
        "held_on": (today - dt.timedelta(days=1)).isoformat(),
        "person_views": "I want to go home",
        "family_views": "Advocate: wants a plan",
        "findings": "Discharge plan needed",
    }
    for i, member in enumerate(PANEL, start=1):
        data |= {f"panel_{i}_{k}": v for k, v in member.items()}
    data |= {"recommendation_1_text": "Agree a discharge date", "recommendation_1_owner": "commissioner"}
    response = client.post(url, data | {"recommendation_1_due_on": ""})
    assert response.status_code == 400
    assert "Enter the date recommendation 1 is due" in response.content.decode()
    response = client.post(
        url, data | {"recommendation_1_due_on": (today + dt.timedelta(days=30)).isoformat()}
    )
    review = IndependentReview.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "segregation:independent-review", args=[review.pk]
    )
    html = client.get(response.url).content.decode()
    assert "Care and Treatment Review (CTR)" in html and "Agree a discharge date" in html

    summary = client.get(reverse("segregation:patient", args=[autistic.pk])).content.decode()
    assert "Care and Treatment Review (CTR) of" in summary and "Agree a discharge date" in summary

    governance = signed_in_client(world.users["provider_governance"])
    page = governance.get(reverse("segregation:cetr-schedule", args=[autistic.provider_id])).content.decode()
    assert autistic.family_name in page and "1 inpatient not known" in page

    outsider = signed_in_client(factories.user(role="provider_governance", provider=world.providers[1]))
    assert outsider.get(reverse("segregation:independent-review", args=[review.pk])).status_code == 404
    assert outsider.get(reverse("segregation:cetr-schedule", args=[autistic.provider_id])).status_code == 404
