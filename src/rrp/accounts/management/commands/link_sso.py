"""rrp link-sso USERNAME SUBJECT — link an RRP account to its single sign-on identity, audited."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from rrp.accounts.models import User
from rrp.accounts.services import SubjectTaken, user_link_sso
from rrp.core.validation.cli import bad_input


class Command(BaseCommand):
    help = (
        "Link an RRP account to the identity provider's stable identifier for that person: the value of the "
        "claim RRP_OIDC_SUBJECT_CLAIM names (`sub` by default; the object ID, `oid`, for Microsoft Entra ID). "
        "Someone whose identity is not linked is refused at sign-in; their refusal page shows the identifier "
        "to give here. --unlink removes the link. Every change is on the audit log (docs/sso.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The RRP account's username")
        parser.add_argument("subject", nargs="?", default="", help="The identity provider's identifier")
        parser.add_argument("--unlink", action="store_true", help="Remove the account's link instead")

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        subject = str(options["subject"]).strip()
        if options["unlink"] and subject:
            raise bad_input("Give either a subject to link or --unlink, not both")
        if not options["unlink"] and not subject:
            raise bad_input("subject: give the identity provider's identifier for this person (or --unlink)")
        if len(subject) > 255:
            raise bad_input(f"subject: at most 255 characters, not {len(subject)}")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise bad_input(f"username: no RRP account is called {username!r}")
        try:
            user_link_sso(user=user, subject=subject)
        except SubjectTaken as error:
            raise bad_input(f"subject: {error}") from error
        if subject:
            self.stdout.write(f"{username} now signs in through single sign-on as {subject}.")
        else:
            self.stdout.write(f"{username} is no longer linked to a single sign-on identity.")
        if not user.is_active:
            self.stdout.write(f"{username} is deactivated: they will be refused until reactivated.")
