"""The national benchmark page against NHS Digital's real published files (imported by the same service
as `rrp import mhsds-provider-monthly`): its figures agree with measures.national and the folder's README."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from rrp.measures.national import PUBLISHED
from rrp.measures.services import national_figures_import
from rrp.organisations.models import Provider
from rrp.reports.national import LAST_12, match_provider, national_benchmark
from tests.helpers import signed_in_client

REAL = PUBLISHED  # the published files shipped with RRP (src/rrp/measures/published/)
NOTTS = "NOTTINGHAMSHIRE HEALTHCARE NHS FOUNDATION TRUST"
URL = "/reports/national/"


@pytest.fixture
def published(world):
    national_figures_import(directory=REAL, by=None)
    return world


def test_url_name():
    assert reverse("reports:national-benchmark") == URL


def test_governance_defaults_to_own_provider_matched_by_published_name(published):
    user = published.users["provider_governance"]
    Provider.objects.filter(pk=user.provider_id).update(
        name="Nottinghamshire Healthcare NHS Foundation Trust"
    )
    user.refresh_from_db()

    page = national_benchmark(user=user, provider=None, month=None)

    assert page.provider == NOTTS
    assert page.month_choice == LAST_12
    assert page.funnel_months == (dt.date(2021, 9, 1), dt.date(2022, 8, 1))
    # README: pooled over the 12 months, 2,025 / 281,030 = 7.206; all providers 28,075 / 5,749,635 = 4.883.
    assert page.provider_pooled_rate == pytest.approx(2025 / 281030 * 1000)
    assert round(page.provider_pooled_rate, 3) == 7.206
    assert round(page.all_pooled_rate, 3) == 4.883
    september = page.rows[0]
    assert (september.month, september.people, september.bed_days, september.rate) == (
        dt.date(2021, 9, 1),
        "175",
        "23,525",
        "7.44",
    )


def test_funnel_matches_measures_national_providers_pooled(published):
    page = national_benchmark(user=published.users["national_analyst"], provider=NOTTS, month="2021-12")

    records = {r["group"]: r for r in page.funnel.spec["data"]["values"]}
    st_andrews = records["ST ANDREW'S HEALTHCARE"]
    # README: St Andrew's lowest month is Dec 2021: 85 / 17,500 = 4.857.
    assert st_andrews["value"] == pytest.approx(85 / 17500 * 1000)
    assert st_andrews["denominator"] == 17500
    # The funnel's centre is the all-providers rate pooled over the month.
    assert records[NOTTS]["centre"] == pytest.approx(page.all_pooled_rate)
    # The chosen provider is ringed and labelled.
    assert any(
        layer.get("transform") == [{"filter": {"field": "group", "equal": NOTTS}}]
        for layer in page.funnel.spec["layer"]
    )


def test_over_time_chart_has_the_providers_months_and_the_national_line(published):
    page = national_benchmark(
        user=published.users["regulator"], provider="st andrew's healthcare", month=None
    )

    assert page.provider == "ST ANDREW'S HEALTHCARE"
    values = page.over_time.spec["data"]["values"]
    assert len(values) == 12
    # Twelve months are too few for Making Data Count limits (13 points), so it is a run chart.
    assert page.over_time.description.startswith("Run chart")
    assert round(page.provider_pooled_rate, 3) == 6.795  # README: 1,310 / 192,785 over its 11 months
    national_layer = page.over_time.spec["layer"][-1]
    assert len(national_layer["data"]["values"]) == 12
    assert [r.people for r in page.rows].count("not published") == 1


def test_unmatched_own_provider_says_so_with_suggestions(published):
    user = published.users["provider_governance"]
    Provider.objects.filter(pk=user.provider_id).update(name="Nottinghamshire Healthcare NHS FT")
    user.refresh_from_db()

    response = signed_in_client(user).get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Provider not found in the national figures" in html
    assert "Nottinghamshire Healthcare NHS FT is not among the providers" in html
    assert NOTTS in html  # offered as the closest name


def test_page_shows_the_benchmark_and_the_provider_list(published):
    response = signed_in_client(published.users["national_analyst"]).get(URL, {"provider": NOTTS})
    html = response.content.decode()

    assert response.status_code == 200
    assert 'id="national-funnel"' in html and 'id="national-over-time"' in html
    assert f'<option value="{NOTTS}" selected>' in html
    assert "7.21" in html  # the provider's pooled rate, 7.206


def test_unknown_month_is_a_400_with_an_error_summary(published):
    response = signed_in_client(published.users["regulator"]).get(URL, {"month": "2030-01"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose a month from September 2021 to August 2022" in html


def test_page_without_imported_figures_says_how_to_load_them(world):
    response = signed_in_client(world.users["regulator"]).get(URL)

    assert response.status_code == 200
    assert "No national figures are held yet" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("ward_staff", False),
        ("ward_manager", True),
        ("provider_governance", True),
        ("commissioner", True),
        ("regulator", True),
        ("national_analyst", True),
        ("system_admin", False),
    ],
)
def test_national_benchmark_page_and_nav_for_each_role(world, role, allowed):
    client = signed_in_client(world.users[role])

    assert client.get(URL).status_code == (200 if allowed else 403)
    assert (f'href="{URL}"' in client.get("/").content.decode()) is allowed


def test_match_provider_ignores_case_and_suggests_close_names():
    names = [NOTTS, "ST ANDREW'S HEALTHCARE"]

    assert match_provider("Nottinghamshire Healthcare NHS Foundation Trust", names) == (NOTTS, [])
    assert match_provider("Nottinghamshire Healthcare NHS Foundation Trus", names) == (None, [NOTTS])


def test_unpublished_provider_asked_for_is_a_400_with_suggestions(published):
    response = signed_in_client(published.users["national_analyst"]).get(
        URL, {"provider": "Nottinghamshire Healthcare NHS Foundation Trus"}
    )
    html = response.content.decode()

    assert response.status_code == 400
    assert "There is a problem" in html and 'href="#provider"' in html
    assert 'id="provider-error"' in html
    assert f"?provider={NOTTS.replace(' ', '%20')}" in html  # the closest published name, as a link
