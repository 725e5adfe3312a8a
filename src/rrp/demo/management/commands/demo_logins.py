"""`rrp demo-logins`: print the demo logins, their password and current two-factor codes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.accounts.models import User
from rrp.demo.logins import DEMO_PASSWORD, DEMO_USERNAMES, totp_current_code, totp_secret_base32


class Command(BaseCommand):
    help = "Print the demo logins (demo mode only): username, role, password, and TOTP secret and code."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Demo logins are only shown in demo mode (RRP_DEMO=1).")
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
        if not users:
            raise CommandError("There are no demo logins yet: run `rrp demo-data` first.")
        devices = {
            d.user_id: d
            for d in TOTPDevice.objects.filter(user__in=users.values(), confirmed=True).order_by("pk")
        }
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for username in DEMO_USERNAMES:
            user = users.get(username)
            if user is None:
                continue
            line = f"  {username:<14} {user.role_label:<28}"
            device = devices.get(user.pk)
            if device is not None:
                line += f" TOTP secret {totp_secret_base32(device)}  code now {totp_current_code(device)}"
            self.stdout.write(line)
