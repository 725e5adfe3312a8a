"""Given/when/then steps for the browser tests: signing in, checking a page with axe, screenshots."""

from __future__ import annotations

import base64
import json
import re
import time

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rrp.accounts.models import User
from tests.browser.conftest import DESKTOP, SCREENSHOTS, SIZES

PASSWORD = "correct-horse-battery"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""


def describe_violations(url: str, size: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) (WCAG 2.2 AA) on {url} at {size}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}\n      {node['html'][:300]}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def check_accessibility(page: Page, name: str) -> None:
    """Then the page passes axe's WCAG 2.2 AA rules at every one of SIZES (and is screenshotted at each)."""
    page.rrp_step += 1
    # The NHS.UK frontend's scripts ran (the CSP let them), and nothing on the page threw.
    expect(page.locator("body")).to_have_class(re.compile(r"\bnhsuk-frontend-supported\b"))
    assert not page.rrp_errors, f"script errors on {page.url}: {page.rrp_errors}"
    stem = f"{page.rrp_test_name}-{page.rrp_step:02d}-{name}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        settle_after_resize(page)
        violations = page.evaluate(RUN_AXE, WCAG_22_AA)
        page.screenshot(path=SCREENSHOTS / f"{stem}-{size}.png", full_page=True)
        if violations:
            problems.append(
                describe_violations(page.url, f"{viewport['width']}x{viewport['height']}", violations)
            )
    page.set_viewport_size(DESKTOP)
    assert not problems, "\n\n".join(problems) + "\n\n" + json.dumps({"screenshots": str(SCREENSHOTS)})


# Resolves once every drawn chart's width has stayed the same for a few frames (at most about a second):
# Vega redraws a chart to its container's new width some frames after a resize.
CHARTS_SETTLED = """() => new Promise(resolve => {
  let last = null, stable = 0, frames = 0;
  const tick = () => {
    const widths = Array.from(document.querySelectorAll('.rrp-chart__canvas svg'), s => s.getAttribute('width')).join();
    stable = widths === last ? stable + 1 : 0;
    last = widths;
    frames += 1;
    if (stable >= 5 || frames > 60) { resolve(null) } else { requestAnimationFrame(tick) }
  };
  requestAnimationFrame(tick);
})"""


# Resolves once the NHS.UK header has started and its links have stayed in the same places (row or "More"
# menu) for a few frames (at most about two seconds). The header moves links a frame after any resize, and
# its ResizeObserver can set off another move, so a fixed number of frames is not enough on a busy machine.
HEADER_SETTLED = """() => new Promise(resolve => {
  const header = document.querySelector('header.nhsuk-header');
  let last = null, stable = 0, frames = 0;
  const where = () => Array.from(
    document.querySelectorAll('.nhsuk-header__navigation-item'),
    li => (li.closest('.nhsuk-header__menu-list') ? 'm' : 'r') + li.offsetWidth
  ).join() + (document.querySelector('.nhsuk-header__menu')?.hidden ? 'h' : 'v');
  const tick = () => {
    const started = !header || header.hasAttribute('data-nhsuk-header-init');
    const now = started ? where() : null;
    stable = started && now === last ? stable + 1 : 0;
    last = now;
    frames += 1;
    if (stable >= 3 || frames > 120) { resolve(null) } else { requestAnimationFrame(tick) }
  };
  requestAnimationFrame(tick);
})"""


def settle_after_resize(page: Page) -> None:
    """Wait for the NHS.UK header to finish moving links into "More" after a load or a resize: axe run
    mid-move sees a half-moved link (a false contrast failure). Where charts are drawn, also wait for them
    to be redrawn at the new width, so that the screenshot shows the chart as people see it."""
    page.evaluate(HEADER_SETTLED)
    if page.locator('figure[data-rrp-chart-drawn="true"]').count():
        page.evaluate(CHARTS_SETTLED)


def open_from_header(page: Page, text: str) -> None:
    """When I choose a header link, behind the header's "More" menu when the row is full.

    The NHS.UK header moves the links that do not fit into "More" once its script has started (it marks
    the header ``data-nhsuk-header-init``) and again a frame after any resize, so look only after both.
    """
    page.locator("header[data-nhsuk-header-init]").wait_for(state="attached")
    settle_after_resize(page)
    nav = page.locator("header nav")
    link = nav.locator("a", has_text=text).first
    if not link.is_visible():
        nav.get_by_role("button", name=re.compile("More")).click()
    link.click()


def visit(page: Page, path: str, name: str) -> None:
    """When I go to a page (and it is checked for accessibility)."""
    response = page.goto(path)
    assert response is not None and response.ok, f"GET {path}: {response and response.status}"
    check_accessibility(page, name)


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """When I sign in with a username and password (from wherever the sign-in page is)."""
    if "/account/sign-in/" not in page.url:
        page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def pass_two_factor_set_up(page: Page) -> None:
    """When I add RRP to an authenticator app from the key shown and type the code it gives."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    check_accessibility(page, "two-factor-set-up")
    key = page.locator(".rrp-secret").inner_text().strip()
    bin_key = base64.b32decode(key + "=" * (-len(key) % 8))
    page.get_by_label("Security code").fill(f"{totp(bin_key):06d}")
    page.get_by_role("button", name="Continue").click()


def pass_two_factor_again(page: Page, user: User) -> None:
    """When I sign in again with the authenticator app set up before: the code of the current 30-second
    step, or of the next one if the last sign-in used this step's (django-otp refuses a code twice and
    accepts one step either side)."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    drift = 1 if device.last_t >= (int(time.time()) - device.t0) // device.step else 0
    code = totp(device.bin_key, step=device.step, t0=device.t0, drift=drift)
    page.get_by_label("Security code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()


def sign_in_as(page: Page, user: User) -> None:
    """When I sign in as this user, setting up two-factor sign-in if their role needs it (or typing the
    code of the app set up at an earlier sign-in)."""
    sign_in(page, user.username)
    if user.requires_two_factor:
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            pass_two_factor_again(page, user)
        else:
            pass_two_factor_set_up(page)


def heading(page: Page):
    """The page's one h1."""
    return page.get_by_role("heading", level=1)


def charts_drawn(page: Page, count: int) -> None:
    """Then the page has this many charts and the browser drew every one (none failed)."""
    expect(page.locator("figure.rrp-chart")).to_have_count(count)
    expect(page.locator('figure[data-rrp-chart-drawn="true"]')).to_have_count(count)
    expect(page.locator('figure[data-rrp-chart-drawn="failed"]')).to_have_count(0)


def sign_out(page: Page) -> None:
    """When I sign out from the header and confirm."""
    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    check_accessibility(page, "sign-out")
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/account/sign-in/$"))
