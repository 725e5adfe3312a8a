"""The project's one-page PDF carries its milestones and the team's own saved series (issue 14 leftovers,
decision 0080): read back from the text WeasyPrint laid out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rrp.improvement import project_services
from rrp.reports.project_summary import project_summary_document, project_summary_html
from tests.helpers import signed_in_client
from tests.integration.improvement.test_projects import figures, started  # noqa: F401
from tests.integration.reports.test_own_data_saved import save
from tests.integration.reports.test_project_summary import pdf_text, project  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_summary_lists_milestones_withdrawn_ones_struck_through(figures, project):  # noqa: F811
    manager = figures.users["ward_manager"]
    kept = project_services.milestone_record(
        project=project, reached_on=dt.date(2025, 5, 2), label="Huddle card in use on every shift", by=manager
    )
    mistaken = project_services.milestone_record(
        project=project, reached_on=dt.date(2025, 6, 1), label="Launched on the wrong ward", by=manager
    )
    project_services.milestone_withdraw(milestone=mistaken, reason="Another project's", by=manager)
    document = project_summary_document(project, user=manager, today=timezone.localdate())
    text = pdf_text(document)
    assert "Milestones" in text
    assert "2 May 2025 Huddle card in use on every shift" in text
    assert "Launched on the wrong ward (withdrawn: Another project's)" in text
    assert len(document.pages) == 1
    html = project_summary_html(project, user=manager, today=timezone.localdate())
    assert '<tr class="withdrawn"><td>1 June 2025</td>' in html
    assert kept.label in html


def test_the_summary_draws_the_teams_own_saved_series(figures, project):  # noqa: F811
    manager = figures.users["ward_manager"]
    assert save(signed_in_client(manager), project, title="Huddles held per week").status_code == 302
    html = project_summary_html(project, user=manager, today=timezone.localdate())
    section = html.split("The team's own series", 1)[1].split("PDSA cycles", 1)[0]
    assert "Huddles held per week" in section and 'src="data:image/svg+xml;base64,' in section
    text = pdf_text(project_summary_document(project, user=manager, today=timezone.localdate()))
    assert "The team's own series Huddles held per week Saved from Chart your own data" in text


def test_a_project_without_either_says_so(figures):  # noqa: F811
    bare = started(figures)
    text = pdf_text(
        project_summary_document(bare, user=figures.users["ward_manager"], today=timezone.localdate())
    )
    assert "No milestones yet." in text and "The team's own series" not in text
