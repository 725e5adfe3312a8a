"""The plan to end segregation (issue 17, item 5) as versions with steps and dates, the register's time
in segregation and time since the last step, and the per-person summary (item 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.core.concurrency import StaleVersion
from rrp.core.models import AuditEvent
from rrp.segregation.models import EndPlanVersion
from rrp.segregation.oversight import end_plan_set
from rrp.segregation.selectors import lts_register
from tests.helpers import signed_in_client

D = dt.timedelta(days=1)


def steps(today: dt.date) -> list[dict]:
    return [
        {"text": "Meals in the main dining room", "planned_on": today - 30 * D, "done_on": today - 12 * D},
        {"text": "Two hours a day on the main ward", "planned_on": today - 5 * D, "done_on": None},
        {"text": "Move back to a bedroom on the main ward", "planned_on": today + 30 * D, "done_on": None},
    ]


def test_plan_versions_and_the_register(lts, nurse_user, world):
    today = timezone.localdate()
    # No plan yet: the days since a step count from the start of segregation.
    row = lts_register(nurse_user, lts.provider)[0]
    assert row.plan is None and row.days_since_last_step == row.days == 120

    first = end_plan_set(episode=lts, by=nurse_user, aim="Living on the main ward", steps=steps(today))
    assert first.number == 1 and first.steps.count() == 3
    row = lts_register(nurse_user, lts.provider)[0]
    assert row.days_since_last_step == 12
    assert row.plan.next_step.text == "Two hours a day on the main ward"
    assert [s.number for s in row.plan.late_steps(today)] == [2]

    changed = steps(today)
    changed[1]["done_on"] = today - 2 * D
    with pytest.raises(ValidationError) as error:
        end_plan_set(episode=lts, by=nurse_user, aim="Living on the main ward", steps=changed, base_version=1)
    assert error.value.message_dict == {"change_reason": ["Say why the plan is changing"]}
    second = end_plan_set(
        episode=lts,
        by=nurse_user,
        aim="Living on the main ward",
        steps=changed,
        change_reason="Step 2 done",
        base_version=1,
    )
    assert second.number == 2 and lts_register(nurse_user, lts.provider)[0].days_since_last_step == 2
    # Both versions kept; the change audited.
    assert list(EndPlanVersion.objects.values_list("number", flat=True)) == [1, 2]
    assert AuditEvent.objects.filter(record_type="segregation.EndPlanVersion", action="change").count() == 1
    with pytest.raises(StaleVersion):
        end_plan_set(episode=lts, by=nurse_user, aim="x", steps=changed, change_reason="late", base_version=1)


def test_bad_steps_are_named(lts, nurse_user):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        end_plan_set(
            episode=lts,
            by=nurse_user,
            aim="",
            steps=[
                {"text": "Done tomorrow", "planned_on": today, "done_on": today + D},
                {"text": "", "planned_on": today, "done_on": None},
                {"text": "No date", "planned_on": None, "done_on": None},
                {"text": "Before it began", "planned_on": today, "done_on": today - 200 * D},
            ],
        )
    errors = error.value.message_dict
    assert errors["aim"] == ["Enter what ending segregation looks like for this person"]
    assert errors["step_1_done_on"] == ["Step 1 cannot be done in the future"]
    assert errors["step_2_text"] == ["Enter what step 2 is"]
    assert errors["step_3_planned_on"] == ["Enter the date step 3 is planned for"]
    assert errors["step_4_done_on"] == ["Step 4 cannot be done before the segregation began"]
    assert not EndPlanVersion.objects.exists()


def test_no_steps_refused(lts, nurse_user):
    with pytest.raises(ValidationError) as error:
        end_plan_set(episode=lts, by=nurse_user, aim="Main ward", steps=[])
    assert error.value.message_dict == {"step_1_text": ["Enter at least one step towards ending segregation"]}


def test_plan_page_register_and_summary(lts, nurse_user, world, patient):
    client = signed_in_client(nurse_user)
    url = reverse("segregation:end-plan", args=[lts.pk])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    data = {"aim": "Living on the main ward", "base_version": "0"}
    for i, step in enumerate(steps(today), start=1):
        data[f"step_{i}_text"] = step["text"]
        data[f"step_{i}_planned_on"] = step["planned_on"].isoformat()
        data[f"step_{i}_done_on"] = step["done_on"].isoformat() if step["done_on"] else ""
    response = client.post(url, data | {"step_2_planned_on": ""})
    assert response.status_code == 400 and "Enter the date step 2 is planned for" in response.content.decode()
    assert client.post(url, data).status_code == 302
    # The form opens again with the plan in it; a save from the old version is refused with 409.
    assert "Meals in the main dining room" in client.get(url).content.decode()
    assert client.post(url, data | {"change_reason": "again"}).status_code == 409

    episode_html = client.get(reverse("segregation:episode", args=[lts.pk])).content.decode()
    assert "Two hours a day on the main ward" in episode_html and "Late" in episode_html
    register = client.get(reverse("segregation:lts-register", args=[lts.provider_id])).content.decode()
    assert "Days since last step" in register and "Next step: Two hours a day" in register
    summary = signed_in_client(world.users["provider_governance"]).get(
        reverse("segregation:patient", args=[patient.pk])
    )
    html = summary.content.decode()
    assert summary.status_code == 200 and "In long-term segregation now" in html
    assert "next step planned for" in html


def test_pseudonymised_register_shows_dates_not_step_text(lts, nurse_user, world):
    end_plan_set(episode=lts, by=nurse_user, aim="Main ward", steps=steps(timezone.localdate()))
    html = (
        signed_in_client(world.users["commissioner"])
        .get(reverse("segregation:lts-register-commissioner"))
        .content.decode()
    )
    assert "Days since last step" in html
    assert "Two hours a day on the main ward" not in html and "Next step planned for" in html
