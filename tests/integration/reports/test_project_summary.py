"""A QI project's one-page summary PDF for a QI board (issue 14, item 9): its content read back from the
laid-out document WeasyPrint writes (every text box on every page), scoped and audited as the project page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.improvement import diagram_services, project_services
from rrp.improvement.models import ChangeIdea
from rrp.reports.project_summary import project_summary_document
from tests.helpers import signed_in_client
from tests.integration.improvement.test_projects import cycle_input, figures, started  # noqa: F401

pytestmark = pytest.mark.django_db


def pdf_text(document) -> str:
    """All the text WeasyPrint laid out, page by page, in reading order."""
    words: list[str] = []

    def walk(box) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            words.append(text)
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(" ".join(words).split())


@pytest.fixture
def project(figures):  # noqa: F811
    diagram_services.ensure_starter_package()
    manager = figures.users["ward_manager"]
    project = started(figures)
    huddles = ChangeIdea.objects.get(title="Safety huddles", provider__isnull=True)
    project_services.pdsa_create(project=project, data=cycle_input(figures, change_idea=huddles), by=manager)
    project_services.progress_score_record(
        project=project, tenths=20, scored_on=dt.date(2025, 5, 1), note="", by=manager
    )
    project_services.progress_score_record(
        project=project, tenths=30, scored_on=timezone.localdate(), note="", by=manager
    )
    diagram_services.diagram_save(
        project=project,
        outline="Staff notice rising tension early\n- Daily huddle names the patients at risk\n  * Safety huddles",
        by=manager,
    )
    return project


def test_the_summary_is_one_page_with_aim_score_measures_cycles_and_diagram(figures, project):  # noqa: F811
    document = project_summary_document(
        project, user=figures.users["ward_manager"], today=timezone.localdate()
    )
    assert len(document.pages) == 1
    text = pdf_text(document)
    assert "Fewer restraints on Ward A1" in text
    assert "Reduce restrictive interventions per 1,000 occupied bed days" in text  # the aim in words
    assert "3.0 Modest improvement" in text and "May 2025 2.0" in text  # latest score and its history
    assert "PDSA 1" in text and "Safety huddle at handover" in text and "Plan" in text
    assert "Staff notice rising tension early" in text and "Safety huddles" in text
    assert "(the aim's measure, with the aim line) (outcome)" in text
    assert "(balancing)" in text and "(process)" in text


def test_the_summary_download_is_a_pdf_scoped_and_audited(figures, project):  # noqa: F811
    url = reverse("reports:qi-project-pdf", args=[project.pk])
    response = signed_in_client(figures.users["ward_staff"]).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="project-{project.pk}-summary.pdf"'
    event = AuditEvent.objects.get(action="export", detail__export="qi_project_summary_pdf")
    assert event.provider_id == project.provider_id
    # Outside the project's wards: 404, as the page.
    outsider = signed_in_client(figures.users["national_analyst"])
    assert outsider.get(url).status_code == 403  # no WARD_VIEW
    from tests import factories

    other = factories.user(role="provider_governance", provider=figures.providers[1])
    assert signed_in_client(other).get(url).status_code == 404
    page = signed_in_client(figures.users["ward_staff"]).get(reverse("reports:qi-project", args=[project.pk]))
    assert url in page.content.decode()
