"""The `rrp` console command: a thin wrapper over Django's management commands.

`rrp spc ...` runs the SPC engine's command line without starting Django (it must be fast); every
other command is a management command, with a few multi-word commands mapped to their names:

    rrp import bed-days FILE.csv      -> manage.py import_bed_days FILE.csv
    rrp demo-data --providers 3 ...   -> manage.py demo_data --providers 3 ...
    rrp token create --user NAME      -> manage.py token_create --user NAME
    rrp token revoke PREFIX           -> manage.py token_revoke PREFIX
    rrp reviews due                   -> manage.py reviews_due
    rrp measures list --format csv    -> manage.py measures_list --format csv
    rrp <anything else>               -> manage.py <anything else> (migrate, runserver, ...)
"""

from __future__ import annotations

import os
import sys

# Commands of two words ("import bed-days") become one management command ("import_bed_days").
GROUPED_COMMANDS = {"import", "token", "reviews", "benchmark", "export", "measures"}


def to_management_argv(argv: list[str]) -> list[str]:
    """Translate `rrp` arguments into Django management-command arguments."""
    if not argv:
        return ["help"]
    first, rest = argv[0], argv[1:]
    if first in GROUPED_COMMANDS and rest and not rest[0].startswith("-"):
        return [f"{first}_{rest[0].replace('-', '_')}", *rest[1:]]
    return [first.replace("-", "_"), *rest]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rrp` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "spc":
        from rrp.cli.spc import main as spc_main

        return spc_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rrp", *to_management_argv(argv)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
