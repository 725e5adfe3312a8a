"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live server.

One browser for the whole session, a fresh context (cookies, storage) for every test. Every page a test
visits is checked with axe-core against WCAG 2.2 AA and screenshotted at each of SIZES (a ward PC, a small
laptop, a tablet and a phone) into test-results/screenshots/ for people to look at (tests/browser/steps.py).

Shared here: the browser, the page, and `world`, the shared synthetic organisation tree (tests/factories.py)
in a database the live server can see. A test module that needs more records overrides `world` with a
fixture of the same name that takes this one and adds to it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import factories
from tests.database import empty_append_only_tables

CHROMIUM = Path(os.environ.get("RRP_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
AXE_CANDIDATES = [
    ROOT / "src/rrp/static/vendor/js/axe.min.js",
    ROOT / "node_modules/axe-core/axe.min.js",
]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}  # the usual ward PC
SMALL_DESKTOP = {"width": 1024, "height": 768}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "small-desktop": SMALL_DESKTOP, "tablet": TABLET, "phone": PHONE}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

CHROMIUM_MISSING = (
    f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser is a browser test, whether or not it says so."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def axe_source() -> str:
    for candidate in AXE_CANDIDATES:
        if candidate.exists():
            return candidate.read_text()
    pytest.fail("axe-core not found: run `make assets` first", pytrace=False)


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """One chromium for all the browser tests.

    Package-scoped rather than session-scoped on purpose: Playwright's sync API keeps an asyncio loop
    running on the main thread while it is open, and Django then refuses ORM calls there ("You cannot
    call this from an async context"). Closing Playwright when tests/browser is done keeps the rest of
    `make test` free of that loop. While it is open, the tests' own synchronous ORM set-up and the
    database flush between tests are allowed (the live server itself runs in its own thread).
    """
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as monkeypatch, sync_playwright() as playwright:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def world(page, transactional_db) -> factories.World:
    """The shared synthetic world (tests/factories.py), in a database the live server can see."""
    return factories.build_world()


@pytest.fixture
def page(browser, live_server, axe_source, request) -> Iterator[object]:
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London"
    )
    # An init script is not subject to the page's Content Security Policy, unlike an inline <script>.
    context.add_init_script(script=axe_source)
    context.set_default_timeout(20_000)
    # The NHS.UK web font comes from assets.nhs.uk, which this machine cannot reach; a hanging request
    # would hold up each page's load event, so refuse it at once (pages fall back to Arial).
    context.route("https://assets.nhs.uk/**", lambda route: route.abort())
    page = context.new_page()
    page.rrp_test_name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[5:]
    page.rrp_step = 0
    page.rrp_errors = []
    page.on("pageerror", lambda error: page.rrp_errors.append(str(error)))
    yield page
    context.close()
    empty_append_only_tables()


from tests.oidc import oidc_server, sso_on  # noqa: E402, F401 - the single sign-on tests' provider
