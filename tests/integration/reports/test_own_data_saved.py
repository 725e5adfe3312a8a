"""A series charted on "Chart your own data" saved to a QI project (issue 20 item 4, decision 0057): only
those who run the project may save it there, the title is required on its field, the data and options are
kept append-only with who saved them, the project page draws the latest version of each series with the
same engine, and the chart page offers only projects the person runs."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from rrp.core.models import AuditEvent
from rrp.improvement.models import ProjectSeries
from rrp.reports.own_data import saved_series_charts
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.improvement.test_projects import figures, started  # noqa: F401 - shared fixture
from tests.integration.reports.test_own_data import SERIES, URL, options

pytestmark = pytest.mark.django_db


def save(client, project, **overrides):
    return client.post(URL, options(save="1", save_to=str(project.pk), **overrides))


def test_a_charted_series_saved_to_a_project_is_drawn_on_its_page(figures):  # noqa: F811
    project = started(figures)
    manager = signed_in_client(figures.users["ward_manager"])
    drawn = manager.post(URL, options()).content.decode()
    assert f'<option value="{project.pk}">{project.title}</option>' in drawn

    response = save(manager, project, title="Huddles held per week")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:qi-project", args=[project.pk]) + "#series"
    series = ProjectSeries.objects.get()
    assert (series.title, series.csv_text, series.saved_by) == (
        "Huddles held per week",
        SERIES.strip(),  # as the form reads it
        figures.users["ward_manager"],
    )
    assert series.options["improvement"] == "decrease" and series.options["chart"] == "xmr"
    audit = AuditEvent.objects.get(record_type="improvement.ProjectSeries", record_id=str(series.pk))
    assert audit.detail["project"] == project.pk

    # Read by whoever reads the project (ward staff here), drawn with the options it was saved with.
    page = html.unescape(
        signed_in_client(figures.users["ward_staff"])
        .get(reverse("reports:qi-project", args=[project.pk]))
        .content.decode()
    )
    assert "Huddles held per week" in page and f'id="series-{series.pk}-0"' in page

    # Saving again under the same title is a new version; the page draws the latest.
    save(manager, project, title="Huddles held per week", chart="run")
    assert ProjectSeries.objects.count() == 2
    [latest] = saved_series_charts(project)
    assert latest.series.options["chart"] == "run" and latest.panels[0].title.startswith("Huddles held")
    assert "Run chart" in latest.panels[0].description


def test_saving_needs_a_title_and_a_project_the_person_runs(figures):  # noqa: F811
    project = started(figures)
    manager = signed_in_client(figures.users["ward_manager"])
    refused = save(manager, project, title="")
    assert refused.status_code == 400
    assert "Enter what the data is: it names the series on the project" in html.unescape(
        refused.content.decode()
    )
    assert save(manager, project, title="x", csv_text=SERIES + "2025-07-01,943 476 5919\n").status_code == 400

    staff = signed_in_client(figures.users["ward_staff"])  # reads the project, does not run it
    assert f'value="{project.pk}"' not in staff.post(URL, options()).content.decode()
    assert save(staff, project).status_code == 403
    elsewhere = signed_in_client(
        factories.user(
            role="ward_manager", provider=figures.wards["b1"].provider, wards=[figures.wards["b1"]]
        )
    )
    assert save(elsewhere, project).status_code == 404  # outside their scope: not confirmed to exist
    assert manager.post(URL, options(save="1", save_to="x")).status_code == 404
    assert not ProjectSeries.objects.exists()
