"""Seclusion and segregation pages through the test client: happy paths, errors, scope and audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.segregation.models import Episode, Review
from rrp.segregation.selectors import pseudonym
from rrp.segregation.services import episode_start
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.segregation.episode_data import lts_kwargs

H = dt.timedelta(hours=1)


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def client(nurse_user):
    return signed_in_client(nurse_user)


def test_index_lists_wards(client, ward):
    response = client.get(reverse("segregation:index"))
    assert response.status_code == 200
    assert reverse("segregation:ward", args=[ward.pk]) in response.content.decode()


def test_ward_page_shows_overdue_episode(client, seclusion, ward, patient):
    response = client.get(reverse("segregation:ward", args=[ward.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert patient.family_name in html
    # the episode started 3 hours ago to the minute; a slow run may cross one more minute boundary
    assert re.search(r"Overdue by 2 h [01] min", html)
    assert "Medical review:" in html


def test_ward_page_out_of_scope_is_404(client, world):
    response = client.get(reverse("segregation:ward", args=[world.wards["b1"].pk]))
    assert response.status_code == 404


def test_provider_page_lists_overdue_reviews(world, seclusion, ward):
    client = signed_in_client(world.users["provider_governance"])
    response = client.get(reverse("segregation:provider", args=[ward.provider_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Overdue reviews and observations (3)" in html and "Active episodes (1)" in html


def test_provider_page_other_provider_is_404(world, ward):
    client = signed_in_client(world.users["provider_governance"])
    assert client.get(reverse("segregation:provider", args=[world.providers[1].pk])).status_code == 404


def test_record_episode(client, ward, patient, roster):
    started = timezone.now() - H
    response = client.post(
        reverse("segregation:episode-new", args=[ward.pk]),
        {
            "patient": patient.pk,
            "kind": "seclusion",
            "started_at": local(started),
            "place": "Seclusion room 1",
            "authorised_by": roster["nurse1"].pk,
            "reason": "Assaulted a member of staff",
            "end_plan": "End when calm",
        },
    )
    episode = Episode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("segregation:episode", args=[episode.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Seclusion recorded." in page and "Record a review" in page


def test_record_episode_errors_name_fields(client, ward, patient, roster):
    started = timezone.now() - H
    response = client.post(
        reverse("segregation:episode-new", args=[ward.pk]),
        {"patient": patient.pk, "kind": "long_term_segregation", "started_at": local(started)},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter where: the seclusion room or LTS area" in html
    assert "Record the multidisciplinary decision to segregate" in html
    assert "representative involved" in html
    assert not Episode.objects.exists()


def test_record_review_and_observation(client, seclusion, roster, started):
    url = reverse("segregation:review-new", args=[seclusion.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "nursing",
            "at": local(started + 2 * H),
            "reviewer": roster["nurse1"].pk,
            "second_reviewer": roster["nurse2"].pk,
            "outcome": "Settling",
            "decision": "continue",
        },
    )
    assert response.status_code == 302
    assert Review.objects.get().second_reviewer == roster["nurse2"]
    response = client.post(
        reverse("segregation:observation-new", args=[seclusion.pk]),
        {"at": local(started + 15 * dt.timedelta(minutes=1)), "observer": roster["hca"].pk, "note": "Asleep"},
    )
    assert response.status_code == 302
    page = client.get(reverse("segregation:episode", args=[seclusion.pk])).content.decode()
    assert "Asleep" in page and "Settling" in page


def test_review_by_wrong_role_shows_error(client, seclusion, roster, started):
    response = client.post(
        reverse("segregation:review-new", args=[seclusion.pk]),
        {
            "kind": "medical",
            "at": local(started + H),
            "reviewer": roster["nurse1"].pk,
            "outcome": "x",
            "decision": "continue",
        },
    )
    assert response.status_code == 400
    assert "A medical review must be done by medical and dental staff" in response.content.decode()
    assert not Review.objects.exists()


def test_end_episode(client, seclusion, started):
    response = client.post(
        reverse("segregation:episode-end", args=[seclusion.pk]),
        {"ended_at": local(started + 2 * H), "end_reason": "Calm"},
    )
    assert response.status_code == 302
    assert not Episode.objects.active().exists()
    assert client.get(reverse("segregation:review-new", args=[seclusion.pk])).status_code == 403


def test_regulator_can_read_but_not_record(world, seclusion):
    client = signed_in_client(world.users["regulator"])
    assert client.get(reverse("segregation:episode", args=[seclusion.pk])).status_code == 200
    assert client.get(reverse("segregation:review-new", args=[seclusion.pk])).status_code == 403


def test_episode_view_audited(client, seclusion):
    client.get(reverse("segregation:episode", args=[seclusion.pk]))
    assert AuditEvent.objects.filter(action="view", record_id=str(seclusion.pk)).exists()


@pytest.fixture
def lts(ward, patient, nurse_user, roster):
    start = timezone.now() - dt.timedelta(days=10)
    return episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=start,
        authorised_by=roster["doctor"],
        **lts_kwargs(),
    )


def test_lts_register_page(world, lts, ward, patient):
    client = signed_in_client(world.users["provider_governance"])
    html = client.get(reverse("segregation:lts-register", args=[ward.provider_id])).content.decode()
    assert patient.family_name in html and "Graded reintegration" in html


def test_commissioner_register_is_pseudonymised(world, lts, patient):
    client = signed_in_client(world.users["commissioner"])
    response = client.get(reverse("segregation:lts-register-commissioner"))
    html = response.content.decode()
    assert response.status_code == 200
    assert pseudonym(patient.pk) in html
    assert patient.family_name not in html and patient.given_name not in html
    assert client.get(reverse("segregation:episode", args=[lts.pk])).status_code == 403


def test_commissioner_register_refused_to_others(world):
    assert (
        signed_in_client(world.users["ward_staff"])
        .get(reverse("segregation:lts-register-commissioner"))
        .status_code
        == 403
    )


def test_patient_summary_page(client, lts, patient):
    html = client.get(reverse("segregation:patient", args=[patient.pk])).content.decode()
    compact = " ".join(html.split())
    assert (
        'Total days in long-term segregation </dt> <dd class="nhsuk-summary-list__value" > 10 </dd>'
        in compact
    )


def test_patient_summary_other_provider_404(client, world):
    other = factories.patient(provider=world.providers[1])
    assert client.get(reverse("segregation:patient", args=[other.pk])).status_code == 404


def test_amend_episode_adds_version(client, seclusion, started):
    url = reverse("segregation:episode-amend", args=[seclusion.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "started_at": local(started),
            "place": "Seclusion room 2",
            "reason_text": "Severe behavioural disturbance",
            "end_plan": "End when calm",
            "reason": "Wrong room recorded",
        },
    )
    assert response.status_code == 302
    versions = list(seclusion.versions.order_by("number").values_list("number", "place", "change_reason"))
    assert versions == [(1, "Seclusion room 1", ""), (2, "Seclusion room 2", "Wrong room recorded")]


def test_amend_episode_from_an_older_version_is_refused_keeping_what_was_typed(client, seclusion, started):
    """Two people correct the same episode: the second correction, made from version 1 after the first
    saved version 2, would put the first one's place back; it is refused 409 and keeps what was typed."""
    url = reverse("segregation:episode-amend", args=[seclusion.pk])
    assert 'name="base_version" value="1"' in client.get(url).content.decode()
    form = {
        "started_at": local(started),
        "reason_text": "Severe behavioural disturbance",
        "end_plan": "End when calm",
    }
    first = client.post(
        url, {**form, "place": "Seclusion room 2", "reason": "Wrong room", "base_version": "1"}
    )
    assert first.status_code == 302
    second = client.post(
        url,
        {
            **form,
            "place": "Seclusion room 1",
            "end_plan": "End when asleep",
            "reason": "Plan",
            "base_version": "1",
        },
    )
    html = second.content.decode()
    assert second.status_code == 409
    assert "Someone else corrected this record (version 2)" in html
    assert "End when asleep" in html and 'name="base_version" value="2"' in html
    assert seclusion.versions.count() == 2
    assert seclusion.versions.get(number=2).place == "Seclusion room 2"


def test_amend_episode_needs_reason(client, seclusion, started):
    response = client.post(
        reverse("segregation:episode-amend", args=[seclusion.pk]),
        {"started_at": local(started), "place": "Room 2", "reason_text": "", "end_plan": "x", "reason": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Say why you are changing this record" in html and "Enter the reason for the episode" in html
    assert seclusion.versions.count() == 1


def test_review_rules_page_governance_changes(world, ward):
    from rrp.segregation.services import rules_for

    client = signed_in_client(world.users["provider_governance"])
    url = reverse("segregation:review-rules", args=[ward.provider_id])
    assert client.get(url).status_code == 200
    data = {name: getattr(rules_for(ward.provider_id), name) for name in rules_for(ward.provider_id).__dict__}
    data["seclusion_nursing_minutes"] = 90
    assert client.post(url, data).status_code == 302
    assert rules_for(ward.provider_id).seclusion_nursing_minutes == 90
    data["seclusion_nursing_minutes"] = 0
    response = client.post(url, data)
    assert response.status_code == 400
    assert "at least 1" in response.content.decode()


def test_review_rules_page_read_only_for_ward_staff(client, ward):
    url = reverse("segregation:review-rules", args=[ward.provider_id])
    response = client.get(url)
    assert response.status_code == 200 and "Save review rules" not in response.content.decode()
    assert client.post(url, {"seclusion_nursing_minutes": 5}).status_code == 403
