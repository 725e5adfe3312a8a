"""The collaborative view and the national benchmark in a real browser: a national analyst finds both
from the header, every chart is drawn, no ward or provider name reaches the analyst's page, and every
page passes axe-core (WCAG 2.2 AA) at desktop and tablet sizes (screenshotted)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from rrp.improvement.models import ImprovementAim
from rrp.measures.national import PUBLISHED
from rrp.measures.services import national_figures_import
from rrp.organisations.models import Ward
from tests import factories
from tests.browser.steps import charts_drawn, check_accessibility, sign_in
from tests.integration.reports.test_collaborative import bed_days, interventions, month_back
from tests.integration.reports.test_collaborative_values import enter

REAL = PUBLISHED  # the published files shipped with RRP (src/rrp/measures/published/)


@pytest.fixture
def world(world: factories.World) -> factories.World:
    """The shared world with 24 months of bed days on the collaborative's wards, some interventions
    (c1's three are suppressed for the analyst) and an aim."""
    from django.utils import timezone

    w = world
    for key, name in {"a1": "Larchmere Ward", "c1": "Cedarvale Ward"}.items():
        Ward.objects.filter(pk=w.wards[key].pk).update(name=name)
    bed_days(w.wards["a1"], 24, 600)
    bed_days(w.wards["c1"], 24, 400)
    for back, count in ((1, 4), (3, 3), (9, 6), (14, 8)):
        interventions(w, "a1", month_back(back), count)
    interventions(w, "c1", month_back(2), 3)
    ImprovementAim.objects.create(
        collaborative=w.collaborative,
        measure_slug="restrictive-interventions-per-1000-obd",
        statement="A third fewer restrictive interventions by the end of 2027",
        baseline_start=month_back(23),
        baseline_end=month_back(18),
        reduction_percent=33,
        aim_date=month_back(0).replace(year=month_back(0).year + 1),
        recorded_by=w.users["provider_governance"],
        recorded_at=timezone.now(),
    )
    return w


def test_analyst_opens_collaborative_from_the_nav_and_sees_it_pseudonymised(
    page: Page, world: factories.World
) -> None:
    sign_in(page, world.users["national_analyst"].username)
    page.get_by_role("navigation").get_by_role("link", name="Collaboratives").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Improvement collaboratives")
    check_accessibility(page, "collaborative-list")

    page.get_by_role("link", name="National cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National cohort")
    # Three pooled charts and the funnel, drawn by the chart script.
    charts_drawn(page, 4)
    # Each pooled chart offers its SVG and PNG (the board's download links); the funnel none.
    for name in (
        "Restrictive interventions per 1,000 occupied bed days",
        "People subject to restrictive interventions per 1,000 occupied bed days",
        "Prone restraints per 1,000 occupied bed days",
    ):
        for kind in ("SVG", "PNG"):
            link = page.get_by_role("link", name=f"{kind} of {name}, all member wards pooled", exact=True)
            expect(link).to_have_attribute("href", re.compile(rf"/pooled/[a-z0-9-]+\.{kind.lower()}$"))
    expect(page.locator(".rrp-chart__downloads a")).to_have_count(6)
    expect(page.get_by_role("heading", name="Progress toward the aim")).to_be_visible()
    expect(page.get_by_text("1 ward is not drawn", exact=True)).to_be_visible()
    text = page.content()
    assert "Larchmere Ward" not in text and "Cedarvale Ward" not in text
    for provider in world.providers:
        assert provider.name not in text
    assert "Ward 001" in text and "Ward 002" in text
    check_accessibility(page, "collaborative")

    page.get_by_role("link", name="Reporting health of the member wards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reporting health of the member wards")
    expect(page.get_by_role("row", name="Ward 002").first).to_be_visible()
    assert "Cedarvale Ward" not in page.content()
    check_accessibility(page, "collaborative-reporting-health")


def test_analyst_charts_an_imported_measure_pooled_across_the_members(
    page: Page, world: factories.World
) -> None:
    for back, values in ((1, {"a1": "6", "c1": "3"}), (2, {"a1": "9"})):
        for key, value in values.items():
            enter(world, key, "assaults-on-staff-per-1000-obd", month_back(back), value)
    sign_in(page, world.users["national_analyst"].username)
    page.goto(f"/reports/collaboratives/{world.collaborative.pk}/")

    page.get_by_role("link", name="Assaults on staff per 1,000 occupied bed days").click()
    expect(
        page.get_by_role("navigation", name="Entered and imported measures").locator('[aria-current="page"]')
    ).to_have_text("Assaults on staff per 1,000 occupied bed days")
    charts_drawn(page, 5)  # the three pooled charts, the funnel and the chosen measure's
    expect(page.locator("#values-assaults-on-staff-per-1000-obd")).to_be_visible()
    assert "Larchmere Ward" not in page.content()
    check_accessibility(page, "collaborative-values")


def test_analyst_benchmarks_a_provider_against_national_figures(page: Page, world: factories.World) -> None:
    national_figures_import(directory=REAL, by=None)
    sign_in(page, world.users["national_analyst"].username)
    page.get_by_role("navigation").get_by_role("link", name="National benchmark").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National benchmark")
    charts_drawn(page, 1)  # the funnel of every provider
    check_accessibility(page, "national-benchmark")

    page.get_by_label("Provider (as NHS Digital publishes it)").select_option(
        "NOTTINGHAMSHIRE HEALTHCARE NHS FOUNDATION TRUST"
    )
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role("heading", name="NOTTINGHAMSHIRE HEALTHCARE NHS FOUNDATION TRUST", exact=True)
    ).to_be_visible()
    charts_drawn(page, 2)  # the funnel and the provider over time
    expect(page.get_by_text("7.21", exact=False).first).to_be_visible()
    check_accessibility(page, "national-benchmark-provider")
