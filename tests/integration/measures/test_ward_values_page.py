"""The ward's measure values page (issue 20 item 2): a ward manager enters a month's value, corrects it
as a new version with a reason, is stopped with a conflict when someone else saved first, and is told
what is wrong with each field; ward staff and other providers' wards are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.measures.models import MeasureValue
from tests.helpers import signed_in_client


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _url(ward) -> str:
    return reverse("measures:ward-values", args=(ward.pk,))


def _post(client, ward, **data):
    form = {"measure": "staff-sickness-rate", "month": f"{_last_month():%Y-%m}", "base_version": "0"}
    form.update(data)
    return client.post(_url(ward), form)


@pytest.fixture
def manager(world):
    return signed_in_client(world.users["ward_manager"])


def test_ward_manager_enters_a_value_and_it_is_listed_and_audited(world, manager):
    a1 = world.wards["a1"]

    response = _post(manager, a1, numerator="12.5", denominator="410")
    page = manager.get(_url(a1)).content.decode()

    assert response.status_code == 302
    value = MeasureValue.objects.get()
    assert (value.numerator, value.denominator, value.version) == (Decimal("12.5"), 410, 1)
    assert value.recorded_by == world.users["ward_manager"] and value.route == "entered"
    assert "12.5 of 410" in page
    assert AuditEvent.objects.filter(record_type="measures.MeasureValue", action="create").count() == 1


def test_a_correction_needs_a_reason_and_keeps_the_earlier_version(world, manager):
    a1 = world.wards["a1"]
    _post(manager, a1, numerator="12", denominator="400")

    without = _post(manager, a1, numerator="14", denominator="400", base_version="1")
    corrected = _post(
        manager, a1, numerator="14", denominator="400", base_version="1", reason="ESR late return"
    )
    history = manager.get(_url(a1), {"measure": "staff-sickness-rate", "month": f"{_last_month():%Y-%m}"})

    assert without.status_code == 400
    assert "Enter the reason for the correction" in without.content.decode()
    assert corrected.status_code == 302
    assert list(MeasureValue.objects.order_by("version").values_list("version", "numerator", "reason")) == [
        (1, 12, ""),
        (2, 14, "ESR late return"),
    ]
    assert "ESR late return" in history.content.decode()
    assert 'name="base_version" value="2"' in history.content.decode()


def test_saving_over_a_value_someone_else_saved_is_a_conflict_not_an_overwrite(world, manager):
    a1 = world.wards["a1"]
    _post(manager, a1, numerator="12", denominator="400")  # the other person, first

    response = _post(manager, a1, numerator="9", denominator="400", base_version="0")

    assert response.status_code == 409
    assert "Someone else saved Staff sickness absence rate" in response.content.decode()
    assert 'name="base_version" value="1"' in response.content.decode()
    assert MeasureValue.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"numerator": "-2", "denominator": "400"}, "Enter 0 or more: a count cannot be negative"),
        ({"numerator": "lots", "denominator": "400"}, "Enter a number, for example 12 or 3.5"),
        ({"numerator": "3", "denominator": ""}, "Enter the denominator: this measure"),
        ({"numerator": "3", "denominator": "40", "month": "2999-01"}, "The month is in the future"),
        (
            {"numerator": "3", "measure": "assaults-on-staff-per-1000-obd", "denominator": "40"},
            "Leave it blank",
        ),
        ({"numerator": "3", "measure": "incidents"}, "Select a valid choice"),
    ],
)
def test_bad_value_is_named_in_the_error_summary_and_nothing_is_saved(world, manager, data, message):
    response = _post(manager, world.wards["a1"], **data)

    assert response.status_code == 400
    assert "nhsuk-error-summary" in response.content.decode()
    assert message in response.content.decode()
    assert not MeasureValue.objects.exists()


def test_ward_staff_and_wards_out_of_scope_are_refused(world, manager):
    staff = signed_in_client(world.users["ward_staff"])

    assert staff.get(_url(world.wards["a1"])).status_code == 404
    assert manager.get(_url(world.wards["b1"])).status_code == 404
    assert _post(manager, world.wards["b1"], numerator="1", denominator="2").status_code == 404
    assert not MeasureValue.objects.exists()
