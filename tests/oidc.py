"""A real OpenID Connect provider for the single sign-on tests: oidc-provider-mock, a Flask app built on
authlib, started in a thread on a free port. It accepts any client id and secret, and its sign-in page asks
only which subject to sign in as; claims such as `amr` are given to a subject beforehand with ``set_claims``.
The tests point RRP at it through the same settings the environment variables fill (rrp.config.settings)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from oidc_provider_mock import run_server_in_thread

from rrp.accounts import sso

CLIENT_ID = "rrp-test-client"


@dataclass
class Provider:
    url: str

    def set_claims(self, subject: str, claims: dict[str, object]) -> None:
        """Give a subject the claims its next ID token carries (the provider's own PUT /users/SUB)."""
        request = urllib.request.Request(
            f"{self.url}/users/{subject}",
            data=json.dumps(claims).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status < 300


@pytest.fixture(scope="session")
def oidc_server() -> Iterator[Provider]:
    with run_server_in_thread() as server:
        yield Provider(url=f"http://localhost:{server.server_port}")


@pytest.fixture
def sso_on(oidc_server: Provider, settings) -> Provider:
    """Single sign-on set up against the test provider, as RRP_OIDC_CLIENT_ID and RRP_OIDC_ISSUER would."""
    settings.SSO_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "test-secret"
    settings.RRP_OIDC_ISSUER = oidc_server.url
    settings.RRP_OIDC_DISCOVERY_URL = f"{oidc_server.url}/.well-known/openid-configuration"
    settings.RRP_OIDC_ENDPOINTS = {name: "" for name in settings.RRP_OIDC_ENDPOINTS}
    sso._discovered.clear()
    return oidc_server
