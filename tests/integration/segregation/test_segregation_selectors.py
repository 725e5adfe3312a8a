"""Reading episodes: scope, overdue state, registers, per-patient summary and the daily command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.people.models import Patient
from rrp.segregation import selectors
from rrp.segregation.services import episode_end, episode_start, review_record
from tests import factories
from tests.integration.segregation.episode_data import lts_kwargs

H = dt.timedelta(hours=1)


@pytest.fixture
def lts(ward, patient, nurse_user, roster):
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=40)
    episode = episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=start,
        authorised_by=roster["doctor"],
        **lts_kwargs(),
    )
    review_record(
        episode=episode,
        kind="approved_clinician",
        at=start + 20 * H,
        by=nurse_user,
        reviewer=roster["doctor"],
        outcome="Continue",
        decision="continue",
    )
    return episode


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("ward_staff", True),
        ("ward_manager", True),
        ("provider_governance", True),
        ("regulator", True),
        ("commissioner", False),
        ("national_analyst", False),
        ("system_admin", False),
    ],
)
def test_episode_scope_by_role(world, seclusion, role, sees):
    user = world.users[role]
    assert (selectors.episode_get_for(user, seclusion.pk) is not None) is sees


def test_other_provider_staff_see_nothing(world, seclusion):
    other = factories.user(role="ward_staff", provider=world.providers[1], wards=[world.wards["b1"]])
    assert selectors.episode_get_for(other, seclusion.pk) is None
    assert selectors.active_for_provider(other, world.providers[0]) == []


def test_episode_view_is_audited(world, seclusion):
    selectors.episode_get_for(world.users["ward_staff"], seclusion.pk)
    assert AuditEvent.objects.filter(action="view", record_id=str(seclusion.pk)).count() == 1


def test_ward_page_shows_overdue_medical_review(world, seclusion, ward, started):
    (state,) = selectors.active_for_ward(world.users["ward_staff"], ward, now=started + 3 * H)
    assert state.next_due.kind == "medical"
    assert state.next_due.overdue and state.next_due.minutes_overdue == 120
    assert [d.kind for d in state.overdue] == ["medical", "nursing"]
    audit = AuditEvent.objects.get(action="view", record_type="segregation.Episode")
    assert audit.detail["episode_ids"] == [seclusion.pk]


def test_review_on_time_clears_overdue(world, seclusion, ward, nurse_user, roster, started):
    review_record(
        episode=seclusion,
        kind="medical",
        at=started + H,
        by=nurse_user,
        reviewer=roster["doctor"],
        outcome="ok",
        decision="continue",
    )
    (state,) = selectors.active_for_ward(
        world.users["ward_staff"], ward, now=started + H + 30 * dt.timedelta(minutes=1)
    )
    assert not state.overdue
    assert state.timeliness[0].late is False


def test_ended_episode_leaves_active_lists(world, seclusion, ward, nurse_user, started):
    episode_end(episode=seclusion, by=nurse_user, ended_at=started + H, end_reason="Calm")
    assert selectors.active_for_ward(world.users["ward_staff"], ward) == []


def test_provider_rules_change_due_times(world, seclusion, ward, started):
    from rrp.segregation.services import review_rules_set

    review_rules_set(
        provider=ward.provider, by=world.users["provider_governance"], seclusion_first_medical_minutes=30
    )
    (state,) = selectors.active_for_ward(world.users["ward_staff"], ward, now=started)
    assert state.next_due.due_at == started + dt.timedelta(minutes=30)


def test_lts_register_for_governance(world, lts, ward):
    rows = selectors.lts_register(world.users["provider_governance"], ward.provider)
    (row,) = rows
    assert row.days == 40 and row.total_days_in_lts == 40
    assert row.label == f"{lts.patient.given_name} {lts.patient.family_name}"
    assert row.reviews_done == 1
    assert {d.kind for d in row.state.overdue} == {"approved_clinician", "mdt"}


def test_lts_register_counts_past_episodes(world, lts, ward, patient, nurse_user, roster):
    start = timezone.now() - dt.timedelta(days=200)
    past = episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=start,
        ended_at=start + dt.timedelta(days=30),
        end_reason="Reintegrated",
        authorised_by=roster["doctor"],
        **lts_kwargs(),
    )
    (row,) = selectors.lts_register(world.users["provider_governance"], ward.provider)
    assert [s.episode.pk for s in row.past_episodes] == [past.pk]
    assert row.total_days_in_lts == 70


def test_pseudonymised_register_has_no_names(world, lts, settings):
    settings.PSEUDONYM_KEY = "test-key"
    by_provider = selectors.lts_register_pseudonymised(world.users["commissioner"])
    rows = by_provider[lts.provider]
    assert [r.label for r in rows] == [selectors.pseudonym(lts.patient_id)]
    assert rows[0].label.startswith("P-") and lts.patient.family_name not in rows[0].label
    settings.PSEUDONYM_KEY = "another-key"
    assert selectors.pseudonym(lts.patient_id) != rows[0].label


def test_pseudonymised_register_only_commissioned_providers(world, lts):
    other_icb = factories.user(role="commissioner", commissioner=world.commissioners[1])
    by_provider = selectors.lts_register_pseudonymised(other_icb)
    assert lts.provider not in by_provider
    assert all(rows == [] for rows in by_provider.values())
    assert selectors.lts_register_pseudonymised(world.users["ward_staff"]) == {}


def test_patient_summary(world, seclusion, lts, patient, nurse_user, started):
    episode_end(episode=seclusion, by=nurse_user, ended_at=started + 2 * H, end_reason="Calm")
    summary = selectors.patient_summary(world.users["ward_staff"], patient.pk)
    assert summary.seclusion_hours == 2.0
    assert summary.lts_days == 40
    assert len(summary.states) == 2
    assert selectors.patient_summary(world.users["commissioner"], patient.pk) is None


def test_patient_summary_counts_restraint_during_segregation(world, lts, patient, ward, nurse_user):
    from rrp.force.services import InterventionInput, incident_record

    during = timezone.now() - dt.timedelta(days=3)
    incident_record(
        ward=ward, patient=patient, by=nurse_user, interventions=[InterventionInput("09", during, during + H)]
    )
    before = timezone.now() - dt.timedelta(days=100)
    incident_record(
        ward=ward, patient=patient, by=nurse_user, interventions=[InterventionInput("09", before, before + H)]
    )
    summary = selectors.patient_summary(world.users["ward_staff"], patient.pk)
    assert summary.restraints_during_segregation == 1


def test_reviews_due_command_output(world, seclusion, ward, started):
    out = StringIO()
    now = started + 3 * H
    call_command("reviews_due", at=now.isoformat(), stdout=out)
    text = out.getvalue()
    assert f"{ward.provider.name} - {ward.name} ({ward.code})" in text
    assert f"Episode {seclusion.pk}: seclusion since" in text
    assert "OVERDUE  Medical review: due" in text and "2 h 0 min overdue" in text
    assert "OVERDUE  Nursing review (two registered nurses)" in text
    assert "due      Multidisciplinary review: due" in text
    assert text.strip().endswith("2 overdue and 1 due soon, on 1 ward(s).")
    for patient in Patient.objects.all():
        assert patient.family_name not in text


def test_reviews_due_command_overdue_only_and_nothing_due(world, seclusion, started):
    out = StringIO()
    call_command("reviews_due", at=(started + 3 * H).isoformat(), overdue_only=True, stdout=out)
    assert "Multidisciplinary" not in out.getvalue()
    out = StringIO()
    call_command("reviews_due", at=started.isoformat(), within=0, stdout=out)
    assert "Nothing overdue or due within the period." in out.getvalue()


def test_reviews_due_command_bad_time(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--at"):
        call_command("reviews_due", at="yesterday")


def test_intervention_spans_are_mhsds_05_and_06(world, seclusion, lts, ward, nurse_user, started):
    now = timezone.now()
    spans = selectors.intervention_spans(ward_ids=[ward.pk], since=now - dt.timedelta(days=60), until=now)
    assert sorted(s.type_code for s in spans) == ["05", "06"]
    episode_end(episode=seclusion, by=nurse_user, ended_at=started + H, end_reason="Calm")
    later = selectors.intervention_spans(ward_ids=[ward.pk], since=started + 2 * H, until=now)
    assert [s.type_code for s in later] == ["06"]
    assert selectors.intervention_spans(ward_ids=[world.wards["b1"].pk], since=started, until=now) == []


def _spans_from_models(ward_ids, since, until):
    """``intervention_spans`` as it was first written: model instances with the latest version's times and
    incident as correlated subqueries. The plain-row reading must give exactly this."""
    from django.db.models import OuterRef, Q, Subquery

    from rrp.segregation.codes import MHSDS_INTERVENTION_TYPE
    from rrp.segregation.models import Episode, EpisodeVersion

    latest = EpisodeVersion.objects.filter(episode=OuterRef("pk")).order_by("-number")
    episodes = (
        Episode.objects.filter(ward_id__in=list(ward_ids))
        .with_current()
        .annotate(current_incident=Subquery(latest.values("incident_id")[:1]))
        .filter(
            Q(current_ended_at__isnull=True) | Q(current_ended_at__gt=since), current_started_at__lt=until
        )
        .order_by("current_started_at", "pk")
    )
    return [
        selectors.InterventionSpan(
            episode_id=e.pk,
            ward_id=e.ward_id,
            patient_id=e.patient_id,
            type_code=MHSDS_INTERVENTION_TYPE[e.kind],
            started_at=e.current_started_at,
            ended_at=e.current_ended_at,
            incident_id=e.current_incident,
        )
        for e in episodes
    ]


def test_intervention_spans_equal_the_model_reading_after_amendments(
    world, seclusion, lts, ward, nurse_user, started
):
    from rrp.segregation.services import episode_amend

    now = timezone.now()
    first_start = lts.versions.get().started_at
    corrected = first_start - 2 * H
    episode_amend(episode=lts, by=nurse_user, change_reason="Start time corrected", started_at=corrected)
    episode_end(episode=seclusion, by=nurse_user, ended_at=started + H, end_reason="Calm")
    windows = [
        (now - dt.timedelta(days=60), now),
        (started + 2 * H, now),  # the ended seclusion is out, the amended segregation in
        (corrected - H, first_start - H),  # only the segregation's corrected start is inside
        (now + H, now + 2 * H),
    ]
    found = 0
    for since, until in windows:
        spans = selectors.intervention_spans(
            ward_ids=[ward.pk, world.wards["b1"].pk], since=since, until=until
        )
        assert spans == _spans_from_models([ward.pk, world.wards["b1"].pk], since, until)
        found += len(spans)
    assert found >= 4
    amended = selectors.intervention_spans(ward_ids=[ward.pk], since=corrected - H, until=first_start - H)
    assert [(s.type_code, s.started_at) for s in amended] == [("06", corrected)]
