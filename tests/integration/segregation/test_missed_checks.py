"""Missed safety checks stay visible (issue 13, item 4): an episode ended with reviews and observations
missed carries them on its record, the ward huddle and the provider page show them after it ends, and
observations after rapid tranquillisation that are overdue show beyond the incident's own page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.force.selectors import rt_observations_overdue
from rrp.reports.huddle import ward_huddle
from rrp.segregation.selectors import episode_states
from rrp.segregation.services import episode_end, observation_record, review_record
from tests.helpers import signed_in_client
from tests.integration.reports.ward_records import quick_incident

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


@pytest.fixture
def client(nurse_user):
    return signed_in_client(nurse_user)


@pytest.fixture
def ended(seclusion, nurse_user, started):
    """The seclusion of the fixtures (started 3 hours ago by a nurse) ended after 2 hours with no review
    and no observation: medical review due at 1 h missed; observations due every 15 minutes, 7 missed
    (the nursing review fell due at 2 h, the moment it ended: not missed)."""
    episode_end(episode=seclusion, by=nurse_user, ended_at=started + 2 * H, end_reason="Calm and talking")
    return seclusion


def test_ended_episode_carries_what_it_missed(ended):
    state = episode_states([ended])[0]
    assert not state.active
    assert state.checks.reviews_missed == 1 and state.checks.observations_missed == 7
    assert not state.checks.reviews_on_time


def test_episode_page_of_an_ended_episode_shows_what_it_missed(client, ended):
    html = client.get(reverse("segregation:episode", args=[ended.pk])).content.decode()
    assert "This episode ended with safety checks missed" in html
    assert "Medical review: 1 missed" in html
    assert "Observation: 7 missed" in html


def test_episode_with_checks_on_time_shows_nothing_missed(seclusion, nurse_user, roster, started):
    review_record(
        episode=seclusion,
        kind="medical",
        at=started + 40 * M,
        by=nurse_user,
        reviewer=roster["doctor"],
        outcome="Continue",
        decision="continue",
    )
    for k in range(1, 8):
        observation_record(
            episode=seclusion, at=started + k * 15 * M, by=nurse_user, note="Calm", observer=roster["nurse1"]
        )
    episode_end(episode=seclusion, by=nurse_user, ended_at=started + 115 * M, end_reason="Calm")
    state = episode_states([seclusion])[0]
    assert not state.checks.anything_missed and state.checks.reviews_on_time


def test_huddle_counts_episodes_ended_with_checks_missed(world, ended, ward):
    huddle = ward_huddle(ward, user=world.users["ward_manager"], today=timezone.localdate())
    assert [(m.episode_kind, m.reviews_missed, m.observations_missed) for m in huddle.ended_with_missed] == [
        ("seclusion", 1, 7)
    ]
    html = (
        signed_in_client(world.users["ward_manager"])
        .get(reverse("reports:ward-huddle", args=[ward.pk]))
        .content.decode()
    )
    assert "Episodes ended in the last 30 days with checks missed" in html


def test_provider_page_lists_what_ended_episodes_missed_and_audits_it(world, ended, ward, patient):
    client = signed_in_client(world.users["provider_governance"])
    html = client.get(reverse("segregation:provider", args=[ward.provider_id])).content.decode()
    assert "Ended with checks missed, last 30 days (1)" in html
    assert patient.family_name in html and "Observation: 7 missed" in html
    audit = AuditEvent.objects.filter(record_label__startswith="Episodes ended with checks missed").get()
    assert audit.detail["episode_ids"] == [ended.pk]


def test_overdue_observation_in_seclusion_counts_with_the_reviews(world, seclusion, ward):
    client = signed_in_client(world.users["provider_governance"])
    html = client.get(reverse("segregation:provider", args=[ward.provider_id])).content.decode()
    # medical and nursing reviews, and the observation every 15 minutes, none recorded in 3 hours
    assert "Overdue reviews and observations (3)" in html


def test_rapid_tranquillisation_observations_overdue_show_on_the_huddle_and_provider_page(
    world, ward, patient
):
    given = timezone.now() - 3 * H - 30 * M
    incident = quick_incident(ward, patient, world.users["provider_governance"], given, "14")
    other = world.wards["b1"]
    quick_incident(other, world.patients["b1"], world.users["provider_governance"], given, "14")

    overdue = rt_observations_overdue([ward.pk], since=given - H)
    assert [(r.incident_id, r.hours_overdue) for r in overdue] == [(incident.pk, 3)]

    huddle = ward_huddle(ward, user=world.users["ward_manager"], today=timezone.localdate())
    assert huddle.rt_hours_overdue == 3 and len(huddle.rt_overdue) == 1
    html = (
        signed_in_client(world.users["provider_governance"])
        .get(reverse("segregation:provider", args=[ward.provider_id]))
        .content.decode()
    )
    assert "Observations after rapid tranquillisation overdue (1)" in html
    assert f"Incident {incident.pk}" in html


def test_huddle_charts_seclusion_reviews_on_time(world, ward):
    """The "reviews on time" process measure is drawn on the huddle by the SPC engine like the others:
    a seclusion of last month that ended with its medical review missed is a 0% point."""
    from tests.integration.measures.series_data import seclusion_episode

    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    seclusion_episode(world, "a1", timezone.make_aware(dt.datetime.combine(last_month, dt.time(10))), 3)

    huddle = ward_huddle(ward, user=world.users["ward_manager"], today=today)
    chart = next(c for c in huddle.charts if c.definition.slug == "seclusion-reviews-on-time")
    present = chart.result.denominator == chart.result.denominator
    assert chart.result.denominator[present].tolist() == [1.0]
    assert chart.result.value[present].tolist() == [0.0]
    assert any(p.chart_id == "huddle-month-seclusion-reviews-on-time" for p in huddle.panels)
