"""Recording events, rebase decisions and aims: each field's message, who may, append-only rows, the
audit row, and withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.improvement import selectors, services
from rrp.improvement.models import ChartRebase, EventKind, ImprovementAim, WardEvent, Withdrawal
from tests import factories

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


# --- withdrawing an aim ------------------------------------------------------------------------------

RI = "restrictive-interventions-per-1000-obd"


def _aim(world, *, provider=None, collaborative=None, by=None, statement="25% fewer by March 2027"):
    return services.improvement_aim_record(
        provider=provider,
        collaborative=collaborative,
        measure_slug=RI,
        statement=statement,
        baseline_start=dt.date(2024, 4, 1),
        baseline_end=dt.date(2025, 3, 31),
        reduction_percent=25,
        aim_date=dt.date(2027, 3, 31),
        by=by or world.users["provider_governance"],
    )


def test_withdraw_a_provider_aim_by_its_governance_is_audited_and_leaves_the_board(world) -> None:
    provider = world.providers[0]
    aim, kept = _aim(world, provider=provider), _aim(world, provider=provider, statement="Kept")

    withdrawal = services.withdraw(
        item=aim, reason="  Wrong baseline period  ", by=world.users["provider_governance"]
    )

    assert (withdrawal.aim, withdrawal.event, withdrawal.rebase) == (aim, None, None)
    assert withdrawal.reason == "Wrong baseline period"
    assert withdrawal.withdrawn_by == world.users["provider_governance"]
    assert selectors.aims_for_provider(provider.pk) == [kept]
    ImprovementAim.objects.get(pk=aim.pk)  # append-only: the aim itself stays
    audit = AuditEvent.objects.get(
        record_type="improvement.ImprovementAim", record_id=str(aim.pk), action=AuditAction.CHANGE
    )
    assert audit.detail == {"withdrawn": True, "reason": "Wrong baseline period"}
    assert audit.provider_id == provider.pk
    assert audit.actor_username == world.users["provider_governance"].username


def test_withdraw_an_aim_needs_a_reason_and_happens_once(world) -> None:
    aim = _aim(world, provider=world.providers[0])
    governance = world.users["provider_governance"]

    assert _errors(lambda: services.withdraw(item=aim, reason="  ", by=governance)) == {
        "reason": ["Say why this is being withdrawn"]
    }
    assert not Withdrawal.objects.exists()
    services.withdraw(item=aim, reason="Duplicate", by=governance)
    assert _errors(lambda: services.withdraw(item=aim, reason="Again", by=governance)) == {
        "reason": ["This has already been withdrawn"]
    }
    assert Withdrawal.objects.filter(aim=aim).count() == 1
    assert AuditEvent.objects.filter(record_type="improvement.ImprovementAim", action="change").count() == 1


@pytest.mark.parametrize("role", ["ward_manager", "ward_staff", "regulator", "commissioner", "system_admin"])
def test_withdraw_a_provider_aim_refused_to_those_who_may_not_set_its_aims(world, role) -> None:
    aim = _aim(world, provider=world.providers[0])

    with pytest.raises(PermissionDenied):
        services.withdraw(item=aim, reason="No", by=world.users[role])

    assert not Withdrawal.objects.exists()
    assert not AuditEvent.objects.filter(record_type="improvement.ImprovementAim", action="change").exists()


def test_withdraw_refused_to_another_providers_governance(world) -> None:
    aim = _aim(world, provider=world.providers[0])
    other = factories.user(role=Role.PROVIDER_GOVERNANCE, provider=world.providers[1])

    with pytest.raises(PermissionDenied):
        services.withdraw(item=aim, reason="Not ours", by=other)
    assert not Withdrawal.objects.exists()


def test_collaborative_aim_withdrawn_only_by_an_administrator_and_leaves_the_collaborative(world) -> None:
    admin = world.users["system_admin"]
    aim = _aim(world, collaborative=world.collaborative, by=admin)

    for role in ("provider_governance", "national_analyst"):
        with pytest.raises(PermissionDenied):
            services.withdraw(item=aim, reason="No", by=world.users[role])
    services.withdraw(item=aim, reason="Set on the wrong measure", by=admin)

    assert selectors.aims_for_collaborative(world.collaborative.pk) == []
    audit = AuditEvent.objects.get(
        record_type="improvement.ImprovementAim", record_id=str(aim.pk), action="change"
    )
    assert audit.provider_id is None and audit.detail["reason"] == "Set on the wrong measure"


def test_provider_aim_for_is_scoped_to_the_provider_and_the_user(world) -> None:
    provider_a, provider_b = world.providers[0], world.providers[1]
    aim = _aim(world, provider=provider_a)
    collaborative_aim = _aim(world, collaborative=world.collaborative, by=world.users["system_admin"])
    governance = world.users["provider_governance"]

    assert selectors.provider_aim_for(governance, provider_a, aim.pk) == aim
    assert selectors.provider_aim_for(governance, provider_b, aim.pk) is None
    assert selectors.provider_aim_for(governance, provider_a, collaborative_aim.pk) is None
    assert selectors.provider_aim_for(world.users["ward_staff"], provider_a, aim.pk) == aim
    outsider = factories.user(role=Role.PROVIDER_GOVERNANCE, provider=provider_b)
    assert selectors.provider_aim_for(outsider, provider_a, aim.pk) is None
