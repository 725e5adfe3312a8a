"""docs/architecture.md's layers and "depends on" table are written by scripts/architecture.py from the
layers contract and the real imports, and `make check` (its --check) fails when they drift."""

from __future__ import annotations

from scripts import architecture


def test_architecture_doc_is_up_to_date_with_the_contract_and_the_imports():
    document = architecture.DOC.read_text()
    assert architecture.updated(document) == document, (
        "run `make architecture` and commit docs/architecture.md"
    )
    assert architecture.undescribed(document) == []


def test_a_stale_dependency_table_is_rewritten():
    document = architecture.DOC.read_text()
    stale = document.replace(
        "| `figures` | figures | `core` |", "| `figures` | figures | `core`, `measures` |"
    )
    assert stale != document
    assert architecture.updated(stale) == document


def test_every_layer_of_the_contract_is_drawn_and_every_app_has_a_row():
    generated = architecture.generate()
    layers, independent = architecture.read_contract()
    for layer in layers:
        assert f"│  {layer.text}" in generated
    for app in [app for layer in layers for app in layer.apps] + independent:
        assert f"| `{app}` |" in generated


def test_an_app_missing_from_what_each_app_holds_is_named():
    document = architecture.DOC.read_text()
    holds = document.split(architecture.HOLDS_HEADING)[1]
    row = next(line for line in holds.splitlines() if line.startswith("| `figures` |"))
    assert architecture.undescribed(document.replace(row + "\n", "")) == ["figures"]


def test_check_mode_fails_on_a_stale_document(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "architecture.md"
    current = architecture.DOC.read_text()
    # The core row's first cells, whatever core imports: the test must really change the document.
    assert "| `core` | core |" in current
    stale.write_text(current.replace("| `core` | core |", "| `core` | core | ? |", 1))
    monkeypatch.setattr(architecture, "DOC", stale)
    monkeypatch.setattr(architecture, "ROOT", tmp_path)
    assert architecture.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
