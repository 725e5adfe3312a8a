"""Signing out at the identity provider too (RP-initiated logout, decision 0081), against the real OpenID
Connect provider the single sign-on tests start (tests/oidc.py): after a single sign-on, signing out of RRP
ends RRP's session and sends the browser to the provider's end_session_endpoint with the ID token as a
hint, and the provider sends it back to RRP's signed-out page; a password sign-in, a provider that cannot be
reached, or the setting switched off sign out of RRP alone. Audited either way."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import jwt
from django.test import Client

from rrp.accounts import sso
from rrp.core.models import AuditAction, AuditEvent
from rrp.web.audit_lines import audit_line
from tests.integration.accounts.test_sso import NoRedirect, link, sso_sign_in
from tests.oidc import CLIENT_ID


def provider_sends_back(end_session_url: str) -> str:
    """At the provider's end-session page, confirm; return where it sends the browser back to."""
    with urllib.request.urlopen(end_session_url, timeout=10) as page:
        assert page.status == 200
        form = page.read().decode()
    assert "End session" in form
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(end_session_url).query))
    confirm = end_session_url.split("?")[0] + "/confirm"
    data = urllib.parse.urlencode({"redirect_uri": query["post_logout_redirect_uri"]}).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(confirm, data=data, method="POST"), timeout=10)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302
        return answer.headers["Location"]
    raise AssertionError("the provider did not send the browser back")


def test_signing_out_after_single_sign_on_ends_the_providers_session_too(world, sso_on):
    nurse = world.users["ward_staff"]
    link(nurse, "nurse-sign-out")
    client = Client()
    sso_sign_in(client, "nurse-sign-out")
    assert client.get("/wards/").status_code == 200
    response = client.post("/account/sign-out/")
    assert response.status_code == 302
    target = urllib.parse.urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{sso_on.url}/oauth2/end_session"
    query = dict(urllib.parse.parse_qsl(target.query))
    assert query["client_id"] == CLIENT_ID
    assert query["post_logout_redirect_uri"] == "http://testserver/account/signed-out/"
    hint = jwt.decode(query["id_token_hint"], options={"verify_signature": False})
    assert hint["sub"] == "nurse-sign-out" and CLIENT_ID in hint["aud"]  # the ID token it signed in with
    assert client.get("/wards/").status_code == 302  # RRP's session ended before leaving
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT, actor_id=nurse.pk)
    assert event.detail == {"identity_provider_sign_out": True}
    assert audit_line(event, patients_shown=False, patients={}).what.startswith("Signed out, and sent to")

    back = urllib.parse.urlsplit(provider_sends_back(response["Location"]))
    page = client.get(back.path)
    assert back.path == "/account/signed-out/" and page.status_code == 200
    assert "You have signed out of RRP and of your organisation" in page.content.decode()


def test_a_password_sign_in_signs_out_of_rrp_only(world, sso_on):
    client = Client()
    nurse = world.users["ward_staff"]
    client.post("/account/sign-in/", {"username": nurse.username, "password": "correct-horse-battery"})
    assert client.get("/wards/").status_code == 200
    response = client.post("/account/sign-out/")
    assert response["Location"] == "/account/sign-in/"
    assert AuditEvent.objects.get(action=AuditAction.SIGN_OUT).detail == {}


def test_a_provider_out_of_reach_or_the_setting_off_signs_out_of_rrp_only(world, sso_on, settings):
    nurse = world.users["ward_staff"]
    link(nurse, "nurse-sign-out-2")
    for change in (
        lambda: setattr(settings, "RRP_OIDC_PROVIDER_SIGN_OUT", False),
        lambda: setattr(
            settings, "RRP_OIDC_DISCOVERY_URL", "http://127.0.0.1:9/.well-known/openid-configuration"
        ),
    ):
        client = Client()
        sso_sign_in(client, "nurse-sign-out-2")
        change()
        sso._discovered.clear()
        response = client.post("/account/sign-out/")
        assert response["Location"] == "/account/sign-in/"
        assert client.get("/wards/").status_code == 302
        settings.RRP_OIDC_PROVIDER_SIGN_OUT = True
        settings.RRP_OIDC_DISCOVERY_URL = f"{sso_on.url}/.well-known/openid-configuration"
