"""Shared fixtures. Every test gets its own C360_HOME; no test reads the developer's .c360."""

from __future__ import annotations

import datetime as dt

import pytest

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def c360_env(tmp_path, monkeypatch):
    """A small, fixed portfolio in a temporary home; returns the home path."""
    home = tmp_path / "home"
    for name, value in {
        "C360_HOME": str(home), "C360_CUSTOMERS": "500", "C360_MONTHS": "3", "C360_SEED": "7",
        "C360_AS_OF": AS_OF.isoformat(), "C360_TARGET": "local",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("C360_S3_ENDPOINT_URL", "C360_ON_ERROR", "C360_S3_BUCKET"):
        monkeypatch.delenv(name, raising=False)
    return home
