"""rrp token create --user USERNAME — make an API bearer token and print it once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rrp.accounts.models import User
from rrp.api.services import api_token_create


class Command(BaseCommand):
    help = "Make an API bearer token for a user. The token is printed once and only its hash is kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The username the token acts as")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'Datix nightly import'")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=365,
            help="Days until the token stops working (default 365)",
        )
        parser.add_argument("--no-expiry", action="store_true", help="Make a token that never expires")

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user has the username {options['user']!r}")
        try:
            row, token = api_token_create(
                user=user,
                by=None,
                name=str(options["name"]),
                expires_in_days=None if options["no_expiry"] else int(options["expires_in_days"]),
            )
        except ValidationError as invalid:
            raise CommandError("; ".join(m for ms in invalid.message_dict.values() for m in ms)) from invalid
        self.stdout.write(token)
        expiry = f"expires {row.expires_at:%Y-%m-%d %H:%M %Z}" if row.expires_at else "never expires"
        self.stderr.write(
            f"Token {row.prefix}… for {user.get_username()} ({user.get_role_display()}), {expiry}. "
            "Copy it now: it is not stored and cannot be shown again."
        )
