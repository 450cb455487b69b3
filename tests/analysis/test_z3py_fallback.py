"""Where z3py keeps its C functions elsewhere (``compiler.analysis.capi.AVAILABLE`` false), the
analysis builds and reads its terms through z3py alone (``encode._FAST``): the diagnostics are
exactly those of the C-API paths, on the guidelines and on the analysis cases that fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler import api
from compiler.analysis import analyse, capi, encode
from compiler.diagnostics.catalogue import Diagnostic

ROOT = Path(__file__).resolve().parents[2]
SUBJECTS = sorted(
    [*(ROOT / "guidelines").glob("*.fibro"), *(ROOT / "tests" / "analysis" / "cases").glob("*.fibro")]
)


def proved(path: Path) -> list[Diagnostic]:
    checked = api.check_file(path)
    assert checked.ok and checked.guideline is not None, path
    graph = api.graph_to_prove(checked)
    assert not isinstance(graph, list), graph
    return analyse(graph, checked.guideline)


@pytest.mark.parametrize("path", SUBJECTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_z3py_alone_gives_the_same_diagnostics(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert capi.AVAILABLE and encode._FAST  # the fast paths are the ones in use here
    fast = proved(path)
    monkeypatch.setattr(capi, "AVAILABLE", False)
    monkeypatch.setattr(encode, "_FAST", False)
    assert proved(path) == fast


def test_the_cases_fail() -> None:
    failing = [p for p in SUBJECTS if p.parent.name == "cases" and proved(p)]
    assert len(failing) >= 6
