"""UI test fixtures: a temporary config dir and data dir for every test (never the user's
settings or sessions)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def tmp_config_dir(tmp_path, monkeypatch):
    d = tmp_path / "config"
    monkeypatch.setenv("GAITCOACH_CONFIG_DIR", str(d))
    return d


@pytest.fixture(autouse=True)
def tmp_data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("GAITCOACH_DATA_DIR", str(d))
    return d
