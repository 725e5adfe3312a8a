"""The header navigation each role sees. Links appear only where the server would also allow the page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str
    permission: Permission | None  # None: every signed-in person


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Providers", "organisations:provider-list", Permission.WARD_VIEW),
    NavItem("Wards", "organisations:ward-list", Permission.WARD_VIEW),
    NavItem("Patients", "people:patient-list", Permission.PATIENT_VIEW),
    NavItem("Seclusion and segregation", "segregation:index", Permission.WARD_VIEW),
    NavItem("Use of Force Act", "act:index", Permission.WARD_VIEW),
    NavItem("Incidents", "force:incident-list", Permission.INCIDENT_VIEW),
    NavItem("Ward huddle", "reports:huddle-index", Permission.HUDDLE_VIEW),
    NavItem("CQC tasks", "force:cqc-task-list", Permission.CQC_TASK_COMPLETE),
    NavItem("Equity", "reports:equity-index", Permission.EQUITY_VIEW),
    NavItem("Board report", "reports:board-index", Permission.BOARD_REPORT_VIEW),
    NavItem("Collaboratives", "reports:collaborative-list", Permission.COLLABORATIVE_VIEW),
    NavItem("Improvement projects", "improvement:project-list", Permission.WARD_VIEW),
    NavItem("Measures", "measures:catalogue", Permission.MEASURE_DEFINE),
    NavItem("National benchmark", "reports:national-benchmark", Permission.NATIONAL_BENCHMARK_VIEW),
    NavItem("Chart your own data", "reports:own-data", None),
    NavItem("Audit log", "web:audit-log", Permission.AUDIT_VIEW),
    NavItem("Administration", "administration:index", Permission.USER_MANAGE),
)


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    """Header navigation items for the signed-in user, marking the current section."""
    user = request.user
    if not user.is_authenticated:
        return []
    items = []
    for item in NAV_ITEMS:
        if item.permission is None or has_permission(user, item.permission):
            href = reverse(item.url_name)
            items.append({"href": href, "text": item.text, "current": request.path.startswith(href)})
    return items
