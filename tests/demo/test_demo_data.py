"""Tests for the demo-data generator, its commands and the demo logins.

Each test builds a tiny demo (2 providers x 3 wards x 1 year) so the module runs in a few seconds;
the national size is exercised by bench/demo_data_bench.py instead.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import nhs_number
import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.demo.generate import DemoDataRefused, demo_data_generate
from rrp.demo.logins import DEMO_PASSWORD, demo_totp_key
from rrp.demo.models import DemoRun
from rrp.demo.registry import DemoContext, DemoOptions, demo_step, ordered_steps
from rrp.organisations.models import OccupiedBedDays, Provider, Region, Ward
from rrp.people.models import HospitalSpell, Patient, WardStay

TINY = DemoOptions(providers=2, wards_per_provider=3, years=1, seed=7, end_date=dt.date(2025, 6, 30))


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True
    # Argon2 for one hash is fine, but tests elsewhere use MD5; keep the demo's own hash cheap too.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def tiny_demo(db, demo_mode):
    return demo_data_generate(options=TINY)


def test_demo_data_same_seed_same_digest(db, demo_mode):
    # Arrange / Act: the second run wipes the first and rebuilds it.
    first = demo_data_generate(options=TINY)
    second = demo_data_generate(options=TINY)

    # Assert
    assert first.digest == second.digest
    assert first.counts == second.counts
    assert DemoRun.objects.count() == 1
    assert Ward.objects.count() == TINY.providers * TINY.wards_per_provider


def test_demo_data_other_seed_other_digest(db, demo_mode):
    first = demo_data_generate(options=TINY)
    other = demo_data_generate(options=DemoOptions(**{**TINY.__dict__, "seed": 8}))

    assert first.digest != other.digest


def test_demo_data_tiny_size_makes_a_real_demo(tiny_demo):
    # Its speed is the benchmark's to prove (docs/performance.md), not a timed test's: a shared CI machine
    # took 15.8 s once for what takes under a second on a quiet one.
    assert tiny_demo.total_rows > 1_000
    assert set(tiny_demo.step_seconds) >= {"improvement", "act", "qi_projects"}


def test_demo_data_occupancy_between_85_and_95_percent(tiny_demo):
    assert 0.85 <= tiny_demo.occupancy <= 0.95
    assert not OccupiedBedDays.objects.filter(bed_days__gt=F("ward__beds")).exists()


def test_demo_data_bed_days_for_every_open_ward_day(tiny_demo):
    days = (tiny_demo.last_day - tiny_demo.first_day).days + 1
    for ward in Ward.objects.all():
        open_days = sum(ward.is_open_on(tiny_demo.first_day + dt.timedelta(days=i)) for i in range(days))
        assert OccupiedBedDays.objects.filter(ward=ward).count() == open_days


def test_demo_data_nhs_numbers_valid_and_in_test_range(tiny_demo):
    numbers = list(Patient.objects.values_list("nhs_number", flat=True))

    assert numbers
    assert all(n.startswith("999") and nhs_number.is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_demo_data_spells_and_stays_consistent(tiny_demo):
    # Every stay lies within its spell and belongs to the spell's patient; some patients come back.
    bad = WardStay.objects.exclude(patient_id=F("spell__patient_id")).count()
    early = WardStay.objects.filter(started_at__lt=F("spell__admitted_at")).count()
    readmitted = Patient.objects.filter(spells__isnull=False).count() - Patient.objects.count()

    assert bad == 0
    assert early == 0
    assert readmitted > 0
    assert HospitalSpell.objects.count() < WardStay.objects.count()  # some PICU transfers


def test_demo_data_median_acute_stay_about_a_month(tiny_demo):
    days = [
        (end - start).total_seconds() / 86400
        for start, end in WardStay.objects.filter(
            ward__specialism="adult_acute", ended_at__isnull=False
        ).values_list("started_at", "ended_at")
    ]

    assert 18 <= np.median(days) <= 45


def test_demo_data_refuses_without_demo_mode(db, settings):
    settings.DEMO_MODE = False

    with pytest.raises(DemoDataRefused, match="RRP_DEMO=1"):
        demo_data_generate(options=TINY)
    assert not Region.objects.exists()


def test_demo_data_refuses_database_with_other_data(db, demo_mode):
    # Arrange: organisations that no demo run made.
    region = Region.objects.create(code="Y56", name="London")
    Provider.objects.create(ods_code="RAB", name="Real Trust", kind="nhs_trust", region=region)

    # Act / Assert: nothing is wiped.
    with pytest.raises(DemoDataRefused, match="did not make"):
        demo_data_generate(options=TINY)
    assert Provider.objects.filter(ods_code="RAB").exists()


def test_demo_data_command_refuses_without_demo_mode(db, settings):
    settings.DEMO_MODE = False

    with pytest.raises(CommandError, match="demo mode"):
        call_command("demo_data", "--providers", "1", stdout=StringIO())


def test_demo_logins_one_per_role_with_totp_for_two_factor_roles(tiny_demo):
    users = {u.role: u for u in User.objects.all()}

    assert set(users) == set(Role.values)
    assert users[Role.PROVIDER_GOVERNANCE].is_responsible_person
    assert users[Role.WARD_STAFF].wards.get().provider_id == users[Role.WARD_STAFF].provider_id
    assert (
        users[Role.COMMISSIONER]
        .commissioner.providers.filter(pk=users[Role.WARD_MANAGER].provider_id)
        .exists()
    )
    assert users[Role.COLLABORATIVE_LEAD].collaboratives.get().kind == "national"
    assert users[Role.NATIONAL_ANALYST].collaboratives.get().kind == "national"
    assert users[Role.EXPERT_BY_EXPERIENCE].collaboratives.get().kind == "national"
    assert users[Role.EXPERT_BY_EXPERIENCE].provider_id == users[Role.WARD_MANAGER].provider_id
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD)
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        if user.requires_two_factor:
            assert devices.get().key == demo_totp_key(seed=TINY.seed, username=user.username)
        else:
            assert not devices.exists()


def test_demo_logins_command_prints_codes(tiny_demo):
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    assert DEMO_PASSWORD in text
    assert text.count("TOTP secret") == sum(u.requires_two_factor for u in User.objects.all())


def test_demo_logins_command_refuses_without_demo_mode(tiny_demo, settings):
    settings.DEMO_MODE = False

    with pytest.raises(CommandError, match="demo mode"):
        call_command("demo_logins", stdout=StringIO())


def test_demo_step_registered_later_runs_after_its_dependencies(db, demo_mode):
    # Arrange: a step like a later app's incidents step, registered outside the demo app.
    seen: dict[str, int] = {}

    @demo_step("test_counting_stays", after=("people",))
    def count_stays(ctx: DemoContext) -> None:
        seen["stays"] = len(ctx.frame("ward_stay")["id"])

    try:
        # Act
        summary = demo_data_generate(options=TINY)
    finally:
        from rrp.demo import registry

        registry._REGISTRY.pop("test_counting_stays")

    # Assert: it saw the stays, and adding it changed nothing the built-in steps made.
    assert seen["stays"] == WardStay.objects.count()
    assert "test_counting_stays" not in [s.name for s in ordered_steps()]
    assert summary.digest == demo_data_generate(options=TINY).digest
