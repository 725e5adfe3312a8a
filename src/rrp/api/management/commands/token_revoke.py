"""rrp token revoke PREFIX | --user USERNAME — stop API tokens working, audited."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.api.selectors import tokens_for_administration
from rrp.api.services import api_token_revoke
from rrp.core.validation.cli import bad_input


class Command(BaseCommand):
    help = (
        "Revoke an API token by the prefix shown when it was made and on the API tokens page "
        "(e.g. rrp_3q1mAbCd), or every usable token of a user with --user. Revoked tokens get 401 at once; "
        "each revocation is on the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("prefix", nargs="?", help="The token's first 12 characters, e.g. rrp_3q1mAbCd")
        target.add_argument("--user", help="Revoke every usable token of this username")

    def handle(self, *args: object, **options: object) -> None:
        tokens = tokens_for_administration()
        if options["user"]:
            found = list(tokens.filter(user__username=options["user"], revoked_at__isnull=True))
            if not found and not tokens.filter(user__username=options["user"]).exists():
                raise bad_input(f"No token belongs to a user named {options['user']!r}")
        else:
            prefix = str(options["prefix"]).strip()
            if len(prefix) != 12 or not prefix.startswith("rrp_"):
                raise bad_input(
                    f"{prefix!r} is not a token prefix: give its first 12 characters, e.g. rrp_3q1mAbCd"
                )
            found = list(tokens.filter(prefix=prefix))
            if not found:
                raise bad_input(f"No token has the prefix {prefix!r}")
            if len(found) > 1:
                raise bad_input(
                    f"{len(found)} tokens have the prefix {prefix!r}; revoke them by user with --user"
                )
        for token in found:
            already = token.revoked_at is not None
            api_token_revoke(token=token, by=None)
            state = "was already revoked" if already else "is revoked"
            self.stdout.write(f"Token {token.prefix}… for {token.user.get_username()} {state}.")
        if not found:
            self.stdout.write(f"{options['user']} has no usable tokens; nothing to revoke.")
