"""Pictures of the improvement pages for docs/quality-improvement.md, made by the app itself.

Run against the demo (`make run` in another terminal, or any server with the demo data):

    .venv/bin/python scripts/qi_pictures.py [--base http://127.0.0.1:8000] [--out docs/images/qi]

It signs in as the demo's ward manager and collaborative lead (password demo-password-1, no second factor)
and screenshots, at 1024 px wide, each section of the pages between its heading and the next one, so the
pictures show what a QI lead sees. Playwright drives Debian's chromium, as the browser tests do.
"""

from __future__ import annotations

import argparse
import pathlib

from playwright.sync_api import Page, sync_playwright

PASSWORD = "demo-password-1"


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def section(page: Page, heading_id: str, file: pathlib.Path, *, until: str = "") -> None:
    """Screenshot from the heading with this id to the next heading of the same level (or the main's end),
    or to the second sibling of tag ``until`` after it (one item of a long section)."""
    box = page.evaluate(
        """([id, until]) => {
            const h = document.getElementById(id);
            let end = h.nextElementSibling, seen = 0;
            const stop = (el) => until ? (el.tagName === until && ++seen === 2) : el.tagName === h.tagName;
            while (end && !stop(end)) end = end.nextElementSibling;
            const top = h.getBoundingClientRect().top + window.scrollY - 8;
            const main = document.querySelector('main').getBoundingClientRect();
            const bottom = end ? end.getBoundingClientRect().top + window.scrollY - 8 : main.bottom + window.scrollY;
            return {x: main.left, y: top, width: main.width, height: bottom - top};
        }""",
        [heading_id, until],
    )
    page.screenshot(path=str(file), full_page=True, clip=box)
    print(f"{file} ({box['width']:.0f} x {box['height']:.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("docs/images/qi"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
        sign_in(page, args.base, "ward.manager")
        page.goto(f"{args.base}/projects/")
        page.locator("main a", has_text="Safer shifts").first.click()
        page.wait_for_load_state("networkidle")
        for heading, name in (
            ("aim", "project_aim"),
            ("diagram", "driver_diagram"),
            ("cycles", "pdsa_cycles"),
        ):
            section(page, heading, args.out / f"{name}.png")
        section(page, "charts", args.out / "project_chart.png", until="H3")
        page.locator("main a", has_text="PDSA 3:").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(args.out / "pdsa_cycle.png"))  # the top of the page: plan and do
        print(args.out / "pdsa_cycle.png")
        page.context.close()
        page = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
        sign_in(page, args.base, "collaborative.lead")
        page.goto(f"{args.base}/reports/collaboratives/")
        page.locator("main a", has_text="National Cohort").first.click()
        page.wait_for_load_state("networkidle")
        section(page, "spread", args.out / "collaborative_spread.png")
        browser.close()


if __name__ == "__main__":
    main()
