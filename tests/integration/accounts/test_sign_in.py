"""Signing in: passwords, two-factor for wide roles, throttling, and session lifetime."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.core.models import AuditAction, AuditEvent
from tests.helpers import signed_in_client


def sign_in(client: Client, username: str, password: str = "correct-horse-battery"):
    return client.post(
        "/account/sign-in/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9"
    )


def test_single_ward_staff_sign_in_without_second_factor(world):
    client = Client()
    response = sign_in(client, world.users["ward_staff"].username)
    assert response.status_code == 302
    assert client.get("/wards/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.SIGN_IN, actor_id=world.users["ward_staff"].pk
    ).exists()


def test_wrong_password_says_so_and_is_audited(world):
    response = sign_in(Client(), world.users["ward_staff"].username, "wrong")
    assert response.status_code == 400
    assert "Enter a correct username and password" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).exists()


@pytest.mark.parametrize(
    "role", ["provider_governance", "regulator", "system_admin", "ward_manager", "commissioner"]
)
def test_wide_roles_must_pass_two_factor(world, role):
    user = world.users[role]
    client = Client()
    sign_in(client, user.username)
    response = client.get("/wards/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    setup = client.get("/account/two-factor/")
    assert "Scan this code" in setup.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert client.post("/account/two-factor/", {"code": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try wait after a failure
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/account/two-factor/", {"code": code, "next": "/"}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_a_commissioner_signed_in_before_two_factor_was_required_sets_it_up_next(world):
    """Decision 0083: nothing is stored per account, so a commissioner whose session began with a password
    alone (before commissioners needed a second factor) is sent to set up an authenticator app at their
    next request, and reaches neither the oversight page nor a recommendation's status form until then."""
    commissioner = world.users["commissioner"]
    client = Client()
    client.force_login(commissioner)  # a session from before: password only, no device verified
    session = client.session
    session["signed_in_at"] = time.time()
    session.save()
    for path in ("/segregation/oversight/", "/segregation/oversight/recommendations/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/account/two-factor/?next={path}"
    setup = client.get("/account/two-factor/").content.decode()
    assert "Scan this code" in setup
    assert "more than one ward's patients" not in setup  # not why a commissioner needs it
    assert not TOTPDevice.objects.get(user=commissioner).confirmed


def test_a_commissioner_password_sign_in_is_audited_as_awaiting_the_second_factor(world):
    commissioner = world.users["commissioner"]
    sign_in(Client(), commissioner.username)
    actions = set(AuditEvent.objects.filter(actor_id=commissioner.pk).values_list("action", flat=True))
    assert AuditAction.PASSWORD_ACCEPTED in actions and AuditAction.SIGN_IN not in actions


def test_repeated_failures_lock_the_account_out(world):
    client = Client()
    username = world.users["ward_staff"].username
    for _ in range(5):
        sign_in(client, username, "wrong")
    response = sign_in(client, username)  # even the right password is refused while locked
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_session_ends_after_the_absolute_lifetime(world, settings):
    client = signed_in_client(world.users["ward_staff"])
    session = client.session
    session["signed_in_at"] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/wards/")
    assert response.status_code == 302 and "expired=1" in response["Location"]


def test_sign_out_needs_a_post_and_ends_the_session(world):
    client = signed_in_client(world.users["ward_staff"])
    assert client.get("/account/sign-out/").status_code == 200
    assert client.post("/account/sign-out/").status_code == 302
    assert client.get("/wards/").status_code == 302


def test_security_headers_are_sent(world):
    response = signed_in_client(world.users["ward_staff"]).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
