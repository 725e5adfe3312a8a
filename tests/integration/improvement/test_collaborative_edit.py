"""Editing a collaborative (issue 14, item 6 leftovers; decision 0080): its lead, or a system
administrator, changes its name, aim and dates, saying why; audited with who, when, what changed and why;
bad input named on its field, nothing saved.

The world (tests/factories.build_world): "National cohort" has wards a1 and c1 and is led by the
collaborative lead."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rrp.core.models import AuditEvent
from rrp.improvement import collaborative_services
from rrp.organisations.models import Collaborative
from tests import factories
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


def _edit(world, collaborative: Collaborative | None = None, **overrides) -> Collaborative:
    collaborative = collaborative or world.collaborative
    values = {
        "name": collaborative.name,
        "aim": collaborative.aim,
        "starts_on": collaborative.starts_on,
        "ends_on": collaborative.ends_on,
        "reason": "Renamed by the steering group",
        "by": world.users["collaborative_lead"],
    }
    return collaborative_services.collaborative_update(collaborative=collaborative, **(values | overrides))


def _first_joined(world) -> dt.date:
    return min(m.joined_on for m in world.collaborative.memberships.all())


def test_the_lead_changes_the_name_aim_and_dates_audited_with_why(world):
    before = world.collaborative.name
    changed = _edit(world, name="Restraint reduction cohort 2", aim="Half the prone restraint", ends_on=None)
    changed.refresh_from_db()
    assert changed.name == "Restraint reduction cohort 2" and changed.aim == "Half the prone restraint"
    event = AuditEvent.objects.filter(
        record_type="organisations.Collaborative", record_id=str(changed.pk), action="change"
    ).latest("at")
    assert event.actor_username == world.users["collaborative_lead"].username
    assert event.detail["reason"] == "Renamed by the steering group"
    assert event.detail["changed"]["name"] == [before, "Restraint reduction cohort 2"]
    assert "starts_on" not in event.detail["changed"]


def test_a_system_administrator_may_change_any_collaborative_and_others_may_not(world):
    admin = world.users["system_admin"]
    changed = _edit(world, name="Renamed by the service", by=admin)
    assert Collaborative.objects.get(pk=changed.pk).name == "Renamed by the service"
    for user in (
        world.users["national_analyst"],
        world.users["provider_governance"],
        factories.user(role="collaborative_lead"),  # leads another collaborative, not this one
    ):
        with pytest.raises(PermissionDenied):
            _edit(world, name="Not theirs", by=user)
    assert not Collaborative.objects.filter(name="Not theirs").exists()


def test_bad_input_is_named_on_each_field_and_nothing_is_saved(world):
    original = (world.collaborative.name, world.collaborative.starts_on)
    with pytest.raises(ValidationError) as raised:
        _edit(world, name="  ", starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 5, 1), reason="")
    errors = raised.value.message_dict
    assert set(errors) == {"name", "starts_on", "ends_on", "reason"}
    assert errors["name"] == ["Enter the collaborative's name"]
    assert "on or after the start date" in errors["ends_on"][0]
    assert "Say why" in errors["reason"][0]
    # A member ward joined before this start: the start cannot move past it.
    later = _first_joined(world) + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        _edit(world, starts_on=later)
    assert set(raised.value.message_dict) == {"starts_on"}
    assert "member ward joined" in raised.value.message_dict["starts_on"][0]
    # Another collaborative's name, and no change at all, are refused too.
    Collaborative.objects.create(name="Another cohort", kind="national", starts_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as raised:
        _edit(world, name="another COHORT")
    assert "already a collaborative" in raised.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as raised:
        _edit(world)
    assert "Nothing has changed" in raised.value.message_dict["name"][0]
    world.collaborative.refresh_from_db()
    assert (world.collaborative.name, world.collaborative.starts_on) == original
    assert not AuditEvent.objects.filter(record_type="organisations.Collaborative", action="change").exists()


def test_the_edit_page_answers_the_lead_and_administrators_only(world):
    url = reverse("improvement:collaborative-edit", args=[world.collaborative.pk])
    lead = signed_in_client(world.users["collaborative_lead"])
    assert lead.get(url).status_code == 200
    assert (
        url
        in lead.get(
            reverse("improvement:collaborative-manage", args=[world.collaborative.pk])
        ).content.decode()
    )
    other = collaborative_services.collaborative_create(
        name="Someone else's",
        kind="national",
        region=None,
        aim="",
        starts_on=dt.date(2026, 1, 1),
        ends_on=None,
        by=factories.user(role="collaborative_lead"),
    )
    assert lead.get(reverse("improvement:collaborative-edit", args=[other.pk])).status_code == 404
    for role in ("national_analyst", "provider_governance", "regulator", "ward_manager"):
        assert signed_in_client(world.users[role]).get(url).status_code == 403, role
    admin = signed_in_client(world.users["system_admin"])
    assert admin.get(reverse("improvement:collaborative-edit", args=[other.pk])).status_code == 200
    index = admin.get(reverse("administration:index")).content.decode()
    assert url in index and reverse("improvement:collaborative-edit", args=[other.pk]) in index


def test_the_edit_page_shows_each_error_in_the_summary_and_saves_a_good_change(world):
    url = reverse("improvement:collaborative-edit", args=[world.collaborative.pk])
    lead = signed_in_client(world.users["collaborative_lead"])
    response = lead.post(
        url, {"name": "", "aim": "", "starts_on": "2026-01-01", "ends_on": "2025-12-31", "reason": "Typo"}
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "There is a problem" in page
    assert (
        "Enter the collaborative's name" in page and "The end date must be on or after the start date" in page
    )
    assert 'href="#id_name"' in page and 'href="#id_ends_on"' in page
    response = lead.post(
        url,
        {
            "name": "National cohort (2026 to 2028)",
            "aim": world.collaborative.aim,
            "starts_on": world.collaborative.starts_on.isoformat(),
            "ends_on": "2028-03-31",
            "reason": "The programme was extended",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("improvement:collaborative-manage", args=[world.collaborative.pk])
    world.collaborative.refresh_from_db()
    assert world.collaborative.ends_on == dt.date(2028, 3, 31)
    assert world.collaborative.name == "National cohort (2026 to 2028)"
