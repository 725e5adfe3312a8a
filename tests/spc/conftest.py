"""Shared fixtures for the SPC engine tests (no Django, no database)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parent / "data"
REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_real_data() -> Path:
    """../shared/real-data beside the repository (override with RRP_SHARED_DIR)."""
    override = os.environ.get("RRP_SHARED_DIR")
    base = Path(override) if override else REPO_ROOT / ".." / "shared"
    return (base / "real-data").resolve()


@pytest.fixture
def montgomery():
    def load(name: str) -> pd.DataFrame:
        return pd.read_csv(DATA / name)

    return load
