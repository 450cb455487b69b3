"""Shared fixtures: paths into the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GUIDELINES = ROOT / "guidelines"


@pytest.fixture
def root() -> Path:
    return ROOT
