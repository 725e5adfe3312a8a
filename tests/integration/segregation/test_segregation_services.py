"""Recording episodes, reviews and observations: validation, versions, append-only and audit."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from rrp.core.models import AppendOnlyError, AuditEvent
from rrp.segregation.models import Episode, EpisodeVersion, Observation, Review, ReviewRules
from rrp.segregation.services import (
    episode_amend,
    episode_end,
    episode_start,
    observation_record,
    review_record,
    review_rules_set,
    rules_for,
)
from tests import factories
from tests.integration.segregation.episode_data import lts_kwargs, seclusion_kwargs

H = dt.timedelta(hours=1)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_episode_start_records_version_one_and_audit(seclusion, nurse_user, roster):
    version = seclusion.latest_version
    assert version.number == 1
    assert version.authorised_by_name == roster["nurse1"].name
    assert version.authorised_by_doctor is False
    assert seclusion.mhsds_intervention_type == "05"
    audit = AuditEvent.objects.get(record_type="segregation.Episode", action="create")
    assert (audit.actor_id, audit.patient_id, audit.record_id) == (
        nurse_user.pk,
        seclusion.patient_id,
        str(seclusion.pk),
    )


def test_episode_started_by_doctor_is_marked(ward, patient, nurse_user, roster, started):
    episode = episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=started,
        authorised_by=roster["doctor"],
        **seclusion_kwargs(),
    )
    assert episode.latest_version.authorised_by_doctor is True


def test_episode_ending_before_it_starts_is_refused(ward, patient, nurse_user, roster, started):
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            started_at=started,
            ended_at=started - H,
            end_reason="Calm",
            authorised_by=roster["nurse1"],
            **seclusion_kwargs(),
        )
    assert errors_of(excinfo) == {"ended_at": ["The episode must end after it started"]}
    assert not Episode.objects.exists() and not AuditEvent.objects.filter(action="create").exists()


def test_overlapping_episode_of_same_kind_is_refused(seclusion, ward, patient, nurse_user, roster, started):
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            started_at=started + H,
            authorised_by=roster["nurse1"],
            **seclusion_kwargs(),
        )
    assert "overlaps another seclusion episode" in errors_of(excinfo)["started_at"][0]
    assert Episode.objects.count() == 1


def test_ended_episodes_back_to_back_do_not_overlap(ward, patient, nurse_user, roster, started):
    first = episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=started - 5 * H,
        ended_at=started - 2 * H,
        end_reason="Calm",
        authorised_by=roster["nurse1"],
        **seclusion_kwargs(),
    )
    second = episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=started - 2 * H,
        authorised_by=roster["nurse1"],
        **seclusion_kwargs(),
    )
    assert first.pk != second.pk


def test_lts_alongside_seclusion_is_allowed(seclusion, ward, patient, nurse_user, roster, started):
    episode = episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=started,
        authorised_by=roster["doctor"],
        **lts_kwargs(),
    )
    assert episode.mhsds_intervention_type == "06"


def test_lts_needs_mdt_decision_and_commissioner_representative(ward, patient, nurse_user, roster, started):
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            started_at=started,
            authorised_by=roster["doctor"],
            **lts_kwargs(mdt_decision="", commissioner_representative=" "),
        )
    assert set(errors_of(excinfo)) == {"mdt_decision", "commissioner_representative"}


def test_episode_missing_fields_are_each_named(ward, patient, nurse_user):
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            kind="seclusion",
            started_at=None,
            place="",
            reason="",
            end_plan="",
        )
    assert set(errors_of(excinfo)) == {"started_at", "place", "reason", "end_plan", "authorised_by"}


def test_episode_on_ward_out_of_scope_is_refused(world, nurse_user, roster, started):
    other = world.wards["b1"]
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=other,
            patient=world.patients["b1"],
            by=nurse_user,
            started_at=started,
            authorised_by_name="Someone",
            **seclusion_kwargs(),
        )
    assert "ward" in errors_of(excinfo)


def test_read_only_role_cannot_record(world, started):
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=world.wards["a1"],
            patient=world.patients["a1"],
            by=world.users["regulator"],
            started_at=started,
            authorised_by_name="Someone",
            **seclusion_kwargs(),
        )
    assert "ward" in errors_of(excinfo)


def test_incident_of_another_patient_is_refused(world, ward, patient, nurse_user, roster, started):
    from rrp.force.services import incident_record

    other_patient = factories.patient(provider=ward.provider)
    factories.stay(patient=other_patient, ward=ward)
    incident = incident_record(ward=ward, patient=other_patient, by=nurse_user)
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            started_at=started,
            authorised_by=roster["nurse1"],
            incident=incident,
            **seclusion_kwargs(),
        )
    assert errors_of(excinfo) == {"incident": ["This use-of-force incident is about another patient"]}


def test_amend_adds_a_version_with_reason(seclusion, nurse_user):
    version = episode_amend(
        episode=seclusion, by=nurse_user, change_reason="Room number wrong", place="Seclusion room 2"
    )
    assert (version.number, version.place, version.change_reason) == (
        2,
        "Seclusion room 2",
        "Room number wrong",
    )
    assert EpisodeVersion.objects.get(episode=seclusion, number=1).place == "Seclusion room 1"


def test_amend_without_reason_is_refused(seclusion, nurse_user):
    with pytest.raises(ValidationError) as excinfo:
        episode_amend(episode=seclusion, by=nurse_user, change_reason=" ", place="Room 2")
    assert errors_of(excinfo) == {"change_reason": ["Say why you are changing this record"]}
    assert seclusion.versions.count() == 1


def test_end_episode(seclusion, nurse_user, started):
    version = episode_end(
        episode=seclusion, by=nurse_user, ended_at=started + 2 * H, end_reason="Calm and settled"
    )
    assert version.ended_at == started + 2 * H
    assert not Episode.objects.active().exists()
    with pytest.raises(ValidationError) as excinfo:
        episode_end(episode=seclusion, by=nurse_user, ended_at=started + 2 * H, end_reason="again")
    assert errors_of(excinfo) == {"ended_at": ["This episode has already ended"]}


def test_end_without_reason_is_refused(seclusion, nurse_user, started):
    with pytest.raises(ValidationError) as excinfo:
        episode_end(episode=seclusion, by=nurse_user, ended_at=started + H, end_reason="")
    assert "end_reason" in errors_of(excinfo)


def test_episode_rows_are_append_only(seclusion):
    with pytest.raises(AppendOnlyError):
        seclusion.save()
    with pytest.raises(AppendOnlyError):
        EpisodeVersion.objects.filter(episode=seclusion).delete()


def test_database_refuses_raw_update(seclusion):
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE segregation_episodeversion SET place = 'x'")


def test_medical_review_by_doctor(seclusion, nurse_user, roster, started):
    review = review_record(
        episode=seclusion,
        kind="medical",
        at=started + H,
        by=nurse_user,
        reviewer=roster["doctor"],
        outcome="Still highly aroused",
        decision="continue",
    )
    assert (review.reviewer_name, review.reviewer_role) == (roster["doctor"].name, "Consultant psychiatrist")
    assert AuditEvent.objects.filter(action="create", detail__review_kind="medical").exists()


def test_medical_review_by_nurse_is_refused(seclusion, nurse_user, roster, started):
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=seclusion,
            kind="medical",
            at=started + H,
            by=nurse_user,
            reviewer=roster["nurse1"],
            outcome="x",
            decision="continue",
        )
    (message,) = errors_of(excinfo)["reviewer"]
    assert message.startswith("A medical review must be done by medical and dental staff")
    assert not Review.objects.exists()


def test_nursing_review_needs_two_different_nurses(seclusion, nurse_user, roster, started):
    common = {
        "episode": seclusion,
        "kind": "nursing",
        "at": started + 2 * H,
        "by": nurse_user,
        "outcome": "x",
    }
    with pytest.raises(ValidationError) as excinfo:
        review_record(**common, decision="continue", reviewer=roster["nurse1"])
    assert errors_of(excinfo) == {"second_reviewer": ["A nursing review needs a second registered nurse"]}
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            **common, decision="continue", reviewer=roster["nurse1"], second_reviewer=roster["nurse1"]
        )
    assert "different person" in errors_of(excinfo)["second_reviewer"][0]
    with pytest.raises(ValidationError) as excinfo:
        review_record(**common, decision="continue", reviewer=roster["nurse1"], second_reviewer=roster["hca"])
    assert "registered nursing" in errors_of(excinfo)["second_reviewer"][0]
    review = review_record(
        **common, decision="continue", reviewer=roster["nurse1"], second_reviewer=roster["nurse2"]
    )
    assert review.second_reviewer_name == roster["nurse2"].name


def test_review_before_episode_began_is_refused(seclusion, nurse_user, roster, started):
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=seclusion,
            kind="medical",
            at=started - dt.timedelta(minutes=1),
            by=nurse_user,
            reviewer=roster["doctor"],
            outcome="x",
            decision="continue",
        )
    assert errors_of(excinfo) == {"at": ["The review cannot be before the episode began"]}


def test_review_kind_must_fit_episode(seclusion, nurse_user, roster, started):
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=seclusion,
            kind="approved_clinician",
            at=started + H,
            by=nurse_user,
            reviewer=roster["doctor"],
            outcome="x",
            decision="continue",
        )
    assert "kind" in errors_of(excinfo)


def test_review_needs_outcome_and_decision(seclusion, nurse_user, roster, started):
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=seclusion,
            kind="medical",
            at=started + H,
            by=nurse_user,
            reviewer=roster["doctor"],
            outcome="",
            decision="maybe",
        )
    assert set(errors_of(excinfo)) == {"outcome", "decision"}


def test_external_review_by_named_outsider(ward, patient, nurse_user, roster, started):
    lts = episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=started,
        authorised_by=roster["doctor"],
        **lts_kwargs(),
    )
    review = review_record(
        episode=lts,
        kind="external_independent",
        at=started + H,
        by=nurse_user,
        reviewer_name="Dr Ext Ernal",
        reviewer_role="Independent consultant, Another Trust",
        outcome="LTS still needed; increase time off the annexe",
        decision="continue",
    )
    assert review.reviewer is None and review.reviewer_name == "Dr Ext Ernal"


def test_amend_start_after_a_review_is_refused(seclusion, nurse_user, roster, started):
    review_record(
        episode=seclusion,
        kind="medical",
        at=started + H,
        by=nurse_user,
        reviewer=roster["doctor"],
        outcome="x",
        decision="continue",
    )
    with pytest.raises(ValidationError) as excinfo:
        episode_amend(episode=seclusion, by=nurse_user, change_reason="Typo", started_at=started + 2 * H)
    assert errors_of(excinfo) == {"started_at": ["A review was recorded before this start time"]}


def test_observation_recorded(seclusion, nurse_user, roster, started):
    observation = observation_record(
        episode=seclusion,
        at=started + dt.timedelta(minutes=15),
        by=nurse_user,
        observer=roster["hca"],
        note="Lying on mattress, breathing normally",
    )
    assert observation.observer_name == roster["hca"].name


def test_observation_outside_episode_refused(seclusion, nurse_user, roster, started):
    with pytest.raises(ValidationError) as excinfo:
        observation_record(episode=seclusion, at=started - H, by=nurse_user, observer=roster["hca"], note="x")
    assert errors_of(excinfo) == {"at": ["The observation must be during the episode"]}
    assert not Observation.objects.exists()


def test_nothing_saved_when_audit_write_fails(ward, patient, nurse_user, roster, started):
    with (
        mock.patch("rrp.segregation.services.audit_record", side_effect=DatabaseError("audit down")),
        pytest.raises(DatabaseError),
    ):
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            started_at=started,
            authorised_by=roster["nurse1"],
            **seclusion_kwargs(),
        )
    assert not Episode.objects.exists() and not EpisodeVersion.objects.exists()


def test_other_provider_cannot_record_review(seclusion, world, started):
    other = factories.user(role="ward_staff", provider=world.providers[1], wards=[world.wards["b1"]])
    with pytest.raises(PermissionDenied):
        review_record(
            episode=seclusion,
            kind="medical",
            at=started + H,
            by=other,
            reviewer_name="X",
            outcome="x",
            decision="continue",
        )


def test_review_rules_set_by_governance(world):
    provider = world.providers[0]
    governance = world.users["provider_governance"]
    assert rules_for(provider.pk).seclusion_nursing_minutes == 120
    review_rules_set(provider=provider, by=governance, seclusion_nursing_minutes=90)
    assert rules_for(provider.pk).seclusion_nursing_minutes == 90
    audit = AuditEvent.objects.get(record_type="segregation.ReviewRules")
    assert audit.detail == {
        "from": {"seclusion_nursing_minutes": 120},
        "to": {"seclusion_nursing_minutes": 90},
    }
    with pytest.raises(ValidationError) as excinfo:
        review_rules_set(provider=provider, by=governance, seclusion_nursing_minutes=0)
    assert "seclusion_nursing_minutes" in errors_of(excinfo)
    with pytest.raises(PermissionDenied):
        review_rules_set(provider=provider, by=world.users["ward_manager"], seclusion_nursing_minutes=60)
    assert ReviewRules.objects.get().seclusion_nursing_minutes == 90


def test_no_review_saved_when_audit_write_fails(seclusion, nurse_user, roster, started):
    with (
        mock.patch("rrp.segregation.services.audit_record", side_effect=DatabaseError("audit down")),
        pytest.raises(DatabaseError),
    ):
        review_record(
            episode=seclusion,
            kind="medical",
            at=started + H,
            by=nurse_user,
            reviewer=roster["doctor"],
            outcome="ok",
            decision="continue",
        )
    assert not Review.objects.exists()


def test_no_version_saved_when_audit_write_fails(seclusion, nurse_user, started):
    with (
        mock.patch("rrp.segregation.services.audit_record", side_effect=DatabaseError("audit down")),
        pytest.raises(DatabaseError),
    ):
        episode_end(episode=seclusion, by=nurse_user, ended_at=started + H, end_reason="Calm")
    assert seclusion.versions.count() == 1
