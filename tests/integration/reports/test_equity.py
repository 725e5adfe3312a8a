"""The equity view: interventions, people and bed days by group, rate ratios, suppression and scope."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.core.models import AuditAction, AuditEvent
from rrp.force.services import InterventionInput, incident_amend, incident_record
from rrp.people.models import WardStay
from rrp.reports.equity import Characteristic, equity_report, equity_window
from rrp.reports.equity.compute import rate_ratio
from tests import factories
from tests.helpers import signed_in_client


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def window():
    return equity_window("12", today=timezone.localdate())


def record(world, ward_key: str, patient, *days_and_types):
    """One incident with one intervention per (day, type code), recorded by a governance user."""
    ward = world.wards[ward_key]
    by = (
        world.users["provider_governance"]
        if ward.provider_id == world.providers[0].pk
        else factories.user(role=Role.PROVIDER_GOVERNANCE, provider=ward.provider)
    )
    return incident_record(
        ward=ward,
        patient=patient,
        by=by,
        interventions=[
            InterventionInput(type_code=code, started_at=at(day), ended_at=at(day) + dt.timedelta(minutes=5))
            for day, code in days_and_types
        ],
    )


@pytest.fixture
def equity(world):
    """Provider A over the last 12 whole months.

    Ward a1: White patient W1 on the ward all year (6 interventions in 3 incidents) and Black patient B1
    for the window's first 100 nights (3 interventions in one incident). Ward a2: White patient W2 for 50
    nights (1 intervention). One intervention before the window does not count. The world's own
    patients' stays are removed so the bed days are exactly these.
    """
    WardStay.objects.all().delete()
    w = window()
    a = world.providers[0]
    world.w1 = factories.patient(provider=a, ethnic_category="A", sex="1", date_of_birth=dt.date(1980, 1, 1))
    world.b1 = factories.patient(
        provider=a, ethnic_category="M", sex="2", date_of_birth=dt.date(2003, 6, 1), learning_disability="Y"
    )
    world.w2 = factories.patient(provider=a, ethnic_category="B", sex="1", date_of_birth=dt.date(1950, 1, 1))
    factories.stay(
        patient=world.w1, ward=world.wards["a1"], started_at=at(w.since - dt.timedelta(days=40), 12)
    )
    factories.stay(
        patient=world.b1,
        ward=world.wards["a1"],
        started_at=at(w.since, 12),
        ended_at=at(w.since + dt.timedelta(days=100), 12),
    )
    a2_start = w.since + dt.timedelta(days=200)
    factories.stay(
        patient=world.w2,
        ward=world.wards["a2"],
        started_at=at(a2_start, 9),
        ended_at=at(a2_start + dt.timedelta(days=50), 9),
    )
    day = w.since + dt.timedelta(days=10)
    for offset in (0, 30, 60):
        record(
            world,
            "a1",
            world.w1,
            (day + dt.timedelta(days=offset), "01"),
            (day + dt.timedelta(days=offset), "14"),
        )
    record(world, "a1", world.b1, (day, "01"), (day, "09"), (day + dt.timedelta(days=1), "07"))
    record(world, "a2", world.w2, (a2_start + dt.timedelta(days=3), "07"))
    record(world, "a1", world.w1, (w.since - dt.timedelta(days=20), "01"))  # before the window
    return world


def ids(world, *keys):
    return [world.wards[k].pk for k in keys]


def test_bed_days_and_counts_by_ethnic_group(equity):
    report = equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=False)
    table = report.tables[Characteristic.ETHNICITY]
    days_in_window = (window().until - window().since).days + 1

    white, black = table.row("White"), table.row("Black or Black British")
    assert table.reference == "White"
    assert (white.interventions, white.people, white.bed_days) == (7, 2, days_in_window + 50)
    assert (black.interventions, black.people, black.bed_days) == (3, 1, 100)
    assert white.rate == pytest.approx(7 / (days_in_window + 50) * 1000)
    expected = rate_ratio(3, 100, 7, days_in_window + 50)
    assert black.ratio.ratio == pytest.approx(expected.ratio)
    assert black.ratio.low == pytest.approx(expected.low) and black.ratio.high == pytest.approx(expected.high)
    assert report.interventions == 10 and report.people == 3


def test_other_characteristics_group_the_same_interventions(equity):
    report = equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=False)

    sex = report.tables[Characteristic.SEX]
    assert (sex.row("Male").interventions, sex.row("Female").interventions) == (7, 3)
    ld = report.tables[Characteristic.LEARNING_DISABILITY]
    assert ld.row("Yes").interventions == 3 and ld.row("Yes").bed_days == 100
    age = report.tables[Characteristic.AGE]
    assert age.row("65 and over").interventions == 1 and age.row("65 and over").bed_days == 50
    for table in report.tables.values():
        assert sum(r.interventions for r in table.rows) == 10


def test_small_numbers_shown_honestly_inside_the_provider(equity):
    report = equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=False)
    black = report.tables[Characteristic.ETHNICITY].row("Black or Black British")

    assert black.interventions == 3 and not black.hidden
    assert black.small_numbers and "Small numbers: interval wide." in black.words
    assert black.ratio.low is not None and black.ratio.high / black.ratio.low > 5


def test_numerator_uses_characteristics_at_the_time_bed_days_the_current_record(equity):
    # B1's record is corrected after the incident: the intervention stays with the group recorded at
    # the time (the incident's snapshot); the bed days follow the record as it is now.
    equity.b1.ethnic_category = "Z"
    equity.b1.save(update_fields=["ethnic_category"])

    table = equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=False).tables[
        Characteristic.ETHNICITY
    ]

    assert table.row("Black or Black British").interventions == 3
    assert table.row("Black or Black British").bed_days == 0
    assert table.row("Not stated or not known").bed_days == 100


def test_only_the_latest_version_of_an_incident_counts(equity):
    incident = record(equity, "a2", equity.w2, (window().since + dt.timedelta(days=210), "01"))
    incident_amend(
        incident=incident,
        by=equity.users["provider_governance"],
        reason="Two holds, not one",
        interventions=[
            InterventionInput("01", at(window().since + dt.timedelta(days=210)), None),
            InterventionInput("07", at(window().since + dt.timedelta(days=210), 11), None),
        ],
    )

    report = equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=False)

    assert report.tables[Characteristic.ETHNICITY].row("White").interventions == 9


def test_zero_count_group_reads_no_interventions_with_an_exact_upper_limit(equity):
    asian = factories.patient(provider=equity.providers[0], ethnic_category="H")
    factories.stay(
        patient=asian,
        ward=equity.wards["a1"],
        started_at=at(window().since + dt.timedelta(days=5)),
        ended_at=at(window().since + dt.timedelta(days=65)),
    )

    row = (
        equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=False)
        .tables[Characteristic.ETHNICITY]
        .row("Asian or Asian British")
    )

    assert row.interventions == 0 and row.bed_days == 60
    assert row.ratio.method == "exact" and row.ratio.ratio == 0 and row.ratio.high > 0
    assert row.words.startswith("No interventions.")


def test_chosen_reference_group_changes_the_ratios(equity):
    report = equity_report(
        ward_ids=ids(equity, "a1", "a2"),
        window=window(),
        suppressed=False,
        references={Characteristic.ETHNICITY: "Black or Black British"},
    )
    table = report.tables[Characteristic.ETHNICITY]

    assert table.reference == "Black or Black British"
    assert table.row("Black or Black British").is_reference
    assert table.row("White").ratio.ratio < 1


def test_over_time_ratios_per_three_month_block(equity):
    report = equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=False)
    points = report.over_time[Characteristic.ETHNICITY]

    black = [p for p in points if p.group == "Black or Black British"]
    assert [p.quarter for p in black] == [window().quarters[0], window().quarters[1]]
    assert black[0].interventions == 3 and black[0].ratio.defined
    assert black[1].interventions == 0  # the stay's last nights run into the second block


def test_disproportion_flagged_in_words_when_lower_limit_above_one(world):
    WardStay.objects.all().delete()
    w = window()
    a = world.providers[0]
    white = factories.patient(provider=a, ethnic_category="A")
    black = factories.patient(provider=a, ethnic_category="N")
    factories.stay(patient=white, ward=world.wards["a1"], started_at=at(w.since - dt.timedelta(days=3)))
    factories.stay(patient=black, ward=world.wards["a2"], started_at=at(w.since - dt.timedelta(days=3)))
    day = w.since + dt.timedelta(days=20)
    for i in range(4):
        record(world, "a1", white, (day + dt.timedelta(days=i), "01"))
    for i in range(8):
        record(world, "a2", black, *[(day + dt.timedelta(days=i), code) for code in ("01", "07", "14")])

    table = equity_report(ward_ids=ids(world, "a1", "a2"), window=w, suppressed=False).tables[
        Characteristic.ETHNICITY
    ]

    row = table.row("Black or Black British")
    assert row.flagged and row.ratio.ratio == pytest.approx(6.0)
    assert row.words.startswith(
        "Black or Black British patients had restrictive interventions 6.0 times as often per occupied bed "
        "day as White patients (95% CI "
    )
    assert table.findings == [row.words]


# ---- suppression outside the provider


def test_suppressed_report_hides_small_counts_and_rounds_others(equity):
    report = equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=True)
    table = report.tables[Characteristic.ETHNICITY]
    white, black = table.row("White"), table.row("Black or Black British")

    assert white.interventions == 5  # 7 to the nearest 5
    assert white.bed_days % 5 == 0
    assert white.rate is not None and white.rate == round(white.rate)
    assert black.interventions is None and {"interventions", "people", "rate", "ratio"} <= black.hidden
    assert black.ratio.ratio is None and "Suppressed" in black.words
    assert report.interventions == 10 and report.people is None


def test_commissioner_page_and_csv_are_suppressed(equity):
    client = signed_in_client(equity.users["commissioner"])
    provider = equity.providers[0]

    html = client.get(reverse("reports:equity", args=[provider.pk])).content.decode()
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("reports:equity-csv", args=[provider.pk])).content.decode())
        )
    )

    assert "NHS Digital&#39;s rules apply" in html or "NHS Digital's rules apply" in html
    assert equity.wards["a1"].name not in html
    black = next(
        r for r in rows if r[2] == "ethnicity" and r[3] == "Black or Black British" and r[1] == "whole window"
    )
    header = rows[0]
    assert black[header.index("interventions")] == "*"
    assert black[header.index("rate_ratio")] == "*"
    white = next(r for r in rows if r[2] == "ethnicity" and r[3] == "White" and r[1] == "whole window")
    assert white[header.index("interventions")] == "5"


def test_analyst_sees_only_collaborative_wards_suppressed_and_no_provider_name(equity):
    client = signed_in_client(equity.users["national_analyst"])
    provider = equity.providers[0]

    response = client.get(reverse("reports:equity", args=[provider.pk]))
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("reports:equity-csv", args=[provider.pk])).content.decode())
        )
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert provider.name not in html and equity.wards["a1"].name not in html
    assert "Provider 00" in html
    header = rows[0]
    white = next(r for r in rows if r[2] == "ethnicity" and r[3] == "White" and r[1] == "whole window")
    # a1 only (the collaborative's ward): W1's 6 interventions, rounded to 5; W2 on a2 is not counted.
    assert white[header.index("interventions")] == "5"
    days_in_window = (window().until - window().since).days + 1
    assert white[header.index("bed_days")] == str(round(days_in_window / 5) * 5)


def test_governance_page_shows_small_numbers_and_ward_names(equity):
    html = (
        signed_in_client(equity.users["provider_governance"])
        .get(reverse("reports:equity", args=[equity.providers[0].pk]))
        .content.decode()
    )

    assert "Small numbers: interval wide." in html
    assert equity.wards["a1"].name in html and equity.wards["a2"].name in html
    assert 'aria-hidden="true">*</span>' not in html
    assert 'data-rrp-chart="equity-forest-ethnicity-spec"' in html
    assert 'data-rrp-chart="equity-time-ethnicity-spec"' in html


def test_governance_csv_has_exact_figures(equity):
    content = (
        signed_in_client(equity.users["provider_governance"])
        .get(reverse("reports:equity-csv", args=[equity.providers[0].pk]))
        .content.decode()
    )
    rows = list(csv.reader(io.StringIO(content)))
    header = rows[0]

    black = next(
        r for r in rows if r[2] == "ethnicity" and r[3] == "Black or Black British" and r[1] == "whole window"
    )
    assert black[header.index("interventions")] == "3"
    assert black[header.index("bed_days")] == "100"
    assert "*" not in content
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT, record_type="reports.EquityReport").get()
    assert event.actor_id == equity.users["provider_governance"].pk
    assert event.provider_id == equity.providers[0].pk


def test_ward_manager_sees_only_their_wards(equity):
    manager = factories.user(role=Role.WARD_MANAGER, provider=equity.providers[0], wards=[equity.wards["a2"]])
    rows = list(
        csv.reader(
            io.StringIO(
                signed_in_client(manager)
                .get(reverse("reports:equity-csv", args=[equity.providers[0].pk]))
                .content.decode()
            )
        )
    )
    header = rows[0]
    ethnic = {r[3]: r for r in rows if r[2] == "ethnicity" and r[1] == "whole window"}

    assert set(ethnic) == {"White"}
    assert ethnic["White"][header.index("interventions")] == "1"
    assert ethnic["White"][header.index("bed_days")] == "50"


def test_options_chosen_reference_and_24_months(equity):
    client = signed_in_client(equity.users["provider_governance"])
    url = reverse("reports:equity", args=[equity.providers[0].pk])

    response = client.get(url, {"characteristic": "sex", "reference": "Female", "period": "24"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "reference group Female" in html
    assert 'data-rrp-chart="equity-forest-sex-spec"' in html
    assert (window().since - dt.timedelta(days=365)).strftime("%B %Y") in html


@pytest.mark.parametrize(
    "query",
    [
        {"reference": "Martian"},
        {"characteristic": "star-sign"},
        {"period": "7"},
        {"characteristic": "sex", "reference": "White"},
    ],
)
def test_bad_options_are_a_400_with_the_error_summary(equity, query):
    response = signed_in_client(equity.users["provider_governance"]).get(
        reverse("reports:equity", args=[equity.providers[0].pk]), query
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error: " in html


# ---- scope


@pytest.mark.parametrize(
    ("role", "provider_index", "status"),
    [
        ("provider_governance", 0, 200),
        ("provider_governance", 1, 404),
        ("ward_manager", 0, 200),
        ("ward_manager", 2, 404),
        ("commissioner", 0, 200),
        ("commissioner", 1, 200),
        ("commissioner", 2, 404),
        ("regulator", 2, 200),
        ("national_analyst", 0, 200),
        ("national_analyst", 2, 200),
        ("national_analyst", 1, 404),
        ("ward_staff", 0, 403),
        ("system_admin", 0, 403),
    ],
)
def test_equity_scope_per_role(world, role, provider_index, status):
    client = signed_in_client(world.users[role])
    provider = world.providers[provider_index]

    assert client.get(reverse("reports:equity", args=[provider.pk])).status_code == status
    assert client.get(reverse("reports:equity-csv", args=[provider.pk])).status_code == status


def test_unknown_provider_is_404(world):
    client = signed_in_client(world.users["regulator"])

    assert client.get(reverse("reports:equity", args=[999999])).status_code == 404


def test_index_redirects_a_single_provider_and_lists_several(world):
    governance = signed_in_client(world.users["provider_governance"]).get(reverse("reports:equity-index"))
    commissioner = signed_in_client(world.users["commissioner"]).get(reverse("reports:equity-index"))
    analyst = signed_in_client(world.users["national_analyst"]).get(reverse("reports:equity-index"))

    assert governance.status_code == 302
    assert governance["Location"] == reverse("reports:equity", args=[world.providers[0].pk])
    html = commissioner.content.decode()
    assert world.providers[0].name in html and world.providers[1].name in html
    assert world.providers[2].name not in html
    analyst_html = analyst.content.decode()
    assert "Provider 001" in analyst_html and "Provider 002" in analyst_html
    assert world.providers[0].name not in analyst_html


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("provider_governance", True),
        ("ward_manager", True),
        ("commissioner", True),
        ("regulator", True),
        ("national_analyst", True),
        ("ward_staff", False),
        ("system_admin", False),
    ],
)
def test_nav_links_equity_only_for_roles_that_may_see_it(world, role, shown):
    html = signed_in_client(world.users[role]).get("/").content.decode()

    assert (f'href="{reverse("reports:equity-index")}"' in html) is shown


# ---- speed


def _grow(world, extra_wards: int, patients_per_ward: int) -> list[int]:
    w = window()
    site = world.wards["a1"].site
    ward_ids = ids(world, "a1", "a2")
    for _ in range(extra_wards):
        ward = factories.ward(site=site)
        ward_ids.append(ward.pk)
        world.wards[f"extra{ward.pk}"] = ward
        for i in range(patients_per_ward):
            patient = factories.patient(provider=ward.provider, ethnic_category="ANHS"[i % 4])
            factories.stay(patient=patient, ward=ward, started_at=at(w.since + dt.timedelta(days=i)))
            record(world, f"extra{ward.pk}", patient, (w.since + dt.timedelta(days=30 + i), "01"))
    return ward_ids


def test_query_count_does_not_grow_with_wards_or_patients(equity):
    w = window()
    with CaptureQueriesContext(connection) as small:
        equity_report(ward_ids=ids(equity, "a1", "a2"), window=w, suppressed=False)
    ward_ids = _grow(equity, extra_wards=3, patients_per_ward=4)
    with CaptureQueriesContext(connection) as large:
        report = equity_report(ward_ids=ward_ids, window=w, suppressed=False)

    assert report.interventions == 10 + 12
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= 6


# ---- the same interventions as the ward charts


def _seclusion(world, patient, start: dt.datetime, incident=None):
    from rrp.segregation.services import episode_start

    return episode_start(
        ward=world.wards["a1"],
        patient=patient,
        kind="seclusion",
        by=world.users["provider_governance"],
        started_at=start,
        ended_at=start + dt.timedelta(hours=2),
        end_reason="Calm and talking",
        authorised_by_name="Dr Example",
        place="Seclusion room 1",
        reason="Severe behavioural disturbance likely to harm others",
        end_plan="End when calm",
        incident=incident,
    )


def test_seclusion_episodes_count_once_in_the_patients_group(equity):
    start = window().since + dt.timedelta(days=40)
    _seclusion(equity, equity.b1, at(start))
    incident = record(equity, "a1", equity.b1, (start + dt.timedelta(days=5), "05"))
    _seclusion(equity, equity.b1, at(start + dt.timedelta(days=5)), incident=incident)

    report = equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=False)

    # 3 before, the unlinked episode, and the incident's own 05 (its linked episode is not counted again)
    assert report.tables[Characteristic.ETHNICITY].row("Black or Black British").interventions == 5


def test_total_interventions_match_the_measure_series(equity):
    from rrp.measures.catalogue import measure
    from rrp.measures.series import measure_series

    _seclusion(equity, equity.b1, at(window().since + dt.timedelta(days=40)))
    series = measure_series(
        measure("restrictive-interventions-per-1000-obd"),
        ward_ids=ids(equity, "a1", "a2"),
        since=window().since,
        until=window().until,
    )

    report = equity_report(ward_ids=ids(equity, "a1", "a2"), window=window(), suppressed=False)

    assert report.interventions == series["numerator"].sum() == 11
