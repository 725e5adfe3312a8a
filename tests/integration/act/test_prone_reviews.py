"""The prone restraint review (issue 16 item 5): a named reviewer, the questions answered, completed or
overdue, on the huddle; refused naming the field; only the ward's reviewers; audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rrp.act.models import ProneReview
from rrp.act.prone import prone_counts, prone_row, review_complete, reviewer_set, ward_prone_reviews
from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.force.models import IncidentFlag
from rrp.force.services import incident_record
from tests.helpers import signed_in_client
from tests.integration.force.incident_data import complete_content, typical_interventions

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(world):
    return incident_record(
        ward=world.wards["a1"],
        patient=world.patients["a1"],
        by=world.users["ward_staff"],
        interventions=typical_interventions(),  # prone for 9 minutes
        **complete_content(),
    )


def answers(**changes):
    values = {
        "why_prone": "Went to the floor face down during the hold",
        "minutes_prone": 9,
        "avoidable": "yes",
        "avoidable_text": "Earlier use of the quiet room",
        "learning": "Offer the quiet room sooner",
    }
    return {**values, **changes}


def test_waiting_then_overdue_then_completed(world, incident):
    manager = world.users["ward_manager"]
    today = timezone.localdate()
    row = prone_row(incident, today=today)
    assert row.state == "no_reviewer" and row.due_on == today + dt.timedelta(days=7)
    assert prone_row(incident, today=today + dt.timedelta(days=8)).state == "overdue"
    with pytest.raises(ValidationError) as refused:
        review_complete(incident=incident, by=manager, **answers())
    assert refused.value.message_dict == {"incident": ["Name the reviewer first"]}
    with pytest.raises(ValidationError) as refused:
        reviewer_set(incident=incident, by=manager, reviewer_name="", reviewer_job_title="")
    assert set(refused.value.message_dict) == {"reviewer_name", "reviewer_job_title"}
    reviewer_set(incident=incident, by=manager, reviewer_name="Jo Bloggs", reviewer_job_title="Matron")
    assert prone_row(incident, today=today).state == "with_reviewer"
    with pytest.raises(ValidationError) as refused:
        review_complete(
            incident=incident, by=manager, **answers(why_prone="", minutes_prone=None, avoidable_text="")
        )
    assert set(refused.value.message_dict) == {"why_prone", "minutes_prone", "avoidable_text"}
    review = review_complete(incident=incident, by=manager, **answers())
    assert review.reviewer_name == "Jo Bloggs"
    with pytest.raises(AppendOnlyError):
        review.save()
    later = prone_row(incident, today=today + dt.timedelta(days=30))
    assert later.completed and not later.overdue
    with pytest.raises(ValidationError):
        review_complete(incident=incident, by=manager, **answers())
    assert AuditEvent.objects.filter(record_type="act.ProneReview", action=AuditAction.CREATE).count() == 1


def test_only_the_wards_reviewers_and_not_without_prone(world, incident):
    with pytest.raises(ValidationError) as refused:
        reviewer_set(
            incident=incident, by=world.users["commissioner"], reviewer_name="X", reviewer_job_title="Y"
        )
    assert "incident" in refused.value.message_dict
    plain = incident_record(
        ward=world.wards["a1"],
        patient=world.patients["a1"],
        by=world.users["ward_staff"],
        interventions=typical_interventions()[1:],
        **complete_content(),
    )
    assert not IncidentFlag.objects.filter(incident=plain, kind="prone_review").exists()
    assert prone_row(plain, today=timezone.localdate()) is None


def test_counts_huddle_and_pages(world, incident):
    ward = world.wards["a1"]
    # Ten days after the flag: overdue.
    rows = ward_prone_reviews(ward, today=timezone.localdate() + dt.timedelta(days=10))
    counts = prone_counts(rows)
    assert (counts.waiting, counts.overdue, counts.no_reviewer) == (1, 1, 1)
    manager = signed_in_client(world.users["ward_manager"])
    huddle = manager.get(f"/reports/wards/{ward.pk}/huddle/")
    assert (
        'id="prone-reviews"' in huddle.text
        and "1 waiting for review, 1 with no reviewer named" in huddle.text
    )
    listing = manager.get(f"/use-of-force-act/wards/{ward.pk}/prone-reviews/")
    assert listing.status_code == 200 and "No reviewer named" in listing.text
    page = f"/use-of-force-act/incidents/{incident.pk}/prone-review/"
    assert "records 9 minutes" not in manager.get(page).text  # the questions come once a reviewer is named
    refused = manager.post(page, {"form": "reviewer", "reviewer_name": "", "reviewer_job_title": "Matron"})
    assert refused.status_code == 400 and "Enter the reviewer&#39;s name" in refused.text
    assert (
        manager.post(
            page, {"form": "reviewer", "reviewer_name": "Jo", "reviewer_job_title": "Matron"}
        ).status_code
        == 302
    )
    assert "records 9 minutes of prone restraint" in manager.get(page).text
    done = manager.post(page, {"form": "review", **answers()})
    assert done.status_code == 302 and ProneReview.objects.filter(incident=incident).exists()
    assert "Completed" in manager.get(page).text
    # Ward staff of another ward: not found; a commissioner cannot see incidents at all.
    assert signed_in_client(world.users["commissioner"]).get(page).status_code in (403, 404)
