"""The events and rebases pages: who sees them, who may record, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.improvement import services
from rrp.improvement.models import ChartRebase, WardEvent, Withdrawal
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
MEASURE = "restrictive-interventions-per-1000-obd"


def events_url(ward) -> str:
    return reverse("improvement:ward-events", args=[ward.pk])


def event_post(**overrides) -> dict[str, str]:
    return {
        "happened_on": YESTERDAY.isoformat(),
        "label": "Safewards started",
        "kind": "change_tested",
        "description": "",
        **overrides,
    }


def recorded(world, label: str = "Debrief huddles") -> WardEvent:
    return services.ward_event_record(
        ward=world.wards["a1"],
        happened_on=YESTERDAY,
        label=label,
        kind="other",
        by=world.users["ward_manager"],
    )


@pytest.mark.parametrize(
    ("role", "ward", "status"),
    [
        ("ward_staff", "a1", 200),
        ("ward_staff", "a2", 404),
        ("ward_manager", "a1", 200),
        ("ward_manager", "b1", 404),
        ("provider_governance", "a2", 200),
        ("provider_governance", "c1", 404),
        ("commissioner", "b1", 200),
        ("commissioner", "c1", 404),
        ("regulator", "c1", 200),
        # The national analyst sees wards pseudonymised, never by name: no ward pages at all.
        ("national_analyst", "a1", 403),
    ],
)
def test_events_page_scope_per_role(world, role, ward, status) -> None:
    recorded(world)
    response = signed_in_client(world.users[role]).get(events_url(world.wards[ward]))

    assert response.status_code == status
    if status == 200 and ward == "a1":
        assert "Debrief huddles" in response.content.decode()


def test_system_admin_without_ward_view_is_refused(world) -> None:
    assert signed_in_client(world.users["system_admin"]).get(events_url(world.wards["a1"])).status_code == 403


def test_ward_manager_records_an_event_on_their_ward(world) -> None:
    client = signed_in_client(world.users["ward_manager"])

    response = client.post(events_url(world.wards["a1"]), event_post())

    assert response.status_code == 302 and response["Location"] == events_url(world.wards["a1"])
    event = WardEvent.objects.get()
    assert (event.ward, event.label, event.happened_on) == (world.wards["a1"], "Safewards started", YESTERDAY)
    page = client.get(events_url(world.wards["a1"])).content.decode()
    assert "Safewards started" in page and "Record an event" in page


def test_ward_manager_cannot_post_on_another_providers_ward(world) -> None:
    response = signed_in_client(world.users["ward_manager"]).post(events_url(world.wards["b1"]), event_post())

    assert response.status_code == 404
    assert not WardEvent.objects.exists()


@pytest.mark.parametrize("role", ["ward_staff", "regulator", "commissioner"])
def test_readers_see_no_form_and_may_not_post(world, role) -> None:
    client = signed_in_client(world.users[role])
    ward = world.wards["a1"]

    page = client.get(events_url(ward)).content.decode()
    assert "Record an event" not in page and "Record a rebase decision" not in page
    assert client.post(events_url(ward), event_post()).status_code == 403
    assert client.get(reverse("improvement:rebase-new", args=[ward.pk])).status_code == 403
    assert not WardEvent.objects.exists()


def test_bad_event_shows_the_error_summary_and_field_errors_and_saves_nothing(world) -> None:
    client = signed_in_client(world.users["ward_manager"])

    response = client.post(events_url(world.wards["a1"]), event_post(happened_on="", label="z" * 61, kind=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "<title>Error: " in page
    assert "Enter the date of the event" in page
    assert "Select what kind of event this was" in page
    assert 'href="#id_happened_on"' in page
    assert not WardEvent.objects.exists()


def test_too_long_label_reported_by_the_service_on_its_field(world) -> None:
    response = signed_in_client(world.users["ward_manager"]).post(
        events_url(world.wards["a1"]), event_post(label="z" * 61)
    )

    assert response.status_code == 400
    assert "The label must be 60 characters or fewer" in response.content.decode()
    assert not WardEvent.objects.exists()
    assert not AuditEvent.objects.filter(record_type="improvement.WardEvent").exists()


def test_ward_manager_records_a_rebase_decision(world) -> None:
    client = signed_in_client(world.users["ward_manager"])
    url = reverse("improvement:rebase-new", args=[world.wards["a1"].pk])

    form = client.get(url)
    assert form.status_code == 200 and "Restrictive interventions" in form.content.decode()
    response = client.post(
        url, {"measure_slug": MEASURE, "rebase_on": YESTERDAY.isoformat(), "reason": "Safewards embedded"}
    )

    assert response.status_code == 302
    rebase = ChartRebase.objects.get()
    assert (rebase.measure_slug, rebase.rebase_on, rebase.reason) == (
        MEASURE,
        YESTERDAY,
        "Safewards embedded",
    )
    assert "Safewards embedded" in client.get(events_url(world.wards["a1"])).content.decode()


def test_rebase_without_a_reason_or_measure_is_refused_with_400(world) -> None:
    url = reverse("improvement:rebase-new", args=[world.wards["a1"].pk])

    response = signed_in_client(world.users["ward_manager"]).post(
        url, {"measure_slug": "", "rebase_on": "2026-02-30", "reason": ""}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a measure" in page
    assert "Enter new limits from as a real date" in page
    assert "Say why the process has changed" in page
    assert not ChartRebase.objects.exists()


def test_rebase_page_for_another_providers_ward_is_404(world) -> None:
    url = reverse("improvement:rebase-new", args=[world.wards["c1"].pk])
    assert signed_in_client(world.users["provider_governance"]).get(url).status_code == 404


def test_withdraw_an_event_through_the_page_marks_it_withdrawn(world) -> None:
    event = recorded(world)
    client = signed_in_client(world.users["ward_manager"])
    url = reverse("improvement:event-withdraw", args=[world.wards["a1"].pk, event.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Recorded twice"})

    assert response.status_code == 302
    assert Withdrawal.objects.get().event == event
    page = client.get(events_url(world.wards["a1"])).content.decode()
    assert "Withdrawn" in page and "Recorded twice" in page


def test_withdraw_a_rebase_through_the_page(world) -> None:
    rebase = services.chart_rebase_record(
        ward=world.wards["a1"],
        measure_slug=MEASURE,
        rebase_on=YESTERDAY,
        reason="R",
        by=world.users["ward_manager"],
    )
    url = reverse("improvement:rebase-withdraw", args=[world.wards["a1"].pk, rebase.pk])

    response = signed_in_client(world.users["provider_governance"]).post(url, {"reason": "Too early"})

    assert response.status_code == 302
    assert Withdrawal.objects.get().rebase == rebase


def test_withdraw_refused_to_ward_staff_and_unknown_ids_are_404(world) -> None:
    event = recorded(world)
    staff = signed_in_client(world.users["ward_staff"])
    url = reverse("improvement:event-withdraw", args=[world.wards["a1"].pk, event.pk])
    assert staff.post(url, {"reason": "No"}).status_code == 403
    manager = signed_in_client(world.users["ward_manager"])
    # The event belongs to a1: asking for it under a2 finds nothing.
    assert (
        manager.get(reverse("improvement:event-withdraw", args=[world.wards["a2"].pk, event.pk])).status_code
        == 404
    )
    assert (
        manager.get(reverse("improvement:rebase-withdraw", args=[world.wards["a1"].pk, 999])).status_code
        == 404
    )
    assert not Withdrawal.objects.exists()


def test_ward_page_links_to_events_and_rebases(world) -> None:
    page = signed_in_client(world.users["ward_staff"]).get(
        reverse("web:ward-detail", args=[world.wards["a1"].pk])
    )
    assert events_url(world.wards["a1"]) in page.content.decode()
