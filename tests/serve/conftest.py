from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hook_requests import running

from compiler.serve.app import create_app

ROOT = Path(__file__).resolve().parents[2]
GRAPH_PATH = ROOT / "guidelines" / "fibromyalgia.graph.json"


@pytest.fixture(scope="session")
def graph() -> dict[str, Any]:
    decision_graph: dict[str, Any] = json.loads(GRAPH_PATH.read_text(encoding="utf-8"))
    return decision_graph


@pytest.fixture(scope="session")
def service_url(graph: dict[str, Any]) -> Iterator[str]:
    """The real service on uvicorn, on a free loopback port, for the whole session."""
    with running(create_app([graph])) as base:
        yield base
