"""Fixtures for the guideline case tests: each guideline compiled once, loaded by the runtime.

The graph goes the way an embedding developer gets it: the compiler writes the
graph JSON into a temporary directory and the runtime loads that file
(``fibrolang.load``); nothing of the compiler is used at evaluation time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import fibrolang
from compiler import api
from compiler.backends.graph_json import dumps

GUIDELINES = Path(__file__).resolve().parents[2] / "guidelines"


@pytest.fixture(scope="session")
def guideline_graph(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], fibrolang.Guideline]:
    """``guideline_graph("fibromyalgia")``: the loaded graph of guidelines/fibromyalgia.fibro."""
    directory = tmp_path_factory.mktemp("graphs")
    loaded: dict[str, fibrolang.Guideline] = {}

    def load(name: str) -> fibrolang.Guideline:
        if name not in loaded:
            graph = api.compile_file(GUIDELINES / f"{name}.fibro")
            path = directory / f"{name}.json"
            path.write_text(dumps(graph), encoding="utf-8")
            loaded[name] = fibrolang.load(path)
        return loaded[name]

    return load
