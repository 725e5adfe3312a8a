"""The incident list, incident page, history, amending, the review steps and "my reports"."""

from __future__ import annotations

import pytest

from rrp.core.models import AuditEvent
from rrp.force.models import Incident
from rrp.force.services import incident_record, incident_review, incident_submit
from tests.helpers import signed_in_client
from tests.integration.force.views_data import close_post, typical_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_incident(world):
    """An incident on provider B's ward, which nobody at provider A may see."""
    from rrp.accounts.roles import Role
    from tests import factories

    recorder = factories.user(role=Role.WARD_STAFF, provider=world.providers[1], wards=[world.wards["b1"]])
    return incident_record(
        ward=world.wards["b1"], patient=world.patients["b1"], by=recorder, place_on_ward="Hall"
    )


@pytest.fixture
def draft(ward, patient, nurse):
    return incident_record(ward=ward, patient=patient, by=nurse, place_on_ward="Garden")


def test_list_shows_the_wards_incidents_and_audits_them(nurse, complete_incident, other_incident):
    response = signed_in_client(nurse).get("/incidents/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Incident {complete_incident.pk}<" in body
    assert f"Incident {other_incident.pk}<" not in body
    event = AuditEvent.objects.filter(record_type="force.Incident", action="view").latest("id")
    assert event.detail["incident_ids"] == [complete_incident.pk]


def test_list_filters_by_status(nurse, complete_incident, draft):
    incident_submit(incident=complete_incident, by=nurse)
    client = signed_in_client(nurse)
    body = client.get("/incidents/", {"status": "draft"}).content.decode()
    assert f"Incident {draft.pk}<" in body and f"Incident {complete_incident.pk}<" not in body


def test_list_bad_filter_names_the_field(nurse, complete_incident):
    response = signed_in_client(nurse).get("/incidents/", {"since": "2026-03-05", "until": "2026-03-01"})
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.content.decode()


@pytest.mark.parametrize("role", ["commissioner", "national_analyst", "system_admin"])
def test_list_and_page_refused_to_roles_without_incident_access(world, role, complete_incident):
    client = signed_in_client(world.users[role])
    assert client.get("/incidents/").status_code == 403
    assert client.get(f"/incidents/{complete_incident.pk}/").status_code == 403


def test_page_shows_latest_version_completeness_and_flags(nurse, complete_incident):
    response = signed_in_client(nurse).get(f"/incidents/{complete_incident.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Every item the Use of Force Act requires is recorded" in body
    assert "Prone restraint: review required" in body
    assert "01: Physical restraint - Prone" in body
    assert "Submit for review" in body


def test_page_other_providers_incident_is_404(nurse, other_incident):
    client = signed_in_client(nurse)
    for path in ("", "history/", "change/", "review/", "send-back/", "close/", "statements/new/"):
        assert client.get(f"/incidents/{other_incident.pk}/{path}").status_code == 404, path
    assert client.post(f"/incidents/{other_incident.pk}/submit/").status_code == 404


def test_page_regulator_reads_but_has_no_actions(world, complete_incident):
    response = signed_in_client(world.users["regulator"]).get(f"/incidents/{complete_incident.pk}/")
    assert response.status_code == 200
    assert "Change this record" not in response.content.decode()
    assert "Submit for review" not in response.content.decode()


def test_submit_incomplete_draft_lists_missing_items(nurse, draft):
    response = signed_in_client(nurse).post(f"/incidents/{draft.pk}/submit/")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Missing: (a) Reason for the use of force" in body
    assert Incident.objects.get(pk=draft.pk).status == "draft"


def test_submit_complete_incident(nurse, complete_incident):
    response = signed_in_client(nurse).post(f"/incidents/{complete_incident.pk}/submit/")
    assert response.status_code == 302
    assert Incident.objects.get(pk=complete_incident.pk).status == "submitted"


def test_review_send_back_and_my_reports_show_the_request(world, nurse, complete_incident):
    incident_submit(incident=complete_incident, by=nurse)
    manager = signed_in_client(world.users["ward_manager"])
    response = manager.post(f"/incidents/{complete_incident.pk}/send-back/", {"request_text": ""})
    assert response.status_code == 400
    assert "Say what needs to change" in response.content.decode()
    response = manager.post(
        f"/incidents/{complete_incident.pk}/send-back/", {"request_text": "Add the time police left"}
    )
    assert response.status_code == 302
    assert Incident.objects.get(pk=complete_incident.pk).status == "sent_back"
    body = signed_in_client(nurse).get("/incidents/mine/").content.decode()
    assert "Add the time police left" in body and "Sent back for changes" in body


def test_review_then_close(world, nurse, complete_incident):
    incident_submit(incident=complete_incident, by=nurse)
    manager = signed_in_client(world.users["ward_manager"])
    assert manager.get(f"/incidents/{complete_incident.pk}/review/").status_code == 200
    assert manager.post(f"/incidents/{complete_incident.pk}/review/", {"note": "Fine"}).status_code == 302
    assert manager.post(f"/incidents/{complete_incident.pk}/close/", close_post()).status_code == 302
    assert Incident.objects.get(pk=complete_incident.pk).status == "closed"


def test_review_wrong_status_is_named(world, complete_incident):
    response = signed_in_client(world.users["ward_manager"]).post(
        f"/incidents/{complete_incident.pk}/close/", {}
    )
    assert response.status_code == 400
    assert "cannot be moved to closed" in response.content.decode()


def test_review_refused_to_ward_staff(nurse, complete_incident):
    incident_submit(incident=complete_incident, by=nurse)
    assert signed_in_client(nurse).post(f"/incidents/{complete_incident.pk}/review/", {}).status_code == 403


def test_amend_needs_a_reason_after_submission(nurse, roster_nurse, complete_incident):
    incident_submit(incident=complete_incident, by=nurse)
    client = signed_in_client(nurse)
    assert client.get(f"/incidents/{complete_incident.pk}/change/").status_code == 200
    post = typical_post(roster_nurse, action="draft", outcome="Settled after an hour")
    response = client.post(f"/incidents/{complete_incident.pk}/change/", post)
    assert response.status_code == 400
    assert "Say why you are changing this record" in response.content.decode()
    assert complete_incident.versions.count() == 1
    post["change_reason"] = "Outcome was clearer later"
    assert client.post(f"/incidents/{complete_incident.pk}/change/", post).status_code == 302
    assert complete_incident.versions.count() == 2


def test_amend_form_shows_the_saved_record(nurse, complete_incident):
    body = signed_in_client(nurse).get(f"/incidents/{complete_incident.pk}/change/").content.decode()
    assert 'value="Lounge"' in body
    assert "Alex Agency" in body
    assert 'name="iv-2-type_code"' in body


def test_amend_draft_continues_without_a_reason_and_submits(nurse, roster_nurse, draft):
    response = signed_in_client(nurse).post(f"/incidents/{draft.pk}/change/", typical_post(roster_nurse))
    assert response.status_code == 302
    assert Incident.objects.get(pk=draft.pk).status == "submitted"
    assert draft.versions.order_by("-number").first().change_reason == "Draft continued"


def test_amend_submit_with_missing_items_saves_no_new_version(nurse, roster_nurse, draft):
    post = typical_post(roster_nurse, outcome="")
    response = signed_in_client(nurse).post(f"/incidents/{draft.pk}/change/", post)
    assert response.status_code == 400
    assert "(m) Outcome" in response.content.decode()
    assert draft.versions.count() == 1


def test_amend_closed_incident_refused_to_ward_staff(world, nurse, complete_incident):
    manager = world.users["ward_manager"]
    incident_submit(incident=complete_incident, by=nurse)
    incident_review(incident=complete_incident, by=manager)
    signed_in_client(manager).post(f"/incidents/{complete_incident.pk}/close/", close_post())
    body = signed_in_client(nurse).get(f"/incidents/{complete_incident.pk}/").content.decode()
    assert "Change this record" not in body
    governance = signed_in_client(world.users["provider_governance"])
    assert "Change this record" in governance.get(f"/incidents/{complete_incident.pk}/").content.decode()


def test_history_shows_each_version_and_what_changed(nurse, complete_incident):
    from rrp.force.services import incident_amend

    incident_amend(
        incident=complete_incident, by=nurse, reason="Outcome clearer", outcome="Settled after an hour"
    )
    response = signed_in_client(nurse).get(f"/incidents/{complete_incident.pk}/history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Version 2" in body and "Version 1" in body
    assert "Outcome clearer" in body
    assert "Settled after an hour" in body and "Settled in own room; no injuries" in body


def test_list_and_page_queries_do_not_grow_with_the_records(nurse, ward, patient, complete_incident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(nurse)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries.captured_queries)

    list_one, page_one = count("/incidents/"), count(f"/incidents/{complete_incident.pk}/")
    for _ in range(3):
        incident_record(ward=ward, patient=patient, by=nurse, place_on_ward="Hall")
    assert count("/incidents/") == list_one
    assert count(f"/incidents/{complete_incident.pk}/") == page_one
