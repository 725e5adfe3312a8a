"""The project's PDSA cycles as CSV (issue 14, item 9): every cycle with plan, do, study and act as the team
wrote them, safe to open in a spreadsheet (a cell starting '=' is not a formula), scoped as the project's
page (404 outside it) and audited as an export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from rrp.accounts.roles import Role
from rrp.core.models import AuditAction, AuditEvent
from rrp.improvement import project_services
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.improvement.test_projects import figures, started  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_cycles_csv_has_every_stage_is_safe_and_scoped(figures):  # noqa: F811
    project = started(figures)
    manager = figures.users["ward_manager"]
    first = project_services.pdsa_create(
        project=project,
        data=project_services.PdsaInput(
            wards=[figures.wards["a1"]],
            title="Huddle on the early shift",
            objective='=HYPERLINK("http://example.invalid")',
            prediction="Two patients named a day.",
            plan_details="Nurse in charge, 07:45, one week.",
            data_to_collect="Huddles held.",
            starts_on=dt.date(2025, 4, 7),
            what_happened="Held on four days.",
            study="Prediction met.",
            decision="adapt",
            next_steps="Every shift.",
        ),
        by=manager,
    )
    project_services.pdsa_create(
        project=project,
        data=project_services.PdsaInput(
            wards=[figures.wards["a1"]],
            title="Huddle on every shift",
            objective="Does it hold up?",
            prediction="Held nine times in ten.",
            plan_details="Every nurse in charge.",
            data_to_collect="Huddles held.",
            starts_on=dt.date(2025, 5, 1),
            previous=first,
        ),
        by=manager,
    )
    url = reverse("reports:qi-cycles-csv", args=[project.pk])
    page = signed_in_client(figures.users["ward_staff"]).get(reverse("reports:qi-project", args=[project.pk]))
    assert url in page.content.decode()

    response = signed_in_client(figures.users["ward_staff"]).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Cycle", "Title", "Follows cycle"]
    first_row, second_row = (dict(zip(rows[0], r, strict=True)) for r in rows[1:])
    assert (first_row["Stage"], first_row["Decision"]) == ("Act", "Adapt: change it and test again")
    assert first_row["Question"].startswith("'=")  # not a formula when opened in a spreadsheet
    assert (second_row["Follows cycle"], second_row["Stage"]) == ("1", "Plan")
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT, record_id=str(project.pk))
    assert audit.detail["export"] == "pdsa_cycles_csv" and audit.detail["rows"] == 2

    outsider = factories.user(
        role=Role.WARD_MANAGER, provider=figures.wards["c1"].provider, wards=[figures.wards["c1"]]
    )
    assert signed_in_client(outsider).get(url).status_code == 404
