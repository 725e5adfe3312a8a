"""The command-line adapter: bad input ends a management command with a message and exit status 2
(the status argparse and ``rrp spc`` use for bad input), never a traceback."""

from __future__ import annotations

from django.core.management.base import CommandError

#: The exit status of every RRP command given bad input.
BAD_INPUT = 2


def bad_input(message: str) -> CommandError:
    """The CommandError to raise for bad input: Django prints the message and exits with status 2."""
    return CommandError(message, returncode=BAD_INPUT)
