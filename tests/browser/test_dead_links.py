"""No dead links (issue 13, item 10): the national analyst's home page leads only to pages they may open,
and the API's documentation page draws under the content security policy, from this site's own assets."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import DESKTOP, SCREENSHOTS, SIZES
from tests.browser.steps import (
    RUN_AXE,
    WCAG_22_AA,
    check_accessibility,
    describe_violations,
    heading,
    settle_after_resize,
    sign_in,
)


def test_the_national_analyst_home_card_opens_their_collaboratives(
    page: Page, world: factories.World
) -> None:
    sign_in(page, world.users["national_analyst"].username)
    expect(heading(page)).to_have_text("Reducing Restrictive Practice")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Wards")).to_have_count(0)
    check_accessibility(page, "home-national-analyst")
    main.get_by_role("link", name="Collaboratives").click()
    expect(heading(page)).to_have_text(re.compile("ollaborative"))
    check_accessibility(page, "collaboratives-from-home")


def test_the_api_docs_page_draws_its_operations(page: Page, live_server) -> None:
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)

    response = page.goto("/api/docs")
    assert response is not None and response.ok
    expect(page.get_by_role("heading", name=re.compile("Reducing Restrictive Practice API"))).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/incidents").first).to_be_visible()
    assert not blocked, f"the content security policy blocked: {blocked}"
    assert not outside, f"the docs page asked other sites for: {outside}"
    assert not page.rrp_errors, page.rrp_errors
    swagger_ui_passes_axe(page, "api-docs")

    page.locator(".opblock-summary-control").first.click()
    # An operation opens, with its parameters read from /api/openapi.json. Swagger UI's open operation is
    # not held to axe: its disabled drop-downs have no names and its code samples scroll without focus,
    # which only Swagger UI itself can change (docs/api.md).
    expect(page.get_by_role("heading", name="Parameters")).to_be_visible()
    expect(page.locator('tr[data-param-name="ward_id"]')).to_be_visible()


def swagger_ui_passes_axe(page: Page, name: str) -> None:
    """Swagger UI is not an NHS.UK page (check_accessibility also asks for the NHS.UK frontend's script), so
    axe runs here at each size on its own, with a screenshot of each."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        settle_after_resize(page)
        page.screenshot(path=SCREENSHOTS / f"{page.rrp_test_name}-{name}-{size}.png", full_page=True)
        violations = page.evaluate(RUN_AXE, WCAG_22_AA)
        if violations:
            problems.append(describe_violations(page.url, size, violations))
    page.set_viewport_size(DESKTOP)
    assert not problems, "\n\n".join(problems)
