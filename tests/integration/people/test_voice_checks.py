"""The weekly check (issue 15 item 3): anonymous answers entered on the ward's tablet, in standard or easy
read words; comments read by the ward team only; the two ward measures ("always felt safe", "always
treated with respect") per ward and week."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rrp.core.models import AuditEvent
from rrp.measures.catalogue import measure
from rrp.measures.series import measure_series
from rrp.people.models import VoiceCheck
from rrp.people.services import voice_check_record
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


def test_a_check_is_anonymous_and_audited_without_answers(world):
    ward = world.wards["a1"]
    check = voice_check_record(ward=ward, by=world.users["ward_staff"], felt_safe="always", respected="no")
    assert not hasattr(check, "patient_id")
    event = AuditEvent.objects.get(record_type="people.VoiceCheck")
    assert event.patient_id is None and "always" not in str(event.detail)


def test_unanswered_questions_are_named_and_scope_is_checked(world):
    with pytest.raises(ValidationError) as problem:
        voice_check_record(ward=world.wards["a1"], by=world.users["ward_staff"], felt_safe="", respected="x")
    assert set(problem.value.message_dict) == {"felt_safe", "respected"}
    with pytest.raises(PermissionDenied):
        voice_check_record(
            ward=world.wards["b1"], by=world.users["ward_staff"], felt_safe="no", respected="no"
        )
    assert not VoiceCheck.objects.exists()


def test_tablet_pages_standard_and_easy_read(world):
    ward = world.wards["a1"]
    client = signed_in_client(world.users["ward_staff"])
    page = client.get(f"/wards/{ward.pk}/weekly-check/").content.decode()
    assert "did you feel safe?" in page and "Easy read version" in page
    easy = client.get(f"/wards/{ward.pk}/weekly-check/easy-read/").content.decode()
    assert "Did you feel safe on the ward this week?" in easy and "Yes, all the time" in easy
    bad = client.post(f"/wards/{ward.pk}/weekly-check/", {"felt_safe": "always"})
    assert bad.status_code == 400
    assert "Choose whether staff treated you kindly and with respect this week" in bad.content.decode()
    assert "Choose whether you felt safe" not in bad.content.decode()  # that one was answered
    ok = client.post(
        f"/wards/{ward.pk}/weekly-check/easy-read/",
        {"felt_safe": "sometimes", "respected": "always", "comment": "Noisy nights"},
    )
    assert ok.status_code == 302
    assert VoiceCheck.objects.get().easy_read is True
    comments = client.get(f"/wards/{ward.pk}/weekly-check/comments/").content.decode()
    assert "Noisy nights" in comments
    assert client.get(f"/wards/{world.wards['b1'].pk}/weekly-check/").status_code == 404
    assert (
        signed_in_client(world.users["commissioner"])
        .get(f"/wards/{ward.pk}/weekly-check/comments/")
        .status_code
        == 403
    )


def test_measures_count_always_per_ward_and_week(world):
    ward = world.wards["a1"]
    for safe, respect in (
        ("always", "always"),
        ("sometimes", "always"),
        ("no", "sometimes"),
        ("always", "no"),
    ):
        voice_check_record(ward=ward, by=world.users["ward_staff"], felt_safe=safe, respected=respect)
    today = dt.date.today()
    window = {
        "ward_ids": [ward.pk],
        "since": today - dt.timedelta(days=today.weekday()),
        "until": today,
        "period": "week",
    }
    safe = measure_series(measure("patients-felt-safe"), **window)
    respected = measure_series(measure("patients-treated-with-respect"), **window)
    assert (safe.iloc[0].numerator, safe.iloc[0].denominator) == (2, 4)
    assert (respected.iloc[0].numerator, respected.iloc[0].value) == (2, 50.0)
