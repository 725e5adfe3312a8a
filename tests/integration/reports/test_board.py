"""The provider board report: its numbers, icons, targets, commentary, downloads, suppression and scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditAction, AuditEvent
from rrp.improvement.models import ImprovementAim
from rrp.measures.catalogue import Denominator, measure
from rrp.measures.models import MeasureValue
from rrp.measures.values import value_measures
from rrp.organisations.models import BedDaysSource, MonthlyBedDays
from rrp.reports.board import KEY_MEASURES, provider_board
from rrp.reports.board.exports import SUMMARY_COLUMNS
from rrp.reports.board.presenters import FLAG_TITLES
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.reports.board_data import BED_DAYS, build_board_data, months, restraints

RI = "restrictive-interventions-per-1000-obd"

#: The key measures counted from RRP's records (the others need values entered or imported).
RECORD_KEY_MEASURES = [s for s in KEY_MEASURES if not measure(s).from_values]


def provider_a(world):
    return world.providers[0]


def row(board, slug: str, ward=None):
    block = board.block(slug)
    if ward is None:
        return block.provider_row
    return next(r for r in block.ward_rows if r.ward_id == ward.pk)


def governance_board(world, today):
    return provider_board(world.users["provider_governance"], provider_a(world), today=today)


# --- the numbers ------------------------------------------------------------------------------------


def test_board_latest_values_per_ward_and_provider_total(board_world, today):
    board = governance_board(board_world, today)
    last_month = months(today)[-1]
    a1 = row(board, RI, board_world.wards["a1"])
    assert a1.latest_period == last_month
    assert (a1.numerator, a1.denominator) == (12, BED_DAYS)
    assert a1.shown.count == "12" and a1.shown.value == "12.0"
    a2 = row(board, RI, board_world.wards["a2"])
    assert a2.numerator == 2 and a2.shown.value == "2.0"
    # The provider total sums numerators and bed days: (12 + 2) / 2,000 x 1,000.
    total = row(board, RI)
    assert (total.numerator, total.denominator) == (14, 2 * BED_DAYS)
    assert total.shown.value == "7.0"
    # The provider collects none of the entered or imported measures (issue 20): they have no block.
    assert [b.definition.slug for b in board.blocks][: len(RECORD_KEY_MEASURES)] == RECORD_KEY_MEASURES
    assert len(board.rows) == len(board.blocks) * 3  # provider total + 2 wards per measure


def test_board_variation_icon_shows_the_jump_as_concern(board_world, today):
    board = governance_board(board_world, today)
    a1 = row(board, RI, board_world.wards["a1"])
    assert a1.variation == "special_cause_concern"
    variation = next(i for i in a1.icons if i.kind == "variation")
    assert variation.letter == "H" and "concern" in variation.words
    assert row(board, RI, board_world.wards["a2"]).variation == "common_cause"


def test_board_targets_come_from_the_aim_baseline(board_world, today):
    board = governance_board(board_world, today)
    a1 = row(board, RI, board_world.wards["a1"])
    # a1's baseline months: 2, 3, 4, 3, 2, 3 per 1,000 bed days -> mean 17/6; 25% lower.
    assert a1.target == pytest.approx(17 / 6 * 0.75)
    assert a1.assurance in {"consistent_pass", "consistent_fail", "inconsistent"}
    assert any(i.kind == "assurance" for i in a1.icons)
    total = row(board, RI)
    assert total.target == pytest.approx(2.0 * 0.75)
    # A measure without an aim has no target and no assurance icon.
    prone = row(board, "prone-restraints-per-1000-obd", board_world.wards["a1"])
    assert prone.target is None and prone.assurance is None
    assert not any(i.kind == "assurance" for i in prone.icons)


def test_board_aim_progress_numbers_and_words(board_world, today):
    board = governance_board(board_world, today)
    (progress,) = board.aims
    # Provider monthly values in the baseline: 1.5, 2.5, 2.5, 1.5, 1.5, 2.5 -> 2.0.
    assert progress.baseline_mean == pytest.approx(2.0)
    # Latest 3 months: (3+0, 4+1, 12+2) / 2,000 x 1,000 = 1.5, 2.5, 7.0.
    assert progress.latest_mean == pytest.approx(11 / 3)
    assert progress.change_percent == pytest.approx((11 / 3 - 2) / 2 * 100)
    assert progress.target == pytest.approx(1.5)
    assert progress.status == "not_on_track"
    assert progress.words.startswith("Not on track: the mean of the latest 3 months")
    assert progress.change_text == "+83%"


def test_board_aim_met_when_latest_mean_is_under_target(world, today):
    shown = build_board_data(world, today, aim=False)
    # Baseline: the last month alone (7.0 per 1,000 bed days); 25% lower is 5.25; the latest mean is 3.7.
    aim = ImprovementAim.objects.create(
        provider=provider_a(world),
        measure_slug=RI,
        statement="25% fewer than last month",
        baseline_start=shown[-1],
        baseline_end=shown[-1] + dt.timedelta(days=27),
        reduction_percent=25,
        aim_date=shown[-1] + dt.timedelta(days=400),
        recorded_by=world.users["provider_governance"],
        recorded_at=timezone.now(),
    )
    (progress,) = governance_board(world, today).aims
    assert progress.aim == aim
    assert progress.target == pytest.approx(7.0 * 0.75)
    assert progress.status == "met" and progress.words.startswith("Met:")


def test_board_reads_a_baseline_before_the_window(world, today):
    shown = build_board_data(world, today, aim=False)
    a1 = world.wards["a1"]
    early = [(shown[0] - dt.timedelta(days=31 * k)).replace(day=1) for k in (3, 2, 1)]
    MonthlyBedDays.objects.bulk_create(
        MonthlyBedDays(
            ward=a1, month=m, bed_days=BED_DAYS, source=BedDaysSource.MANUAL, recorded_at=timezone.now()
        )
        for m in early
    )
    for month in early:
        restraints(world, "a1", month, 8)
    ImprovementAim.objects.create(
        provider=provider_a(world),
        measure_slug=RI,
        statement="Half of before",
        baseline_start=early[0],
        baseline_end=shown[0] - dt.timedelta(days=1),
        reduction_percent=50,
        aim_date=shown[-1] + dt.timedelta(days=400),
        recorded_by=world.users["provider_governance"],
        recorded_at=timezone.now(),
    )
    board = governance_board(world, today)
    # a1 alone had bed days then: 8 per 1,000 bed days each month, so the target is 4.
    assert row(board, RI, a1).target == pytest.approx(4.0)
    assert row(board, RI).target == pytest.approx(4.0)
    assert row(board, RI, world.wards["a2"]).target is None
    (progress,) = board.aims
    assert progress.baseline_mean == pytest.approx(8.0) and progress.status == "met"


def test_board_commentary_names_the_rule_that_fired(board_world, today):
    board = governance_board(board_world, today)
    a1 = board_world.wards["a1"]
    month = months(today)[-1].strftime("%B %Y")
    texts = [c.text for c in board.commentary]
    assert (
        f"{a1.name}: restrictive interventions per 1,000 occupied bed days show special cause concern: "
        f"above the upper process limit in {month}."
    ) in texts
    assert board.commentary[0].rank == 0  # concerns first


def test_board_shows_reporting_health_flags(board_world, today):
    board = governance_board(board_world, today)
    # The incidents are drafts older than 72 hours: every ward has open records to check.
    assert {line.ward_id for line in board.health} == {board_world.wards["a1"].pk, board_world.wards["a2"].pk}
    assert all(line.flags for line in board.health)


# --- the pages and downloads -------------------------------------------------------------------------


def board_url(world, name="reports:board", *extra):
    return reverse(name, args=(provider_a(world).pk, *extra))


def chart_url(world, name, ward_key="a1", slug=RI):
    return reverse(name, args=(provider_a(world).pk, world.wards[ward_key].pk, slug))


def test_board_page_lists_every_ward_with_links_to_its_charts(board_world):
    response = signed_in_client(board_world.users["provider_governance"]).get(board_url(board_world))
    assert response.status_code == 200
    page = response.content.decode()
    for key in ("a1", "a2"):
        assert chart_url(board_world, "reports:board-chart", key) in page
    assert 'data-rrp-chart="chart-restrictive-interventions-per-1000-obd-spec"' in page
    assert "above the upper process limit" in page
    assert reverse("improvement:provider-aim-new", args=(provider_a(board_world).pk,)) in page


def test_board_csv_has_the_summary_columns_and_is_audited(board_world):
    client = signed_in_client(board_world.users["provider_governance"])
    response = client.get(board_url(board_world, "reports:board-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(rows[0].keys()) == SUMMARY_COLUMNS
    # Each key measure for the provider and its two wards, then the three safety checks (issue 13 item 4).
    assert len(rows) == len(RECORD_KEY_MEASURES) * 3 + 3
    a1 = next(
        r
        for r in rows
        if r["ward"] == board_world.wards["a1"].name and r["measure"].startswith("Restrictive")
    )
    assert (a1["count"], a1["value"], a1["target"]) == ("12", "12.0", "2.1")
    assert (
        AuditEvent.objects.filter(action=AuditAction.EXPORT, record_type="reports.BoardReport").count() == 1
    )


def test_chart_page_and_downloads(board_world):
    client = signed_in_client(board_world.users["provider_governance"])
    page = client.get(chart_url(board_world, "reports:board-chart"))
    assert page.status_code == 200
    assert b'data-rrp-chart="chart-restrictive-interventions-per-1000-obd-spec"' in page.content
    svg = client.get(chart_url(board_world, "reports:board-chart-svg"))
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.lstrip().startswith(b"<svg")
    png = client.get(chart_url(board_world, "reports:board-chart-png"))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    data = client.get(chart_url(board_world, "reports:board-chart-csv"))
    rows = list(csv.DictReader(io.StringIO(data.content.decode())))
    assert len(rows) == 24 and rows[-1]["numerator"] == "12" and rows[-1]["point"].endswith("concern")
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("id")
    assert [e.detail["export"] for e in exports] == ["board_chart_svg", "board_chart_png", "board_chart_csv"]


def test_board_pdf_is_a_pdf_and_is_audited(board_world):
    response = signed_in_client(board_world.users["provider_governance"]).get(
        board_url(board_world, "reports:board-pdf")
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.provider_id == provider_a(board_world).pk and event.detail["export"] == "board_pack_pdf"


def test_board_pack_html_has_charts_commentary_and_data(board_world, today):
    from rrp.reports.board.exports import board_pack_html

    board = governance_board(board_world, today)
    html = board_pack_html(board, generated_for=board_world.users["provider_governance"], safety_checks=None)
    assert html.count("data:image/svg+xml;base64,") == len([b for b in board.blocks if b.provider_result])
    assert "above the upper process limit" in html
    assert "Data behind the chart: All wards: Restrictive interventions" in html
    assert "Not on track" in html
    # Issue 13: the pack said "XmR chart for 0 of 24 points" (the engine's group label). Each chart is
    # named for what it is of, in the page's own words, with its lower limits floored at 0.
    assert re.search(r"chart for All wards, \d+ points from", html)
    assert not re.search(r"chart for \d", html)
    assert "process limits -" not in html


# --- suppression outside the provider ----------------------------------------------------------------


def test_commissioner_sees_suppressed_figures_and_no_point_charts(board_world, today):
    commissioner = board_world.users["commissioner"]
    board = provider_board(commissioner, provider_a(board_world), today=today)
    assert board.suppressed
    a1 = row(board, RI, board_world.wards["a1"])
    assert (a1.shown.count, a1.shown.value) == ("10", "12")  # 12 rounded to 10; rate to a whole number
    a2 = row(board, RI, board_world.wards["a2"])
    assert (a2.shown.count, a2.shown.value) == ("*", "*")  # 2 is under 5: hidden, with its rate
    assert row(board, RI).shown.count == "15"
    # The icons (a pattern, not a number) stay.
    assert a1.variation == "special_cause_concern"

    client = signed_in_client(commissioner)
    page = client.get(board_url(board_world)).content.decode()
    assert "data-rrp-chart=" not in page
    assert "counts under 5 are hidden" in page
    chart = client.get(chart_url(board_world, "reports:board-chart", "a2"))
    assert chart.status_code == 200 and b"data-rrp-chart=" not in chart.content
    assert client.get(chart_url(board_world, "reports:board-chart-svg")).status_code == 404
    assert client.get(chart_url(board_world, "reports:board-chart-png")).status_code == 404
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(chart_url(board_world, "reports:board-chart-csv", "a2")).content.decode())
        )
    )
    assert {r["numerator"] for r in rows} == {"*"} and {r["centre"] for r in rows} == {""}
    summary = client.get(board_url(board_world, "reports:board-csv")).content.decode()
    assert "12.0" not in summary


def test_commissioner_aim_progress_is_rounded(board_world, today):
    board = provider_board(board_world.users["commissioner"], provider_a(board_world), today=today)
    (progress,) = board.aims
    assert progress.baseline_mean == 2.0 and progress.latest_mean == 4.0
    assert "3.7" not in progress.words


def test_commissioner_reporting_health_gives_no_counts(board_world, today):
    board = provider_board(board_world.users["commissioner"], provider_a(board_world), today=today)
    words = [w for line in board.health for _, w in line.flags]
    assert words and set(words) <= set(FLAG_TITLES.values())


# --- scope -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["provider_governance", "commissioner", "regulator"])
def test_board_readers_open_provider_a(board_world, role):
    client = signed_in_client(board_world.users[role])
    assert client.get(board_url(board_world)).status_code == 200
    assert client.get(chart_url(board_world, "reports:board-chart")).status_code == 200


@pytest.mark.parametrize("role", ["ward_staff", "ward_manager", "national_analyst", "system_admin"])
def test_board_is_forbidden_to_other_roles(world, role):
    client = signed_in_client(world.users[role])
    assert client.get(reverse("reports:board-index")).status_code == 403
    assert client.get(board_url(world)).status_code == 403
    assert client.get(board_url(world, "reports:board-pdf")).status_code == 403
    assert client.get(chart_url(world, "reports:board-chart-csv")).status_code == 403


def test_other_providers_and_their_wards_are_404(world):
    governance = signed_in_client(world.users["provider_governance"])
    provider_b, provider_c = world.providers[1], world.providers[2]
    assert governance.get(reverse("reports:board", args=(provider_b.pk,))).status_code == 404
    # A ward of another provider under provider A's board.
    assert (
        governance.get(
            reverse("reports:board-chart", args=(provider_a(world).pk, world.wards["b1"].pk, RI))
        ).status_code
        == 404
    )
    commissioner = signed_in_client(world.users["commissioner"])  # ICB 1: providers A and B, not C
    assert commissioner.get(reverse("reports:board", args=(provider_b.pk,))).status_code == 200
    assert commissioner.get(reverse("reports:board", args=(provider_c.pk,))).status_code == 404
    assert commissioner.get(reverse("reports:board-csv", args=(provider_c.pk,))).status_code == 404
    assert (
        governance.get(chart_url(world, "reports:board-chart", slug="days-between-seclusions")).status_code
        == 404
    )
    assert governance.get(chart_url(world, "reports:board-chart", slug="no-such-measure")).status_code == 404


def test_board_index_redirects_one_provider_and_lists_several(world):
    governance = signed_in_client(world.users["provider_governance"])
    response = governance.get(reverse("reports:board-index"))
    assert response.status_code == 302 and response["Location"] == board_url(world)
    regulator = signed_in_client(world.users["regulator"]).get(reverse("reports:board-index"))
    assert regulator.status_code == 200
    for provider in world.providers:
        assert reverse("reports:board", args=(provider.pk,)).encode() in regulator.content


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("provider_governance", True),
        ("commissioner", True),
        ("regulator", True),
        ("ward_staff", False),
        ("ward_manager", False),
        ("national_analyst", False),
        ("system_admin", False),
    ],
)
def test_nav_shows_board_report_only_to_its_readers(world, role, shown):
    page = signed_in_client(world.users[role]).get("/").content.decode()
    assert (f'href="{reverse("reports:board-index")}"' in page) is shown


def test_board_queries_do_not_grow_with_wards(board_world, today):
    user, provider = board_world.users["provider_governance"], provider_a(board_world)
    with CaptureQueriesContext(connection) as two_wards:
        provider_board(user, provider, today=today)
    site = board_world.wards["a1"].site
    for _ in range(3):
        ward = factories.ward(site=site)
        key = f"extra{ward.pk}"
        board_world.wards[key] = ward
        board_world.patients[key] = factories.patient(provider=provider)
        MonthlyBedDays.objects.bulk_create(
            MonthlyBedDays(
                ward=ward, month=m, bed_days=BED_DAYS, source=BedDaysSource.MANUAL, recorded_at=timezone.now()
            )
            for m in months(today)
        )
        restraints(board_world, key, months(today)[-2], 3)
    with CaptureQueriesContext(connection) as five_wards:
        board = provider_board(user, provider, today=today)
    assert len(board.wards) == 5
    assert len(five_wards.captured_queries) == len(two_wards.captured_queries)


def _enter_values(world, slugs, today):
    """Values of these entered or imported measures on ward a1 for the last three whole months."""
    gov = world.users["provider_governance"]
    for slug in slugs:
        own = measure(slug).denominator is Denominator.ENTERED
        for index, month in enumerate(months(today)[-3:]):
            MeasureValue.objects.create(
                ward=world.wards["a1"],
                measure_slug=slug,
                definition_version=1,
                period_start=month,
                numerator=Decimal(4 + index),
                denominator=Decimal(30) if own else None,
                version=1,
                route="entered",
                recorded_by=gov,
                recorded_at=timezone.now(),
            )


def test_board_reads_any_number_of_value_measures_in_a_fixed_number_of_queries(board_world, today):
    """Every entered or imported monthly measure on the board is read in the one bulk series read (one
    query of their values, over the bed days the stored figures gave), and every measure's rebases in one
    query: a board of four such measures makes as many queries as a board of one (each used to cost up to four
    more: its values, its bed days twice and its rebases)."""
    user, provider = board_world.users["provider_governance"], provider_a(board_world)
    values = sorted(slug for slug, d in value_measures().items() if not d.weekly)  # weekly: decision 0079
    _enter_values(board_world, values, today)
    one = [measure(RI), measure(values[0])]
    every = [measure(RI), *(measure(slug) for slug in values)]
    provider_board(user, provider, today=today, measures=one)  # the stored figures computed once
    with CaptureQueriesContext(connection) as with_one:
        provider_board(user, provider, today=today, measures=one)
    with CaptureQueriesContext(connection) as with_every:
        board = provider_board(user, provider, today=today, measures=every)
    assert len(values) >= 4
    assert [b.definition.slug for b in board.blocks] == [d.slug for d in every]  # all shown
    assert len(with_every.captured_queries) == len(with_one.captured_queries)


# --- recording an aim --------------------------------------------------------------------------------


def aim_url(world):
    return reverse("improvement:provider-aim-new", args=(provider_a(world).pk,))


def test_governance_records_an_aim_and_the_board_uses_it(world, today):
    client = signed_in_client(world.users["provider_governance"])
    assert client.get(aim_url(world)).status_code == 200
    response = client.post(
        aim_url(world),
        {
            "measure_slug": "seclusions-per-1000-obd",
            "statement": "Halve seclusion",
            "baseline_start": "2025-01-01",
            "baseline_end": "2025-06-30",
            "reduction_percent": "50",
            "aim_date": "2027-03-31",
        },
    )
    assert response.status_code == 302 and response["Location"] == board_url(world)
    aim = ImprovementAim.objects.get()
    assert (aim.provider, aim.reduction_percent, aim.recorded_by) == (
        provider_a(world),
        50,
        world.users["provider_governance"],
    )
    board = governance_board(world, today)
    assert [p.aim for p in board.aims] == [aim]


def test_aim_form_bad_input_shows_the_error_summary(world):
    client = signed_in_client(world.users["provider_governance"])
    response = client.post(
        aim_url(world),
        {
            "measure_slug": RI,
            "statement": "x",
            "baseline_start": "2025-06-30",
            "baseline_end": "2025-01-01",
            "reduction_percent": "0",
            "aim_date": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The baseline must end after it starts" in page
    assert "Enter a reduction from 1 to 100 per cent" in page
    assert "Enter the date the aim should be met by" in page
    assert not ImprovementAim.objects.exists()


@pytest.mark.parametrize("role", ["commissioner", "regulator"])
def test_only_governance_sets_aims(world, role):
    client = signed_in_client(world.users[role])
    assert client.get(aim_url(world)).status_code == 403
    assert client.post(aim_url(world), {"measure_slug": RI}).status_code == 403


def test_old_aim_addresses_under_the_board_redirect_to_the_improvement_pages(world):
    """The aim pages moved to the improvement app; a bookmark or a form posted to the old address is
    sent on with its method (308), so nothing typed is lost."""
    client = signed_in_client(world.users["provider_governance"])
    provider = provider_a(world)

    posted = client.post(reverse("reports:board-aim-new", args=(provider.pk,)), {"measure_slug": RI})
    withdraw = client.get(reverse("reports:board-aim-withdraw", args=(provider.pk, 7)))

    assert (posted.status_code, posted["Location"]) == (308, aim_url(world))
    assert withdraw.status_code == 308
    assert withdraw["Location"] == reverse("improvement:provider-aim-withdraw", args=(provider.pk, 7))
    assert not ImprovementAim.objects.exists()


def test_board_shows_an_entered_measure_once_the_provider_has_values(board_world, today):
    """Issue 20: a ward's entered values give the measure its block, the provider total pooled over
    the wards' own denominators; a ward that enters nothing has an empty row, not zeros."""
    from decimal import Decimal

    from rrp.measures.models import MeasureValue

    a1 = board_world.wards["a1"]
    shown = months(today)
    MeasureValue.objects.bulk_create(
        MeasureValue(
            ward=a1,
            measure_slug="staff-sickness-rate",
            definition_version=1,
            period_start=m,
            numerator=Decimal(12 + i % 3),
            denominator=Decimal(400),
            version=1,
            route="entered",
            recorded_at=timezone.now(),
        )
        for i, m in enumerate(shown)
    )

    board = governance_board(board_world, today)

    assert board.block("staff-sickness-rate") is not None
    assert board.block("safety-huddles-held") is None
    total = row(board, "staff-sickness-rate")
    assert (total.numerator, total.denominator) == (12 + (len(shown) - 1) % 3, 400)
    assert total.value == pytest.approx(total.numerator / 4)
    assert row(board, "staff-sickness-rate", board_world.wards["a2"]).value is None
