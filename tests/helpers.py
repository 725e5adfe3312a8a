"""Signing in test clients as a role would, including the second factor."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.accounts.models import User


def signed_in_client(user: User) -> Client:
    """A client signed in as `user`, with the second factor done where the role needs it."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["signed_in_at"] = time.time()
    if user.requires_two_factor:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
