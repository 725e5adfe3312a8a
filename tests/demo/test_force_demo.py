"""Tests for the use-of-force demo step (src/rrp/demo/steps/force.py).

The demos are small: a tiny one (6 wards, 1 year) where a test needs its own run, and one small demo
(36 wards, 2 years) made once for the module's read-only tests, inside a transaction rolled back at the
end. The national size is exercised by bench/force_pages_bench.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict

import numpy as np
import pytest
from django.db import transaction
from django.db.models import Count, F, Sum
from django.test import override_settings

from rrp.core.models import AuditEvent
from rrp.demo.generate import demo_data_generate
from rrp.demo.models import DemoRun
from rrp.demo.registry import DemoOptions
from rrp.force.codes import DeEscalation, IncidentStatus, InterventionReason, InterventionType
from rrp.force.completeness import missing_items
from rrp.force.models import (
    CqcNotificationTask,
    Incident,
    IncidentFlag,
    IncidentStatusChange,
    IncidentVersion,
    InterventionRecord,
)
from rrp.force.services import TRANSITIONS
from rrp.organisations.models import CollaborativeMembership, OccupiedBedDays
from rrp.people.models import WardStay

TINY = DemoOptions(providers=2, wards_per_provider=3, years=1, seed=7, end_date=dt.date(2025, 6, 30))
SMALL = DemoOptions(providers=6, wards_per_provider=6, years=2, seed=3, end_date=dt.date(2025, 6, 30))
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"
BLACK = ("M", "N", "P")
WHITE = ("A", "B", "C")


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = [MD5]
    return settings


@pytest.fixture(scope="module")
def _small_demo_once(django_db_setup, django_db_blocker):
    """One demo for the read-only tests of this module, made once inside a transaction that is rolled back
    when the module ends, so the tests share the few seconds it takes and nothing it wrote outlives them.

    Each test's own `db` transaction nests inside this one as a savepoint, as with Django's setUpTestData.
    The demo used to be committed and then removed with the generator's wipe, but the wipe deletes only
    the tables its steps own: rows a step writes through a service elsewhere (the national figures
    import's AuditEvent) stayed in the test database and broke later tests that count audit events.
    """
    with django_db_blocker.unblock():
        with transaction.atomic():
            with override_settings(DEMO_MODE=True, PASSWORD_HASHERS=[MD5]):
                summary = demo_data_generate(options=SMALL)
            yield summary
            transaction.set_rollback(True)
        leftovers = [m._meta.label for m in (DemoRun, AuditEvent, Incident) if m.objects.exists()]
        assert not leftovers, f"the module's demo outlived its transaction: {leftovers}"


@pytest.fixture
def small_demo(_small_demo_once, db):
    return _small_demo_once


def _incident_rows() -> list[tuple]:
    return list(
        IncidentVersion.objects.order_by("id").values_list(
            "incident__ward_id", "incident__patient_id", "occurred_at", "ended_at", "reason_code", "outcome"
        )
    )


def test_force_demo_same_seed_same_incidents(db, demo_mode):
    # Arrange / Act: the second run wipes the first (past the append-only triggers) and rebuilds it.
    first = demo_data_generate(options=TINY)
    first_rows = _incident_rows()
    second = demo_data_generate(options=TINY)

    # Assert
    assert first.counts["force.Incident"] > 50
    assert first.digest == second.digest
    assert {k: v for k, v in first.counts.items() if k.startswith("force.")} == {
        k: v for k, v in second.counts.items() if k.startswith("force.")
    }
    assert _incident_rows() == first_rows


def test_force_demo_other_seed_other_incidents(db, demo_mode):
    demo_data_generate(options=TINY)
    first_rows = _incident_rows()

    demo_data_generate(options=DemoOptions(**{**TINY.__dict__, "seed": 8}))

    assert _incident_rows() != first_rows


def test_force_demo_tiny_size_fast(db, demo_mode):
    summary = demo_data_generate(options=TINY)

    # Generous for shared CI machines; locally the step takes well under a second.
    assert summary.step_seconds["incidents"] < 5
    assert summary.seconds < 15


def test_force_demo_rates_by_specialism_in_expected_ranges(small_demo):
    bed_days = dict(
        OccupiedBedDays.objects.values_list("ward__specialism").annotate(n=Sum("bed_days")).order_by()
    )
    incidents = dict(Incident.objects.values_list("ward__specialism").annotate(n=Count("id")).order_by())

    def rate(*specialisms: str) -> float:
        days = sum(bed_days.get(s, 0) for s in specialisms)
        return 1000 * sum(incidents.get(s, 0) for s in specialisms) / days if days else float("nan")

    # Each group is present in this seed's wards (checked, so the test cannot pass vacuously).
    assert sum(bed_days.get(s, 0) for s in ("picu", "ld_autism")) > 5_000
    assert sum(bed_days.get(s, 0) for s in ("older_adult", "eating_disorder", "rehabilitation")) > 5_000
    assert bed_days.get("adult_acute", 0) > 20_000
    assert rate("picu", "ld_autism") > 50
    assert 5 <= rate("adult_acute") <= 25
    assert rate("older_adult", "eating_disorder", "rehabilitation", "mother_baby") < 5


def test_force_demo_black_patients_restrained_three_to_four_times_white_rate(small_demo):
    # Arrange: occupied days per patient in the period, from the ward stays.
    start = dt.datetime.combine(small_demo.first_day, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(small_demo.last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    days: Counter[str] = Counter()
    for category, began, ended in WardStay.objects.values_list(
        "patient__ethnic_category", "started_at", "ended_at"
    ):
        span = (min(ended or end, end) - max(began, start)).total_seconds() / 86400
        days[category] += max(span, 0)
    incidents = Counter(
        dict(Incident.objects.values_list("patient__ethnic_category").annotate(n=Count("id")))
    )

    # Act
    def rate(categories: tuple[str, ...]) -> float:
        return sum(incidents[c] for c in categories) / sum(days[c] for c in categories)

    ratio = rate(BLACK) / rate(WHITE)

    # Assert: the published national pattern is roughly 3-4; heavy-tailed repeat restraint adds noise.
    assert 2.5 <= ratio <= 5.0


def test_force_demo_repeat_restraint_concentrated_on_few_patients(small_demo):
    counts = np.sort(
        np.array(list(Incident.objects.values("patient").annotate(n=Count("id")).values_list("n", flat=True)))
    )[::-1]
    top_tenth = counts[: max(1, len(counts) // 10)].sum() / counts.sum()

    assert top_tenth > 0.4


def test_force_demo_collaborative_members_fall_more(small_demo):
    # Rate in the quarter before each ward joined versus the last half-year, members against the rest.
    joined = dict(
        CollaborativeMembership.objects.filter(collaborative_id=1).values_list("ward_id", "joined_on")
    )
    per_ward_day = defaultdict(Counter)
    for ward_id, occurred in IncidentVersion.objects.filter(number=1).values_list(
        "incident__ward_id", "occurred_at"
    ):
        per_ward_day[ward_id][occurred.date()] += 1
    beds = defaultdict(Counter)
    for ward_id, day, n in OccupiedBedDays.objects.values_list("ward_id", "date", "bed_days"):
        beds[ward_id][day] = n
    late_from = small_demo.last_day - dt.timedelta(days=180)
    typical_join = sorted(joined.values())[len(joined) // 2]

    def change(ward_ids: list[int], *, member: bool) -> float:
        before = after = before_days = after_days = 0
        for ward_id in ward_ids:
            join = joined[ward_id] if member else typical_join
            for day, n in beds[ward_id].items():
                if join - dt.timedelta(days=90) <= day < join:
                    before, before_days = before + per_ward_day[ward_id][day], before_days + n
                elif day >= late_from:
                    after, after_days = after + per_ward_day[ward_id][day], after_days + n
        return (after / after_days) / (before / before_days)

    members = sorted(joined)
    others = sorted(set(beds) - set(joined))

    assert change(members, member=True) < 0.9 * change(others, member=False)


def test_force_demo_statuses_realistic_and_follow_the_workflow(small_demo):
    # Arrange
    chains = defaultdict(list)
    for incident_id, before, after in IncidentStatusChange.objects.order_by("incident_id", "id").values_list(
        "incident_id", "from_status", "to_status"
    ):
        chains[incident_id].append((before, after))
    statuses = Counter(chain[-1][1] for chain in chains.values())

    # Assert: every incident starts as a draft and moves only as the services allow.
    assert len(chains) == Incident.objects.count()
    for chain in chains.values():
        assert chain[0] == ("", IncidentStatus.DRAFT)
        for (_, previous), (before, after) in itertools.pairwise(chain):
            assert before == previous
            assert before in TRANSITIONS[after]
    total = sum(statuses.values())
    assert statuses[IncidentStatus.CLOSED] / total > 0.8
    assert statuses[IncidentStatus.DRAFT] > 0 and statuses[IncidentStatus.SUBMITTED] > 0
    assert IncidentVersion.objects.filter(number=2).exists()  # sent back and amended


def test_force_demo_incidents_valid_and_complete_once_submitted(small_demo):
    # Arrange
    latest_status = dict(Incident.objects.with_status().order_by().values_list("id", "current_status"))
    incidents = Incident.objects.select_related("patient").prefetch_related(
        "versions__interventions", "versions__staff"
    )

    # Act
    incomplete_drafts, incomplete_submitted = 0, []
    for incident in incidents:
        version = max(incident.versions.all(), key=lambda v: v.number)
        missing = missing_items(
            version=version,
            interventions=list(version.interventions.all()),
            staff=list(version.staff.all()),
            patient=incident.patient,
            exemption_enabled=False,
        )
        if latest_status[incident.pk] == IncidentStatus.DRAFT:
            incomplete_drafts += bool(missing)
        elif missing:
            incomplete_submitted.append((incident.pk, missing))

    # Assert
    assert incomplete_submitted == []
    assert incomplete_drafts > 0
    assert set(IncidentVersion.objects.values_list("reason_code", flat=True)) <= set(
        InterventionReason.values
    )
    assert set(InterventionRecord.objects.values_list("type_code", flat=True)) <= set(InterventionType.values)
    for techniques in IncidentVersion.objects.values_list("deescalation", flat=True):
        assert set(techniques) <= set(DeEscalation.values)
    # Times in order, and within the patient's stay on the ward.
    assert not IncidentVersion.objects.filter(ended_at__lt=F("occurred_at")).exists()
    assert not InterventionRecord.objects.filter(ended_at__lt=F("started_at")).exists()
    assert not Incident.objects.filter(created_at__lt=F("versions__occurred_at")).exists()
    assert not Incident.objects.exclude(provider_id=F("ward__provider_id")).exists()


def test_force_demo_interventions_durations_and_mix(small_demo):
    rows = list(
        InterventionRecord.objects.filter(ended_at__isnull=False).values_list(
            "type_code", "started_at", "ended_at"
        )
    )
    minutes = defaultdict(list)
    for code, started, ended in rows:
        minutes[code].append((ended - started).total_seconds() / 60)
    prone = np.array(minutes[InterventionType.PRONE])

    assert {"01", "07", "09", "14", "16", "05"} <= set(minutes)
    assert 0.6 < (prone < 10).mean() < 0.97  # mostly under 10 minutes, some over
    assert np.median(minutes[InterventionType.SECLUSION]) > 60


def test_force_demo_flags_and_cqc_tasks_follow_the_triggers(small_demo):
    prone = set(
        InterventionRecord.objects.filter(type_code=InterventionType.PRONE).values_list(
            "version__incident", flat=True
        )
    )
    flagged = set(IncidentFlag.objects.filter(kind="prone_review").values_list("incident_id", flat=True))
    police = set(
        IncidentVersion.objects.filter(number=1, police_requested_at__isnull=False).values_list(
            "incident_id", flat=True
        )
    )
    tasks = {task.incident_id: task for task in CqcNotificationTask.objects.all()}

    assert prone and flagged == prone
    assert police and police <= set(tasks)
    assert all("police" in tasks[i].reasons for i in police)
    assert {t.status for t in tasks.values()} >= {"notified", "open"}
