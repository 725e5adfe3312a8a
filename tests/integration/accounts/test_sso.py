"""Single sign-on through a real OpenID Connect provider (tests/oidc.py): linked accounts get in, unknown
and deactivated identities are refused with a page that says why, two-factor follows the ID token's `amr`,
password sign-in can be switched off, and every sign-in and refusal is audited."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from rrp.accounts.models import User
from rrp.core.models import AuditAction, AuditEvent
from rrp.web.audit_lines import audit_line

PASSWORD = "correct-horse-battery"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def choose_identity(authorize_url: str, subject: str) -> str:
    """At the provider's sign-in page, sign in as `subject`; return where it sends the browser back to."""
    opener = urllib.request.build_opener(NoRedirect)
    data = urllib.parse.urlencode({"sub": subject}).encode()
    try:
        opener.open(urllib.request.Request(authorize_url, data=data, method="POST"), timeout=10)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, answer.read()
        return answer.headers["Location"]
    raise AssertionError("the provider did not redirect back")


def sso_sign_in(client: Client, subject: str, next_path: str = "/wards/"):
    """Start at RRP, sign in at the provider as `subject`, and return RRP's answer to the callback."""
    start = client.get("/oidc/authenticate/", {"next": next_path})
    assert start.status_code == 302, start.content
    back = urllib.parse.urlsplit(choose_identity(start["Location"], subject))
    assert back.path == "/oidc/callback/"
    return client.get(back.path, dict(urllib.parse.parse_qsl(back.query)))


def link(user: User, subject: str) -> None:
    call_command("link_sso", user.username, subject)


def test_a_linked_user_signs_in_through_the_provider(world, sso_on):
    nurse = world.users["ward_staff"]
    link(nurse, "nurse-subject-1")
    client = Client()
    response = sso_sign_in(client, "nurse-subject-1", "/wards/")
    assert response.status_code == 302 and response["Location"] == "/wards/"
    assert client.get("/wards/").status_code == 200
    assert "signed_in_at" in client.session
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN, actor_id=nurse.pk)
    assert event.detail == {"method": "sso", "identity_provider_mfa": False}
    assert audit_line(event, patients_shown=False, patients={}).what == "Signed in through single sign-on"


def test_an_unknown_identity_is_refused_and_no_account_is_made(world, sso_on):
    users_before = User.objects.count()
    client = Client()
    response = sso_sign_in(client, "stranger-subject")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your account is not set up for RRP" in page
    assert "stranger-subject" in page  # the identifier to give the administrator
    assert User.objects.count() == users_before
    assert client.get("/wards/").status_code == 302  # not signed in
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.detail["reason"] == "unknown" and event.record_label == "stranger-subject"
    line = audit_line(event, patients_shown=False, patients={})
    assert line.what == "Single sign-on refused: identity not linked to an account"
    assert line.detail == "identity tried: stranger-subject"  # the reason is in "what", not said twice


def test_a_deactivated_account_is_refused(world, sso_on):
    nurse = world.users["ward_staff"]
    link(nurse, "leaver-subject")
    User.objects.filter(pk=nurse.pk).update(is_active=False)
    client = Client()
    response = sso_sign_in(client, "leaver-subject")
    assert response.status_code == 403
    assert "Your RRP account has been deactivated" in response.content.decode()
    assert client.get("/wards/").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.detail["reason"] == "deactivated" and event.record_id == str(nurse.pk)


def test_deactivating_an_account_ends_its_single_sign_on_session(world, sso_on):
    nurse = world.users["ward_staff"]
    link(nurse, "nurse-subject-2")
    client = Client()
    sso_sign_in(client, "nurse-subject-2")
    assert client.get("/wards/").status_code == 200
    User.objects.filter(pk=nurse.pk).update(is_active=False)
    assert client.get("/wards/").status_code == 302


def test_a_wide_role_still_gives_rrp_its_second_factor_without_the_providers_mfa(world, sso_on):
    governance = world.users["provider_governance"]
    link(governance, "governance-subject")
    sso_on.set_claims("governance-subject", {"amr": ["pwd"]})
    client = Client()
    sso_sign_in(client, "governance-subject")
    response = client.get("/wards/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    assert AuditEvent.objects.filter(action=AuditAction.SSO_ACCEPTED, actor_id=governance.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()


def test_the_providers_mfa_stands_for_the_second_factor_when_the_token_says_so(world, sso_on):
    governance = world.users["provider_governance"]
    link(governance, "governance-mfa-subject")
    sso_on.set_claims("governance-mfa-subject", {"amr": ["pwd", "mfa"]})
    client = Client()
    sso_sign_in(client, "governance-mfa-subject")
    assert client.get("/wards/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN, actor_id=governance.pk)
    assert event.detail["identity_provider_mfa"] is True


def test_an_acr_value_the_trust_names_counts_as_mfa(world, sso_on, settings):
    settings.RRP_OIDC_MFA_ACR = ["AAL3_ANY"]
    manager = world.users["ward_manager"]
    link(manager, "smartcard-subject")
    sso_on.set_claims("smartcard-subject", {"acr": "AAL3_ANY"})
    client = Client()
    sso_sign_in(client, "smartcard-subject")
    assert client.get("/wards/").status_code == 200


def test_accounts_are_matched_on_the_claim_the_trust_chose(world, sso_on, settings):
    settings.RRP_OIDC_SUBJECT_CLAIM = "oid"
    nurse = world.users["ward_staff"]
    link(nurse, "00000000-0000-0000-0000-0000000000aa")
    sso_on.set_claims("entra-pairwise-sub", {"oid": "00000000-0000-0000-0000-0000000000aa"})
    client = Client()
    assert sso_sign_in(client, "entra-pairwise-sub").status_code == 302
    assert client.get("/wards/").status_code == 200


def test_a_token_without_the_claim_is_refused_with_its_name(world, sso_on, settings):
    settings.RRP_OIDC_SUBJECT_CLAIM = "oid"
    response = sso_sign_in(Client(), "no-oid-subject")
    assert response.status_code == 403
    assert "<code>oid</code> claim" in response.content.decode()


def test_a_token_from_another_issuer_is_refused(world, sso_on, settings):
    nurse = world.users["ward_staff"]
    link(nurse, "nurse-subject-3")
    settings.RRP_OIDC_ISSUER = "https://login.elsewhere.example"
    client = Client()
    response = sso_sign_in(client, "nurse-subject-3")
    assert response.status_code == 403
    assert "Sign-in did not work" in response.content.decode()
    assert client.get("/wards/").status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED).detail["reason"] == "failed"


def test_refusals_do_not_lock_out_single_sign_on_from_the_same_computer(world, sso_on):
    client = Client()
    for _ in range(6):
        assert sso_sign_in(client, "stranger-subject").status_code == 403
    link(world.users["ward_staff"], "nurse-subject-4")
    assert sso_sign_in(client, "nurse-subject-4").status_code == 302
    assert client.get("/wards/").status_code == 200


def test_an_unreachable_provider_is_a_clear_page_not_an_error(world, sso_on, settings):
    from rrp.accounts import sso

    settings.RRP_OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    sso._discovered.clear()
    response = Client().get("/oidc/authenticate/")
    assert response.status_code == 503
    assert "Sign-in did not work" in response.content.decode()


def test_the_sign_in_page_offers_single_sign_on_beside_passwords(world, sso_on):
    page = Client().get("/account/sign-in/?next=/wards/").content.decode()
    assert "Sign in with your NHS account" in page
    assert 'href="/oidc/authenticate/?next=%2Fwards%2F"' in page
    assert 'name="password"' in page


def test_password_sign_in_switched_off_is_hidden_and_refused(world, sso_on, settings):
    settings.RRP_PASSWORD_SIGN_IN = False
    client = Client()
    page = client.get("/account/sign-in/").content.decode()
    assert "Sign in with your NHS account" in page and 'name="password"' not in page
    nurse = world.users["ward_staff"]
    response = client.post("/account/sign-in/", {"username": nurse.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "This service does not accept passwords" in response.content.decode()
    assert client.get("/wards/").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.detail == {"method": "password", "reason": "password_sign_in_off"}
    line = audit_line(event, patients_shown=False, patients={})
    assert line.what == "Sign-in refused: password sign-in is switched off"
    assert line.detail == f"username tried: {nurse.username}"


def test_without_single_sign_on_there_is_no_button_and_no_callback(world):
    assert "Sign in with your NHS account" not in Client().get("/account/sign-in/").content.decode()
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/").status_code == 404


def test_link_sso_links_unlinks_and_is_audited(world):
    nurse = world.users["ward_staff"]
    call_command("link_sso", nurse.username, " abc-123 ")
    nurse.refresh_from_db()
    assert nurse.sso_subject == "abc-123"
    call_command("link_sso", nurse.username, "--unlink")
    nurse.refresh_from_db()
    assert nurse.sso_subject == ""
    changes = AuditEvent.objects.filter(action=AuditAction.CHANGE, record_id=str(nurse.pk)).order_by("id")
    assert [e.detail for e in changes] == [
        {"field": "sso_subject", "from": "", "to": "abc-123"},
        {"field": "sso_subject", "from": "abc-123", "to": ""},
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "abc"], "username: no RRP account is called 'nobody'"),
        (["{nurse}"], "subject: give the identity provider's identifier"),
        (["{nurse}", "abc", "--unlink"], "either a subject to link or --unlink"),
        (["{nurse}", "taken"], "subject: 'taken' is already linked to {manager}"),
    ],
)
def test_link_sso_names_what_is_wrong(world, args, message):
    nurse, manager = world.users["ward_staff"], world.users["ward_manager"]
    call_command("link_sso", manager.username, "taken")
    names = {"nurse": nurse.username, "manager": manager.username}
    with pytest.raises(CommandError) as raised:
        call_command("link_sso", *[a.format(**names) for a in args])
    assert raised.value.returncode == 2
    assert message.format(**names) in str(raised.value)
    nurse.refresh_from_db()
    assert nurse.sso_subject == ""
