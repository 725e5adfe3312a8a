"""The import-linter contract must name every other rrp package, or a new app could slip into rrp.spc."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_spc_contract_forbids_every_other_rrp_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [
        c for c in config["tool"]["importlinter"]["contracts"] if c["source_modules"] == ["rrp.spc"]
    ]
    packages = {f"rrp.{p.name}" for p in (ROOT / "src" / "rrp").iterdir() if (p / "__init__.py").exists()}
    missing = packages - {"rrp.spc"} - set(contract["forbidden_modules"])
    assert not missing, f"add {sorted(missing)} to forbidden_modules in pyproject.toml"
    assert {"django", "ninja"} <= set(contract["forbidden_modules"])
