"""docs/roles.md is generated from rrp.accounts.roles (`rrp roles-doc > docs/roles.md`) and kept in step."""

from __future__ import annotations

from pathlib import Path

from rrp.accounts.management.commands.roles_doc import roles_markdown
from rrp.accounts.roles import Permission

ROLES_DOC = Path(__file__).resolve().parents[2] / "docs" / "roles.md"


def test_roles_doc_is_up_to_date():
    assert ROLES_DOC.read_text() == roles_markdown(), "run: rrp roles-doc > docs/roles.md"


def test_roles_doc_lists_every_permission_with_its_holders():
    text = roles_markdown()
    assert all(f"| `{permission.name}` |" in text for permission in Permission)
    assert "| `AIM_SET` | Record and withdraw the reduction aims of their provider" in text
    assert (
        text.split("| `AIM_SET` |")[1]
        .split("\n")[0]
        .endswith("| yes | its figures seen | Provider governance |")
    )
