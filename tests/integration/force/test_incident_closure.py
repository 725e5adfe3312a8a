"""Issue 13 item 3: closing needs each follow-up done or a reason for closing without it, and answers to
the review questions; a follow-up closed without is still counted as owed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rrp.force.closure import closure_checklist
from rrp.force.codes import IncidentStatus
from rrp.force.models import IncidentClosure, IncidentStatusChange
from rrp.force.selectors import follow_up_outstanding
from rrp.force.services import (
    incident_close,
    incident_review,
    incident_submit,
    rt_observation_record,
    statement_add,
)
from tests.integration.force.incident_data import closing_review, every_follow_up_skipped


@pytest.fixture
def reviewed(complete_incident, nurse, world):
    incident_submit(incident=complete_incident, by=nurse)
    incident_review(incident=complete_incident, by=world.users["ward_manager"])
    return complete_incident


@pytest.fixture
def manager(world):
    return world.users["ward_manager"]


def _refused(**kw) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        incident_close(**kw)
    return refused.value.message_dict


def test_the_checklist_of_the_typical_incident_shows_what_is_owed(reviewed):
    items = {i.key: i for i in closure_checklist(reviewed, at=timezone.now())}
    assert list(items) == ["statements", "rt_observations", "patient_debrief", "prone_review"]
    assert not any(i.done for i in items.values())
    assert items["statements"].detail == "Still to come from Sam Nurse and Alex Agency (not on the roster)"
    assert items["rt_observations"].detail == "4 hourly sets overdue"


def test_closing_with_nothing_done_and_no_reasons_is_refused_naming_each(reviewed, manager):
    """What was seen: closed with no statements, observations due, no debrief, prone review not done."""
    problems = _refused(incident=reviewed, by=manager, review=closing_review())
    assert {k for k in problems if k.startswith("skip.")} == {
        "skip.statements",
        "skip.rt_observations",
        "skip.patient_debrief",
        "skip.prone_review",
    }
    assert problems["skip.statements"] == [
        "Statements from every member of staff named: not done yet. Complete it, or say why you are closing "
        "without it"
    ]
    assert reviewed.status == IncidentStatus.REVIEWED
    assert not IncidentStatusChange.objects.filter(incident=reviewed, to_status="closed").exists()


def test_closing_needs_the_review_questions_answered(reviewed, manager):
    problems = _refused(incident=reviewed, by=manager, review=None, skipped=every_follow_up_skipped())
    assert problems == {"review": ["Answer the review questions before closing"]}
    problems = _refused(
        incident=reviewed,
        by=manager,
        review=closing_review(harm=" ", learning="", proportionate=None, least_restrictive=False),
        skipped=every_follow_up_skipped(),
    )
    assert set(problems) == {"harm", "learning", "proportionate", "least_restrictive_text"}


def test_an_action_needs_an_owner(reviewed, manager):
    problems = _refused(
        incident=reviewed,
        by=manager,
        review=closing_review(actions=[{"action": "Retrain the team", "owner": ""}]),
        skipped=every_follow_up_skipped(),
    )
    assert problems == {"actions[0].owner": ["Name who owns this action"]}


def test_closing_with_a_reason_for_each_keeps_the_review_and_the_checklist(reviewed, manager):
    change = incident_close(
        incident=reviewed,
        by=manager,
        review=closing_review(),
        skipped=every_follow_up_skipped("Kept on paper"),
    )
    closure = IncidentClosure.objects.get(incident=reviewed)
    assert closure.status_change == change and reviewed.status == IncidentStatus.CLOSED
    assert closure.actions == [{"action": "Update the care plan", "owner": "Ward manager"}]
    assert closure.skipped() == {
        "statements": "Kept on paper",
        "rt_observations": "Kept on paper",
        "patient_debrief": "Kept on paper",
        "prone_review": "Kept on paper",
    }
    assert [i["key"] for i in closure.checklist if i["done"]] == []


def test_follow_ups_done_need_no_reason(reviewed, manager, nurse, world, roster_nurse):
    """Statements from everyone on the roster, observations every hour, a debrief offered, the prone
    restraint review completed (act's, issue 16 item 5): only the agency worker (not on the roster)
    needs a reason."""
    from rrp.act.prone import review_complete, reviewer_set
    from rrp.force.services import incident_amend

    roster_nurse.user = nurse
    roster_nurse.save()
    statement_add(incident=reviewed, by=nurse, text="I held the head")
    version = reviewed.versions.order_by("-number").first()
    rt_at = version.interventions.get(type_code="14").started_at
    for hour in range(5):
        rt_observation_record(
            incident=reviewed,
            by=nurse,
            observed_at=rt_at + dt.timedelta(minutes=60 * hour),
            refused=True,
            refused_note="Asleep: breathing observed",
        )
    incident_amend(
        incident=reviewed,
        by=world.users["provider_governance"],
        reason="Debrief offered",
        debrief_patient_offered=True,
    )
    reviewer_set(incident=reviewed, by=manager, reviewer_name="Jo Bloggs", reviewer_job_title="Matron")
    review_complete(
        incident=reviewed,
        by=manager,
        why_prone="Went to the floor face down",
        minutes_prone=9,
        avoidable="no",
        learning="Turn to supine sooner",
    )
    problems = _refused(incident=reviewed, by=manager, review=closing_review())
    assert {k for k in problems if k.startswith("skip.")} == {"skip.statements"}
    assert (
        "Alex Agency"
        in {i.key: i.detail for i in closure_checklist(reviewed, at=timezone.now())}["statements"]
    )


def test_statements_still_owed_after_closing_are_still_counted(reviewed, manager, ward):
    before = follow_up_outstanding(ward.pk, since=dt.date(2020, 1, 1))
    incident_close(incident=reviewed, by=manager, review=closing_review(), skipped=every_follow_up_skipped())
    after = follow_up_outstanding(ward.pk, since=dt.date(2020, 1, 1))
    assert after.statements == before.statements == 1  # Sam Nurse, from the roster
    assert after.statement_incidents == 1
