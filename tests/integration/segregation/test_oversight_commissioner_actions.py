"""Commissioners record the status of the actions they own (issue 17, decision 0076): any commissioner
of an ICB that commissions the provider, on a recommendation owned by commissioners and only that,
through the same service, append-only history, optimistic lock and audit as the provider's staff; the
person by pseudonym unless a grant is in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.core.concurrency import StaleVersion
from rrp.core.models import AuditEvent
from rrp.segregation.models import RecommendationUpdate
from rrp.segregation.oversight import independent_review_record, named_access_grant, recommendation_status_set
from rrp.segregation.oversight_selectors import commissioned_recommendation_get_for
from rrp.segregation.pseudonyms import pseudonym
from tests import factories
from tests.helpers import signed_in_client

D = dt.timedelta(days=1)


@pytest.fixture
def commissioner(world):
    return world.users["commissioner"]


@pytest.fixture
def review(lts, nurse_user, patient):
    today = timezone.localdate()
    return independent_review_record(
        episode=lts,
        by=nurse_user,
        held_on=today - 20 * D,
        panel=[
            {"name": "Dr Ivy", "role": "independent_clinician", "organisation": ""},
            {"name": "Eli", "role": "expert_by_experience", "organisation": ""},
        ],
        person_views="Wants to go home",
        family_views="Agrees",
        findings="Stalled",
        recommendations=[
            {"text": f"Find {patient.given_name} a placement", "owner": "commissioner", "due_on": today - D},
            {"text": "More activity", "owner": "provider", "due_on": today + 9 * D},
        ],
    )


def owned(review, owner):
    return review.recommendations.get(owner=owner)


def test_commissioner_records_status_of_an_action_it_owns_audited(review, commissioner):
    action = owned(review, "commissioner")
    update = recommendation_status_set(
        recommendation=action, by=commissioner, status="achieved", evidence="Placement found", base_version=1
    )
    assert (update.number, update.status, update.recorded_by) == (2, "achieved", commissioner)
    # The first version is kept: the history is append-only.
    assert list(action.updates.order_by("number").values_list("status", flat=True)) == ["open", "achieved"]
    event = AuditEvent.objects.get(record_type="segregation.Recommendation", action="change")
    assert event.actor_id == commissioner.pk and event.provider_id == review.provider_id
    assert event.detail["status"] == "achieved" and event.detail["version"] == 2


def test_commissioner_cannot_record_the_providers_action(review, commissioner):
    with pytest.raises(PermissionDenied):
        recommendation_status_set(
            recommendation=owned(review, "provider"),
            by=commissioner,
            status="achieved",
            evidence="Not ours",
            base_version=1,
        )
    assert RecommendationUpdate.objects.filter(number=2).count() == 0


def test_commissioner_of_another_icb_cannot_record(review, world):
    other = factories.user(role=Role.COMMISSIONER, commissioner=world.commissioners[1])
    action = owned(review, "commissioner")
    with pytest.raises(PermissionDenied):
        recommendation_status_set(
            recommendation=action, by=other, status="achieved", evidence="x", base_version=1
        )
    assert commissioned_recommendation_get_for(other, action.pk) is None


def test_commissioner_update_refused_when_stale_or_without_evidence(review, commissioner, nurse_user):
    action = owned(review, "commissioner")
    with pytest.raises(ValidationError) as excinfo:
        recommendation_status_set(
            recommendation=action, by=commissioner, status="open", evidence=" ", base_version=1
        )
    assert set(excinfo.value.message_dict) == {"status", "evidence"}
    # Provider staff keep recording either owner's action (decision 0076); the commissioner's stale save
    # is then refused rather than overwriting it.
    recommendation_status_set(
        recommendation=action, by=nurse_user, status="partly", evidence="Panel met", base_version=1
    )
    with pytest.raises(StaleVersion):
        recommendation_status_set(
            recommendation=action, by=commissioner, status="achieved", evidence="Found", base_version=1
        )
    assert action.updates.count() == 2


def test_page_pseudonymised_without_a_grant_and_updates(review, commissioner, patient):
    action = owned(review, "commissioner")
    client = signed_in_client(commissioner)
    listed = client.get(reverse("segregation:commissioner-recommendations") + "?owner=commissioner")
    url = reverse("segregation:commissioner-recommendation-status", args=[action.pk])
    assert url in listed.content.decode()
    html = client.get(url).content.decode()
    assert pseudonym(patient.pk) in html
    assert patient.given_name not in html and patient.family_name not in html
    assert AuditEvent.objects.filter(
        record_type="segregation.Recommendation", action="view", actor_id=commissioner.pk
    ).exists()

    response = client.post(url, {"status": "achieved", "evidence": "", "base_version": "1"})
    assert response.status_code == 400 and "Enter the evidence for this status" in response.content.decode()
    response = client.post(url, {"status": "achieved", "evidence": "Placement found", "base_version": "1"})
    assert response.status_code == 302
    assert action.updates.order_by("-number").first().status == "achieved"
    response = client.post(url, {"status": "partly", "evidence": "Later", "base_version": "1"})
    assert response.status_code == 409 and "Someone else updated" in response.content.decode()
    # The evidence may name the person: shown only with a grant.
    assert "Placement found" not in client.get(url).content.decode()


def test_page_names_the_person_with_a_grant(review, commissioner, patient, world, lts):
    named_access_grant(
        provider=lts.provider,
        by=world.users["provider_governance"],
        user=commissioner,
        patient=patient,
        lawful_basis="care_commissioning",
        basis_detail="Case manager",
        ends_on=timezone.localdate() + 30 * D,
    )
    action = owned(review, "commissioner")
    html = signed_in_client(commissioner).get(
        reverse("segregation:commissioner-recommendation-status", args=[action.pk])
    )
    assert f"Find {patient.given_name} a placement" in html.content.decode()
    view = AuditEvent.objects.filter(
        record_type="segregation.Recommendation", action="view", actor_id=commissioner.pk
    ).get()
    assert view.detail["named_access_grant"] is not None


def test_page_scope_404_403_and_provider_staff_refused(review, commissioner, world, nurse_user):
    provider_action = owned(review, "provider")
    action = owned(review, "commissioner")
    client = signed_in_client(commissioner)
    url = reverse("segregation:commissioner-recommendation-status", args=[provider_action.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "achieved", "evidence": "x", "base_version": "1"}).status_code == 403
    other = factories.user(role=Role.COMMISSIONER, commissioner=world.commissioners[1])
    mine = reverse("segregation:commissioner-recommendation-status", args=[action.pk])
    assert signed_in_client(other).get(mine).status_code == 404
    # Provider staff record on the provider's page, not this one.
    assert signed_in_client(nurse_user).get(mine).status_code == 403
    assert provider_action.updates.count() == 1 and action.updates.count() == 1
