"""Training in the Act's topics (s5): refresher dates, who is trained on a day, ward compliance, the LMS
CSV import (all or nothing, errors by row and column, CLI exit 2), the training page, the huddle and board,
and the warning on an incident when a member of staff involved had no current training."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from rrp.act.models import TrainingCompletion, TrainingCourse
from rrp.act.training import add_months, course_status, training_import, untrained_on, ward_compliance
from rrp.cli.main import to_management_argv
from rrp.core.csv_import import ImportRejected
from rrp.force.services import StaffInput, incident_record
from rrp.people.models import StaffMember
from tests.helpers import signed_in_client
from tests.integration.force.incident_data import complete_content, typical_interventions

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def provider(world):
    return world.providers[0]


@pytest.fixture
def nurse(world, provider):
    member = StaffMember.objects.get(family_name="Nurse")
    member.employee_number = "E100"
    member.save()
    member.wards.set([world.wards["a1"]])
    return member


@pytest.fixture
def courses(provider):
    return [
        TrainingCourse.objects.create(
            provider=provider,
            code="PMVA",
            title="Restrictive intervention",
            topics=list("abcdefghijk"),
            standard="RRN Training Standards",
            refresher_months=12,
        ),
        TrainingCourse.objects.create(
            provider=provider, code="EL", title="E-learning", topics=["a", "k"], refresher_months=24
        ),
    ]


def complete(member, course, day):
    return TrainingCompletion.objects.create(
        staff_member=member,
        course=course,
        completed_on=day,
        recorded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(dt.date(2025, 3, 14), 12) == dt.date(2026, 3, 14)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)


def test_course_status_states(courses):
    pmva = courses[0]
    assert course_status(pmva, [], DAY).state == "never"
    assert course_status(pmva, [dt.date(2025, 3, 1)], DAY).state == "expired"  # due on the day itself
    assert course_status(pmva, [dt.date(2025, 3, 20)], DAY).state == "due_soon"
    status = course_status(pmva, [dt.date(2024, 1, 1), dt.date(2025, 6, 1)], DAY)
    assert (status.state, status.completed_on, status.due_on) == (
        "current",
        dt.date(2025, 6, 1),
        dt.date(2026, 6, 1),
    )
    # A completion after the day does not count for it.
    assert course_status(pmva, [dt.date(2026, 3, 2)], DAY).state == "never"


def test_trained_only_with_every_required_course_in_date(world, nurse, courses):
    complete(nurse, courses[0], dt.date(2025, 6, 1))
    assert untrained_on([nurse.pk], provider_id=nurse.provider_id, day=DAY)[nurse.pk][0].course == courses[1]
    [compliance] = ward_compliance([world.wards["a1"]], day=DAY)
    assert (compliance.trained, compliance.roster) == (0, 1)
    complete(nurse, courses[1], dt.date(2024, 6, 1))
    assert untrained_on([nurse.pk], provider_id=nurse.provider_id, day=DAY) == {}
    [compliance] = ward_compliance([world.wards["a1"]], day=DAY)
    assert (compliance.trained, compliance.roster, compliance.percent) == (1, 1, 100.0)


def test_import_all_or_nothing_then_idempotent(provider, nurse, courses, tmp_path):
    good = tmp_path / "lms.csv"
    good.write_text(
        "employee_number,staff_name,course_code,course_title,completed_on\n"
        "E100,Sam Nurse,PMVA,Restrictive intervention,2025-06-01\n"
        "E100,Sam Nurse,EL,E-learning,2024-06-01\n"
    )
    assert training_import(provider=provider, source=good, by=None) == {
        "rows": 2,
        "created": 2,
        "unchanged": 0,
    }
    assert training_import(provider=provider, source=good, by=None) == {
        "rows": 2,
        "created": 0,
        "unchanged": 2,
    }
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "employee_number,course_code,completed_on\n"
        "E100,PMVA,2026-01-05\n"
        "E999,PMVA,2025-06-01\n"
        "E100,FIRE,01/06/2025\n"
        "E100,PMVA,2026-01-05\n"
        "E100,EL,2999-01-01\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        training_import(provider=provider, source=bad, by=None)
    assert [str(e) for e in rejected.value.errors] == [
        f"Row 3, column employee_number (value 'E999'): no member of {provider.name}'s staff has this employee number",
        f"Row 4, column course_code (value 'FIRE'): {provider.name} has no course with this code",
        "Row 4, column completed_on (value '01/06/2025'): enter the date as YYYY-MM-DD, for example 2026-03-14",
        "Row 5: the same completion is in row 2",
        "Row 6, column completed_on (value '2999-01-01'): the date is in the future",
    ]
    assert TrainingCompletion.objects.count() == 2  # the good row 2 of the bad file was not saved either


def test_import_command_exit_2_with_rows_and_columns(provider, nurse, courses, tmp_path, capsys):
    assert to_management_argv(["import", "training", "f.csv"]) == ["import_training", "f.csv"]
    bad = tmp_path / "bad.csv"
    bad.write_text("employee_number,course_code,completed_on\nE100,NOPE,2025-01-01\n")
    with pytest.raises(CommandError) as failed:
        call_command("import_training", str(bad), "--provider", provider.ods_code)
    assert failed.value.returncode == 2
    assert "Row 2, column course_code (value 'NOPE')" in capsys.readouterr().err + str(failed.value)
    with pytest.raises(CommandError, match="--provider: no provider has the ODS code 'XX'") as unknown:
        call_command("import_training", str(bad), "--provider", "XX")
    assert unknown.value.returncode == 2
    assert not TrainingCompletion.objects.exists()


def test_incident_page_warns_when_staff_involved_had_no_current_training(world, nurse, courses):
    ward = world.wards["a1"]
    patient = world.patients["a1"]
    recorder = world.users["ward_staff"]
    incident = incident_record(
        ward=ward,
        patient=patient,
        by=recorder,
        interventions=typical_interventions(),
        staff=[StaffInput(part="head", staff_member=nurse), StaffInput(part="legs", name="Alex Agency")],
        **complete_content(),
    )
    client = signed_in_client(recorder)
    page = client.get(f"/incidents/{incident.pk}/")
    assert page.status_code == 200
    assert "Training not current" in page.text
    assert (
        "Sam Nurse had no current training on 1 March 2026 (E-learning: never completed; Restrictive"
        in page.text
    )
    complete(nurse, courses[0], dt.date(2025, 12, 1))
    complete(nurse, courses[1], dt.date(2025, 12, 1))
    assert "Training not current" not in client.get(f"/incidents/{incident.pk}/").text


def test_training_page_huddle_and_board_show_compliance(world, provider, nurse, courses):
    complete(nurse, courses[0], dt.date.today() - dt.timedelta(days=30))
    complete(nurse, courses[1], dt.date.today() - dt.timedelta(days=30))
    governance = signed_in_client(world.users["provider_governance"])
    page = governance.get(f"/use-of-force-act/providers/{provider.pk}/training/")
    assert page.status_code == 200 and "Sam Nurse" in page.text and "RRN Training Standards" in page.text
    huddle = signed_in_client(world.users["ward_manager"]).get(
        f"/reports/wards/{world.wards['a1'].pk}/huddle/"
    )
    assert 'id="training"' in huddle.text and "1 of 1" in huddle.text
    board = governance.get(f"/reports/board/{provider.pk}/")
    assert "Training in the use of force" in board.text
    commissioner = signed_in_client(world.users["commissioner"])
    assert commissioner.get(f"/use-of-force-act/providers/{provider.pk}/training/").status_code == 403
