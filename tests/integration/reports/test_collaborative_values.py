"""The collaborative view's pooled charts of entered and imported measures (issue 20 item 1): a member
ward's values are pooled, a non-member's are not, suppressed as the other pooled charts are unless the
measure identifies no one, and an unknown ``?measure=`` is a 404."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.measures.catalogue import Combine, EntryPeriod, measure
from rrp.measures.models import ValueRoute
from rrp.measures.values import ValueInput, record_values
from rrp.reports.collaborative.compute import (
    pooled_values_series,
    value_measures,
    value_pooled_figures,
)
from tests.helpers import signed_in_client
from tests.integration.reports.test_collaborative import bed_days, month_back

ASSAULTS = "assaults-on-staff-per-1000-obd"
SAFEWARDS = "safewards-interventions-in-use"
SICKNESS = "staff-sickness-rate"


def monthly(slug: str):
    """The measure as a monthly one: Safewards was monthly in version 1 (decision 0079), and its monthly
    values still stand beside the weeks."""
    definition = measure(slug)
    if not definition.weekly:
        return definition
    return dataclasses.replace(definition, version=1, entry_period=EntryPeriod.MONTH)


def enter(
    world, ward_key: str, slug: str, month: dt.date, numerator: str, denominator: str | None = None
) -> None:
    record_values(
        [
            ValueInput(
                world.wards[ward_key],
                monthly(slug),
                month,
                Decimal(numerator),
                None if denominator is None else Decimal(denominator),
            )
        ],
        by=None,
        route=ValueRoute.ENTERED,
        label="test",
    )


@pytest.fixture
def valued(world):
    """a1 and c1 are members (600 and 400 bed days a month), b1 is not (500). Assaults on staff: in the
    month one back a1 gave 6, c1 gave 3 and b1 gave 50; two back only a1 gave a value (2)."""
    bed_days(world.wards["a1"], 24, 600)
    bed_days(world.wards["c1"], 24, 400)
    bed_days(world.wards["b1"], 24, 500)
    enter(world, "a1", ASSAULTS, month_back(1), "6")
    enter(world, "c1", ASSAULTS, month_back(1), "3")
    enter(world, "b1", ASSAULTS, month_back(1), "50")
    enter(world, "a1", ASSAULTS, month_back(2), "2")
    return world


def figures(world, role: str, slug: str):
    return value_pooled_figures(
        world.collaborative, user=world.users[role], today=timezone.localdate(), definition=measure(slug)
    )


def row(pooled: pd.DataFrame, month: dt.date) -> int:
    return int(np.flatnonzero(pd.to_datetime(pooled["period"]) == pd.Timestamp(month))[0])


def test_member_wards_values_are_pooled_and_a_non_members_are_not(valued):
    shown = figures(valued, "regulator", ASSAULTS)

    pooled = shown.pooled
    one, two = row(pooled, month_back(1)), row(pooled, month_back(2))
    assert not shown.suppressed
    assert pooled["numerator"].iloc[one] == 9  # a1's 6 and c1's 3; b1's 50 is not a member's
    assert pooled["denominator"].iloc[one] == 1000
    assert shown.result.value[one] == pytest.approx(9.0)
    # Only a1 gave a value: c1's bed days that month do not dilute the rate.
    assert pooled["denominator"].iloc[two] == 600
    assert shown.result.value[two] == pytest.approx(2 / 600 * 1000)
    # A month no member gave a value is a gap, not a zero.
    assert np.isnan(shown.result.value[row(pooled, month_back(3))])


def test_pooled_values_are_suppressed_for_a_viewer_who_does_not_see_every_member(valued):
    shown = figures(valued, "provider_governance", ASSAULTS)  # provider A: c1 is provider C's

    one, two = row(shown.pooled, month_back(1)), row(shown.pooled, month_back(2))
    assert shown.suppressed
    assert shown.shown.numerator[one] == 10  # 9 to the nearest 5
    assert shown.shown.value[one] == 9  # a whole number
    assert np.isnan(shown.shown.value[two])  # a count of 2 is suppressed
    assert shown.result.value[two] == pytest.approx(2 / 600 * 1000)  # the statistics use the exact figures


def test_a_level_is_the_members_mean_and_is_not_suppressed(valued):
    enter(valued, "a1", SAFEWARDS, month_back(1), "6")
    enter(valued, "c1", SAFEWARDS, month_back(1), "3")
    enter(valued, "b1", SAFEWARDS, month_back(1), "10")

    shown = figures(valued, "provider_governance", SAFEWARDS)

    one = row(shown.pooled, month_back(1))
    assert not shown.suppressed  # Safewards interventions in use identify no one
    assert shown.shown.value[one] == pytest.approx(4.5)  # the mean of 6 and 3, not their sum
    assert shown.pooled["wards"].iloc[one] == 2


def test_a_count_without_a_denominator_is_summed():
    series = pd.DataFrame(
        {
            "ward_id": [1, 2, 1, 2],
            "period": [dt.date(2025, 1, 1)] * 2 + [dt.date(2025, 2, 1)] * 2,
            "numerator": [2.0, 3.0, np.nan, np.nan],
            "denominator": [np.nan] * 4,
            "value": [2.0, 3.0, np.nan, np.nan],
        }
    )
    summed = dataclasses.replace(measure(SAFEWARDS), combine=Combine.SUM)  # a count, not a level

    pooled = pooled_values_series(summed, series)

    assert pooled["numerator"].tolist()[0] == 5
    assert np.isnan(pooled["numerator"].tolist()[1])
    assert pooled["wards"].tolist() == [2, 0]


def test_no_chart_where_no_member_gave_a_value(valued):
    assert figures(valued, "regulator", SICKNESS) is None


def test_the_choice_lists_only_entered_and_imported_measures():
    slugs = {d.slug for d in value_measures()}

    assert {ASSAULTS, SAFEWARDS, SICKNESS} <= slugs
    assert "restrictive-interventions-per-1000-obd" not in slugs


def test_page_draws_the_chosen_measure_and_404s_another(valued):
    client = signed_in_client(valued.users["regulator"])
    url = reverse("reports:collaborative", args=[valued.collaborative.pk])

    plain = client.get(url).content.decode()
    chosen = client.get(url, {"measure": ASSAULTS}).content.decode()
    empty = client.get(url, {"measure": SICKNESS}).content.decode()

    assert f"?measure={ASSAULTS}#values" in plain and f'id="values-{ASSAULTS}' not in plain
    assert f'id="values-{ASSAULTS}' in chosen and 'aria-current="page">Assaults' in chosen
    assert "No member ward gave a value of this measure" in empty
    assert client.get(url, {"measure": "no-such-measure"}).status_code == 404
    assert client.get(url, {"measure": "restrictive-interventions-per-1000-obd"}).status_code == 404


def test_a_member_counts_only_from_the_month_it_joined(valued):
    """A ward's values before it joined were pooled as the collaborative's own: c1, which joined during
    the month one back, added its month-two-back 4 assaults and 400 bed days to the collaborative's."""
    from rrp.organisations.models import CollaborativeMembership

    CollaborativeMembership.objects.filter(ward=valued.wards["c1"]).update(
        joined_on=month_back(1) + dt.timedelta(days=9)
    )
    enter(valued, "c1", ASSAULTS, month_back(2), "4")

    shown = figures(valued, "regulator", ASSAULTS)

    one, two = row(shown.pooled, month_back(1)), row(shown.pooled, month_back(2))
    assert shown.pooled["numerator"].iloc[one] == 9  # the month it joined counts: a1's 6, c1's 3
    assert shown.pooled["numerator"].iloc[two] == 2  # a1's alone: c1 was not a member yet
    assert shown.pooled["denominator"].iloc[two] == 600
    assert shown.pooled["wards"].iloc[two] == 1


def test_pooled_value_charts_have_svg_and_png_downloads_suppressed_as_the_page(valued):
    """Every other chart had SVG and PNG downloads; the pooled value charts had none."""
    url = reverse("reports:collaborative", args=[valued.collaborative.pk])
    svg_url = reverse("reports:collaborative-pooled-svg", args=[valued.collaborative.pk, ASSAULTS])
    png_url = reverse("reports:collaborative-pooled-png", args=[valued.collaborative.pk, ASSAULTS])
    governance = signed_in_client(valued.users["provider_governance"])

    chosen = governance.get(url, {"measure": ASSAULTS}).content.decode()
    svg = governance.get(svg_url)
    png = governance.get(png_url)

    assert f'href="{svg_url}"' in chosen and f'href="{png_url}"' in chosen
    assert svg.status_code == 200 and svg.content.lstrip().startswith(b"<svg")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    event = AuditEvent.objects.filter(detail__export="collaborative_pooled_chart_svg").get()
    assert event.detail == {
        "export": "collaborative_pooled_chart_svg",
        "measure": ASSAULTS,
        "suppressed": True,
    }
    # The picture carries what the page shows this viewer: month two back (a count of 2) has no value.
    assert "Assaults on staff" in svg.content.decode()
    # No picture for a measure no member gave a value of, nor for one the page cannot choose.
    assert (
        governance.get(
            reverse("reports:collaborative-pooled-svg", args=[valued.collaborative.pk, SICKNESS])
        ).status_code
        == 404
    )
    assert (
        governance.get(
            reverse("reports:collaborative-pooled-svg", args=[valued.collaborative.pk, "no-such"])
        ).status_code
        == 404
    )
    # Outside the viewer's collaboratives, a 404 as for the other pooled charts.
    assert signed_in_client(valued.users["ward_manager"]).get(svg_url).status_code == 403


def test_the_picture_is_drawn_from_the_spec_the_page_shows(valued, monkeypatch):
    from rrp.reports.collaborative import pooled_chart
    from tests.integration.reports.test_collaborative import captured_specs

    specs = captured_specs(monkeypatch)
    client = signed_in_client(valued.users["national_analyst"])
    client.get(reverse("reports:collaborative-pooled-svg", args=[valued.collaborative.pk, ASSAULTS]))

    page = pooled_chart(
        valued.collaborative, user=valued.users["national_analyst"], today=timezone.localdate(), slug=ASSAULTS
    )
    assert specs == [page.panel.spec]
    values = {r["date"]: r["value"] for r in specs[0]["data"]["values"]}
    assert values[month_back(2).isoformat()] is None  # a pooled count of 2: suppressed in the picture too
