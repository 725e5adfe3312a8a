"""The provider board report in a real browser: provider governance opens it from the header, the
provider-total charts are drawn, a row opens its ward's chart, the aim form shows its errors, an aim is
withdrawn (its confirmation page and errors), and every page passes axe (WCAG 2.2 AA) with screenshots
at the ward PC (1366x768) and tablet sizes."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.steps import charts_drawn, check_accessibility, heading, open_from_header, sign_in_as
from tests.integration.reports.board_data import build_board_data


@pytest.fixture
def world(world: factories.World) -> factories.World:
    """Two years of restraint on provider A's wards, with a 25% reduction aim."""
    w = world
    build_board_data(w, timezone.localdate())
    return w


def test_governance_opens_the_board_and_a_ward_chart(page: Page, world: factories.World) -> None:
    governance, ward = world.users["provider_governance"], world.wards["a1"]
    sign_in_as(page, governance)

    open_from_header(page, "Board report")
    expect(heading(page)).to_have_text("Board report")
    expect(page).to_have_url(re.compile(rf"/reports/board/{world.providers[0].pk}/$"))
    charts_drawn(page, 9)  # the six key measures and, since 27605ae, three people-centred ones with data
    expect(page.locator(".rrp-board-commentary")).to_contain_text(
        f"{ward.name}: restrictive interventions per 1,000 occupied bed days show special cause concern"
    )
    expect(page.get_by_role("region", name="Progress toward the provider's aims")).to_contain_text(
        "Not on track"
    )
    check_accessibility(page, "board")

    page.get_by_role("link", name=re.compile(rf"^{ward.name}\s*: Restrictive interventions")).click()
    expect(heading(page)).to_have_text("Restrictive interventions per 1,000 occupied bed days")
    charts_drawn(page, 1)
    expect(page.get_by_role("link", name=re.compile(r"^SVG"))).to_be_visible()
    check_accessibility(page, "board-chart")

    page.goto(f"/reports/board/{world.providers[0].pk}/aims/new/")
    page.get_by_role("button", name="Record the aim").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Select a measure")
    expect(page).to_have_title(re.compile(r"^Error: Record an improvement aim"))
    check_accessibility(page, "board-aim-errors")


def test_commissioner_sees_the_board_without_charts(page: Page, world: factories.World) -> None:
    commissioner = world.users["commissioner"]
    sign_in_as(page, commissioner)
    page.goto("/reports/board/")
    expect(heading(page)).to_have_text("Board report")
    page.get_by_role("link", name=world.providers[0].name).click()
    expect(page.locator(".nhsuk-inset-text").first).to_contain_text("counts under 5 are hidden")
    expect(page.locator("figure.rrp-chart")).to_have_count(0)
    check_accessibility(page, "board-commissioner")


def test_governance_withdraws_an_aim_from_the_board(page: Page, world: factories.World) -> None:
    governance = world.users["provider_governance"]
    sign_in_as(page, governance)
    page.goto(f"/reports/board/{world.providers[0].pk}/")
    aims = page.get_by_role("region", name="Progress toward the provider's aims")
    expect(aims).to_contain_text("Not on track")

    aims.get_by_role("link", name=re.compile(r"^Withdraw the aim: 25% fewer")).click()
    expect(heading(page)).to_have_text("Withdraw the aim")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("25% fewer restrictive interventions")
    check_accessibility(page, "board-aim-withdraw")

    page.get_by_role("button", name="Withdraw the aim").click()
    expect(page).to_have_title(re.compile(r"^Error: Withdraw the aim"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why this is being withdrawn")
    expect(page.locator("#id_reason-error")).to_contain_text("Say why this is being withdrawn")
    check_accessibility(page, "board-aim-withdraw-errors")

    page.get_by_label("Why are you withdrawing it?").fill("The baseline was the wrong six months")
    page.get_by_role("button", name="Withdraw the aim").click()
    expect(heading(page)).to_have_text("Board report")
    expect(page.get_by_text("no longer sets targets on the board")).to_be_visible()
    expect(page.locator("#aims + p")).to_have_text(
        "The provider has not recorded an improvement aim, so no targets are set."
    )
    check_accessibility(page, "board-aim-withdrawn")
