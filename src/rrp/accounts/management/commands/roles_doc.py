"""rrp roles-doc — docs/roles.md, the roles and what each permission allows, from rrp.accounts.roles.

The table in the code is the truth; the doc is generated from it (``rrp roles-doc > docs/roles.md``) and a
test fails when the two differ, so the doc cannot drift.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from rrp.accounts.roles import PERMISSION_DEFINITIONS, ROLE_DEFINITIONS, TWO_FACTOR_ROLES, Role
from rrp.accounts.scope import WARD_ROLES


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _two_factor(role: Role) -> str:
    if role in TWO_FACTOR_ROLES:
        return "yes"
    return "when linked to more than one ward" if role in WARD_ROLES else "no"


def roles_markdown() -> str:
    """The roles and permissions as Markdown tables, in the order the code lists them."""
    lines = [
        "# Roles and permissions",
        "",
        "Generated from `src/rrp/accounts/roles.py` by `rrp roles-doc > docs/roles.md`; a test fails when",
        "this file and the code differ. A role fixes what a person may do; their organisation links (wards,",
        "provider, commissioner, collaboratives) fix where (`accounts.scope`). Every page, service, API call",
        "and template asks `accounts.permissions.has_permission` (docs/decisions/0012-authorisation.md).",
        "",
        "## Roles",
        "",
        "| role | who | read-only | sees patient identifiers | two-factor sign-in |",
        "| --- | --- | --- | --- | --- |",
    ]
    for role, definition in ROLE_DEFINITIONS.items():
        lines.append(
            f"| {role.label} (`{role.value}`) | {definition.description} | {_yes(definition.read_only)} "
            f"| {_yes(definition.sees_patient_identifiers)} | {_two_factor(role)} |"
        )
    lines += [
        "",
        "## Permissions",
        "",
        "*Writes*: a read-only role never holds it. *Ward given*: what `has_permission(..., ward=ward)` asks",
        "of the ward: one whose patients the user sees by name, or one whose figures they see.",
        "",
        "| permission | what it allows | writes | ward given | roles |",
        "| --- | --- | --- | --- | --- |",
    ]
    for permission, definition in PERMISSION_DEFINITIONS.items():
        holders = [r.role.label for r in ROLE_DEFINITIONS.values() if permission in r.permissions]
        ward = "its patients seen" if definition.patients else "its figures seen"
        lines.append(
            f"| `{permission.name}` | {definition.description} | {_yes(definition.writes)} | {ward} "
            f"| {', '.join(holders) or 'none'} |"
        )
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print docs/roles.md: the roles and what each permission allows, from rrp.accounts.roles."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(roles_markdown(), ending="")
