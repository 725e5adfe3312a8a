"""The board's integrated summary (issue 20 item 5): governance chooses a set of measures across every kind
on a page (audited, a new version each time, scoped to its provider), and the board shows each one's
provider total with its variation and assurance icons, read from stored figures and entered values only.
Also the loose ends of issue 20: a level such as Safewards interventions in use makes the provider's
figure as the wards' mean, not their sum, and is shown unsuppressed outside the provider."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pandas as pd
import weasyprint

from rrp.core.models import AuditEvent
from rrp.measures.board_sets import chosen_measures, integrated_choices
from rrp.measures.catalogue import MeasureKind, measure
from rrp.measures.models import BoardMeasureSet, MeasureValue
from rrp.reports.board import provider_board
from rrp.reports.board.compute import provider_total
from rrp.reports.board.exports import (
    INTEGRATED_SECTION,
    KEY_MEASURES_SECTION,
    SAFETY_CHECKS_SECTION,
    board_pack_html,
)
from rrp.reports.board.presenters import shown_figures
from tests.helpers import signed_in_client
from tests.integration.reports.test_project_summary import pdf_text

SAFEWARDS = "safewards-interventions-in-use"
CHOSEN = [
    "restrictive-interventions-per-1000-obd",
    "incidents",
    "patient-debrief-held",
    "staff-injuries",
    SAFEWARDS,
]


def test_the_provider_figure_of_a_level_is_the_wards_mean_not_their_sum():
    series = pd.DataFrame(
        {
            "ward_id": [1, 2, 3, 1, 2],
            "period": [dt.date(2026, 1, 1)] * 3 + [dt.date(2026, 2, 1)] * 2,
            "numerator": [6.0, 8.0, 4.0, 7.0, float("nan")],
            "denominator": [float("nan")] * 5,
            "value": [6.0, 8.0, 4.0, 7.0, float("nan")],
        }
    )
    total = provider_total(measure(SAFEWARDS), series)
    assert total["value"].tolist() == [6.0, 7.0]  # summed it would read 18 and 7 "of 10"
    counted = provider_total(measure("incidents"), series.assign(ward_id=series["ward_id"]))
    assert counted["value"].tolist() == [18.0, 7.0]  # a count is still summed


def test_a_level_is_shown_as_it_is_outside_the_provider_and_a_count_is_not():
    shown = shown_figures(measure(SAFEWARDS), 3.0, None, 3.0, suppress=True)
    assert (shown.count, shown.value) == ("3", "3")
    hidden = shown_figures(measure("incidents"), 3.0, None, 3.0, suppress=True)
    assert hidden.count_hidden


def test_every_kind_can_be_chosen_and_only_measures_read_without_the_records():
    choices = {d.slug: d for d in integrated_choices()}
    # Outcome, process and balancing measures now; data quality once one is stored or entered (the
    # shipped one, statutory items complete, is computed from the records on each request).
    assert {d.kind for d in choices.values()} >= {
        MeasureKind.OUTCOME,
        MeasureKind.PROCESS,
        MeasureKind.BALANCING,
    }
    assert "statutory-record-complete" not in choices
    assert "seclusion-reviews-on-time" in choices  # stored since issue 13 (it was computed each request)
    assert "days-between-seclusions" not in choices  # a g chart has no provider total


def _save(client, provider, slugs, base):
    return client.post(
        f"/reports/board/{provider.pk}/integrated/", {"measures": slugs, "base_version": str(base)}
    )


def test_governance_chooses_the_set_audited_and_the_board_shows_it(board_world, today):
    provider = board_world.providers[0]
    ward = board_world.wards["a1"]
    gov = board_world.users["provider_governance"]
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for months_back in range(12):
        month = (pd.Timestamp(last) - pd.DateOffset(months=months_back)).date()
        MeasureValue.objects.create(
            ward=ward,
            measure_slug=SAFEWARDS,
            definition_version=1,
            period_start=month,
            numerator=Decimal(4 + months_back % 3),
            version=1,
            route="entered",
            recorded_by=gov,
            recorded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
    client = signed_in_client(gov)
    assert client.get(f"/reports/board/{provider.pk}/integrated/").status_code == 200
    assert _save(client, provider, CHOSEN, 0).status_code == 302
    assert next(d.slug for d in chosen_measures(provider.pk)) == "incidents"  # outcome measures first
    assert AuditEvent.objects.filter(record_type="measures.BoardMeasureSet", provider_id=provider.pk).exists()

    stale = _save(client, provider, CHOSEN[:2], 0)
    assert stale.status_code == 409 and "Someone else chose the measures" in stale.content.decode()
    assert BoardMeasureSet.objects.count() == 1

    board = provider_board(gov, provider, today=today)
    rows = {r.definition.slug: r for r in board.integrated}
    assert set(rows) == set(CHOSEN)
    assert all(r.is_provider for r in rows.values())
    assert rows["restrictive-interventions-per-1000-obd"].variation is not None
    page = client.get(f"/reports/board/{provider.pk}/").content.decode()
    assert "Integrated summary" in page and "Safewards interventions in use" in page


def test_only_the_providers_own_governance_may_choose(board_world):
    provider, other = board_world.providers[0], board_world.providers[1]
    gov = signed_in_client(board_world.users["provider_governance"])
    assert gov.get(f"/reports/board/{other.pk}/integrated/").status_code == 404
    assert _save(gov, other, CHOSEN, 0).status_code == 404
    for role in ("commissioner", "regulator", "ward_manager", "system_admin"):
        client = signed_in_client(board_world.users[role])
        assert client.get(f"/reports/board/{provider.pk}/integrated/").status_code in (403, 404), role
        assert _save(client, provider, CHOSEN, 0).status_code in (403, 404), role
    assert not BoardMeasureSet.objects.exists()


def test_a_measure_not_offered_is_refused_naming_the_field(board_world):
    provider = board_world.providers[0]
    client = signed_in_client(board_world.users["provider_governance"])
    response = _save(client, provider, ["statutory-record-complete"], 0)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not BoardMeasureSet.objects.exists()


def test_the_integrated_summary_is_in_the_board_csv_and_pack(board_world, today):
    provider = board_world.providers[0]
    gov = board_world.users["provider_governance"]
    client = signed_in_client(gov)
    assert _save(client, provider, CHOSEN[:4], 0).status_code == 302
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/reports/board/{provider.pk}/summary.csv").content.decode()))
    )
    integrated = [r for r in rows if r["section"] == INTEGRATED_SECTION]
    assert {r["measure"] for r in integrated} == {measure(s).name for s in CHOSEN[:4]}
    assert all(r["ward"] == "All wards" for r in integrated)
    debriefs = next(r for r in integrated if r["measure"] == measure("patient-debrief-held").name)
    assert debriefs["kind"] == "process"
    assert {r["section"] for r in rows} == {KEY_MEASURES_SECTION, INTEGRATED_SECTION, SAFETY_CHECKS_SECTION}

    pack = board_pack_html(provider_board(gov, provider, today=today), generated_for=gov, safety_checks=None)
    section = pack[pack.index('id="integrated"') : pack.index("What the charts say")]
    assert all(measure(s).name in section for s in CHOSEN[:4])
    # WeasyPrint lays the table out in the PDF pack (icons and the words beside them).
    text = pdf_text(weasyprint.HTML(string=pack, base_url=None).render())
    integrated_text = text[text.index("Integrated summary") : text.index("What the charts say")]
    assert measure("patient-debrief-held").name in integrated_text
