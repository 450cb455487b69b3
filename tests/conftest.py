"""Shared fixtures: paths into the repository, and the golden files' update mode."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GUIDELINES = ROOT / "guidelines"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden files (tests/*/goldens: rendered diagnostics) instead of comparing "
        "with them; review their diff before committing",
    )


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def _own_proof_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets an empty proof cache of its own (compiler/proof_cache.py), inherited by
    the commands it runs: no test reads what another, or the developer's own checks, left."""
    monkeypatch.setenv("FIBROLANG_CACHE_DIR", str(tmp_path_factory.mktemp("proof_cache")))


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True under ``pytest --update-goldens`` (tests/support/goldens.py)."""
    return bool(request.config.getoption("--update-goldens"))
