"""Every dashboard is reachable from the header for the roles that should see it, and from nowhere else.

One matrix across the reports and improvement pages: for each role of the test world, the header links it
gets and what each page answers. A page a role may not open is refused (403 for a role without the
permission, 404 for a ward or provider outside its scope), and such a role gets no header link to it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import signed_in_client

ROLES = [
    "ward_staff",
    "ward_manager",
    "provider_governance",
    "commissioner",
    "regulator",
    "national_analyst",
    "system_admin",
    "collaborative_lead",
    "provider_admin",
    "expert_by_experience",
]

# page -> (header link text or None, url builder, roles that may open it)
PAGES = {
    "ward huddle": (
        "Ward huddle",
        lambda w: reverse("reports:ward-huddle", args=[w.wards["a1"].pk]),
        {"ward_staff", "ward_manager", "provider_governance", "regulator"},
    ),
    "board report": (
        "Board report",
        lambda w: reverse("reports:board", args=[w.providers[0].pk]),
        {"provider_governance", "commissioner", "regulator"},
    ),
    "collaborative": (
        "Collaboratives",
        lambda w: reverse("reports:collaborative", args=[w.collaborative.pk]),
        {
            "provider_governance",
            "regulator",
            "national_analyst",
            "collaborative_lead",
            "expert_by_experience",
        },
    ),
    "equity": (
        "Equity",
        lambda w: reverse("reports:equity", args=[w.providers[0].pk]),
        {"ward_manager", "provider_governance", "commissioner", "regulator", "national_analyst"},
    ),
    "national benchmark": (
        "National benchmark",
        lambda w: reverse("reports:national-benchmark"),
        {"ward_manager", "provider_governance", "commissioner", "regulator", "national_analyst"}
        | {"collaborative_lead"},
    ),
    "chart your own data": ("Chart your own data", lambda w: reverse("reports:own-data"), set(ROLES)),
    "ward events": (
        None,
        lambda w: reverse("improvement:ward-events", args=[w.wards["a1"].pk]),
        {"ward_staff", "ward_manager", "provider_governance", "commissioner", "regulator"},
    ),
    "run a collaborative": (
        None,
        lambda w: reverse("improvement:collaborative-manage", args=[w.collaborative.pk]),
        {"collaborative_lead"},
    ),
    "collaborative invitations": (
        None,
        lambda w: reverse("improvement:collaborative-invitations"),
        {"provider_governance"},
    ),
}


def _header_links(html: str) -> set[str]:
    header = html.split("</header>", 1)[0]
    return {text for text, _, _ in PAGES.values() if text and f">{text}<" in header.replace("\n", "")}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_dashboards_it_may_open(world, role):
    client = signed_in_client(world.users[role])
    home = client.get("/", follow=True)
    links = _header_links(home.content.decode())
    for name, (link, url, allowed) in PAGES.items():
        response = client.get(url(world))
        if role in allowed:
            assert response.status_code == 200, f"{role} should open the {name} page"
            if link:
                assert link in links, f"{role} should have a header link to the {name}"
        else:
            assert response.status_code in (403, 404), f"{role} must not open the {name} page"
            if link:
                assert link not in links, f"{role} must not have a header link to the {name}"


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("ward_staff", lambda w: reverse("reports:ward-huddle", args=[w.wards["b1"].pk])),
        ("ward_manager", lambda w: reverse("reports:ward-huddle", args=[w.wards["c1"].pk])),
        ("provider_governance", lambda w: reverse("reports:board", args=[w.providers[1].pk])),
        ("commissioner", lambda w: reverse("reports:board", args=[w.providers[2].pk])),
        ("provider_governance", lambda w: reverse("reports:equity", args=[w.providers[2].pk])),
        ("national_analyst", lambda w: reverse("reports:equity", args=[w.providers[1].pk])),
        ("provider_governance", lambda w: reverse("improvement:ward-events", args=[w.wards["b1"].pk])),
    ],
)
def test_another_organisations_dashboard_is_not_found(world, role, page):
    """Guessing the id of a ward or provider outside one's scope finds nothing (404, not 403)."""
    assert signed_in_client(world.users[role]).get(page(world)).status_code == 404
