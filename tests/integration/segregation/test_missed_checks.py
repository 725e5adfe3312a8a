"""Missed safety checks stay visible (issue 13, item 4): an episode ended with reviews and observations
missed carries them on its record, the ward huddle and the provider page show them after it ends, and
observations after rapid tranquillisation that are overdue show beyond the incident's own page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

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


def _board_safety_checks(user, provider_id) -> str:
    html = signed_in_client(user).get(reverse("reports:board", args=[provider_id])).content.decode()
    start = html.index('id="safety-checks"')
    return html[start : html.index("<h2", start)]


def overdue_and_missed(world, ward, patient) -> None:
    """With the seclusion of the fixtures (3 hours in with nothing done: medical, nursing and
    observation overdue), another that ended after 40 minutes a week ago with no observation (two
    missed) and rapid tranquillisation 3.5 hours ago with no observation: the board's counts 3, 1, 1."""
    from rrp.segregation.services import episode_start
    from tests.integration.segregation.episode_data import seclusion_kwargs

    week_ago = timezone.now().replace(second=0, microsecond=0) - 7 * 24 * H
    episode_start(
        ward=ward,
        patient=patient,
        by=world.users["provider_governance"],
        started_at=week_ago,
        ended_at=week_ago + 40 * M,
        end_reason="Calm",
        authorised_by_name="Charge nurse on shift",
        **seclusion_kwargs(),
    )
    quick_incident(ward, patient, world.users["provider_governance"], timezone.now() - 3 * H - 30 * M, "14")


def test_the_board_counts_checks_overdue_missed_and_rt_observations_overdue(world, seclusion, ward, patient):
    """Item 4 asks for overdue and missed checks on the provider view as well as the huddle: the board
    counts what the provider page lists (no patient named), inside the provider only."""
    overdue_and_missed(world, ward, patient)

    section = _board_safety_checks(world.users["provider_governance"], ward.provider_id)
    cells = re.findall(r'numeric">(\d+)</td>', section)
    assert cells == ["3", "1", "1"]
    assert patient.family_name not in section
    assert reverse("segregation:provider", args=[ward.provider_id]) in section

    outside = _board_safety_checks(world.users["commissioner"], ward.provider_id)
    assert "Shown only inside the provider" in outside and "numeric" not in outside


def test_the_board_pack_pdf_and_summary_csv_carry_the_safety_checks_inside_the_provider_only(
    world, seclusion, ward, patient
):
    """The board's PDF pack and summary CSV carry the same counts as its page; a reader outside the
    provider gets the page's sentence in the pack, and a note in place of the rows in the CSV."""
    overdue_and_missed(world, ward, patient)
    governance = signed_in_client(world.users["provider_governance"])

    text = " ".join(
        pdf_text(governance.get(reverse("reports:board-pdf", args=[ward.provider_id])).content).split()
    )
    section = text[text.index("Safety checks overdue or missed") :]
    assert "Seclusion and segregation reviews and observations overdue 3" in section
    assert "Episodes ended with a review or observation missed, last 30 days 1" in section
    assert "Incidents with observations after rapid tranquillisation overdue 1" in section
    assert patient.family_name not in text

    rows = summary_csv(governance, ward.provider_id)
    counts = {r["measure"]: r["count"] for r in rows if r["ward"] == "All wards" and r["unit"] == "count now"}
    assert counts == {
        "Seclusion and segregation reviews and observations overdue": "3",
        "Episodes ended with a review or observation missed, last 30 days": "1",
        "Incidents with observations after rapid tranquillisation overdue": "1",
    }

    commissioner = signed_in_client(world.users["commissioner"])
    outside = " ".join(
        pdf_text(commissioner.get(reverse("reports:board-pdf", args=[ward.provider_id])).content).split()
    )
    assert "Safety checks overdue or missed Shown only inside the provider" in outside
    assert "reviews and observations overdue" not in outside
    rows = summary_csv(commissioner, ward.provider_id)
    assert not [r for r in rows if r["unit"] == "count now"]
    [note] = [r for r in rows if r["measure"].startswith("Safety checks")]
    assert note["measure"].endswith(
        "Shown only inside the provider: counts of so few people could identify them."
    )
    assert (note["count"], note["value"]) == ("", "")


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    assert content.startswith(b"%PDF")
    return " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(content)).pages)


def summary_csv(client, provider_id: int) -> list[dict[str, str]]:
    response = client.get(reverse("reports:board-csv", args=[provider_id]))
    return list(csv.DictReader(io.StringIO(response.content.decode())))
