"""The board's figures on people in segregation (issue 17, item 6): people in long-term segregation,
their days in it, external reviews, C(E)TRs and recommendations overdue; inside the provider only."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from rrp.organisations.models import Ward
from rrp.people.models import Patient
from rrp.segregation.oversight_selectors import oversight_figures
from tests.helpers import signed_in_client
from tests.integration.segregation.test_oversight_reviews import record


def test_figures_count_people_days_and_what_is_overdue(lts, nurse_user, world):
    provider = lts.provider
    wards = Ward.objects.filter(provider=provider)
    figures = oversight_figures(provider, wards)
    assert figures.people_in_lts == 1 and figures.days_in_lts == [120]
    assert figures.external_reviews_overdue == 1  # 120 days in, no external review yet
    assert figures.recommendations_overdue == 0 and figures.cetrs_overdue == 0

    record(lts, nurse_user)  # an independent review: the external review is met, one recommendation overdue
    # Ward a2's patient is autistic and admitted 10 days ago: the post-admission C(E)TR is not yet due.
    Patient.objects.filter(pk=world.patients["a2"].pk).update(autism="Y")
    figures = oversight_figures(provider, wards, now=timezone.now() + dt.timedelta(days=5))
    assert figures.external_reviews_overdue == 0
    assert figures.recommendations_overdue == 1
    assert figures.cetrs_overdue == 1  # 15 days after admission


def test_board_shows_them_inside_the_provider_only(lts, world):
    url = reverse("reports:board", args=[lts.provider_id])
    html = signed_in_client(world.users["provider_governance"]).get(url).content.decode()
    assert "People in long-term segregation" in html and "External independent reviews overdue" in html
    outside = signed_in_client(world.users["commissioner"]).get(url)
    assert outside.status_code == 200
    assert "Shown only inside the provider" in outside.content.decode()
