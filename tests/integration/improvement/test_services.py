"""Recording events, rebase decisions and aims: each field's message, who may, append-only rows, the
audit row, and withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.improvement import selectors, services
from rrp.improvement.models import ChartRebase, EventKind, WardEvent, Withdrawal

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def _event(world, **overrides) -> WardEvent:
    arguments = {
        "ward": world.wards["a1"],
        "happened_on": YESTERDAY,
        "label": "Safewards started",
        "kind": EventKind.CHANGE_TESTED,
        "description": "Calm-down methods and mutual help meetings",
        "by": world.users["ward_manager"],
    }
    return services.ward_event_record(**{**arguments, **overrides})


def _errors(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


def test_ward_event_record_saves_the_event_and_its_audit_row(world) -> None:
    event = _event(world)

    assert (event.ward, event.label, event.kind) == (world.wards["a1"], "Safewards started", "change_tested")
    assert event.recorded_by == world.users["ward_manager"]
    audit = AuditEvent.objects.get(record_type="improvement.WardEvent", record_id=str(event.pk))
    assert audit.action == AuditAction.CREATE
    assert audit.provider_id == world.wards["a1"].provider_id
    assert audit.actor_username == world.users["ward_manager"].username
    assert (
        selectors.events_by_ward([world.wards["a1"].pk])[world.wards["a1"].pk][0].label == "Safewards started"
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"happened_on": None}, "happened_on", "Enter a date"),
        (
            {"happened_on": timezone.localdate() + dt.timedelta(days=1)},
            "happened_on",
            "cannot be in the future",
        ),
        ({"label": "   "}, "label", "Enter a short label for the chart"),
        ({"label": "x" * 61}, "label", "60 characters or fewer"),
        ({"kind": "party"}, "kind", "Select what kind of event this was"),
    ],
)
def test_ward_event_record_names_each_bad_field_and_saves_nothing(world, overrides, field, message) -> None:
    errors = _errors(lambda: _event(world, **overrides))

    assert list(errors) == [field]
    assert message in errors[field][0]
    assert not WardEvent.objects.exists()
    assert not AuditEvent.objects.filter(record_type="improvement.WardEvent").exists()


def test_ward_event_label_of_exactly_60_characters_is_accepted(world) -> None:
    assert len(_event(world, label="y" * 60).label) == 60


@pytest.mark.parametrize(
    "role", ["ward_staff", "commissioner", "regulator", "national_analyst", "system_admin"]
)
def test_ward_event_record_refused_to_roles_that_do_not_manage_charts(world, role) -> None:
    with pytest.raises(PermissionDenied):
        _event(world, by=world.users[role])
    assert not WardEvent.objects.exists()


def test_ward_event_record_refused_on_a_ward_outside_the_managers_wards(world) -> None:
    with pytest.raises(PermissionDenied):
        _event(world, ward=world.wards["b1"])
    # Governance manages every ward of its own provider, none of another's.
    assert (
        _event(world, ward=world.wards["a2"], by=world.users["provider_governance"]).ward == world.wards["a2"]
    )
    with pytest.raises(PermissionDenied):
        _event(world, ward=world.wards["c1"], by=world.users["provider_governance"])


def test_events_and_rebases_are_append_only(world) -> None:
    event = _event(world)
    rebase = services.chart_rebase_record(
        ward=world.wards["a1"],
        measure_slug="restrictive-interventions-per-1000-obd",
        rebase_on=YESTERDAY,
        reason="Safewards embedded for six months",
        by=world.users["ward_manager"],
    )

    event.label = "Changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        WardEvent.objects.filter(pk=event.pk).update(label="Changed")
    with pytest.raises(AppendOnlyError):
        ChartRebase.objects.filter(pk=rebase.pk).delete()
    assert WardEvent.objects.get(pk=event.pk).label == "Safewards started"


def test_chart_rebase_record_saves_the_decision_and_its_audit_row(world) -> None:
    rebase = services.chart_rebase_record(
        ward=world.wards["a1"],
        measure_slug="restrictive-interventions-per-1000-obd",
        rebase_on=YESTERDAY,
        reason="  Safewards embedded  ",
        by=world.users["provider_governance"],
    )

    assert rebase.reason == "Safewards embedded"
    assert AuditEvent.objects.filter(record_type="improvement.ChartRebase", record_id=str(rebase.pk)).exists()
    assert selectors.rebases_by_ward([world.wards["a1"].pk], "restrictive-interventions-per-1000-obd") == {
        world.wards["a1"].pk: [YESTERDAY]
    }


def test_chart_rebase_record_names_each_bad_field(world) -> None:
    errors = _errors(
        lambda: services.chart_rebase_record(
            ward=world.wards["a1"],
            measure_slug="no-such-measure",
            rebase_on=None,
            reason=" ",
            by=world.users["ward_manager"],
        )
    )

    assert errors["measure_slug"] == ["Select a measure"]
    assert errors["rebase_on"] == ["Enter a date"]
    assert errors["reason"][0].startswith("Say why the process has changed")
    assert not ChartRebase.objects.exists()


def test_chart_rebase_record_refused_to_ward_staff(world) -> None:
    with pytest.raises(PermissionDenied):
        services.chart_rebase_record(
            ward=world.wards["a1"],
            measure_slug="restrictive-interventions-per-1000-obd",
            rebase_on=YESTERDAY,
            reason="Because",
            by=world.users["ward_staff"],
        )


def test_withdraw_takes_the_event_off_the_charts_but_keeps_it_marked(world) -> None:
    event = _event(world)
    kept = _event(world, label="Debrief huddles")

    withdrawal = services.withdraw(
        item=event, reason="Recorded on the wrong ward", by=world.users["ward_manager"]
    )

    assert withdrawal.event == event and withdrawal.reason == "Recorded on the wrong ward"
    labels = [e.label for e in selectors.events_by_ward([world.wards["a1"].pk])[world.wards["a1"].pk]]
    assert labels == ["Debrief huddles"]
    listed = {e.label: e for e in selectors.ward_events(world.wards["a1"].pk)}
    assert listed["Safewards started"].withdrawal.reason == "Recorded on the wrong ward"
    assert kept.pk in {e.pk for e in listed.values()}
    audit = AuditEvent.objects.get(
        record_type="improvement.WardEvent", record_id=str(event.pk), action="change"
    )
    assert audit.detail == {"withdrawn": True, "reason": "Recorded on the wrong ward"}


def test_withdraw_a_rebase_takes_it_off_the_chart(world) -> None:
    rebase = services.chart_rebase_record(
        ward=world.wards["a1"],
        measure_slug="restrictive-interventions-per-1000-obd",
        rebase_on=YESTERDAY,
        reason="Safewards embedded",
        by=world.users["ward_manager"],
    )
    services.withdraw(item=rebase, reason="Too early", by=world.users["provider_governance"])

    assert selectors.rebases_by_ward([world.wards["a1"].pk], "restrictive-interventions-per-1000-obd") == {}


def test_withdraw_needs_a_reason_and_happens_once(world) -> None:
    event = _event(world)

    assert _errors(lambda: services.withdraw(item=event, reason=" ", by=world.users["ward_manager"])) == {
        "reason": ["Say why this is being withdrawn"]
    }
    services.withdraw(item=event, reason="Duplicate", by=world.users["ward_manager"])
    assert _errors(lambda: services.withdraw(item=event, reason="Again", by=world.users["ward_manager"])) == {
        "reason": ["This has already been withdrawn"]
    }
    assert Withdrawal.objects.count() == 1


def test_withdraw_refused_to_ward_staff_and_other_providers(world) -> None:
    event = _event(world)
    for role in ("ward_staff", "regulator"):
        with pytest.raises(PermissionDenied):
            services.withdraw(item=event, reason="No", by=world.users[role])
    assert not Withdrawal.objects.exists()


def test_improvement_aim_record_for_a_provider_by_its_governance(world) -> None:
    aim = services.improvement_aim_record(
        provider=world.providers[0],
        measure_slug="restrictive-interventions-per-1000-obd",
        statement="25% fewer restrictive interventions per 1,000 occupied bed days by March 2027",
        baseline_start=dt.date(2024, 4, 1),
        baseline_end=dt.date(2025, 3, 31),
        reduction_percent=25,
        aim_date=dt.date(2027, 3, 31),
        by=world.users["provider_governance"],
    )

    assert selectors.aims_for_provider(world.providers[0].pk) == [aim]
    with pytest.raises(PermissionDenied):
        services.improvement_aim_record(
            provider=world.providers[1],
            measure_slug="restrictive-interventions-per-1000-obd",
            statement="Not ours",
            baseline_start=dt.date(2024, 4, 1),
            baseline_end=dt.date(2025, 3, 31),
            reduction_percent=25,
            aim_date=dt.date(2027, 3, 31),
            by=world.users["provider_governance"],
        )
