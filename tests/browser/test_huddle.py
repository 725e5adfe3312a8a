"""The ward huddle in a real browser: a ward manager opens it from the header, the charts are drawn,
monthly and weekly, the page passes axe (WCAG 2.2 AA) and fits a ward PC (1366x768) and a tablet (820
wide) without scrolling sideways; screenshots at both sizes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rrp.improvement.models import EventKind
from rrp.improvement.services import ward_event_record
from rrp.measures.catalogue import measure
from rrp.reports.huddle import HUDDLE_MEASURES
from rrp.segregation.services import episode_start
from tests import factories
from tests.browser.conftest import PHONE, TABLET
from tests.browser.steps import charts_drawn, check_accessibility, heading, settle_after_resize, sign_in_as
from tests.integration.reports.ward_records import (
    at,
    measure_values,
    monthly_bed_days,
    months_back,
    quick_incident,
)
from tests.integration.segregation.episode_data import seclusion_kwargs


@pytest.fixture
def world(world: factories.World) -> factories.World:
    """Ward a1 with two years of bed days, incidents most weeks and a seclusion under way."""
    w = world
    a1, patient, gov = w.wards["a1"], w.patients["a1"], w.users["provider_governance"]
    today = timezone.localdate()
    monthly_bed_days(a1, months_back(today, 25))
    measure_values(a1, months_back(today, 25))  # the entered and imported measures of issue 20
    for days in range(3, 720, 9):
        codes = ("01", "09") if days % 2 else ("07",)
        submitted = (("submitted", at(today - dt.timedelta(days=days - 1))),) if days > 30 else ()
        quick_incident(a1, patient, gov, at(today - dt.timedelta(days=days)), *codes, statuses=submitted)
    episode_start(
        ward=a1,
        patient=patient,
        by=gov,
        started_at=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3),
        authorised_by_name="Nia Nurse",
        **seclusion_kwargs(),
    )
    # Three events in three weeks: their labels used to print on top of one another (issue 13).
    for days, label in (
        (120, "Safewards started"),
        (113, "New observation policy"),
        (106, "Staff training week"),
    ):
        ward_event_record(
            ward=a1,
            happened_on=today - dt.timedelta(days=days),
            label=label,
            kind=EventKind.CHANGE_TESTED,
            by=gov,
        )
    return w


AXIS_LABELS_APART = """() => {
  const figure = document.querySelector('figure.rrp-chart');
  // Vega hides a label that would overlap (labelOverlap) by giving it no opacity: those are not shown.
  const texts = Array.from(figure.querySelectorAll('.role-axis-label text'))
    .filter(t => parseFloat(t.getAttribute('opacity') ?? '1') > 0);
  const lowest = Math.max(...texts.map(t => t.getBoundingClientRect().top));
  const bottom = texts.filter(t => t.getBoundingClientRect().top > lowest - 3);  // the time axis
  const boxes = bottom.map(t => t.getBoundingClientRect()).sort((a, b) => a.left - b.left);
  let overlaps = 0;
  for (let i = 1; i < boxes.length; i++) { if (boxes[i].left < boxes[i - 1].right + 2) { overlaps += 1 } }
  const numbers = Array.from(figure.querySelectorAll('.mark-text.role-mark text')).map(t => t.getBoundingClientRect());
  let numberOverlaps = 0;
  for (let i = 0; i < numbers.length; i++) { for (let j = i + 1; j < numbers.length; j++) {
    const a = numbers[i], b = numbers[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) { numberOverlaps += 1 }
  } }
  return {overlaps, numberOverlaps, labels: bottom.map(t => t.textContent), numbers: numbers.length};
}"""


def chart_text_apart(page: Page) -> None:
    """Then the first chart's time axis gives years and no two of its labels or marker numbers touch."""
    found = page.evaluate(AXIS_LABELS_APART)
    assert found["overlaps"] == 0 and found["numberOverlaps"] == 0, found
    assert any(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", label) for label in found["labels"]), found
    assert found["numbers"] == 3, found


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_size}"


def test_ward_manager_opens_the_huddle_from_the_header(page: Page, world: factories.World) -> None:
    manager, ward = world.users["ward_manager"], world.wards["a1"]
    sign_in_as(page, manager)

    page.get_by_role("link", name="Ward huddle").first.click()
    expect(heading(page)).to_have_text("Ward huddle")
    expect(page.locator("caption")).to_contain_text("Your wards (2)")
    check_accessibility(page, "huddle-index")

    page.get_by_role("link", name=re.compile(rf"^{ward.name}")).click()
    expect(heading(page)).to_have_text(f"{ward.name}: ward huddle")
    charts_drawn(page, len(HUDDLE_MEASURES))
    chart_text_apart(page)
    first_chart = page.locator("figure.rrp-chart").first
    expect(first_chart.locator(".rrp-chart__key li")).to_have_count(3)
    expect(first_chart.locator(".rrp-chart__key li").first).to_have_text(
        re.compile(r"^1\. Safewards started \(\w{3} \d{4}\)$")
    )
    # The Making Data Count icons are drawn beside the heading, not again inside the plot.
    expect(first_chart.locator(".rrp-chart__title .rrp-mdc-icon svg").first).to_be_visible()
    assert first_chart.locator(".rrp-chart__canvas image").count() == 0
    expect(page.locator("#days-restraint .rrp-huddle-card__number")).to_have_text("3")
    expect(page.locator("#days-seclusion")).to_contain_text("In seclusion now: 1")
    expect(page.get_by_role("table", name="Reviews and observations overdue now")).to_be_visible()
    # Three hours of seclusion with nothing recorded: the medical and nursing reviews and the observation
    # every 15 minutes are overdue, and the observation counts with the reviews (issue 13).
    expect(page.locator("#overdue-seclusion .rrp-huddle-card__number")).to_have_text("3")
    expect(page.locator("#rt-overdue .rrp-huddle-card__number")).to_have_text("0")
    check_accessibility(page, "ward-huddle-monthly")
    no_sideways_scroll(page)
    page.set_viewport_size(TABLET)
    no_sideways_scroll(page)
    # Charts take the full width of the content column on a tablet.
    widths = page.evaluate(
        "() => [document.querySelector('main').clientWidth,"
        " document.querySelector('figure.rrp-chart .rrp-chart__canvas').clientWidth]"
    )
    assert widths[1] >= widths[0] * 0.9, widths
    # On a phone the chart's points still spread across most of its width (the icons in its corner must
    # not take the room of the plot).
    page.set_viewport_size(PHONE)
    settle_after_resize(page)
    no_sideways_scroll(page)
    spread = page.evaluate(
        "() => { const canvas = document.querySelector('figure.rrp-chart .rrp-chart__canvas');"
        " return [canvas.clientWidth, canvas.querySelector('.mark-line path').getBBox().width] }"
    )
    assert spread[1] >= spread[0] * 0.6, spread
    chart_text_apart(page)

    page.get_by_role("link", name="Weekly charts").click()
    expect(page).to_have_url(re.compile(r"\?period=week$"))
    # Values entered or imported per month (issue 20) cannot be split into weeks: not charted weekly.
    charts_drawn(page, len([s for s in HUDDLE_MEASURES if not measure(s).from_values]))
    expect(page.locator("figure#huddle-week-incidents")).to_be_visible()
    check_accessibility(page, "ward-huddle-weekly")

    page.get_by_role("link", name="See incidents waiting for review").click()
    expect(heading(page)).to_have_text("Use of force incidents")
    expect(page).to_have_url(re.compile(rf"ward={ward.pk}&status=submitted"))
