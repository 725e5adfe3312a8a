"""The administrators' API tokens page in a real browser (issue 12, What was seen 7): tokens listed with
their last use, revoked with the button, the revocation said and audited; checked with axe-core."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from rrp.api.services import api_token_create
from rrp.core.models import AuditAction, AuditEvent
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as, visit


def test_administrator_revokes_a_token(page: Page, world: factories.World) -> None:
    nightly, _ = api_token_create(user=world.users["ward_staff"], by=None, name="Datix nightly import")
    api_token_create(user=world.users["provider_governance"], by=None, name="Board pack robot")
    sign_in_as(page, world.users["system_admin"])

    page.get_by_role("link", name="API tokens").click()
    expect(heading(page)).to_have_text("API tokens")
    expect(page.locator("caption")).to_contain_text("2 tokens, newest first")
    row = page.get_by_role("row").filter(has_text="Datix nightly import")
    expect(row).to_contain_text(nightly.prefix)
    expect(row).to_contain_text("Usable")
    check_accessibility(page, "api-tokens")

    row.get_by_role("button", name=f"Revoke token {nightly.prefix}").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Token {nightly.prefix}… for {nightly.user.username} is revoked"
    )
    expect(page.get_by_role("row").filter(has_text="Datix nightly import")).to_contain_text("Revoked")
    expect(
        page.get_by_role("row").filter(has_text="Datix nightly import").get_by_role("button")
    ).to_have_count(0)
    check_accessibility(page, "api-tokens-after-revoke")
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, record_type="api.ApiToken", record_id=str(nightly.pk)
    ).exists()

    visit(page, "/audit/", "audit-log-token")
    # The audit log names records in plain words (web.audit_lines): "API token <id>", not "api.ApiToken".
    expect(page.get_by_role("row").filter(has_text=f"API token {nightly.pk}")).not_to_have_count(0)
