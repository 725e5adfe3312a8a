"""Recording as a task list (issue 13): the first section makes the draft, each section saves a version,
statuses come from what is saved, check your answers submits; sensible defaults for entry after the
event; a form posted after the session ended is kept and shown again after signing in."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.test import Client

from rrp.accounts.roles import Role
from rrp.force.models import Incident
from tests import factories
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db
DAY = "2026-03-01"


def first_url(ward, patient) -> str:
    return f"/incidents/new/{ward.pk}/{patient.pk}/"


def force_post(**overrides: str) -> dict[str, str]:
    data = {
        "iv_count": "2",
        "place_on_ward": "Lounge",
        "iv-0-type_code": "01",
        "iv-0-start_date": DAY,
        "iv-0-start_time": "14:06",
        "iv-0-end_time": "14:11",
        "iv-0-in_care_plan": "no",
        "iv-1-type_code": "14",
        "iv-1-start_date": DAY,
        "iv-1-start_time": "14:11",
        "iv-1-in_care_plan": "yes",
        "action": "save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(nurse, patient, ward):
    client = signed_in_client(nurse)
    response = client.post(first_url(ward, patient), force_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    return Incident.objects.get(), client


def test_choosing_the_patient_opens_the_first_section(nurse, patient, ward):
    response = signed_in_client(nurse).get("/incidents/new/", {"patient": patient.pk})
    assert response["Location"] == first_url(ward, patient)


def test_first_section_defaults_today_but_never_a_time(nurse, patient, ward):
    body = signed_in_client(nurse).get(first_url(ward, patient)).content.decode()
    assert f'value="{dt.date.today():%Y-%m-%d}"' in body
    start_time = re.search(r'<input[^>]*name="iv-0-start_time"[^>]*>', body).group(0)
    end_date = re.search(r'<input[^>]*name="iv-0-end_date"[^>]*>', body).group(0)
    assert 'value=""' in start_time and 'value=""' in end_date
    assert patient.nhs_number_display in body


def test_first_section_saves_a_draft_with_end_date_from_the_start_and_injection_end(draft):
    incident, _ = draft
    assert incident.status == "draft"
    version = incident.latest_version
    rows = list(version.interventions.order_by("started_at", "id"))
    # The end date was left blank: the start date, not today. The injection ends when it was given.
    assert [(i.type_code, i.duration_minutes) for i in rows] == [("01", 5), ("14", 0)]
    assert version.place_on_ward == "Lounge"


def test_task_list_shows_status_per_section(draft):
    incident, client = draft
    body = client.get(f"/incidents/{incident.pk}/record/").content.decode()
    assert "Where, when and what force" in body
    assert "Completed" in body and "Not started" in body and "Cannot start yet" in body
    assert "You have completed 1 of 7 sections." in body


def test_adding_a_row_keeps_what_was_typed_and_starts_where_the_last_ended(nurse, patient, ward):
    post = force_post(iv_count="1", action="add_intervention", place_on_ward="Garden")
    response = signed_in_client(nurse).post(first_url(ward, patient), post)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Garden"' in body and 'name="iv-1-type_code"' in body
    assert 'value="14:11"' in body  # row 2 starts when row 1 ended
    assert Incident.objects.count() == 0


def test_each_section_saves_a_version_and_check_answers_submits(draft, roster_nurse):
    incident, client = draft
    base = f"/incidents/{incident.pk}/record/"
    posts = {
        "why": {
            "reason_code": "10",
            "how_force_used": "Held prone, then IM lorazepam",
            "deescalation": "verbal",
        },
        "staff": {
            "other_count": "1",
            f"roster-{roster_nurse.pk}-involved": "on",
            f"roster-{roster_nurse.pk}-part": "head",
            "other-0-name": "Alex Agency",
            "other-0-job_title": "Healthcare assistant (agency)",
            "other-0-part": "left_arm",
        },
        "outcome": {"outcome": "Settled in own room", "happened": "none"},
        "notification": {
            "care_plan_notification_sent": "yes",
            "care_plan_notified_to": "Mother",
            "care_plan_notified_date": DAY,
            "care_plan_notified_time": "15:05",
        },
    }
    for slug, post in posts.items():
        response = client.post(base + slug + "/", {**post, "action": "save"})
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
        assert response["Location"] == base
    version = incident.latest_version
    assert version.number == 5
    assert version.patient_died is False and version.non_staff_involved is False
    assert version.change_reason == "Draft: care-plan notification saved"
    body = client.get(base + "check/").content.decode()
    assert "Check your answers before submitting" in body and "Alex Agency" in body
    response = client.post(base + "check/")
    assert response.status_code == 302
    assert Incident.objects.get().status == "submitted"
    # A submitted record is no longer edited here.
    assert client.get(base).status_code == 302


def test_none_of_these_must_be_on_its_own(draft):
    incident, client = draft
    post = {"outcome": "x", "happened": ["none", "injury_staff"], "action": "save"}
    response = client.post(f"/incidents/{incident.pk}/record/outcome/", post)
    assert response.status_code == 400
    assert "None of these" in response.content.decode()


def test_notification_date_default_is_kept_when_continuing_a_draft(draft):
    incident, client = draft
    body = client.get(f"/incidents/{incident.pk}/record/notification/").content.decode()
    assert f'value="{dt.date.today():%Y-%m-%d}"' in body


def test_check_answers_with_gaps_names_them_and_does_not_submit(draft):
    incident, client = draft
    response = client.post(f"/incidents/{incident.pk}/record/check/")
    assert response.status_code == 400
    assert "(f) How force was used" in response.content.decode()
    assert Incident.objects.get().status == "draft"


def test_unknown_section_is_404(draft):
    incident, client = draft
    assert client.get(f"/incidents/{incident.pk}/record/nonsense/").status_code == 404


def test_other_ward_draft_is_404_and_read_only_roles_403(draft, world):
    incident, _ = draft
    outsider = factories.user(
        role=Role.WARD_STAFF, provider=world.wards["a2"].provider, wards=[world.wards["a2"]]
    )
    for path in ("", "why/", "check/"):
        assert signed_in_client(outsider).get(f"/incidents/{incident.pk}/record/{path}").status_code == 404
    regulator = signed_in_client(world.users["regulator"])
    assert regulator.get(f"/incidents/{incident.pk}/record/why/").status_code == 403


def test_a_post_after_the_session_ended_is_kept_and_shown_after_signing_in(draft, nurse):
    incident, client = draft
    url = f"/incidents/{incident.pk}/record/why/"
    client.get(url)  # sets the CSRF cookie, as the page did
    token = client.cookies["csrftoken"].value
    client.session.flush()
    client.cookies.pop("sessionid", None)
    assert Client().get(url).status_code == 302  # signed out
    post = {
        "csrfmiddlewaretoken": token,
        "how_force_used": "Typed before the session ended",
        "action": "save",
    }
    enforcing = Client(enforce_csrf_checks=True)
    enforcing.cookies["csrftoken"] = token
    response = enforcing.post(url, post)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=") and "kept=1" in response["Location"]
    assert "What you typed has been kept" in enforcing.get(response["Location"]).content.decode()
    enforcing.force_login(nurse)
    session = enforcing.session
    session["signed_in_at"] = time.time()
    session.save()
    body = enforcing.get(url).content.decode()
    assert "Typed before the session ended" in body
    assert "You were signed out before this page was saved" in body
    assert incident.latest_version.how_force_used == ""  # shown again, not saved
    # Only once.
    assert "Typed before the session ended" not in enforcing.get(url).content.decode()


def test_a_post_without_a_valid_csrf_token_is_not_kept(draft):
    incident, _ = draft
    enforcing = Client(enforce_csrf_checks=True)
    response = enforcing.post(f"/incidents/{incident.pk}/record/why/", {"how_force_used": "planted"})
    assert "kept=1" not in response["Location"]


def test_stay_signed_in_answers_the_session_length(nurse):
    client = signed_in_client(nurse)
    response = client.post("/account/stay-signed-in/", HTTP_ACCEPT="application/json")
    assert response.json() == {"seconds": 1800}
    response = client.post("/account/stay-signed-in/", {"next": "/incidents/"})
    assert response["Location"] == "/incidents/"


def test_seclusion_is_an_episode_not_a_type_of_force(draft, nurse, patient, ward):
    """One event, one record: types 05 and 06 are not offered on the task list; the task list links to
    starting an episode for this incident instead."""
    incident, client = draft
    body = client.get(f"/incidents/{incident.pk}/record/force/").content.decode()
    assert 'value="05"' not in body and 'value="06"' not in body and 'value="01"' in body
    response = client.post(first_url(ward, patient), force_post(**{"iv-0-type_code": "05"}))
    assert response.status_code == 400
    tasks = client.get(f"/incidents/{incident.pk}/record/").content.decode()
    assert (
        f"/segregation/wards/{ward.pk}/episodes/new/?patient={patient.pk}&amp;incident={incident.pk}" in tasks
    )


def test_a_long_prone_restraint_is_confirmed_on_the_first_section(nurse, patient, ward):
    """The plausibility rule (item 2) on the task list: over its limit, the duration must be confirmed."""
    client = signed_in_client(nurse)
    post = force_post(**{"iv-0-end_time": "14:30"})
    response = client.post(first_url(ward, patient), post)
    assert response.status_code == 400
    assert 'name="durations_confirmed"' in response.content.decode()
    assert Incident.objects.count() == 0
    response = client.post(first_url(ward, patient), {**post, "durations_confirmed": "on"})
    assert response.status_code == 302
    assert "long_duration" in Incident.objects.get().flags.values_list("kind", flat=True)


def test_a_busy_database_shows_the_section_again_with_what_was_typed(draft, monkeypatch):
    """Nothing typed is lost when the database is too busy to save (rrp.core.busy): 503, the page again."""
    from django.db import OperationalError

    from rrp.force import services

    incident, client = draft

    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "incident_amend", busy)
    post = {"how_force_used": "Typed while the database was busy", "action": "save"}
    response = client.post(f"/incidents/{incident.pk}/record/why/", post)
    assert response.status_code == 503 and response["Retry-After"]
    body = response.content.decode()
    assert "Typed while the database was busy" in body and "nothing was saved this time" in body


def test_a_voided_draft_cannot_be_continued_or_saved(draft, world):
    """A voided draft is kept as it is: the task list and its sections send the person to the incident,
    which says when it was voided and offers no way to continue it; a section posted anyway saves nothing."""
    from rrp.force.services import incident_void

    incident, client = draft
    incident_void(incident=incident, by=world.users["provider_governance"], reason="A test record")
    base = f"/incidents/{incident.pk}/record/"
    for path in ("", "why/", "staff/", "check/"):
        response = client.get(base + path)
        assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/", path
    response = client.post(base + "why/", {"reason_code": "10", "action": "save"}, follow=True)
    assert incident.versions.count() == 1
    body = response.content.decode()
    assert "This record was voided on" in body and "and cannot be changed" in body
    assert "Continue the draft" not in body


def test_two_people_saving_the_same_section_get_the_conflict_answer(draft, nurse):
    """Each section page carries the draft version it started from: the second of two saves made from
    the same version is refused (409, nothing saved, what was typed kept) instead of silently undoing
    the first; saving again from the page it is shown on then goes through."""
    incident, first = draft
    second = signed_in_client(nurse)
    url = f"/incidents/{incident.pk}/record/why/"
    pages = [client.get(url).content.decode() for client in (first, second)]
    assert all('name="base_version" value="1"' in page for page in pages)
    why = {"reason_code": "10", "deescalation": "verbal", "base_version": "1", "action": "save"}
    assert first.post(url, {**why, "how_force_used": "Held prone"}).status_code == 302
    response = second.post(url, {**why, "how_force_used": "Held seated"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by someone else" in body and "Held seated" in body
    assert 'name="base_version" value="2"' in body
    assert incident.latest_version.number == 2 and incident.latest_version.how_force_used == "Held prone"
    assert second.post(url, {**why, "how_force_used": "Held seated", "base_version": "2"}).status_code == 302


def test_debriefs_section_links_the_debrief_records_and_asks_no_yes_no(draft, nurse, world):
    """Issue 15: the debrief records are the source of truth (decision 0061), so the task list links them
    instead of asking yes/no; its status and the closing checklist read the records."""
    from rrp.force.closure import closure_checklist
    from rrp.force.debriefs import debrief_record
    from rrp.force.services import incident_amend

    incident, client = draft
    section = f"/incidents/{incident.pk}/record/debriefs/"

    body = client.get(section).content.decode()

    assert 'name="debrief_patient_offered"' not in body and 'name="debrief_patient_held"' not in body
    assert 'name="camera_references"' in body
    assert f"/incidents/{incident.pk}/debriefs/patient/" in body and "Record this debrief" in body
    tasks = client.get(f"/incidents/{incident.pk}/record/").content.decode()
    assert re.search(r"Debriefs and recordings.*?Optional", tasks, re.S)
    assert not next(
        i for i in closure_checklist(incident, at=incident.created_at) if i.key == "patient_debrief"
    ).done

    # A draft's yes/no answers from before the records are shown, read only, until a record exists.
    incident_amend(incident=incident, by=nurse, reason="Draft: old form", debrief_patient_offered=True)
    assert "patient offered a debrief: yes" in client.get(section).content.decode()

    recorded = client.post(
        f"/incidents/{incident.pk}/debriefs/patient/",
        {"offered_date": DAY, "offered_time": "16:00", "base_version": "0"},
    )
    assert recorded.status_code == 302 and recorded["Location"] == section  # back to the task list
    body = client.get(section).content.decode()
    assert "Offered" in body and "Change this debrief" in body and "patient offered a debrief" not in body
    tasks = client.get(f"/incidents/{incident.pk}/record/").content.decode()
    assert re.search(r"Debriefs and recordings.*?Completed", tasks, re.S)
    offered = next(
        i for i in closure_checklist(incident, at=incident.created_at) if i.key == "patient_debrief"
    )
    assert offered.done
    # The statutory follow-up is still checked, now from the record.
    debrief_record(
        incident=incident,
        kind="patient",
        by=nurse,
        base_version=1,
        change_reason="Not offered after all",
        not_held_reason="Asleep all day",
    )
    assert incident.debriefs.count() == 2
    item = next(i for i in closure_checklist(incident, at=incident.created_at) if i.key == "patient_debrief")
    assert not item.done
    saved = client.post(section, {"camera_references": "BWC 1234", "action": "save"})
    assert saved.status_code == 302 and incident.latest_version.camera_references == "BWC 1234"
    assert incident.latest_version.debrief_patient_offered is True  # carried over, never rewritten
