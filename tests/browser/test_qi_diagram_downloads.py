"""The driver diagram's downloads in a real browser (issue 14 leftovers): a ward manager opens the project's
driver diagram, downloads the version shown as a picture (SVG) and as a spreadsheet (CSV), and each file
holds the diagram; the page is checked with axe (WCAG 2.2 AA) at every size."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Page, expect

from rrp.improvement import diagram_services
from tests import factories
from tests.browser.steps import check_accessibility, heading, sign_in_as
from tests.integration.reports.test_collaborative_spread import project_on

OUTLINE = "Staff notice rising tension early\n- Daily huddle names the patients at risk\n  * Safety huddles"


def test_the_driver_diagram_downloads_as_svg_and_csv(page: Page, world: factories.World) -> None:
    diagram_services.ensure_starter_package()
    manager = world.users["ward_manager"]
    project = project_on(world.wards["a1"], manager)
    diagram_services.diagram_save(project=project, outline=OUTLINE, by=manager)
    sign_in_as(page, manager)
    page.goto(f"/projects/{project.pk}/driver-diagram/")
    expect(heading(page)).to_have_text("Driver diagram")
    check_accessibility(page, "driver-diagram-downloads")

    with page.expect_download() as svg_download:
        page.get_by_role("link", name="Download version 1 as a picture (SVG)").click()
    assert svg_download.value.suggested_filename == f"project-{project.pk}-driver-diagram-v1.svg"
    svg = Path(svg_download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "Staff notice rising tension early" in svg and "Safety huddles" in svg

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download version 1 as a spreadsheet (CSV)").click()
    assert csv_download.value.suggested_filename == f"project-{project.pk}-driver-diagram-v1.csv"
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Primary driver", "Secondary driver", "Change idea", "In the change package"],
        [
            "Staff notice rising tension early",
            "Daily huddle names the patients at risk",
            "Safety huddles",
            "Yes",
        ],
    ]
