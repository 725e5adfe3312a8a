"""The services' remaining checks, each naming its field and saving nothing: times in the future, staff and
patients of another provider, reviews and observations without when or by whom, writes out of scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rrp.segregation.models import Episode, Observation, Review
from rrp.segregation.services import episode_end, episode_start, observation_record, review_record
from tests import factories
from tests.integration.segregation.conftest import staff
from tests.integration.segregation.episode_data import seclusion_kwargs

H = dt.timedelta(hours=1)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def other_provider_nurse(world):
    """A nurse on provider B's roster: not staff of ward a1's provider."""
    return staff(world.providers[1], "Olu", "nursing", "Staff nurse")


@pytest.fixture
def ended(seclusion, nurse_user, started):
    """The seclusion, ended an hour after it started."""
    episode_end(episode=seclusion, ended_at=started + H, end_reason="Calm and talking", by=nurse_user)
    return seclusion


def test_episode_starting_or_ending_in_the_future_is_refused(ward, patient, nurse_user, roster):
    later = timezone.now().replace(second=0, microsecond=0) + 2 * H
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            started_at=later,
            ended_at=later + H,
            end_reason="Calm",
            authorised_by=roster["nurse1"],
            **seclusion_kwargs(),
        )
    errors = errors_of(excinfo)
    assert errors["started_at"] == ["The start cannot be in the future"]
    assert errors["ended_at"] == ["The end cannot be in the future"]
    assert not Episode.objects.exists()


def test_episode_authorised_by_another_providers_staff_is_refused(
    ward, patient, nurse_user, other_provider_nurse, started
):
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=ward,
            patient=patient,
            by=nurse_user,
            started_at=started,
            authorised_by=other_provider_nurse,
            **seclusion_kwargs(),
        )
    assert errors_of(excinfo) == {
        "authorised_by": ["This member of staff does not work for the ward's provider"]
    }
    assert not Episode.objects.exists()


def test_episode_for_another_providers_patient_or_of_an_unknown_kind_is_refused(
    world, ward, nurse_user, started
):
    with pytest.raises(ValidationError) as excinfo:
        episode_start(
            ward=ward,
            patient=world.patients["b1"],
            by=nurse_user,
            started_at=started,
            authorised_by_name="Nia Nurse",
            **seclusion_kwargs(kind="restraint"),
        )
    errors = errors_of(excinfo)
    assert errors["patient"] == ["This patient is not a patient of the ward's provider"]
    assert errors["kind"] == ["Choose seclusion or long-term segregation"]
    assert not Episode.objects.exists()


def test_review_without_a_time_is_refused(seclusion, nurse_user, roster):
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=seclusion,
            kind="medical",
            at=None,
            by=nurse_user,
            reviewer=roster["doctor"],
            outcome="Settled",
            decision="continue",
        )
    assert errors_of(excinfo) == {"at": ["Enter when the review took place"]}
    assert not Review.objects.exists()


def test_review_after_the_episode_ended_is_refused(ended, nurse_user, roster, started):
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=ended,
            kind="medical",
            at=started + 2 * H,
            by=nurse_user,
            reviewer=roster["doctor"],
            outcome="Settled",
            decision="end",
        )
    assert errors_of(excinfo) == {"at": ["The review cannot be after the episode ended"]}
    assert not Review.objects.exists()


def test_review_in_the_future_is_refused(seclusion, nurse_user, roster):
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=seclusion,
            kind="medical",
            at=timezone.now() + H,
            by=nurse_user,
            reviewer=roster["doctor"],
            outcome="Settled",
            decision="continue",
        )
    assert errors_of(excinfo) == {"at": ["The review cannot be in the future"]}


def test_review_with_no_reviewer_or_a_typed_doctor_is_refused(seclusion, nurse_user, started):
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=seclusion,
            kind="medical",
            at=started + H,
            by=nurse_user,
            outcome="Settled",
            decision="continue",
        )
    assert errors_of(excinfo)["reviewer"] == ["Pick the reviewer or type their name"]
    # A medical review needs a doctor: a typed name cannot show the reviewer's role.
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=seclusion,
            kind="medical",
            at=started + H,
            by=nurse_user,
            reviewer_name="Dr Typed Name",
            outcome="Settled",
            decision="continue",
        )
    assert errors_of(excinfo)["reviewer"] == [
        "Pick the reviewer from the staff list, so their role can be checked"
    ]
    assert not Review.objects.exists()


def test_review_by_another_providers_doctor_is_refused(seclusion, nurse_user, world, started):
    doctor = staff(world.providers[1], "Dee", "medical", "Consultant psychiatrist")
    with pytest.raises(ValidationError) as excinfo:
        review_record(
            episode=seclusion,
            kind="medical",
            at=started + H,
            by=nurse_user,
            reviewer=doctor,
            outcome="Settled",
            decision="continue",
        )
    assert "This member of staff does not work for the ward's provider" in errors_of(excinfo)["reviewer"]
    assert not Review.objects.exists()


def test_observation_missing_time_observer_and_note_names_each(seclusion, nurse_user):
    with pytest.raises(ValidationError) as excinfo:
        observation_record(episode=seclusion, at=None, by=nurse_user, note="  ")
    assert errors_of(excinfo) == {
        "at": ["Enter when the observation was made"],
        "observer": ["Pick who observed or type their name"],
        "note": ["Enter what was observed"],
    }
    assert not Observation.objects.exists()


def test_observation_by_another_providers_staff_is_refused(
    seclusion, nurse_user, other_provider_nurse, started
):
    with pytest.raises(ValidationError) as excinfo:
        observation_record(
            episode=seclusion,
            at=started + H,
            by=nurse_user,
            observer=other_provider_nurse,
            note="Asleep",
        )
    assert errors_of(excinfo) == {"observer": ["This member of staff does not work for the ward's provider"]}
    assert not Observation.objects.exists()


def test_observation_on_a_ward_out_of_scope_is_refused(seclusion, world, started):
    other = factories.user(role="ward_staff", provider=world.providers[1], wards=[world.wards["b1"]])
    with pytest.raises(PermissionDenied):
        observation_record(
            episode=seclusion, at=started + H, by=other, observer_name="Someone", note="Asleep"
        )
    assert not Observation.objects.exists()
