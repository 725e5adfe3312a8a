"""The import-linter contracts must name every rrp package, or a new app could slip past them: into
rrp.spc or rrp.charts (which must stay free of Django and the rest of rrp), or outside the layers."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
INDEPENDENT = {"spc", "charts"}
# The only libraries (beyond the standard library and each other) the independent packages may import:
# a forbidden contract cannot say "only", so this test does.
LIBRARIES_ALLOWED = {"spc": {"numpy"}, "charts": {"numpy", "altair", "vl_convert"}}


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def _packages() -> set[str]:
    return {p.name for p in (ROOT / "src" / "rrp").iterdir() if (p / "__init__.py").exists()}


def _forbidden_contract(source: str) -> dict:
    (contract,) = [c for c in _contracts() if c.get("source_modules") == [f"rrp.{source}"]]
    return contract


def _layers_contract() -> dict:
    (contract,) = [c for c in _contracts() if c["type"] == "layers"]
    return contract


def test_spc_contract_forbids_every_other_rrp_package():
    contract = _forbidden_contract("spc")
    missing = {f"rrp.{p}" for p in _packages() - {"spc"}} - set(contract["forbidden_modules"])
    assert not missing, f"add {sorted(missing)} to forbidden_modules in pyproject.toml"
    assert {"django", "ninja"} <= set(contract["forbidden_modules"])


def test_charts_contract_forbids_every_rrp_package_but_spc():
    contract = _forbidden_contract("charts")
    missing = {f"rrp.{p}" for p in _packages() - {"charts", "spc"}} - set(contract["forbidden_modules"])
    assert not missing, f"add {sorted(missing)} to forbidden_modules in pyproject.toml"
    assert {"django", "ninja"} <= set(contract["forbidden_modules"])
    assert "rrp.spc" not in contract["forbidden_modules"]


def test_layers_contract_places_every_app_once():
    contract = _layers_contract()
    assert contract["containers"] == ["rrp"]
    assert contract.get("exhaustive") is True
    assert set(contract["exhaustive_ignores"]) == INDEPENDENT
    placed = [name for layer in contract["layers"] for name in re.split(r"[|:]", layer.replace(" ", ""))]
    assert len(placed) == len(set(placed)), f"an app is in two layers: {placed}"
    missing = _packages() - INDEPENDENT - set(placed)
    assert not missing, f"add {sorted(missing)} to a layer of the layers contract in pyproject.toml"
    assert not set(placed) - _packages(), "the layers contract names an app that does not exist"


def test_layers_contract_ignores_no_import():
    # Every import against the layers was removed by moving code (decision 0011); one that must stay
    # would be named here and in the decision with its reason.
    assert not _layers_contract().get("ignore_imports")


def test_layers_contract_keeps_demo_over_the_apps_and_core_under_them():
    layers = [layer.replace(" ", "") for layer in _layers_contract()["layers"]]
    assert layers[0] == "config|cli"
    assert layers[1] == "demo"
    assert layers[-1] == "core"


@pytest.mark.parametrize("package", sorted(LIBRARIES_ALLOWED))
def test_independent_package_imports_only_its_libraries(package):
    graph = grimp.build_graph("rrp", include_external_packages=True, cache_dir=None)
    imported = {
        name.split(".")[0]
        for module in graph.find_descendants(f"rrp.{package}") | {f"rrp.{package}"}
        for name in graph.find_modules_directly_imported_by(module)
    }
    libraries = {name for name in imported if name not in sys.stdlib_module_names} - {"rrp", "__future__"}
    assert libraries <= LIBRARIES_ALLOWED[package], f"rrp.{package} imports {sorted(libraries)}"
