"""The driver diagram's downloads (issue 14 leftovers, decision 0080): the version shown as an SVG picture
and as CSV, scoped as the project's page (404 outside it or without a diagram), audited as exports, and the
CSV safe to open in a spreadsheet (decision 0019)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from rrp.core.models import AuditEvent
from rrp.improvement import diagram_services
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.improvement.test_projects import figures, started  # noqa: F401

pytestmark = pytest.mark.django_db

FIRST = "Staff notice rising tension early\n- Daily huddle names the patients at risk\n  * Safety huddles"
SECOND = FIRST + "\n=Patients shape their own care\n- Care plans in their own words"


@pytest.fixture
def project(figures):  # noqa: F811
    diagram_services.ensure_starter_package()
    project = started(figures)
    for outline in (FIRST, SECOND):
        diagram_services.diagram_save(project=project, outline=outline, by=figures.users["ward_manager"])
    return project


def test_the_svg_is_the_version_drawn_as_a_file(figures, project):  # noqa: F811
    client = signed_in_client(figures.users["ward_staff"])
    url = reverse("reports:qi-diagram-svg", args=[project.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="project-{project.pk}-driver-diagram-v2.svg"'
    )
    svg = response.content.decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and 'width="100%"' not in svg
    assert "Patients shape their own care" in svg and "Safety huddles" in svg
    first = client.get(url, {"version": "1"}).content.decode()
    assert "Patients shape their own care" not in first and "Daily huddle names the patients" in first
    assert client.get(url, {"version": "9"}).status_code == 404
    event = AuditEvent.objects.filter(action="export", detail__export="driver_diagram_svg").latest("at")
    assert event.provider_id == project.provider_id and event.detail["version"] == 1


def test_the_csv_has_a_row_per_idea_or_bare_driver_and_is_safe(figures, project):  # noqa: F811
    response = signed_in_client(figures.users["ward_staff"]).get(
        reverse("reports:qi-diagram-csv", args=[project.pk])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Primary driver", "Secondary driver", "Change idea", "In the change package"]
    assert rows[1] == [
        "Staff notice rising tension early",
        "Daily huddle names the patients at risk",
        "Safety huddles",
        "Yes",
    ]
    # A driver starting "=" is written so a spreadsheet reads it as text, not a formula.
    assert rows[2] == ["'=Patients shape their own care", "Care plans in their own words", "", ""]
    assert AuditEvent.objects.filter(action="export", detail__export="driver_diagram_csv").exists()


def test_the_downloads_are_scoped_as_the_project(figures, project):  # noqa: F811
    other = factories.user(role="provider_governance", provider=figures.providers[1])
    for name in ("reports:qi-diagram-svg", "reports:qi-diagram-csv"):
        url = reverse(name, args=[project.pk])
        assert signed_in_client(other).get(url).status_code == 404, name
        assert signed_in_client(figures.users["national_analyst"]).get(url).status_code == 403, name
    bare = started(figures, title="No diagram yet")
    manager = signed_in_client(figures.users["ward_manager"])
    assert manager.get(reverse("reports:qi-diagram-svg", args=[bare.pk])).status_code == 404
    page = manager.get(reverse("improvement:driver-diagram", args=[project.pk])).content.decode()
    assert f"{reverse('reports:qi-diagram-svg', args=[project.pk])}?version=2" in page
    assert f"{reverse('reports:qi-diagram-csv', args=[project.pk])}?version=2" in page
