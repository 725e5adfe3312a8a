"""docs/go-live.md's `rrp` commands are ones RRP takes: each is parsed by its management command's own
parser, so a required option the page leaves out (`--provider` on the imports, as the go-live walk of
decision 0083 found) or a command renamed fails here rather than at a trust's first try."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.core.management.base import CommandError

from rrp.cli.main import to_management_argv

GO_LIVE = Path(__file__).resolve().parents[2] / "docs" / "go-live.md"
# A command line or code span that runs `rrp` (after any VAR=value settings), up to a shell comment or `&`.
COMMAND = re.compile(r"^(?:[A-Z_]+=\S+\s+)*(?:\.venv/bin/)?rrp ([a-z][^#&]*)")


def go_live_commands() -> list[str]:
    """The commands of the steps (not of "Checked", which tells what was run in words): each line of the
    shell blocks, and each inline code span, joined where the page wraps it."""
    steps = GO_LIVE.read_text().split("## Checked")[0]
    blocks = re.findall(r"```sh\n(.*?)```", steps, re.S)
    prose = re.sub(r"```sh\n.*?```", "", steps, flags=re.S)
    spans = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return sorted({m.group(1).strip() for text in [*lines, *spans] if (m := COMMAND.match(text))})


def test_the_page_has_its_commands():
    commands = go_live_commands()
    assert "migrate --no-input" in commands
    assert any(c.startswith("import ward-stays") for c in commands)


@pytest.mark.parametrize("command", go_live_commands())
def test_each_command_parses(command):
    argv = to_management_argv(shlex.split(command))
    name, args = argv[0], argv[1:]
    assert name in get_commands(), f"rrp {command}: no command {name}"
    parser = load_command_class(get_commands()[name], name).create_parser("rrp", name)
    try:
        parser.parse_args(args)
    except CommandError as error:
        pytest.fail(f"rrp {command}: {error}")
