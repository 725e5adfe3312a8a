"""The ward huddle: its numbers, who may open it, and its query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rrp.figures.store import forget_all
from rrp.force.models import IncidentVersion, StaffInvolvement, StaffStatement
from rrp.improvement.models import EventKind
from rrp.improvement.services import ward_event_record
from rrp.people.models import StaffMember
from rrp.reports.huddle import HUDDLE_MEASURES, huddle_index, ward_huddle
from rrp.reports.huddle.compute import RECENT_DAYS
from rrp.reports.measure_charts import PATIENT_VOICE_MEASURES
from rrp.segregation.selectors import episode_states
from rrp.segregation.services import episode_start
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.reports.ward_records import (
    at,
    measure_values,
    monthly_bed_days,
    months_back,
    quick_incident,
)
from tests.integration.segregation.episode_data import lts_kwargs, seclusion_kwargs

HUDDLE_ROLES = ("ward_staff", "ward_manager", "provider_governance", "regulator")
NO_HUDDLE_ROLES = ("commissioner", "national_analyst", "system_admin")


def url(ward) -> str:
    return f"/reports/wards/{ward.pk}/huddle/"


@pytest.fixture
def gov(world):
    return world.users["provider_governance"]


@pytest.fixture
def busy_ward(world, gov):
    """Ward a1 with a restraint 3 days ago, a seclusion recorded in an incident 10 days ago, an incident
    waiting for review, statements and debriefs to come, and a seclusion started 3 hours ago."""
    a1, patient = world.wards["a1"], world.patients["a1"]
    today = timezone.localdate()
    monthly_bed_days(a1, months_back(today, 24))
    measure_values(a1, months_back(today, 24))  # the entered and imported measures of issue 20
    nurse = StaffMember.objects.create(
        provider=a1.provider,
        given_name="Nia",
        family_name="Roster",
        job_title="Staff nurse",
        staff_group="nursing",
    )
    doctor = StaffMember.objects.create(
        provider=a1.provider,
        given_name="Dev",
        family_name="Roster",
        job_title="Doctor",
        staff_group="medical",
    )
    # Older history for the charts, every incident reviewed and closed.
    for month in months_back(today, 6):
        happened = at(month + dt.timedelta(days=9))
        done = (("submitted", happened), ("reviewed", happened), ("closed", happened))
        quick_incident(a1, patient, gov, happened, "07", statuses=done)
    restraint = quick_incident(a1, patient, gov, at(today - dt.timedelta(days=3)), "01")
    quick_incident(
        a1,
        patient,
        gov,
        at(today - dt.timedelta(days=10)),
        "05",
        statuses=(("submitted", at(today - dt.timedelta(days=9))),),
    )
    # Two staff named on the restraint; one has written a statement.
    version = IncidentVersion.objects.get(incident=restraint)
    for member in (nurse, doctor):
        StaffInvolvement.objects.create(
            version=version, staff_member=member, name=member.name, job_title=member.job_title, part="lead"
        )
    StaffStatement.objects.create(
        incident=restraint,
        staff_member=doctor,
        author=gov,
        name="Dev",
        text="I held the head.",
        recorded_at=timezone.now(),
    )
    # A seclusion episode started three hours ago by a nurse: its medical review is overdue.
    episode_start(
        ward=a1,
        patient=patient,
        by=gov,
        started_at=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3),
        authorised_by=nurse,
        authorised_by_name=nurse.name,
        **seclusion_kwargs(),
    )
    ward_event_record(
        ward=a1,
        happened_on=months_back(today, 3)[0],
        label="De-escalation training",
        kind=EventKind.CHANGE_TESTED,
        by=gov,
    )
    return world


def test_ward_huddle_numbers(busy_ward):
    world, a1 = busy_ward, busy_ward.wards["a1"]
    today = timezone.localdate()

    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=today)

    assert huddle.days_since_restraint == 3
    assert huddle.in_seclusion_now == 1
    assert huddle.days_since_seclusion == 0
    started = a1.segregation_episodes.get().versions.get().started_at
    assert huddle.last_seclusion_on == timezone.localtime(started).date()
    assert huddle.waiting_review == 1  # the seclusion incident; the older ones are closed
    assert huddle.open_records == 1  # the restraint is still a draft
    assert huddle.statements_outstanding == 1
    assert huddle.statements_incidents == 1
    # The restraint (draft) and the seclusion incident (submitted) say no debrief, and so do the older
    # closed incidents of the last 90 days: closing does not end a debrief still owed (issue 13).
    recent = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=RECENT_DAYS), dt.time()))
    closed_recently = a1.incidents.filter(created_at__gte=recent, status_changes__to_status="closed").count()
    assert closed_recently > 0
    assert huddle.debriefs_outstanding == 2 + closed_recently
    states = episode_states(list(a1.segregation_episodes.all()))
    # Issue 13: the overdue count left out observations. The seclusion's observation, due every 15
    # minutes and never recorded, is overdue too and counts.
    assert huddle.overdue_seclusion_observations == 1
    assert huddle.overdue_seclusion_reviews == len(states[0].overdue) + 1 > 1
    assert [r.review for r in huddle.overdue_reviews].count("Observation") == 1
    assert huddle.overdue_segregation_reviews == 0
    assert [p.chart_id for p in huddle.panels] == [f"huddle-month-{slug}" for slug in HUDDLE_MEASURES]
    assert huddle.health.ward_id == a1.pk
    assert huddle.links["waiting_review"] == f"/incidents/?ward={a1.pk}&status=submitted"
    assert huddle.links["segregation"] == f"/segregation/wards/{a1.pk}/"


def test_ward_huddle_days_since_seclusion_from_incidents_when_no_episode(world, gov):
    a1, patient = world.wards["a1"], world.patients["a1"]
    today = timezone.localdate()
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=12)), "05")
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=20)), "14")

    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=today, period="week")

    assert huddle.days_since_seclusion == 12
    assert huddle.days_since_restraint == 20  # rapid tranquillisation is chemical restraint
    assert huddle.period == "week"
    assert all(p.chart_id.startswith("huddle-week-") for p in huddle.panels)


def test_ward_huddle_ended_segregation_counts_for_days_since_seclusion_only_if_seclusion(world, gov):
    a1, patient = world.wards["a1"], world.patients["a1"]
    started = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=4)
    episode_start(
        ward=a1,
        patient=patient,
        by=gov,
        started_at=started,
        ended_at=started + dt.timedelta(hours=2),
        end_reason="Calm and talking",
        authorised_by_name="Dr Dev",
        authorised_by_doctor=True,
        **seclusion_kwargs(),
    )
    episode_start(
        ward=a1,
        patient=patient,
        by=gov,
        started_at=started + dt.timedelta(days=2),
        authorised_by_name="Dr Dev",
        authorised_by_doctor=True,
        mdt_decided_at=started + dt.timedelta(days=2),
        **lts_kwargs(),
    )

    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=timezone.localdate())

    assert huddle.in_seclusion_now == 0
    assert huddle.in_segregation_now == 1
    assert huddle.days_since_seclusion == (timezone.localdate() - timezone.localtime(started).date()).days


def test_ward_huddle_empty_ward(world):
    huddle = ward_huddle(world.wards["a2"], user=world.users["ward_manager"], today=timezone.localdate())

    assert huddle.days_since_restraint is None
    assert huddle.days_since_seclusion is None
    assert huddle.waiting_review == huddle.statements_outstanding == huddle.debriefs_outstanding == 0


@pytest.mark.parametrize("role", HUDDLE_ROLES)
def test_huddle_page_opens_for_roles_with_huddle_view(busy_ward, role):
    client = signed_in_client(busy_ward.users[role])

    response = client.get(url(busy_ward.wards["a1"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "ward huddle" in html
    assert 'id="days-restraint"' in html
    # The patients' weekly check is charted only for the ward's own team (decision 0077).
    team_only = 0 if role in ("ward_staff", "ward_manager") else len(PATIENT_VOICE_MEASURES)
    assert html.count('class="rrp-chart"') == len(HUDDLE_MEASURES) - team_only
    assert "Reporting health" in html


def test_huddle_page_weekly_toggle_and_bad_period(busy_ward):
    client = signed_in_client(busy_ward.users["ward_manager"])
    a1 = busy_ward.wards["a1"]

    weekly = client.get(url(a1) + "?period=week")
    bad = client.get(url(a1) + "?period=year")

    assert weekly.status_code == 200
    assert "huddle-week-incidents" in weekly.content.decode()
    assert bad.status_code == 400
    assert "Choose monthly or weekly charts" in bad.content.decode()


@pytest.mark.parametrize("role", NO_HUDDLE_ROLES)
def test_huddle_pages_refused_without_huddle_view(world, role):
    client = signed_in_client(world.users[role])

    assert client.get(url(world.wards["a1"])).status_code == 403
    assert client.get("/reports/huddle/").status_code == 403


@pytest.mark.parametrize(
    ("role", "ward_key"),
    [
        ("ward_staff", "a2"),  # same provider, not their ward
        ("ward_staff", "b1"),
        ("ward_manager", "b1"),
        ("provider_governance", "c1"),
    ],
)
def test_huddle_page_is_404_outside_scope(world, role, ward_key):
    client = signed_in_client(world.users[role])

    assert client.get(url(world.wards[ward_key])).status_code == 404


def test_huddle_index_redirects_a_one_ward_user_to_their_ward(world):
    client = signed_in_client(world.users["ward_staff"])

    response = client.get("/reports/huddle/")

    assert response.status_code == 302
    assert response["Location"] == url(world.wards["a1"])


def test_huddle_index_lists_the_users_wards_with_reporting_health(world):
    client = signed_in_client(world.users["ward_manager"])

    response = client.get("/reports/huddle/")

    html = response.content.decode()
    assert response.status_code == 200
    assert url(world.wards["a1"]) in html and url(world.wards["a2"]) in html
    assert url(world.wards["b1"]) not in html
    assert "Your wards (2)" in html


def test_huddle_index_for_the_regulator_lists_every_ward(world):
    rows = huddle_index(world.users["regulator"], today=timezone.localdate())

    assert {r.ward.pk for r in rows} == {w.pk for w in world.wards.values()}


@pytest.mark.parametrize("role", HUDDLE_ROLES + NO_HUDDLE_ROLES)
def test_navigation_shows_ward_huddle_only_with_huddle_view(world, role):
    html = signed_in_client(world.users[role]).get("/").content.decode()

    assert ('href="/reports/huddle/"' in html) is (role in HUDDLE_ROLES)


@pytest.mark.parametrize(("role", "shown"), [("ward_manager", True), ("commissioner", False)])
def test_ward_page_links_to_the_huddle_only_with_huddle_view(world, role, shown):
    html = signed_in_client(world.users[role]).get(f"/wards/{world.wards['a1'].pk}/").content.decode()

    assert (f'href="{url(world.wards["a1"])}"' in html) is shown


def test_huddle_index_query_count_does_not_grow_with_wards(world, gov):
    site = world.wards["a1"].site
    client = signed_in_client(gov)
    for ward in world.wards.values():
        quick_incident(ward, world.patients["a1"], gov, at(timezone.localdate()))
    client.get("/reports/huddle/")  # session and caches warm

    forget_all()  # both requests compute every ward's stored monthly figures
    with CaptureQueriesContext(connection) as few:
        client.get("/reports/huddle/")
    for _ in range(5):
        ward = factories.ward(site=site)
        quick_incident(ward, factories.patient(provider=ward.provider), gov, at(timezone.localdate()))
    forget_all()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/reports/huddle/")

    assert response.status_code == 200
    assert response.content.decode().count('/huddle/"') >= 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_ward_huddle_query_count_does_not_grow_with_history(world, gov):
    a1, patient = world.wards["a1"], world.patients["a1"]
    today = timezone.localdate()
    user = world.users["ward_manager"]
    # A restraint and a seclusion in the charts' window: the last of each is found there without the
    # look-up of the whole history (which one more query makes when the window holds none).
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=5)), "05", "01")

    with CaptureQueriesContext(connection) as little:
        ward_huddle(a1, user=user, today=today)
    for days in range(6, 60, 3):
        quick_incident(a1, patient, gov, at(today - dt.timedelta(days=days)), "05", "01")
    with CaptureQueriesContext(connection) as more:
        ward_huddle(a1, user=user, today=today)

    assert len(more.captured_queries) == len(little.captured_queries)


def test_huddle_page_shows_reporting_health_flags_in_words(busy_ward):
    a1 = busy_ward.wards["a1"]
    gov = busy_ward.users["provider_governance"]
    # A draft of an incident five days ago, never submitted (the restraint three days ago may be
    # under 72 hours old, depending on the time of day).
    quick_incident(a1, busy_ward.patients["a1"], gov, timezone.now() - dt.timedelta(days=5))
    client = signed_in_client(busy_ward.users["ward_staff"])

    html = client.get(url(a1)).content.decode()

    assert 'data-flag="unsubmitted"' in html
    assert "not yet submitted more than 72 hours after the incident." in html
    assert "Nothing to flag" not in html


def test_huddle_page_says_nothing_to_flag_for_a_healthy_ward(world):
    months = months_back(timezone.localdate(), 12)
    monthly_bed_days(world.wards["a2"], months)
    client = signed_in_client(world.users["ward_manager"])

    html = client.get(url(world.wards["a2"])).content.decode()

    assert "Nothing to flag" in html
    assert "data-flag=" not in html


def test_regulator_opens_any_providers_huddle(world):
    client = signed_in_client(world.users["regulator"])

    assert client.get(url(world.wards["c1"])).status_code == 200
    assert client.get("/reports/huddle/").status_code == 200


def test_huddle_index_for_ward_staff_without_a_ward(world):
    lonely = factories.user(role="ward_staff", provider=world.providers[0])

    response = signed_in_client(lonely).get("/reports/huddle/")

    assert response.status_code == 200
    assert "You have no wards yet" in response.content.decode()


@pytest.mark.parametrize("period", ["month", "week"])
def test_huddle_charts_read_in_one_pass_equal_each_measure_charted_alone(busy_ward, period):
    """The huddle reads its measures with one ``measure_charts_many`` call; each chart must be what
    ``measure_charts`` of that measure alone gives (the old path), episodes and events included."""
    from rrp.measures.catalogue import measure
    from rrp.reports.measure_charts import measure_charts

    world, a1 = busy_ward, busy_ward.wards["a1"]
    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=timezone.localdate(), period=period)

    # Entered and imported measures are monthly only: a month cannot be split into weeks.
    shown = [s for s in HUDDLE_MEASURES if period == "month" or not measure(s).from_values]
    assert len(huddle.panels) == len(shown)
    counted = 0.0
    for slug, panel in zip(shown, huddle.panels, strict=True):
        alone = measure_charts(
            measure(slug), ward_ids=[a1.pk], since=huddle.since, until=huddle.until, period=period
        ).for_ward(a1.pk)
        assert alone is not None
        assert panel.spec == _panel_like(huddle, slug, alone).spec, slug
        assert panel.table_html == _panel_like(huddle, slug, alone).table_html, slug
        counted += float(alone.numerator[alone.numerator == alone.numerator].sum())
    assert counted > 0  # the ward's interventions are in the charts compared


def _panel_like(huddle, slug, result):
    from rrp.improvement.selectors import events_by_ward
    from rrp.measures.catalogue import measure
    from rrp.reports.panels import chart_panel, measure_y_title

    definition = measure(slug)
    events = events_by_ward([huddle.ward.pk]).get(huddle.ward.pk, [])
    return chart_panel(
        result,
        chart_id=f"huddle-{huddle.period.value}-{slug}",
        title=f"{definition.name} ({'monthly' if huddle.period.value == 'month' else 'weekly'})",
        y_title=measure_y_title(definition),
        events=[e for e in events if huddle.since <= e.date <= huddle.until],
        subject=huddle.ward.name,
        floor=definition.lowest_value,
    )


@pytest.mark.parametrize("period", ["month", "week"])
def test_days_since_restraint_and_seclusion_found_before_the_charts_window(world, gov, period):
    """The last restraint and seclusion are searched for in the charts' window first, then in the whole
    history: one long ago still counts."""
    a1, patient = world.wards["a1"], world.patients["a1"]
    today = timezone.localdate()
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=1000)), "05")
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=900)), "05")
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=10)), "01")

    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=today, period=period)

    assert huddle.since > today - dt.timedelta(days=900)
    assert huddle.days_since_restraint == 10
    assert huddle.days_since_seclusion == 900


def test_voided_incidents_do_not_count_in_days_since_or_open_records(world, gov):
    """Issue 13 item 5: a voided record (a test, a duplicate) is never counted: not in the huddle's
    days since the last restraint or seclusion, nor in its open records."""
    from rrp.force.services import incident_void

    a1, patient = world.wards["a1"], world.patients["a1"]
    today = timezone.localdate()
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=20)), "07")
    quick_incident(a1, patient, gov, at(today - dt.timedelta(days=30)), "05")
    test_record = quick_incident(a1, patient, gov, at(today - dt.timedelta(days=2)), "07")
    test_seclusion = quick_incident(a1, patient, gov, at(today - dt.timedelta(days=3)), "05")
    for incident in (test_record, test_seclusion):
        incident_void(incident=incident, by=gov, reason="Recorded while training")

    huddle = ward_huddle(a1, user=world.users["ward_manager"], today=today, period="week")

    assert huddle.days_since_restraint == 20
    assert huddle.days_since_seclusion == 30
    assert huddle.open_records == 2  # the two drafts that count, not the two voided
