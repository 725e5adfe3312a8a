"""No dead links: every card on the home page, and the API's documentation, open for the role that sees them."""

from __future__ import annotations

import re

import pytest

from tests.helpers import signed_in_client

ROLES = [
    "ward_staff",
    "ward_manager",
    "provider_governance",
    "commissioner",
    "regulator",
    "national_analyst",
    "system_admin",
]


def _main_links(html: str) -> list[str]:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.findall(r'href="(/[^"]*)"', main)


@pytest.mark.parametrize("role", ROLES)
def test_every_card_on_the_home_page_opens(world, role):
    client = signed_in_client(world.users[role])
    links = _main_links(client.get("/").content.decode())
    for href in links:
        assert client.get(href).status_code == 200, (
            f"{role}: the home page links to {href}, which does not open"
        )


def test_the_national_analyst_is_offered_their_collaboratives_not_the_ward_list(world):
    client = signed_in_client(world.users["national_analyst"])
    links = _main_links(client.get("/").content.decode())
    assert "/wards/" not in links
    assert "/reports/collaboratives/" in links


def test_the_api_docs_load_their_assets_from_this_site(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    styles = re.findall(r'<link[^>]*href="([^"]+\.css)"', html)
    assert scripts and styles
    for asset in scripts + styles:
        assert asset.startswith("/static/"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()
