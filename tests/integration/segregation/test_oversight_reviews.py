"""Independent reviews of segregation and their recommendations (issue 17, item 1): the services' rules,
overdue, the optimistic lock on status updates, scope and audit, and the pages through the test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.concurrency import StaleVersion
from rrp.core.models import AuditEvent
from rrp.segregation.models import IndependentReview, Recommendation, RecommendationUpdate, Review
from rrp.segregation.oversight import independent_review_record, recommendation_status_set
from rrp.segregation.oversight_selectors import (
    overdue_recommendations_for_provider,
    recommendations_for_provider,
)
from rrp.segregation.selectors import episode_states
from tests import factories
from tests.helpers import signed_in_client

PANEL = [
    {"name": "Dr Ivy Independent", "role": "independent_clinician", "organisation": "Other Trust"},
    {"name": "Eli Expert", "role": "expert_by_experience", "organisation": "Experts Network"},
    {"name": "Casey Commissioner", "role": "commissioner", "organisation": "ICB 1"},
]


def recommendations(today: dt.date) -> list[dict]:
    return [
        {
            "text": "Daily time off the unit with two staff",
            "owner": "provider",
            "due_on": today - dt.timedelta(days=3),
        },
        {
            "text": "Find a community placement",
            "owner": "commissioner",
            "due_on": today + dt.timedelta(days=60),
        },
        {"text": "Sensory assessment by an OT", "owner": "provider", "due_on": today + dt.timedelta(days=14)},
    ]


def record(lts, by, **overrides):
    today = timezone.localdate()
    values = {
        "episode": lts,
        "by": by,
        "held_on": today - dt.timedelta(days=10),
        "panel": PANEL,
        "person_views": "I want to go outside more and see my mum",
        "family_views": "Mother: he is calmer when he has a routine",
        "findings": "Segregation continues to be needed but the plan to end it has stalled",
        "recommendations": recommendations(today),
    } | overrides
    return independent_review_record(**values)


def test_review_recorded_with_panel_recommendations_and_timer_review(lts, nurse_user):
    review = record(lts, nurse_user)
    assert review.panel.count() == 3
    assert list(review.recommendations.values_list("number", "owner")) == [
        (1, "provider"),
        (2, "commissioner"),
        (3, "provider"),
    ]
    assert set(RecommendationUpdate.objects.values_list("status", flat=True)) == {"open"}
    # It is the episode's external independent review on the Code of Practice timers.
    assert (
        review.review.kind == "external_independent" and review.review.reviewer_name == "Dr Ivy Independent"
    )
    state = episode_states([lts])[0]
    assert not any(d.kind == "external_independent" and d.overdue for d in state.due)
    event = AuditEvent.objects.get(record_type="segregation.IndependentReview")
    assert event.patient_id == lts.patient_id and event.detail["recommendations"] == 3


def test_panel_without_expert_by_experience_refused_and_nothing_saved(lts, nurse_user):
    with pytest.raises(ValidationError) as error:
        record(lts, nurse_user, panel=PANEL[:1] + PANEL[2:])
    assert error.value.message_dict["panel_1_name"] == ["The panel must include an expert by experience"]
    assert not IndependentReview.objects.exists() and not Review.objects.exists()


def test_each_bad_field_is_named(lts, nurse_user):
    today = timezone.localdate()
    bad = [
        {"text": "Fine", "owner": "provider", "due_on": today},
        {"text": "No owner", "owner": "", "due_on": today},
        {"text": "", "owner": "provider", "due_on": today - dt.timedelta(days=30)},
    ]
    with pytest.raises(ValidationError) as error:
        record(
            lts,
            nurse_user,
            held_on=today + dt.timedelta(days=1),
            panel=[*PANEL, {"name": "", "role": "other", "organisation": "Somewhere"}],
            person_views=" ",
            recommendations=bad,
        )
    errors = error.value.message_dict
    assert errors["held_on"] == ["The review date cannot be in the future"]
    assert errors["panel_4_name"] == ["Enter the name of panel member 4"]
    assert errors["person_views"] == ["Record the person's own views, or why they could not give them"]
    assert errors["recommendation_2_owner"] == [
        "Choose who owns recommendation 2: the provider or the commissioner"
    ]
    assert errors["recommendation_3_text"] == ["Enter recommendation 3"]
    assert "recommendation_1_text" not in errors
    assert not Recommendation.objects.exists()


def test_seclusion_has_no_independent_review_of_segregation(seclusion, nurse_user):
    with pytest.raises(ValidationError) as error:
        record(seclusion, nurse_user, held_on=timezone.localdate())
    assert "episode" in error.value.message_dict


def test_other_providers_staff_cannot_record(lts, world):
    other = world.users["ward_staff"].__class__.objects.create_user(
        username="other-ward",
        password="x-horse-battery-staple",
        role="ward_staff",
        provider=world.providers[1],
    )
    other.wards.set([world.wards["b1"]])
    with pytest.raises(PermissionDenied):
        record(lts, other)


def test_overdue_until_achieved_with_evidence(lts, nurse_user, world):
    review = record(lts, nurse_user)
    first = review.recommendations.get(number=1)
    states = recommendations_for_provider(nurse_user, lts.provider)
    assert [s.recommendation.number for s in states if s.overdue] == [1]
    assert states[0].recommendation == first and states[0].days_overdue == 3

    recommendation_status_set(
        recommendation=first, by=nurse_user, status="partly", evidence="Twice a week so far", base_version=1
    )
    assert recommendations_for_provider(nurse_user, lts.provider)[0].overdue  # partly is still overdue
    recommendation_status_set(
        recommendation=first,
        by=nurse_user,
        status="achieved",
        evidence="Daily since 1 December",
        base_version=2,
    )
    states = recommendations_for_provider(nurse_user, lts.provider)
    assert not any(s.overdue for s in states)
    assert [u.status for u in first.updates.order_by("number")] == ["open", "partly", "achieved"]


def test_status_update_from_a_stale_version_is_refused(lts, nurse_user):
    first = record(lts, nurse_user).recommendations.get(number=1)
    recommendation_status_set(
        recommendation=first, by=nurse_user, status="achieved", evidence="Done", base_version=1
    )
    with pytest.raises(StaleVersion):
        recommendation_status_set(
            recommendation=first, by=nurse_user, status="not_achieved", evidence="Not done", base_version=1
        )
    assert first.updates.count() == 2


def test_status_needs_evidence(lts, nurse_user):
    first = record(lts, nurse_user).recommendations.get(number=1)
    with pytest.raises(ValidationError) as error:
        recommendation_status_set(
            recommendation=first, by=nurse_user, status="open", evidence="", base_version=1
        )
    assert set(error.value.message_dict) == {"status", "evidence"}


def post_review(client, lts, **overrides):
    today = timezone.localdate()
    data = {
        "held_on": (today - dt.timedelta(days=5)).isoformat(),
        "person_views": "I want to go home",
        "family_views": "Advocate: wants more activity",
        "findings": "Plan stalled",
        "decision": "continue",
    }
    for i, member in enumerate(PANEL, start=1):
        data |= {f"panel_{i}_{k}": v for k, v in member.items()}
    for i, rec in enumerate(recommendations(today), start=1):
        data |= {f"recommendation_{i}_text": rec["text"], f"recommendation_{i}_owner": rec["owner"]}
        data[f"recommendation_{i}_due_on"] = rec["due_on"].isoformat()
    return client.post(reverse("segregation:independent-review-new", args=[lts.pk]), data | overrides)


def test_pages_record_show_and_update(lts, nurse_user, world):
    client = signed_in_client(nurse_user)
    assert client.get(reverse("segregation:independent-review-new", args=[lts.pk])).status_code == 200
    response = post_review(client, lts, panel_2_role="other")
    assert response.status_code == 400
    assert "The panel must include an expert by experience" in response.content.decode()
    response = post_review(client, lts)
    review = IndependentReview.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "segregation:independent-review", args=[review.pk]
    )
    html = client.get(response.url).content.decode()
    assert "1 recommendation overdue" in html and "Eli Expert" in html
    episode_html = client.get(reverse("segregation:episode", args=[lts.pk])).content.decode()
    assert "1 overdue" in episode_html

    first = review.recommendations.get(number=1)
    url = reverse("segregation:recommendation-status", args=[first.pk])
    response = client.post(url, {"status": "achieved", "evidence": "", "base_version": "1"})
    assert response.status_code == 400 and "Enter the evidence for this status" in response.content.decode()
    assert (
        client.post(url, {"status": "achieved", "evidence": "Done", "base_version": "1"}).status_code == 302
    )
    response = client.post(url, {"status": "partly", "evidence": "Later", "base_version": "1"})
    assert response.status_code == 409

    governance = signed_in_client(world.users["provider_governance"])
    page = governance.get(reverse("segregation:provider-recommendations", args=[lts.provider_id]))
    assert page.status_code == 200 and "Find a community placement" in page.content.decode()
    assert AuditEvent.objects.filter(
        record_type="segregation.Recommendation",
        action="view",
        actor_id=world.users["provider_governance"].pk,
    ).exists()


def test_pages_out_of_scope_are_404(lts, nurse_user, world):
    review = record(lts, nurse_user)
    # Provider B's governance sees neither the review nor the recommendation nor A's list.
    other = world.users["provider_governance"].__class__.objects.create_user(
        username="gov-b",
        password="x-horse-battery-staple",
        role="provider_governance",
        provider=world.providers[1],
    )
    client = signed_in_client(other)
    assert client.get(reverse("segregation:independent-review", args=[review.pk])).status_code == 404
    first = review.recommendations.first()
    assert client.get(reverse("segregation:recommendation-status", args=[first.pk])).status_code in (403, 404)
    assert (
        client.get(reverse("segregation:provider-recommendations", args=[lts.provider_id])).status_code == 404
    )
    # The commissioner keeps the pseudonymised view only: no named review.
    commissioner = signed_in_client(world.users["commissioner"])
    assert commissioner.get(reverse("segregation:independent-review", args=[review.pk])).status_code in (
        403,
        404,
    )


def test_overdue_actions_shown_to_the_provider_by_owner(lts, nurse_user, world):
    """The provider's page says how many recommendations are overdue, its own first, each count linked
    to the list narrowed to that owner; achieving one takes it off; another provider sees none of it."""
    today = timezone.localdate()
    overdue_commissioner = {
        "text": "Find a placement",
        "owner": "commissioner",
        "due_on": today - dt.timedelta(days=1),
    }
    review = record(lts, nurse_user, recommendations=[*recommendations(today), overdue_commissioner])
    assert overdue_recommendations_for_provider(nurse_user, lts.provider) == {
        "provider": 1,
        "commissioner": 1,
    }
    owned = recommendations_for_provider(nurse_user, lts.provider, owner="commissioner")
    assert [s.recommendation.text for s in owned] == ["Find a placement", "Find a community placement"]

    client = signed_in_client(world.users["provider_governance"])
    html = client.get(reverse("segregation:provider", args=[lts.provider_id])).content.decode()
    listed = reverse("segregation:provider-recommendations", args=[lts.provider_id])
    assert "2 recommendations from reviews overdue" in html
    assert html.index(f"{listed}?owner=provider") < html.index(f"{listed}?owner=commissioner")
    assert "1 owned by the provider" in html and "1 owned by commissioners" in html
    narrowed = client.get(f"{listed}?owner=commissioner").content.decode()
    assert "Find a placement" in narrowed and "Daily time off the unit" not in narrowed
    assert "Daily time off the unit" in client.get(f"{listed}?owner=anyone").content.decode()
    event = AuditEvent.objects.filter(record_type="segregation.Recommendation", action="view").latest("pk")
    assert len(event.detail["recommendation_ids"]) == 4  # the unnarrowed list: what was shown

    recommendation_status_set(
        recommendation=review.recommendations.get(number=1),
        by=nurse_user,
        status="achieved",
        evidence="Daily walks",
        base_version=1,
    )
    assert overdue_recommendations_for_provider(nurse_user, lts.provider) == {
        "provider": 0,
        "commissioner": 1,
    }
    html = client.get(reverse("segregation:provider", args=[lts.provider_id])).content.decode()
    assert "1 recommendation from reviews overdue" in html and "owned by the provider" not in html
    other = factories.user(role="provider_governance", provider=world.providers[1])
    assert overdue_recommendations_for_provider(other, lts.provider) == {"provider": 0, "commissioner": 0}


def test_owner_filter_with_nothing_owned_says_so(lts, nurse_user, world):
    record(lts, nurse_user, recommendations=recommendations(timezone.localdate())[:1])
    client = signed_in_client(world.users["provider_governance"])
    listed = reverse("segregation:provider-recommendations", args=[lts.provider_id])
    html = client.get(f"{listed}?owner=commissioner").content.decode()
    assert "No recommendation owned by commissioners." in html
    assert '<strong aria-current="page">Owned by commissioners</strong>' in html
