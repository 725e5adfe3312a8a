"""Setting up training courses (issue 16 item 3's leftover): governance adds and changes a course, refused
naming the field (a code another course has, no topic, no refresher), audited with what it was; 403 for
anyone else."""

from __future__ import annotations

import pytest

from rrp.act.models import TrainingCourse
from rrp.core.models import AuditAction, AuditEvent
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


def test_governance_adds_then_changes_a_course(world):
    provider = world.providers[0]
    client = signed_in_client(world.users["provider_governance"])
    new = f"/use-of-force-act/providers/{provider.pk}/training/courses/new/"
    refused = client.post(new, {"code": "", "title": "Breakaway", "refresher_months": "0"})
    assert refused.status_code == 400
    for message in (
        "Enter the course&#39;s code in the learning management system",
        "Choose the Act&#39;s training topics the course covers",
        "Enter how many months until a refresher is due (1 or more)",
    ):
        assert message in refused.text
    values = {
        "code": "BRK",
        "title": "Breakaway",
        "topics": ["e", "f"],
        "refresher_months": "12",
        "required": "on",
    }
    assert client.post(new, values).status_code == 302
    course = TrainingCourse.objects.get(provider=provider, code="BRK")
    assert course.topics == ["e", "f"] and course.required
    assert client.post(new, values).status_code == 400  # the code is taken
    edit = f"/use-of-force-act/providers/{provider.pk}/training/courses/{course.pk}/"
    assert 'value="BRK"' in client.get(edit).text
    assert client.post(edit, {**values, "refresher_months": "24", "required": ""}).status_code == 302
    course.refresh_from_db()
    assert course.refresher_months == 24 and not course.required
    change = AuditEvent.objects.get(record_type="act.TrainingCourse", action=AuditAction.CHANGE)
    assert change.detail["before"]["refresher_months"] == "12"
    training = client.get(f"/use-of-force-act/providers/{provider.pk}/training/")
    assert "Add a course" in training.text and edit in training.text
    manager = signed_in_client(world.users["ward_manager"])
    assert manager.get(new).status_code == 403
    assert "Add a course" not in manager.get(f"/use-of-force-act/providers/{provider.pk}/training/").text
