"""Patients, spells and ward stays from the patient administration system (issue 18 item 3): the HL7 ADT
feed and the CSV files go through one code path, give the same stays and bed days for the same people,
apply once, hold what cannot be applied yet, and apply nothing of a file with a malformed message."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.organisations.models import OccupiedBedDays
from rrp.people.adt import AdtRejected, adt_acknowledge, adt_import, held_retry
from rrp.people.models import FeedMessage, HospitalSpell, Patient, WardStay
from rrp.people.pas_imports import patients_import, ward_stays_import
from tests import factories
from tests.pas_data import Journey, adt_message, adt_messages, journeys, patients_csv, stays_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_numbers(settings):
    """The synthetic patients have NHS numbers in the 999 test range, accepted only in demo mode."""
    settings.DEMO_MODE = True


@pytest.fixture
def trust():
    region = factories.region()
    provider = factories.provider(region=region)
    site = factories.site(provider=provider)
    wards = [factories.ward(site=site, code=f"WARD{i}", opened_on=dt.date(2020, 1, 1)) for i in range(3)]
    return provider, wards


def _start() -> dt.datetime:
    return (timezone.now() - dt.timedelta(days=150)).replace(second=0, microsecond=0)


def _stays(provider) -> list[tuple]:
    return sorted(
        WardStay.objects.filter(ward__provider=provider).values_list(
            "patient__local_identifier", "spell__visit_number", "ward__code", "started_at", "ended_at"
        )
    )


def _bed_days(provider) -> list[tuple]:
    return sorted(
        OccupiedBedDays.objects.filter(ward__provider=provider).values_list("ward__code", "date", "bed_days")
    )


def _adt_file(tmp_path, messages: list[str], name: str = "feed.hl7"):
    path = tmp_path / name
    path.write_text("\n".join(messages) + "\n")
    return path


def test_adt_and_csv_give_the_same_stays_and_bed_days_for_100_patients(trust, tmp_path):
    provider, wards = trust
    people = journeys([w.code for w in wards], patients=100, start=_start(), days=100, seed=3)
    adt_import(provider=provider, source=_adt_file(tmp_path, adt_messages(people)), by=None)
    by_adt, adt_days = _stays(provider), _bed_days(provider)
    assert len(by_adt) == sum(len(j.stays) for j in people)
    assert sum(b for _, _, b in adt_days) > 0

    other = factories.provider(region=provider.region)
    site = factories.site(provider=other)
    for w in wards:
        factories.ward(site=site, code=f"{w.code}X", opened_on=w.opened_on)
    for j in people:
        j.stays = [(f"{code}X", moment) for code, moment in j.stays]
    patients_import(provider=other, source=io.StringIO(patients_csv(people)), by=None)
    ward_stays_import(provider=other, source=io.StringIO(stays_csv(people)), by=None)
    by_csv = [(p, v, code.removesuffix("X"), s, e) for p, v, code, s, e in _stays(other)]
    csv_days = [(code.removesuffix("X"), d, b) for code, d, b in _bed_days(other)]
    assert by_csv == by_adt
    assert csv_days == adt_days


def test_the_same_file_twice_changes_nothing(trust, tmp_path):
    provider, wards = trust
    people = journeys([w.code for w in wards], patients=10, start=_start(), days=60)
    path = _adt_file(tmp_path, adt_messages(people))
    first = adt_import(provider=provider, source=path, by=None)
    before, audit_rows = _stays(provider), AuditEvent.objects.count()
    again = adt_import(provider=provider, source=path, by=None)
    assert first.counts["applied"] == len(adt_messages(people))
    assert again.counts["duplicate"] == first.counts["applied"] and not again.counts["applied"]
    assert _stays(provider) == before
    assert AuditEvent.objects.count() == audit_rows + 1  # the import's own event only

    csv_before = io.StringIO(stays_csv(people))
    counts = ward_stays_import(provider=provider, source=csv_before, by=None)
    assert counts["written"] == 0 and _stays(provider) == before


def test_a_malformed_message_rejects_the_whole_file_naming_segment_and_field(trust, tmp_path):
    provider, wards = trust
    people = journeys([w.code for w in wards], patients=3, start=_start(), days=30)
    messages = adt_messages(people)
    messages[1] = messages[1].replace("|I|", "|I|", 1).replace(f"|{people[0].visit_number}|", "||")
    messages[1] = "\r".join(
        seg if not seg.startswith("PV1") else "PV1|1|I|WARD0^^^RRP" for seg in messages[1].split("\r")
    )
    with pytest.raises(AdtRejected) as rejected:
        adt_import(provider=provider, source=_adt_file(tmp_path, messages), by=None)
    (problem,) = rejected.value.problems
    assert str(problem).startswith("Message 2 (M00000002): segment PV1, field 19 (visit number): missing")
    assert not Patient.objects.filter(provider=provider).exists()
    assert not FeedMessage.objects.exists()


def test_the_command_exits_2_naming_the_message_and_applies_nothing(trust, tmp_path):
    provider, wards = trust
    people = journeys([w.code for w in wards], patients=2, start=_start(), days=30)
    messages = adt_messages(people)
    messages[-1] = (
        messages[-1]
        .replace("|ADT^", "|ADT^", 1)
        .replace(messages[-1].split("\r")[2].split("|")[7], "1980-01-01", 1)
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_adt", str(_adt_file(tmp_path, messages)), provider=provider.ods_code, stderr=err)
    assert failure.value.returncode == 2
    assert (
        f"Message {len(messages)}" in err.getvalue()
        and "segment PID, field 7 (date of birth)" in err.getvalue()
    )
    assert not WardStay.objects.filter(ward__provider=provider).exists()


def test_out_of_order_and_unknown_ward_are_held_then_applied_when_resolved(trust, tmp_path):
    provider, wards = trust
    start = _start()
    j = Journey("H1", "", "Robin", "Held", dt.date(1990, 1, 1), "F", "VH1", [("WARD0", start)])
    admit = adt_message("A01", j, ward="WARD0", at=start, control_id="C1")
    transfer = adt_message("A02", j, ward="NEWWARD", at=start + dt.timedelta(days=2), control_id="C2")
    discharge = adt_message("A03", j, ward="NEWWARD", at=start + dt.timedelta(days=5), control_id="C3")

    adt_import(provider=provider, source=_adt_file(tmp_path, [discharge]), by=None)
    held = FeedMessage.objects.get(control_id="C3")
    assert held.status == "held" and held.reason == "no patient has the identifier H1 yet"

    adt_import(provider=provider, source=_adt_file(tmp_path, [transfer, admit], "b.hl7"), by=None)
    assert FeedMessage.objects.get(control_id="C1").status == "applied"
    waiting = FeedMessage.objects.get(control_id="C2")
    assert waiting.status == "held" and "no ward" in waiting.reason and "'NEWWARD'" in waiting.reason
    assert FeedMessage.objects.get(control_id="C3").status == "held"  # waits behind the transfer

    factories.ward(site=wards[0].site, code="NEWWARD", opened_on=dt.date(2020, 1, 1))
    released = held_retry(provider=provider, by=None)
    assert [m.control_id for m in released] == ["C2", "C3"]
    assert [(code, s, e) for _, _, code, s, e in _stays(provider)] == [
        ("NEWWARD", start + dt.timedelta(days=2), start + dt.timedelta(days=5)),
        ("WARD0", start, start + dt.timedelta(days=2)),
    ]


def test_cancellations_keep_the_cancelled_rows(trust, tmp_path):
    provider, _ = trust
    start = _start()
    j = Journey("K1", "", "Kit", "Cancel", dt.date(1990, 1, 1), "M", "VK1", [("WARD0", start)])
    steps = [
        adt_message("A01", j, ward="WARD0", at=start, control_id="K1"),
        adt_message("A02", j, ward="WARD1", at=start + dt.timedelta(days=1), control_id="K2"),
        adt_message("A12", j, ward="WARD0", at=start + dt.timedelta(days=1), control_id="K3"),
        adt_message("A03", j, ward="WARD0", at=start + dt.timedelta(days=3), control_id="K4"),
        adt_message("A13", j, ward="WARD0", at=start + dt.timedelta(days=3), control_id="K5"),
    ]
    adt_import(provider=provider, source=_adt_file(tmp_path, steps), by=None)
    assert [(code, e) for _, _, code, _, e in _stays(provider)] == [("WARD0", None)]
    assert WardStay.all_rows.filter(cancelled_at__isnull=False, ward__code="WARD1").count() == 1
    adt_import(
        provider=provider,
        source=_adt_file(tmp_path, [adt_message("A11", j, ward="WARD0", at=start, control_id="K6")], "c.hl7"),
        by=None,
    )
    assert not HospitalSpell.objects.filter(provider=provider).exists()
    assert HospitalSpell.all_rows.filter(provider=provider, visit_number="VK1").count() == 1


def test_the_api_path_answers_an_hl7_ack(trust):
    provider, _ = trust
    start = _start()
    j = Journey("A1", "", "Ash", "Ack", dt.date(1990, 1, 1), "F", "VA1", [("WARD0", start)])
    good = adt_message("A01", j, ward="WARD0", at=start, control_id="G1")
    ack = adt_acknowledge(provider=provider, message_text=good, by=None)
    assert "\rMSA|AA|G1|Applied" in ack and ack.startswith("MSH|")
    again = adt_acknowledge(provider=provider, message_text=good, by=None)
    assert "MSA|AA|G1|Already received" in again

    bad = adt_message("A02", j, ward="WARD1", at=start + dt.timedelta(hours=2), control_id="G2")
    bad = bad.replace(f"|{j.visit_number}|", "||")
    before = _stays(provider)
    answer = adt_acknowledge(provider=provider, message_text=bad, by=None)
    assert "MSA|AE|G2" in answer and "ERR||PV1^1^19|101^Required field missing" in answer
    assert _stays(provider) == before and not FeedMessage.objects.filter(control_id="G2").exists()

    other = good.replace("ADT^A01", "ADT^A04").replace("G1", "G3")
    assert "MSA|AR|G3" in adt_acknowledge(provider=provider, message_text=other, by=None)


def test_a40_merge_moves_the_stays_and_keeps_both_identities(trust, tmp_path):
    provider, _ = trust
    start = _start()
    a = Journey("OLD1", "", "Sam", "Twice", dt.date(1990, 1, 1), "F", "VM1", [("WARD0", start)])
    adt_import(
        provider=provider,
        source=_adt_file(tmp_path, [adt_message("A01", a, ward="WARD0", at=start, control_id="X1")]),
        by=None,
    )
    survivor = factories.patient(provider=provider, local_identifier="NEW1")
    merge = "\r".join(
        [
            f"MSH|^~\\&|PAS|TRUST|RRP|TRUST|{start:%Y%m%d%H%M}||ADT^A40|X2|P|2.4",
            f"EVN|A40|{start:%Y%m%d%H%M}",
            "PID|1||NEW1^^^TRUST^MR",
            "MRG|OLD1^^^TRUST^MR",
        ]
    )
    adt_import(provider=provider, source=_adt_file(tmp_path, [merge], "m.hl7"), by=None)
    old = Patient.objects.get(local_identifier="OLD1")
    assert old.merged_into == survivor
    assert WardStay.objects.get(spell__visit_number="VM1").patient == survivor
    assert AuditEvent.objects.filter(patient_id=old.pk, detail__surviving_id=survivor.pk).exists()
    assert AuditEvent.objects.filter(patient_id=survivor.pk, detail__prior_id=old.pk).exists()


def test_csv_problems_are_named_by_row_and_column(trust):
    provider, _ = trust
    text = "local_identifier,visit_number,ward_code,started_at,ended_at\nNOPE,V1,WARD0,2025-01-01 10:00,\nX,V2,ZZZ,yesterday,\n"
    err = io.StringIO()
    path = io.StringIO(text)
    from rrp.core.csv_import import ImportRejected

    with pytest.raises(ImportRejected) as rejected:
        ward_stays_import(provider=provider, source=path, by=None)
    assert [str(e) for e in rejected.value.errors] == [
        "Row 3, column started_at (value 'yesterday'): enter a date and time as YYYY-MM-DD HH:MM (UK time unless an offset such as +01:00 is given)"
    ]
    del err
    with pytest.raises(ImportRejected) as rejected:
        ward_stays_import(
            provider=provider, source=io.StringIO(text.replace("yesterday", "2025-01-02 10:00")), by=None
        )
    messages = [str(e) for e in rejected.value.errors]
    assert messages[0].startswith(
        "Row 2, column local_identifier (value 'NOPE'): no patient has the identifier NOPE"
    )
    assert not WardStay.objects.filter(ward__provider=provider).exists()
