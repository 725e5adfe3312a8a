"""Invitations by email and first passwords (issue 18 item 1, decision 0081): an administrator adds an
account and RRP emails the person a link to choose their own password, which works once, expires and is
voided by sending it again; with password sign-in off the email says to use the trust account; a first
password an administrator set must be replaced at the first sign-in. Sent through Django's test outbox and
a real SMTP server (the reminders' aiosmtpd sink); every step audited; refusals name the field."""

from __future__ import annotations

import datetime as dt
import re
import socket

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from rrp.accounts import services as account_services
from rrp.accounts.models import User
from rrp.administration import services
from rrp.core.models import AuditAction, AuditEvent
from rrp.web.audit_lines import audit_line
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.ops.test_reminders import (  # noqa: F401 - the SMTP server fixture, shared
    sent_to,
    smtp_sink,
)

WHY = "New starter on Willow"
CHOSEN = "heron-lantern-quarry-61"
LINK = re.compile(r"https?://[^\s]+/account/invitation/[^\s]+/")


def add_form(world, **overrides) -> dict:
    return {
        "first_name": "Nia",
        "last_name": "Newstarter",
        "username": "nia.new",
        "email": "nia.new@example.nhs.uk",
        "role": "ward_staff",
        "wards": [world.wards["a1"].pk],
        "first_sign_in": "invite",
        "reason": WHY,
    } | overrides


def add_account(world, **overrides):
    client = signed_in_client(world.users["provider_admin"])
    return client.post(
        f"/administration/providers/{world.providers[0].pk}/accounts/add/", add_form(world, **overrides)
    )


def link_in(body: str) -> str:
    """The invitation's path, from the email's text."""
    found = LINK.search(body)
    assert found, body
    return "/account/" + found.group(0).split("/account/", 1)[1]


def choose(client: Client, path: str, password: str = CHOSEN, again: str | None = None):
    return client.post(
        path, {"new_password": password, "new_password_again": password if again is None else again}
    )


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.RRP_BASE_URL = "https://rrp.example.nhs.uk"


def test_an_invited_person_chooses_their_password_once_and_signs_in(world):
    response = add_account(world)
    assert response.status_code == 302
    account = User.objects.get(username="nia.new")
    assert not account.has_usable_password() and not account.password_change_required
    [message] = mail.outbox
    assert message.to == ["nia.new@example.nhs.uk"]
    assert "Your username is: nia.new" in message.body
    assert "The link works once, until" in message.body
    created = AuditEvent.objects.get(
        action=AuditAction.CREATE, record_type="accounts.User", record_id=str(account.pk)
    )
    assert created.detail["changes"]["first_sign_in"] == "invitation"
    sent = AuditEvent.objects.get(
        action=AuditAction.CHANGE, record_id=str(account.pk), detail__invitation="sent"
    )
    assert sent.actor_id == world.users["provider_admin"].pk
    assert sent.detail["reason"] == WHY and sent.detail["to"] == "nia.new@example.nhs.uk"
    line = audit_line(sent, patients_shown=False, patients={})
    assert (line.what, line.detail) == ("Invitation emailed", f"{account.username}. Why: {WHY}")

    path = link_in(message.body)
    person = Client()
    page = person.get(path)
    assert page.status_code == 200 and "nia.new" in page.content.decode()
    refused = choose(person, path, "password", "password")
    assert refused.status_code == 400 and "This password is too common." in refused.content.decode()
    mismatched = choose(person, path, CHOSEN, CHOSEN + "x")
    assert "Enter the same new password twice" in mismatched.content.decode()
    account.refresh_from_db()
    assert not account.has_usable_password()  # nothing saved by a refusal

    done = choose(person, path)
    assert done.status_code == 302 and done["Location"] == "/account/sign-in/?password_set=1"
    account.refresh_from_db()
    assert account.check_password(CHOSEN)
    assert AuditEvent.objects.filter(
        record_id=str(account.pk), detail__password="chosen from the invitation"
    ).exists()
    assert person.get(path).status_code == 410  # it worked once
    assert "has been used, has expired" in person.get(path).content.decode()

    signed_in = person.post(
        "/account/sign-in/", {"username": "nia.new", "password": CHOSEN, "next": "/wards/"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/wards/"
    assert person.get("/wards/").status_code == 200  # their own password: no change asked for


def test_sending_again_voids_the_earlier_link_and_a_link_expires(world, monkeypatch):
    add_account(world)
    account = User.objects.get(username="nia.new")
    first = link_in(mail.outbox[0].body)
    client = signed_in_client(world.users["provider_admin"])
    page = client.get(f"/administration/accounts/{account.pk}/").content.decode()
    assert "Send the invitation again" in page and "Invited on" in page
    response = client.post(f"/administration/accounts/{account.pk}/invitation/", {"reason": "Lost the email"})
    assert response.status_code == 302
    second = link_in(mail.outbox[1].body)
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200

    user, token = second.rstrip("/").split("/")[-2:]
    now = dt.datetime.now()
    monkeypatch.setattr(account_services.invitation_tokens, "_now", lambda: now + dt.timedelta(hours=71))
    assert account_services.invitation_user(user, token) == account
    monkeypatch.setattr(account_services.invitation_tokens, "_now", lambda: now + dt.timedelta(hours=73))
    assert account_services.invitation_user(user, token) is None
    assert account_services.invitation_user("not-base64!", token) is None


def test_a_deactivated_accounts_link_stops_working(world):
    add_account(world)
    path = link_in(mail.outbox[0].body)
    User.objects.filter(username="nia.new").update(is_active=False)
    assert Client().get(path).status_code == 410


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": ""}, "email", "Enter their email address: the invitation is sent to it"),
        (
            {"first_sign_in": "password", "password": ""},
            "password",
            "Enter a first password, or choose to email",
        ),
        ({"first_sign_in": ""}, "first_sign_in", "Choose the way they will first sign in"),
    ],
)
def test_an_account_without_what_its_first_sign_in_needs_is_refused_by_field(
    world, overrides, field, message
):
    response = add_account(world, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'href="#id_{field}' in response.content.decode()
    assert not User.objects.filter(username="nia.new").exists() and not mail.outbox


def test_an_invitation_is_refused_without_a_reason_an_address_or_for_a_deactivated_account(world):
    admin = world.users["provider_admin"]
    staff = world.users["ward_staff"]
    client = signed_in_client(admin)
    url = f"/administration/accounts/{staff.pk}/invitation/"
    assert "Enter why you are making this change" in client.post(url, {"reason": ""}).content.decode()
    User.objects.filter(pk=staff.pk).update(email="")
    no_address = client.post(url, {"reason": WHY})
    assert (
        no_address.status_code == 400 and "This account has no email address" in no_address.content.decode()
    )
    User.objects.filter(pk=staff.pk).update(email="s@example.nhs.uk", is_active=False)
    assert "This account is deactivated" in client.post(url, {"reason": WHY}).content.decode()
    assert not mail.outbox
    other = factories.user(role="provider_governance", provider=world.providers[1])
    assert client.get(f"/administration/accounts/{other.pk}/invitation/").status_code == 404
    with pytest.raises(Exception, match="cannot change"):
        services.user_invite(by=world.users["ward_manager"], account=staff, reason=WHY)


def test_a_first_password_set_by_an_administrator_is_replaced_at_the_first_sign_in(world):
    response = add_account(world, first_sign_in="password", password="a-long-first-password-9", email="")
    assert response.status_code == 302 and not mail.outbox
    account = User.objects.get(username="nia.new")
    assert account.password_change_required
    person = Client()
    person.post("/account/sign-in/", {"username": "nia.new", "password": "a-long-first-password-9"})
    sent_on = person.get("/wards/")
    assert sent_on.status_code == 302 and sent_on["Location"] == "/account/password/?next=%2Fwards%2F"
    form = {"next": "/wards/", "new_password": CHOSEN, "new_password_again": CHOSEN}
    wrong = person.post("/account/password/", form | {"current_password": "not-it"})
    assert wrong.status_code == 400 and "Enter your current password correctly" in wrong.content.decode()
    same = person.post(
        "/account/password/",
        form
        | {
            "current_password": "a-long-first-password-9",
            "new_password": "a-long-first-password-9",
            "new_password_again": "a-long-first-password-9",
        },
    )
    assert "Choose a new password, not the one you have now" in same.content.decode()
    done = person.post("/account/password/", form | {"current_password": "a-long-first-password-9"})
    assert done.status_code == 302 and done["Location"] == "/wards/"
    account.refresh_from_db()
    assert account.check_password(CHOSEN) and not account.password_change_required
    assert person.get("/wards/").status_code == 200  # still signed in, and free to go on
    event = AuditEvent.objects.filter(record_id=str(account.pk), action=AuditAction.CHANGE).latest("id")
    assert event.detail == {"password": "changed (first password from an administrator)"}
    assert audit_line(event, patients_shown=False, patients={}).what == (
        "Password changed (first password from an administrator)"
    )


def test_a_role_with_two_factor_gives_its_code_first_then_chooses_its_password(world):
    response = add_account(
        world,
        role="provider_governance",
        wards=[],
        first_sign_in="password",
        password="a-long-first-password-9",
    )
    assert response.status_code == 302
    person = Client()
    person.post("/account/sign-in/", {"username": "nia.new", "password": "a-long-first-password-9"})
    to_code = person.get("/wards/")
    assert to_code.status_code == 302 and to_code["Location"].startswith("/account/two-factor/")
    assert person.get(to_code["Location"]).status_code == 200  # the code's page, not sent round in a loop


def test_with_passwords_off_the_email_says_to_use_the_trust_account(world, settings):
    settings.SSO_ENABLED, settings.RRP_PASSWORD_SIGN_IN = True, False
    settings.RRP_OIDC_BUTTON_LABEL = "Sign in with your Trust account"
    page = signed_in_client(world.users["provider_admin"]).get(
        f"/administration/providers/{world.providers[0].pk}/accounts/add/"
    )
    assert 'name="password"' not in page.content.decode()
    assert add_account(world).status_code == 302
    account = User.objects.get(username="nia.new")
    assert not account.has_usable_password()
    [message] = mail.outbox
    assert "sign in with your trust account" in message.body
    assert '"Sign in with your Trust account"' in message.body
    assert "/account/invitation/" not in message.body
    assert AuditEvent.objects.get(detail__invitation="sent").detail["sign_in"] == "single_sign_on"
    # No email at all is a choice too.
    assert add_account(world, username="no.mail", first_sign_in="none").status_code == 302
    assert len(mail.outbox) == 1


def test_the_invitation_goes_through_a_real_smtp_server(world, smtp_sink):  # noqa: F811 - the shared fixture
    assert add_account(world).status_code == 302
    message = sent_to(smtp_sink)["nia.new@example.nhs.uk"]
    body = message.get_payload(decode=True).decode()
    assert message["Subject"] == "Your account on Reducing Restrictive Practice (RRP)"
    path = link_in(body)
    assert Client().get(path).status_code == 200


def test_a_mail_server_that_cannot_be_reached_keeps_the_account_and_says_so(world, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens here once the socket closes
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed, 2
    client = signed_in_client(world.users["provider_admin"])
    response = client.post(
        f"/administration/providers/{world.providers[0].pk}/accounts/add/", add_form(world)
    )
    account = User.objects.get(username="nia.new")
    assert response.status_code == 302 and response["Location"] == f"/administration/accounts/{account.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Account added, but the invitation was not sent" in page
    assert "No password yet: send them an invitation" in page
    assert account.invited_at is None
    failed = AuditEvent.objects.get(record_id=str(account.pk), detail__invitation="not_sent")
    assert "ConnectionRefusedError" in failed.detail["error"]
    assert (
        audit_line(failed, patients_shown=False, patients={}).what
        == "Invitation not sent: mail server failed"
    )


def test_two_invitations_sent_within_one_second_have_different_links(world):
    user = world.users["ward_staff"]
    user.invited_at = timezone.now().replace(microsecond=100)
    first = account_services.invitation_tokens.make_token(user)
    user.invited_at = user.invited_at.replace(microsecond=900)
    assert not account_services.invitation_tokens.check_token(user, first)
