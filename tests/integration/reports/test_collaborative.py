"""The collaborative view: who sees which collaboratives, pseudonyms, NHS Digital's suppression, pooled
charts, the funnel, progress toward the aim from each ward's joining date, and a flat query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.core.models import AuditAction, AuditEvent
from rrp.force.services import InterventionInput, incident_record
from rrp.improvement.models import ImprovementAim
from rrp.organisations.models import (
    BedDaysSource,
    Collaborative,
    CollaborativeMembership,
    MonthlyBedDays,
    Ward,
)
from rrp.reports.collaborative import collaborative_report, pseudonym
from rrp.reports.measure_charts import reporting_window
from tests import factories
from tests.helpers import signed_in_client

TODAY = dt.date.today()


def month_back(n: int) -> dt.date:
    """The first day of the month ``n`` whole months before the last complete one (0 = that month)."""
    last = reporting_window("month", today=timezone.localdate())[1].replace(day=1)
    index = last.year * 12 + last.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def interventions(world, ward_key: str, month: dt.date, count: int, type_code: str = "07") -> None:
    """``count`` interventions on the ward in the month, in one incident."""
    ward = world.wards[ward_key]
    by = factories.user(role=Role.PROVIDER_GOVERNANCE, provider=ward.provider)
    incident_record(
        ward=ward,
        patient=world.patients[ward_key],
        by=by,
        interventions=[
            InterventionInput(
                type_code=type_code,
                started_at=at(month.replace(day=2), 8 + i),
                ended_at=at(month.replace(day=2), 8 + i) + dt.timedelta(minutes=5),
            )
            for i in range(count)
        ],
    )


def bed_days(ward: Ward, months: int, value: int) -> None:
    MonthlyBedDays.objects.bulk_create(
        MonthlyBedDays(
            ward=ward,
            month=month_back(n),
            bed_days=value,
            source=BedDaysSource.MANUAL,
            recorded_at=timezone.now(),
        )
        for n in range(months)
    )


@pytest.fixture
def cohort(world):
    """Wards a1 (provider A) and c1 (provider C) in the collaborative, with distinctive names so the
    page can be searched for them; 24 months of bed days; a1 has 7 interventions in the last 12 months
    and c1 has 3 (under 5: suppressed outside provider C)."""
    names = {"a1": "Larchmere Ward", "a2": "Oakhurst Ward", "b1": "Birchfold Ward", "c1": "Cedarvale Ward"}
    for key, name in names.items():
        Ward.objects.filter(pk=world.wards[key].pk).update(name=name)
        world.wards[key].name = name
    bed_days(world.wards["a1"], 24, 600)
    bed_days(world.wards["c1"], 24, 400)
    interventions(world, "a1", month_back(1), 4)
    interventions(world, "a1", month_back(3), 3)
    interventions(world, "c1", month_back(2), 3)
    return world


def page(user, collaborative_id: int):
    return signed_in_client(user).get(reverse("reports:collaborative", args=[collaborative_id]))


# ---- scope and navigation


def test_collaborative_list_shows_each_role_its_collaboratives(world):
    other = Collaborative.objects.create(
        name="Regional group", kind="regional", starts_on=dt.date(2022, 1, 1)
    )
    CollaborativeMembership.objects.create(
        collaborative=other, ward=world.wards["b1"], joined_on=dt.date(2022, 1, 1)
    )
    url = reverse("reports:collaborative-list")

    analyst = signed_in_client(world.users["national_analyst"]).get(url).content.decode()
    governance = signed_in_client(world.users["provider_governance"]).get(url).content.decode()
    regulator = signed_in_client(world.users["regulator"]).get(url).content.decode()

    assert "National cohort" in analyst and "Regional group" not in analyst
    assert "National cohort" in governance and "Regional group" not in governance  # b1 is provider B's
    assert "National cohort" in regulator and "Regional group" in regulator


def test_collaborative_outside_scope_is_404(world):
    other = Collaborative.objects.create(
        name="Regional group", kind="regional", starts_on=dt.date(2022, 1, 1)
    )
    CollaborativeMembership.objects.create(
        collaborative=other, ward=world.wards["b1"], joined_on=dt.date(2022, 1, 1)
    )

    assert page(world.users["national_analyst"], other.pk).status_code == 404
    assert page(world.users["provider_governance"], other.pk).status_code == 404
    assert page(world.users["regulator"], other.pk).status_code == 200
    assert page(world.users["national_analyst"], world.collaborative.pk).status_code == 200


@pytest.mark.parametrize("role", ["ward_staff", "ward_manager", "commissioner", "system_admin"])
def test_collaborative_pages_refused_to_roles_without_the_permission(world, role):
    client = signed_in_client(world.users[role])

    assert client.get(reverse("reports:collaborative-list")).status_code == 403
    assert client.get(reverse("reports:collaborative", args=[world.collaborative.pk])).status_code == 403


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("national_analyst", True),
        ("provider_governance", True),
        ("regulator", True),
        ("ward_staff", False),
        ("ward_manager", False),
        ("commissioner", False),
        ("system_admin", False),
    ],
)
def test_nav_links_collaboratives_only_for_roles_that_may_see_them(world, role, shown):
    html = signed_in_client(world.users[role]).get("/").content.decode()

    assert (f'href="{reverse("reports:collaborative-list")}"' in html) is shown


# ---- pseudonyms and suppression


def test_analyst_sees_pseudonyms_and_regions_never_ward_or_provider_names(cohort):
    html = page(cohort.users["national_analyst"], cohort.collaborative.pk).content.decode()

    for key in ("a1", "c1"):
        ward = cohort.wards[key]
        assert ward.name not in html
        assert ward.code not in html
        assert ward.provider.name not in html
        assert ward.provider.ods_code not in html
    assert "Ward 001" in html and "Ward 002" in html
    assert cohort.regions[0].name in html and cohort.regions[1].name in html


def test_governance_sees_own_provider_wards_by_name_others_pseudonymised(cohort):
    html = page(cohort.users["provider_governance"], cohort.collaborative.pk).content.decode()

    assert "Larchmere Ward" in html
    assert "Cedarvale Ward" not in html and cohort.providers[2].name not in html
    assert "Ward 002" in html


def test_regulator_sees_every_ward_by_name(cohort):
    html = page(cohort.users["regulator"], cohort.collaborative.pk).content.decode()

    assert "Larchmere Ward" in html and "Cedarvale Ward" in html


def test_ward_with_three_interventions_is_suppressed_for_the_analyst(cohort):
    report = collaborative_report(
        cohort.collaborative, user=cohort.users["national_analyst"], today=timezone.localdate()
    )
    rows = {row.member.ward_id: row for row in report.funnel.rows}

    c1, a1 = rows[cohort.wards["c1"].pk], rows[cohort.wards["a1"].pk]
    assert (c1.count, c1.rate, c1.position) == ("*", "*", "*")
    assert a1.count == "5"  # 7 rounded to the nearest 5
    assert a1.bed_days == "7,200"
    assert a1.rate == "1"  # 7 / 7,200 × 1,000 = 0.97, shown as a whole number
    assert report.funnel.hidden == 1
    funnel_units = {r["group"] for r in report.funnel.panel.spec["data"]["values"]}
    assert funnel_units == {"Ward 001"}
    html = page(cohort.users["national_analyst"], cohort.collaborative.pk).content.decode()
    assert "1 ward is not drawn" in html


def test_governance_sees_own_ward_exact_and_other_provider_suppressed(cohort):
    report = collaborative_report(
        cohort.collaborative, user=cohort.users["provider_governance"], today=timezone.localdate()
    )
    rows = {row.member.ward_id: row for row in report.funnel.rows}

    assert rows[cohort.wards["a1"].pk].count == "7"
    assert rows[cohort.wards["a1"].pk].rate == "1.0"  # 0.972, exact to one decimal place
    assert rows[cohort.wards["c1"].pk].count == "*"
    assert report.pooled_suppressed


def test_regulator_sees_exact_figures_everywhere(cohort):
    report = collaborative_report(
        cohort.collaborative, user=cohort.users["regulator"], today=timezone.localdate()
    )
    rows = {row.member.ward_id: row for row in report.funnel.rows}

    assert rows[cohort.wards["c1"].pk].count == "3"
    assert report.funnel.hidden == 0
    assert not report.pooled_suppressed


# ---- pooled charts


def test_pooled_chart_sums_numerators_and_bed_days_across_wards(cohort):
    report = collaborative_report(
        cohort.collaborative, user=cohort.users["regulator"], today=timezone.localdate()
    )
    panel = report.pooled_panels[0]
    values = {r["date"]: r for r in panel.spec["data"]["values"]}

    assert panel.chart_id == "pooled-restrictive-interventions-per-1000-obd"
    one = values[month_back(1).isoformat()]
    assert one["denominator"] == 1000  # 600 + 400
    assert one["value"] == pytest.approx(4 / 1000 * 1000)
    two = values[month_back(2).isoformat()]
    assert two["value"] == pytest.approx(3.0)
    assert values[month_back(0).isoformat()]["value"] == 0
    assert len(values) == 24
    assert [p.chart_id for p in report.pooled_panels] == [
        "pooled-restrictive-interventions-per-1000-obd",
        "pooled-people-restrained-per-1000-obd",
        "pooled-prone-restraints-per-1000-obd",
    ]


def test_pooled_chart_hides_months_with_under_five_for_suppressed_viewers(cohort):
    report = collaborative_report(
        cohort.collaborative, user=cohort.users["national_analyst"], today=timezone.localdate()
    )
    values = {r["date"]: r for r in report.pooled_panels[0].spec["data"]["values"]}

    assert values[month_back(1).isoformat()]["value"] is None  # 4 interventions: suppressed
    assert values[month_back(1).isoformat()]["point_type"] == "missing"
    assert "suppressed" in report.pooled_panels[0].table_html


def test_ward_that_left_stops_counting_after_leaving(cohort):
    CollaborativeMembership.objects.filter(ward=cohort.wards["c1"]).update(left_on=month_back(6))
    report = collaborative_report(
        cohort.collaborative, user=cohort.users["regulator"], today=timezone.localdate()
    )
    values = {r["date"]: r for r in report.pooled_panels[0].spec["data"]["values"]}

    assert values[month_back(6).isoformat()]["denominator"] == 1000
    assert values[month_back(5).isoformat()]["denominator"] == 600


def test_ward_counts_only_from_the_month_it_joined(cohort):
    """The pooled charts counted a member's months before it joined as the collaborative's: c1, which
    joined during the month three back, added its earlier bed days (and interventions) to the pool."""
    CollaborativeMembership.objects.filter(ward=cohort.wards["c1"]).update(
        joined_on=month_back(3) + dt.timedelta(days=9)
    )
    report = collaborative_report(
        cohort.collaborative, user=cohort.users["regulator"], today=timezone.localdate()
    )
    values = {r["date"]: r for r in report.pooled_panels[0].spec["data"]["values"]}

    assert values[month_back(4).isoformat()]["denominator"] == 600  # a1's alone
    assert values[month_back(3).isoformat()]["denominator"] == 1000  # the month it joined counts
    assert len(values) == 24  # a1 was a member throughout
    # The funnel is each ward's own last 12 months, joined or not (unchanged).
    c1 = next(w for w in report.funnel.rows if w.member.ward_id == cohort.wards["c1"].pk)
    assert c1.bed_days == "4,800"


# ---- aim progress


def test_aim_progress_measured_from_each_wards_joining_date(cohort):
    # a1 joined long ago; c1 joined 3 months before the last complete month. A 3-month baseline.
    CollaborativeMembership.objects.filter(ward=cohort.wards["a1"]).update(joined_on=month_back(5))
    CollaborativeMembership.objects.filter(ward=cohort.wards["c1"]).update(
        joined_on=month_back(3) + dt.timedelta(days=9)
    )
    interventions(cohort, "a1", month_back(7), 2)  # a1's baseline: months 8, 7, 6 back
    interventions(cohort, "c1", month_back(5), 8)  # c1's baseline: months 6, 5, 4 back
    ImprovementAim.objects.create(
        collaborative=cohort.collaborative,
        measure_slug="restrictive-interventions-per-1000-obd",
        statement="A third fewer restrictive interventions",
        baseline_start=dt.date(2024, 1, 1),
        baseline_end=dt.date(2024, 3, 31),
        reduction_percent=33,
        aim_date=dt.date(2027, 12, 31),
        recorded_by=cohort.users["provider_governance"],
        recorded_at=timezone.now(),
    )

    report = collaborative_report(
        cohort.collaborative, user=cohort.users["regulator"], today=timezone.localdate()
    )
    (progress,) = report.aims
    rows = {row.member.ward_id: row for row in progress.rows}
    a1, c1 = rows[cohort.wards["a1"].pk], rows[cohort.wards["c1"].pk]

    assert progress.months == 3
    assert a1.baseline == (month_back(8), month_back(5) - dt.timedelta(days=1))
    assert (a1.baseline_count, a1.since_count) == ("2", "7")  # 4 + 3 since joining (6 months)
    assert a1.baseline_rate == f"{2 / 1800 * 1000:.1f}"
    assert a1.since_rate == f"{7 / 3600 * 1000:.1f}"
    assert c1.baseline[0] == month_back(6)
    assert (c1.baseline_count, c1.since_count) == ("8", "3")
    assert c1.change == f"{((3 / 1600) - (8 / 1200)) / (8 / 1200) * 100:+.0f}%"
    assert c1.met is True and a1.met is False
    pooled_base, pooled_since = 10 / 3000 * 1000, 10 / 5200 * 1000
    assert progress.pooled_baseline_rate == f"{pooled_base:.1f}"
    assert progress.pooled_since_rate == f"{pooled_since:.1f}"
    html = page(cohort.users["regulator"], cohort.collaborative.pk).content.decode()
    assert "A third fewer restrictive interventions" in html


def test_aim_progress_is_suppressed_for_the_analyst(cohort):
    CollaborativeMembership.objects.filter(ward=cohort.wards["a1"]).update(joined_on=month_back(5))
    interventions(cohort, "a1", month_back(7), 2)  # baseline count 2: suppressed; 7 since: shown as 5
    ImprovementAim.objects.create(
        collaborative=cohort.collaborative,
        measure_slug="restrictive-interventions-per-1000-obd",
        statement="A third fewer",
        baseline_start=dt.date(2024, 1, 1),
        baseline_end=dt.date(2024, 3, 31),
        reduction_percent=33,
        aim_date=dt.date(2027, 12, 31),
        recorded_by=cohort.users["provider_governance"],
        recorded_at=timezone.now(),
    )
    analyst = collaborative_report(
        cohort.collaborative, user=cohort.users["national_analyst"], today=timezone.localdate()
    )
    governance = collaborative_report(
        cohort.collaborative, user=cohort.users["provider_governance"], today=timezone.localdate()
    )

    a1 = next(r for r in analyst.aims[0].rows if r.member.ward_id == cohort.wards["a1"].pk)
    assert (a1.baseline_count, a1.baseline_rate, a1.since_count) == ("*", "*", "5")
    assert (a1.change, a1.met) == ("*", None)
    own = next(r for r in governance.aims[0].rows if r.member.ward_id == cohort.wards["a1"].pk)
    assert (own.baseline_count, own.since_count) == ("2", "7")
    assert own.change.endswith("%")


# ---- in bulk


def add_member_wards(cohort, n: int) -> None:
    """n more member wards, each of its own provider in the cohort's region, with two years of bed days."""
    for _ in range(n):
        provider = factories.provider(region=cohort.regions[0])
        ward = factories.ward(site=factories.site(provider=provider))
        bed_days(ward, 24, 300)
        CollaborativeMembership.objects.create(
            collaborative=cohort.collaborative, ward=ward, joined_on=month_back(10)
        )


def test_query_count_does_not_grow_with_member_wards(cohort):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            collaborative_report(
                cohort.collaborative, user=cohort.users["national_analyst"], today=timezone.localdate()
            )
        return len(captured)

    ImprovementAim.objects.create(
        collaborative=cohort.collaborative,
        measure_slug="restrictive-interventions-per-1000-obd",
        statement="Aim",
        baseline_start=dt.date(2024, 1, 1),
        baseline_end=dt.date(2024, 6, 30),
        reduction_percent=25,
        aim_date=dt.date(2027, 12, 31),
        recorded_by=cohort.users["provider_governance"],
        recorded_at=timezone.now(),
    )
    before = queries()
    add_member_wards(cohort, 4)
    after = queries()

    assert after == before


def test_pseudonyms_are_padded_to_the_number_of_members():
    assert pseudonym(7, 40) == "Ward 007"
    assert pseudonym(17, 1500) == "Ward 0017"


def _members(n: int) -> list:
    from rrp.reports.collaborative import Member

    return [
        Member(
            ward_id=i,
            provider_id=i,
            label=pseudonym(i, n),
            named=False,
            region="Region",
            joined_on=dt.date(2024, 1, 1),
            left_on=None,
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize(("wards", "adjusted"), [(5, False), (25, True)])
def test_ward_funnel_widens_limits_for_overdispersion_only_with_enough_wards(wards, adjusted):
    import pandas as pd

    from rrp.measures.catalogue import measure
    from rrp.reports.collaborative.compute import funnel_figures
    from rrp.reports.collaborative.presenters import ward_funnel

    rows = [
        {"ward_id": w, "period": month_back(k), "numerator": 10 + 3 * (w % 7), "denominator": 600}
        for w in range(1, wards + 1)
        for k in range(12)
    ]
    funnel = ward_funnel(
        funnel_figures(
            measure("restrictive-interventions-per-1000-obd"), pd.DataFrame(rows), _members(wards), months=12
        )
    )

    assert funnel.overdispersion is adjusted
    assert ("over-dispersion between wards" in funnel.panel.description) is adjusted
    assert funnel.hidden == 0 and len(funnel.rows) == wards


def test_pooled_charts_read_in_one_pass_equal_each_measure_read_alone(cohort):
    """The page reads its three pooled measures with one ``measure_series_many`` call; each chart must be
    what ``measure_series`` of that measure alone gives (the old path)."""
    from rrp.measures.catalogue import measure
    from rrp.measures.series import Period, measure_series
    from rrp.reports.collaborative import POOLED_MEASURES, members_for
    from rrp.reports.collaborative.compute import pooled_figures
    from rrp.reports.collaborative.presenters import pooled_panel

    interventions(cohort, "a1", month_back(4), 2, type_code="01")
    user = cohort.users["regulator"]
    report = collaborative_report(cohort.collaborative, user=user, today=timezone.localdate())
    members = members_for(cohort.collaborative, user=user)
    since, until = report.window
    expected = []
    for slug in POOLED_MEASURES:
        definition = measure(slug)
        alone = measure_series(
            definition, ward_ids=[m.ward_id for m in members], since=since, until=until, period=Period.MONTH
        )
        figures = pooled_figures(definition, alone, suppress=False)
        expected.append(
            None
            if figures is None
            else pooled_panel(figures, title=f"{definition.name}, all member wards pooled")
        )

    assert [p.spec for p in report.pooled_panels] == [p.spec for p in expected if p is not None]
    assert [str(p.table_html) for p in report.pooled_panels] == [
        str(p.table_html) for p in expected if p is not None
    ]
    assert len(report.pooled_panels) == 3 and "Prone restraints" in str(report.pooled_panels[2].table_html)


# ---- reporting health of the members


def test_reporting_health_in_general_words_for_pseudonymised_wards(cohort):
    from rrp.reports.collaborative import collaborative_reporting_health
    from rrp.reports.collaborative.presenters import GENERIC_FLAG_WORDS

    today = timezone.localdate()
    analyst = collaborative_reporting_health(
        cohort.collaborative, user=cohort.users["national_analyst"], today=today
    )
    governance = collaborative_reporting_health(
        cohort.collaborative, user=cohort.users["provider_governance"], today=today
    )

    generic = set(GENERIC_FLAG_WORDS.values())
    # The drafts recorded months ago are unsubmitted well past 72 hours, on both wards.
    assert all(row.flags and set(row.flags) <= generic for row in analyst.rows)
    assert analyst.counts[GENERIC_FLAG_WORDS["unsubmitted"]] == 2
    own = next(r for r in governance.rows if r.member.ward_id == cohort.wards["a1"].pk)
    other = next(r for r in governance.rows if r.member.ward_id == cohort.wards["c1"].pk)
    assert any(words not in generic and any(ch.isdigit() for ch in words) for words in own.flags)
    assert set(other.flags) <= generic


def test_reporting_health_page_scope_and_pseudonyms(cohort):
    other = Collaborative.objects.create(
        name="Regional group", kind="regional", starts_on=dt.date(2022, 1, 1)
    )
    CollaborativeMembership.objects.create(
        collaborative=other, ward=cohort.wards["b1"], joined_on=dt.date(2022, 1, 1)
    )
    client = signed_in_client(cohort.users["national_analyst"])

    response = client.get(reverse("reports:collaborative-health", args=[cohort.collaborative.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert "Ward 001" in html and "Larchmere Ward" not in html and "Cedarvale Ward" not in html
    assert "Records not yet submitted more than 72 hours after the incident." in html
    assert client.get(reverse("reports:collaborative-health", args=[other.pk])).status_code == 404
    assert (
        signed_in_client(cohort.users["commissioner"])
        .get(reverse("reports:collaborative-health", args=[cohort.collaborative.pk]))
        .status_code
        == 403
    )


# ---- CSV download


def test_member_csv_is_pseudonymised_and_suppressed_for_the_analyst_and_audited(cohort):
    import csv
    import io

    from rrp.core.models import AuditAction, AuditEvent

    url = reverse("reports:collaborative-csv", args=[cohort.collaborative.pk])
    response = signed_in_client(cohort.users["national_analyst"]).get(url)
    rows = {r["ward"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}

    assert response["Content-Type"].startswith("text/csv")
    assert set(rows) == {"Ward 001", "Ward 002"}
    assert rows["Ward 001"]["restrictive_interventions"] == "5"  # 7, to the nearest 5
    assert rows["Ward 001"]["occupied_bed_days"] == "7200"
    assert rows["Ward 002"]["restrictive_interventions"] == "*"  # 3
    assert rows["Ward 002"]["rate_per_1000_occupied_bed_days"] == "*"
    assert "Larchmere" not in response.content.decode() and "Cedarvale" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor_id=cohort.users["national_analyst"].pk)
    assert event.detail["rows"] == 2


def test_member_csv_exact_for_own_provider_ward_and_404_outside_scope(cohort):
    import csv
    import io

    other = Collaborative.objects.create(
        name="Regional group", kind="regional", starts_on=dt.date(2022, 1, 1)
    )
    CollaborativeMembership.objects.create(
        collaborative=other, ward=cohort.wards["b1"], joined_on=dt.date(2022, 1, 1)
    )
    client = signed_in_client(cohort.users["provider_governance"])

    response = client.get(reverse("reports:collaborative-csv", args=[cohort.collaborative.pk]))
    rows = {r["ward"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}

    assert rows["Larchmere Ward"]["restrictive_interventions"] == "7"
    assert rows["Ward 002"]["restrictive_interventions"] == "*"
    assert client.get(reverse("reports:collaborative-csv", args=[other.pk])).status_code == 404


def test_aim_on_a_charted_measure_reuses_the_charts_series(cohort, monkeypatch):
    import rrp.reports.collaborative.compute as collaborative

    aim = ImprovementAim.objects.create(
        collaborative=cohort.collaborative,
        measure_slug="restrictive-interventions-per-1000-obd",
        statement="Aim",
        baseline_start=dt.date(2024, 1, 1),
        baseline_end=dt.date(2024, 12, 31),
        reduction_percent=25,
        aim_date=dt.date(2027, 12, 31),
        recorded_by=cohort.users["provider_governance"],
        recorded_at=timezone.now(),
    )
    calls = []
    real_many, real_one = collaborative.measure_series_many, collaborative.measure_series
    monkeypatch.setattr(
        collaborative,
        "measure_series_many",
        lambda definitions, **kw: (
            calls.append(([d.slug for d in definitions], kw["since"])) or real_many(definitions, **kw)
        ),
    )
    monkeypatch.setattr(
        collaborative,
        "measure_series",
        lambda definition, **kw: calls.append(definition.slug) or real_one(definition, **kw),
    )

    report = collaborative_report(
        cohort.collaborative, user=cohort.users["regulator"], today=timezone.localdate()
    )

    members = collaborative.members_for(cohort.collaborative, user=cohort.users["regulator"])
    windows = collaborative.aim_windows(aim, members, last_month=report.window[1].replace(day=1))
    first = min(w[0] for w in windows.values())
    assert first < report.window[0]
    # One read of every charted measure at once, from the aim's earliest baseline month; none for the aim.
    assert calls == [
        (
            [
                "restrictive-interventions-per-1000-obd",
                "people-restrained-per-1000-obd",
                "prone-restraints-per-1000-obd",
            ],
            first,
        )
    ]
    assert report.aims[0].rows[0].since_count == "7"


# ---- SVG and PNG of the pooled charts

POOLED_SLUG = "restrictive-interventions-per-1000-obd"


def pooled_url(kind: str, collaborative_id: int, slug: str = POOLED_SLUG) -> str:
    return reverse(f"reports:collaborative-pooled-{kind}", args=[collaborative_id, slug])


def captured_specs(monkeypatch) -> list[dict]:
    """Every spec handed to vl-convert by the download views (the picture is drawn from it alone)."""
    import rrp.reports.views.downloads as downloads

    specs: list[dict] = []
    real_svg, real_png = downloads.chart_to_svg, downloads.chart_to_png
    monkeypatch.setattr(downloads, "chart_to_svg", lambda spec: specs.append(spec) or real_svg(spec))
    monkeypatch.setattr(downloads, "chart_to_png", lambda spec: specs.append(spec) or real_png(spec))
    return specs


def test_pooled_chart_downloads_for_a_member_providers_governance(cohort):
    client = signed_in_client(cohort.users["provider_governance"])

    svg = client.get(pooled_url("svg", cohort.collaborative.pk))
    png = client.get(pooled_url("png", cohort.collaborative.pk))

    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<svg")
    assert svg["Content-Disposition"] == (
        f'attachment; filename="collaborative-{cohort.collaborative.pk}-{POOLED_SLUG}.svg"'
    )
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_pooled_chart_links_shown_with_each_pooled_chart(cohort):
    html = page(cohort.users["national_analyst"], cohort.collaborative.pk).content.decode()

    for slug in (
        "restrictive-interventions-per-1000-obd",
        "people-restrained-per-1000-obd",
        "prone-restraints-per-1000-obd",
    ):
        assert f'href="{pooled_url("svg", cohort.collaborative.pk, slug)}"' in html
        assert f'href="{pooled_url("png", cohort.collaborative.pk, slug)}"' in html
    assert html.count('class="nhsuk-body-s rrp-chart__downloads"') == 3


def test_pooled_chart_download_404_outside_scope_and_for_other_measures(cohort):
    other = Collaborative.objects.create(
        name="Regional group", kind="regional", starts_on=dt.date(2022, 1, 1)
    )
    CollaborativeMembership.objects.create(
        collaborative=other, ward=cohort.wards["b1"], joined_on=dt.date(2022, 1, 1)
    )
    bed_days(cohort.wards["b1"], 24, 500)
    regulator = signed_in_client(cohort.users["regulator"])

    for role in ("national_analyst", "provider_governance"):
        client = signed_in_client(cohort.users[role])
        assert client.get(pooled_url("svg", other.pk)).status_code == 404
        assert client.get(pooled_url("png", other.pk)).status_code == 404
    assert regulator.get(pooled_url("svg", other.pk)).status_code == 200  # the same chart, in scope
    # A measure the page does not pool (a ward chart of the board) is no picture of the collaborative.
    assert regulator.get(pooled_url("svg", cohort.collaborative.pk, "seclusion-episodes")).status_code == 404
    for role in ("ward_manager", "commissioner"):
        assert (
            signed_in_client(cohort.users[role]).get(pooled_url("svg", cohort.collaborative.pk)).status_code
            == 403
        )
    assert (
        not AuditEvent.objects.filter(detail__export="collaborative_pooled_chart_svg")
        .exclude(actor_id=cohort.users["regulator"].pk)
        .exists()
    )


def test_pooled_chart_download_is_suppressed_for_the_national_analyst(cohort, monkeypatch):
    """The picture is drawn from the same spec the analyst's page shows: months whose pooled count is
    under 5 carry no value and no colour, the rest whole-number rates, bed days to the nearest 5."""
    interventions(cohort, "a1", month_back(5), 7)  # a pooled month of 7: shown, rounded
    ImprovementAim.objects.create(  # the page then reads from the aim's baseline on; the picture need not
        collaborative=cohort.collaborative,
        measure_slug=POOLED_SLUG,
        statement="Aim",
        baseline_start=dt.date(2024, 1, 1),
        baseline_end=dt.date(2024, 12, 31),
        reduction_percent=25,
        aim_date=dt.date(2027, 12, 31),
        recorded_by=cohort.users["provider_governance"],
        recorded_at=timezone.now(),
    )
    small = factories.ward(site=factories.site(provider=factories.provider(region=cohort.regions[0])))
    bed_days(small, 24, 3)  # pooled bed days 1,003 a month: 1,005 when shown
    CollaborativeMembership.objects.create(
        collaborative=cohort.collaborative, ward=small, joined_on=month_back(10)
    )
    specs = captured_specs(monkeypatch)
    analyst = cohort.users["national_analyst"]

    svg = signed_in_client(analyst).get(pooled_url("svg", cohort.collaborative.pk))
    png = signed_in_client(analyst).get(pooled_url("png", cohort.collaborative.pk))

    assert svg.status_code == 200 and png.status_code == 200
    page_spec = (
        collaborative_report(cohort.collaborative, user=analyst, today=timezone.localdate())
        .pooled_panels[0]
        .spec
    )
    assert specs == [page_spec, page_spec]  # exactly what the page draws for the analyst
    values = {r["date"]: r for r in specs[0]["data"]["values"]}
    for back in (1, 2, 3):  # 4, 3 and 3 interventions: suppressed
        assert values[month_back(back).isoformat()]["value"] is None
        assert values[month_back(back).isoformat()]["point_type"] == "missing"
    assert values[month_back(0).isoformat()]["value"] is None  # none at all is under 5 too
    assert values[month_back(5).isoformat()]["value"] == 7  # 7 / 1,003 bed days × 1,000 = 6.98, whole
    # From the month the small ward joined, 1,003 a month (1,005 shown); before it, a1's and c1's 1,000.
    assert {r["denominator"] for d, r in values.items() if d >= month_back(10).isoformat()} == {1005}
    assert {r["denominator"] for d, r in values.items() if d < month_back(10).isoformat()} == {1000}
    shown = [r for r in specs[0]["data"]["values"] if r["value"] is not None]
    assert [r["date"] for r in shown] == [month_back(5).isoformat()]
    assert b"Larchmere" not in svg.content and b"Cedarvale" not in svg.content
    # vl-convert labels each drawn point with its figures: only the one month shown is drawn.
    assert point_labels(svg.content) == [f"date: {month_back(5):%b %d, %Y}; value: 7"]


def point_labels(svg: bytes) -> list[str]:
    """The date and value of each point drawn in a vl-convert SVG (from its aria-label)."""
    import re

    return re.findall(r'aria-label="(date: [^;"]*; value: [^;"]*); point_type', svg.decode())


def test_pooled_chart_download_exact_for_the_regulator(cohort, monkeypatch):
    specs = captured_specs(monkeypatch)

    response = signed_in_client(cohort.users["regulator"]).get(pooled_url("svg", cohort.collaborative.pk))

    assert response.status_code == 200
    values = {r["date"]: r for r in specs[0]["data"]["values"]}
    assert values[month_back(1).isoformat()]["value"] == pytest.approx(4.0)  # not suppressed
    assert f"date: {month_back(1):%b %d, %Y}; value: 4" in point_labels(response.content)


def test_pooled_chart_downloads_are_audited_as_exports(cohort):
    analyst = cohort.users["national_analyst"]
    client = signed_in_client(analyst)

    client.get(pooled_url("svg", cohort.collaborative.pk))
    client.get(pooled_url("png", cohort.collaborative.pk, "prone-restraints-per-1000-obd"))

    events = list(
        AuditEvent.objects.filter(action=AuditAction.EXPORT, actor_id=analyst.pk).order_by("at", "id")
    )
    assert [e.detail for e in events] == [
        {"export": "collaborative_pooled_chart_svg", "measure": POOLED_SLUG, "suppressed": True},
        {
            "export": "collaborative_pooled_chart_png",
            "measure": "prone-restraints-per-1000-obd",
            "suppressed": True,
        },
    ]
    assert {(e.record_type, e.record_id) for e in events} == {
        ("organisations.Collaborative", str(cohort.collaborative.pk))
    }
    assert events[0].record_label.startswith("Collaborative pooled chart SVG: National cohort")


def test_pooled_chart_download_query_count_does_not_grow_with_member_wards(cohort):
    from rrp.reports.collaborative import pooled_chart

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            chart = pooled_chart(
                cohort.collaborative,
                user=cohort.users["national_analyst"],
                today=timezone.localdate(),
                slug=POOLED_SLUG,
            )
        assert chart is not None and chart.suppressed
        return len(captured)

    before = queries()
    add_member_wards(cohort, 4)
    after = queries()

    assert after == before
