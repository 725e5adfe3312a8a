"""The prone restraint review is the one place it is answered (issue 16 item 5): closing an incident with
prone restraint reads the review's state (no reviewer, with a reviewer, overdue, completed) and links to
it; an incomplete review blocks closing as missing statements do (done, or closed without it with a
reason); the closing review no longer asks its own prone question."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rrp.act.prone import review_complete, reviewer_set
from rrp.force.closure import closure_checklist
from rrp.force.forms import CloseForm
from rrp.force.models import IncidentClosure
from rrp.force.services import incident_close, incident_review, incident_submit
from tests.helpers import signed_in_client
from tests.integration.force.conftest import (  # noqa: F401 - force's fixtures: a patient with an NHS number
    complete_incident,
    nurse,
    patient,
    roster_nurse,
    ward,
)
from tests.integration.force.incident_data import closing_review, every_follow_up_skipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(world, complete_incident):  # noqa: F811 - the fixture imported above
    """The typical complete incident (prone for 9 minutes: flagged for review), submitted and reviewed."""
    incident_submit(incident=complete_incident, by=world.users["ward_staff"])
    incident_review(incident=complete_incident, by=world.users["ward_manager"])
    return complete_incident


def prone_item(incident, at=None):
    items = {i.key: i for i in closure_checklist(incident, at=at or timezone.now())}
    return items["prone_review"]


def complete(incident, manager):
    reviewer_set(incident=incident, by=manager, reviewer_name="Jo Bloggs", reviewer_job_title="Matron")
    review_complete(
        incident=incident,
        by=manager,
        why_prone="Went to the floor face down during the hold",
        minutes_prone=9,
        avoidable="no",
        learning="Turn to supine sooner",
    )


def test_the_checklist_shows_the_reviews_state_and_links_to_it(world, reviewed):
    manager = world.users["ward_manager"]
    item = prone_item(reviewed)
    assert not item.done and item.href == f"/use-of-force-act/incidents/{reviewed.pk}/prone-review/"
    assert item.detail.startswith("Not completed: no reviewer named yet, due by")
    later = timezone.now() + dt.timedelta(days=10)
    assert "overdue since" in prone_item(reviewed, later).detail
    reviewer_set(incident=reviewed, by=manager, reviewer_name="Jo Bloggs", reviewer_job_title="Matron")
    assert "with Jo Bloggs, Matron" in prone_item(reviewed).detail
    review_complete(
        incident=reviewed,
        by=manager,
        why_prone="Went to the floor face down during the hold",
        minutes_prone=9,
        avoidable="no",
        learning="Turn to supine sooner",
    )
    item = prone_item(reviewed)
    assert item.done and item.detail.startswith("Completed by Jo Bloggs on ")


def test_an_incomplete_prone_review_blocks_closing_without_a_reason(world, reviewed):
    skipped = {k: v for k, v in every_follow_up_skipped().items() if k != "prone_review"}
    with pytest.raises(ValidationError) as refused:
        incident_close(
            incident=reviewed, by=world.users["ward_manager"], review=closing_review(), skipped=skipped
        )
    assert refused.value.message_dict == {
        "skip.prone_review": [
            "Review of the prone restraint: not done yet. Complete it, or say why you are closing without it"
        ]
    }


def test_a_completed_prone_review_lets_the_incident_close_without_a_reason(world, reviewed):
    manager = world.users["ward_manager"]
    complete(reviewed, manager)
    skipped = {k: v for k, v in every_follow_up_skipped().items() if k != "prone_review"}
    incident_close(incident=reviewed, by=manager, review=closing_review(), skipped=skipped)
    closure = IncidentClosure.objects.get(incident=reviewed)
    prone = next(i for i in closure.checklist if i["key"] == "prone_review")
    assert prone["done"] and prone["detail"].startswith("Completed by Jo Bloggs")
    assert closure.prone_review == ""  # the closing review no longer keeps its own answer


def test_the_close_page_asks_no_prone_question_and_links_to_the_review(world, reviewed):
    form = CloseForm(checklist=closure_checklist(reviewed, at=timezone.now()))
    assert "prone_review" not in form.fields and "skip_prone_review" in form.fields
    page = signed_in_client(world.users["ward_manager"]).get(f"/incidents/{reviewed.pk}/close/")
    assert page.status_code == 200
    assert f'href="/use-of-force-act/incidents/{reviewed.pk}/prone-review/"' in page.text
    assert "What did the review of the prone restraint find?" not in page.text
