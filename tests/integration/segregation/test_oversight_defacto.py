"""Possible de-facto segregation (issue 17, item 4): flags from the records, a decision with reasons that
stands until a newer flag, and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.segregation.models import DeFactoDecision
from rrp.segregation.oversight import defacto_decision_record
from rrp.segregation.oversight_selectors import possible_segregation_for
from rrp.segregation.services import episode_start
from tests.helpers import signed_in_client
from tests.integration.segregation.episode_data import seclusion_kwargs

H, D = dt.timedelta(hours=1), dt.timedelta(days=1)


@pytest.fixture
def secluded(ward, patient, nurse_user, roster):
    """Three seclusions in five days, the last one 50 hours long."""
    now = timezone.now().replace(second=0, microsecond=0)
    for start, hours in ((now - 6 * D, 3), (now - 4 * D, 2), (now - 3 * D, 50)):
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            started_at=start,
            ended_at=start + hours * H,
            end_reason="Calm",
            authorised_by=roster["nurse1"],
            **seclusion_kwargs(),
        )
    return patient


def test_flags_and_a_decision_that_stands_until_a_newer_flag(secluded, nurse_user, world):
    governance = world.users["provider_governance"]
    provider = secluded.provider
    found = possible_segregation_for(governance, provider)
    assert [p.patient for p in found] == [secluded] and found[0].open
    assert sorted(f.kind for f in found[0].flags) == ["long_seclusion", "repeated_seclusion"]
    assert AuditEvent.objects.filter(actor_id=governance.pk, record_type="people.Patient").exists()
    # Another provider's governance sees no one.
    other = world.users["provider_governance"].__class__.objects.create_user(
        username="gov-c",
        password="x-horse-battery-staple",
        role="provider_governance",
        provider=world.providers[2],
    )
    assert possible_segregation_for(other, provider) == []

    with pytest.raises(ValidationError) as error:
        defacto_decision_record(
            provider=provider,
            patient=secluded,
            by=governance,
            flags="x",
            outcome="lts_recorded",
            reasons="Yes",
        )
    assert error.value.message_dict["outcome"] == [
        "Record their long-term segregation episode first, then this decision"
    ]
    with pytest.raises(ValidationError) as error:
        defacto_decision_record(
            provider=provider,
            patient=secluded,
            by=governance,
            flags="x",
            outcome="not_segregation",
            reasons=" ",
        )
    assert error.value.message_dict == {"reasons": ["Give the reasons for the decision"]}
    defacto_decision_record(
        provider=provider,
        patient=secluded,
        by=governance,
        flags="3 seclusions",
        outcome="not_segregation",
        reasons="Mixes freely on the ward between episodes; MDT reviewed",
    )
    assert not possible_segregation_for(governance, provider)[0].open
    # The decision stands while no newer event flags them (three days on, nothing new).
    later = timezone.now() + 3 * D
    assert possible_segregation_for(governance, provider, now=later)[0].open is False
    assert DeFactoDecision.objects.count() == 1


def test_pages(secluded, world, nurse_user):
    client = signed_in_client(nurse_user)
    page = client.get(reverse("segregation:possible-segregation", args=[secluded.provider_id]))
    html = page.content.decode()
    assert page.status_code == 200 and secluded.name in html and "Decision needed" in html
    url = reverse("segregation:defacto-decision", args=[secluded.provider_id, secluded.pk])
    assert "Seclusion of 50 hours" in client.get(url).content.decode()
    response = client.post(url, {"outcome": "keep_under_review", "reasons": ""})
    assert response.status_code == 400 and "Give the reasons for the decision" in response.content.decode()
    assert (
        client.post(url, {"outcome": "keep_under_review", "reasons": "Review at Friday's MDT"}).status_code
        == 302
    )
    decision = DeFactoDecision.objects.get()
    assert "Seclusion of 50 hours" in decision.flags
    html = client.get(
        reverse("segregation:possible-segregation", args=[secluded.provider_id])
    ).content.decode()
    assert "Keep under review" in html and "Decision needed" not in html
    # Another provider's patient is not found through this provider.
    other = reverse("segregation:defacto-decision", args=[secluded.provider_id, world.patients["b1"].pk])
    assert client.get(other).status_code == 404
