"""Correcting a review's own text (issue 17, item 4): a new version with the reason, never an
overwrite; the page shows the current text and every earlier version; a stale save is refused (409)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rrp.core.concurrency import StaleVersion
from rrp.segregation.models import IndependentReview, IndependentReviewText
from rrp.segregation.oversight import review_text_correct
from tests.helpers import signed_in_client
from tests.integration.segregation.test_oversight_reviews import record


def correct(review, by, **overrides):
    values = {
        "review": review,
        "by": by,
        "person_views": review.person_views,
        "family_views": review.family_views,
        "findings": "Segregation continues to be needed; the plan has stalled for want of staff",
        "change_reason": "The findings left out why the plan stalled",
        "base_version": 1,
    } | overrides
    return review_text_correct(**values)


def test_a_correction_is_a_new_version_and_the_review_is_kept(lts, nurse_user):
    review = record(lts, nurse_user)
    first = review.findings
    correction = correct(review, nurse_user)
    assert correction.number == 2
    review.refresh_from_db()
    assert review.findings == first  # never overwritten
    with pytest.raises(StaleVersion):
        correct(review, nurse_user, findings="Another", base_version=1)
    assert IndependentReviewText.objects.count() == 1


def test_refused_without_a_reason_or_without_a_change(lts, nurse_user):
    review = record(lts, nurse_user)
    with pytest.raises(ValidationError) as error:
        correct(review, nurse_user, change_reason=" ", person_views="")
    assert set(error.value.message_dict) == {"change_reason", "person_views"}
    with pytest.raises(ValidationError) as error:
        correct(review, nurse_user, findings=review.findings)
    assert error.value.message_dict["findings"] == ["Nothing was changed: correct the text, or go back"]
    assert not IndependentReviewText.objects.exists()


def test_pages_correct_and_show_the_history(lts, nurse_user):
    review = record(lts, nurse_user)
    client = signed_in_client(nurse_user)
    url = reverse("segregation:review-text-correct", args=[review.pk])
    assert client.get(url).status_code == 200
    data = {
        "person_views": review.person_views,
        "family_views": review.family_views,
        "findings": "Corrected findings: staffing stalled the plan",
        "change_reason": "",
        "base_version": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "Say why the review" in response.content.decode()
    response = client.post(url, data | {"change_reason": "Left out the cause"})
    assert response.status_code == 302
    html = client.get(reverse("segregation:independent-review", args=[review.pk])).content.decode()
    assert "Corrected findings: staffing stalled the plan" in html and "Version 1, as recorded" in html
    stale = client.post(url, data | {"change_reason": "Again", "findings": "Typed while another saved"})
    # Refused, and nothing typed is lost: the form comes back with the text, says why, and its next save
    # starts from the latest version (2).
    stale_html = stale.content.decode()
    assert stale.status_code == 409 and "Typed while another saved" in stale_html
    assert "Someone else corrected this review" in stale_html
    assert re.search(r'name="base_version" value="2"', stale_html)
    assert IndependentReview.objects.get().findings == review.findings
