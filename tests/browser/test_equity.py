"""The equity view in a real browser: reached from the header, charts drawn, WCAG 2.2 AA at desktop and
tablet sizes (screenshots in test-results/screenshots/)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from rrp.people.models import WardStay
from tests import factories
from tests.browser.steps import (
    charts_drawn,
    check_accessibility,
    open_from_header,
    sign_in_as,
)
from tests.integration.reports.test_equity import at, record, window


@pytest.fixture
def world(world: factories.World) -> factories.World:
    """Provider A with White and Black patients on its wards over the last 12 months, and incidents."""
    w = world
    WardStay.objects.all().delete()
    span = window()
    a = w.providers[0]
    white = factories.patient(provider=a, ethnic_category="A", sex="1", date_of_birth=dt.date(1980, 1, 1))
    black = factories.patient(provider=a, ethnic_category="N", sex="2", date_of_birth=dt.date(2001, 1, 1))
    factories.stay(patient=white, ward=w.wards["a1"], started_at=at(span.since - dt.timedelta(days=5)))
    factories.stay(patient=black, ward=w.wards["a2"], started_at=at(span.since - dt.timedelta(days=5)))
    for month in range(12):
        day = span.since + dt.timedelta(days=30 * month + 3)
        record(w, "a1", white, (day, "01"))
        record(w, "a2", black, (day, "01"), (day, "14"), (day + dt.timedelta(days=1), "07"))
    return w


def test_governance_opens_equity_from_the_header(page: Page, world: factories.World) -> None:
    user = world.users["provider_governance"]
    sign_in_as(page, user)

    open_from_header(page, "Equity")

    expect(page).to_have_url(re.compile(rf"/reports/equity/{world.providers[0].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Equity: who is restrained")
    charts_drawn(page, 2)
    expect(page.locator("#equity-findings")).to_contain_text(
        "Black or Black British patients had restrictive interventions 3.0 times as often"
    )
    check_accessibility(page, "equity-governance")

    page.get_by_label("Characteristic for the charts").select_option("sex")
    page.get_by_role("button", name="Show").click()
    charts_drawn(page, 2)
    expect(page.get_by_role("heading", name=re.compile("Rate ratios by sex, against Male"))).to_be_visible()
    check_accessibility(page, "equity-by-sex")


def test_commissioner_chooses_a_provider_and_sees_suppressed_figures(
    page: Page, world: factories.World
) -> None:
    sign_in_as(page, world.users["commissioner"])

    open_from_header(page, "Equity")
    expect(page.get_by_role("heading", level=1)).to_have_text("Equity: who is restrained")
    check_accessibility(page, "equity-index-commissioner")
    page.get_by_role("link", name=world.providers[0].name).click()

    charts_drawn(page, 2)
    expect(page.get_by_text("NHS Digital's rules apply")).to_be_visible()
    check_accessibility(page, "equity-commissioner")
