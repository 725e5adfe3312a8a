"""Shared fixtures for the SPC engine tests (no Django, no database)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
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


def weekly(n: int, start: str = "2023-01-02") -> np.ndarray:
    return np.datetime64(start) + np.arange(n) * np.timedelta64(7, "D")
