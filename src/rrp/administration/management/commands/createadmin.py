"""rrp createadmin --username NAME — the first system administrator of a new installation (docs/go-live.md).

Everything else is then set up on the administration pages. The password is read from standard input
(``--password-stdin``, for scripts) or asked for twice at the terminal; it is checked by the same rules as
every password. Refuses (exit 2) a taken username or a weak password; audited as created on the command
line.
"""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.core.models import AuditAction
from rrp.core.services import audit_record


class Command(BaseCommand):
    help = "Create a system administrator (the first account of a new installation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="What they type to sign in")
        parser.add_argument("--email", default="", help="Their email address (optional)")
        parser.add_argument("--first-name", default="", help="Their first name (optional)")
        parser.add_argument("--last-name", default="", help="Their last name (optional)")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input, not a prompt",
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise CommandError("password: the two passwords differ; nothing was created", returncode=2)
        return first

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"]).strip()
        if not username:
            raise CommandError("--username: enter a username", returncode=2)
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"--username: {username!r} is taken; nothing was created", returncode=2)
        account = User(
            username=username,
            email=str(options["email"]).strip(),
            first_name=str(options["first_name"]).strip(),
            last_name=str(options["last_name"]).strip(),
            role=Role.SYSTEM_ADMIN,
        )
        password = self._password(bool(options["password_stdin"]))
        try:
            validate_password(password, account)
        except ValidationError as weak:
            raise CommandError("password: " + " ".join(weak.messages), returncode=2) from weak
        with transaction.atomic():
            account.set_password(password)
            account.save()
            audit_record(
                actor=None,
                action=AuditAction.CREATE,
                record=account,
                detail={
                    "reason": "System administrator created with rrp createadmin",
                    "changes": {"role": "system_admin"},
                },
            )
        self.stderr.write(
            f"System administrator {username} created. Sign in at /account/sign-in/: you will set up two-factor "
            "sign-in with an authenticator app the first time."
        )
