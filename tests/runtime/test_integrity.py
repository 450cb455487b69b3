"""The graph's integrity hash (``graph_hash``, fibrolang/integrity.py): a graph changed after
it was compiled is refused by ``fibrolang.load`` unless the caller opts out."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import graphs as g
import pytest

import fibrolang
from fibrolang import integrity
from fibrolang.expression_text import render
from fibrolang.expressions import Expression
from fibrolang.graph import ActionNode, DecisionNode

ROOT = Path(__file__).resolve().parents[2]
GRAPH = ROOT / "guidelines" / "fibromyalgia.graph.json"
PATIENT = json.loads((ROOT / "guidelines" / "patients" / "fibromyalgia-example.json").read_text("utf-8"))

# `duloxetine_contraindicated`: `chronic_liver_disease or egfr < 30 mL/min/1.73m2`, its first
# appearance in the committed graph's text.
THRESHOLD = re.compile(
    r'("name": "egfr",\n\s+"op": "input"\n\s+\},\n\s+"op": "<",\n\s+"right": \{\n'
    r'\s+"op": "const",\n\s+"unit": "mL/min/1.73m2",\n\s+"value": )30\n'
)


def _tampered_text() -> str:
    text = GRAPH.read_text(encoding="utf-8")
    tampered, count = THRESHOLD.subn(r"\g<1>3\n", text, count=1)
    assert count == 1, "the egfr < 30 threshold is no longer where this test looks for it"
    return tampered


def test_the_committed_graphs_carry_the_hash_of_their_content() -> None:
    for path in sorted((ROOT / "guidelines").glob("*.graph.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["graph_hash"] == integrity.graph_hash(document), path
        fibrolang.load(path)


def test_a_threshold_changed_from_30_to_3_in_a_committed_graph_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fibromyalgia.graph.json"
    path.write_text(_tampered_text(), encoding="utf-8")
    with pytest.raises(fibrolang.GraphIntegrityError) as caught:
        fibrolang.load(path)
    assert isinstance(caught.value, fibrolang.GuidelineError)
    message = str(caught.value)
    assert f"graph file {path} fails its integrity check" in message
    assert "changed after it was compiled" in message
    assert [problem.code for problem in caught.value.problems] == ["graph_hash_mismatch"]
    # the same edit in a parsed dict is refused too, the unedited dict loads
    assert fibrolang.load(json.loads(GRAPH.read_text(encoding="utf-8"))).evaluate(PATIENT)
    with pytest.raises(fibrolang.GraphIntegrityError):
        fibrolang.load(json.loads(_tampered_text()))


def test_the_opt_out_loads_a_changed_graph_for_development(tmp_path: Path) -> None:
    path = tmp_path / "fibromyalgia.graph.json"
    path.write_text(_tampered_text(), encoding="utf-8")
    assert "egfr < 30 mL/min/1.73m2" in _guards(fibrolang.load(GRAPH))
    changed = _guards(fibrolang.load(path, verify=False))
    assert "egfr < 3 mL/min/1.73m2" in changed and "egfr < 30 mL/min/1.73m2" not in changed


def _guards(guideline: fibrolang.Guideline) -> str:
    """Every definition and every branch and item guard of the graph, rendered, one a line."""
    guards: list[Expression | None] = [definition.expr for definition in guideline.graph.definitions]
    for node in guideline.graph.nodes:
        if isinstance(node, DecisionNode):
            guards += [branch.guard for branch in node.branches]
        elif isinstance(node, ActionNode):
            guards += [item.guard for item in node.items]
    return "\n".join(render(guard) for guard in guards if guard is not None)


def test_a_graph_without_a_hash_is_refused_unless_the_caller_opts_out() -> None:
    document = json.loads(GRAPH.read_text(encoding="utf-8"))
    del document["graph_hash"]
    with pytest.raises(fibrolang.GraphIntegrityError, match="carries no graph_hash"):
        fibrolang.load(document)
    assert fibrolang.load(document, verify=False).evaluate(PATIENT).status == "ok"


def test_another_layout_of_the_same_content_is_accepted(tmp_path: Path) -> None:
    document = json.loads(GRAPH.read_text(encoding="utf-8"))
    layouts = {
        "indent4.json": json.dumps(document, indent=4),
        "compact.json": json.dumps(document, separators=(",", ":")),
        "crlf.json": GRAPH.read_text(encoding="utf-8").replace("\n", "\r\n"),
    }
    expected = fibrolang.load(GRAPH).evaluate(PATIENT).to_dict()
    for name, text in layouts.items():
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        assert fibrolang.load(path).evaluate(PATIENT).to_dict() == expected, name


def test_the_fast_check_of_the_bytes_read_agrees_with_the_definition() -> None:
    """The canonical file minus its graph_hash line is the canonical text of the graph
    without that field: hashing the bytes read is hashing the definition's text."""
    raw = GRAPH.read_bytes()
    document = json.loads(raw)
    line = f'  "graph_hash": "{document["graph_hash"]}",\n'.encode()
    assert raw.count(line) == 1
    without = {key: value for key, value in document.items() if key != "graph_hash"}
    assert raw.replace(line, b"") == integrity.canonical_text(without).encode("utf-8")
    assert integrity.with_graph_hash(without) == document


@pytest.mark.parametrize(
    "hostile",
    [
        {"graph_hash": 5},
        {"graph_hash": "sha256:" + "0" * 64, "nodes": {1: "x", "a": "y"}},  # keys not sortable
        {"graph_hash": "sha256:" + "0" * 64, "nodes": float("nan")},
    ],
)
def test_a_hostile_dict_is_a_guideline_error_never_a_crash(hostile: dict[str, Any]) -> None:
    with pytest.raises(fibrolang.GraphIntegrityError):
        fibrolang.load(hostile)


def test_hand_built_graphs_rehashed_after_a_change_load() -> None:
    document = g.tour_graph()
    document["guideline"]["version"] = "9.9.9"
    with pytest.raises(fibrolang.GraphIntegrityError):
        fibrolang.load(document)
    assert fibrolang.load(g.hashed(document)).version == "9.9.9"


def test_a_hash_that_is_not_even_a_hash_is_a_mismatch(tmp_path: Path) -> None:
    text = GRAPH.read_text(encoding="utf-8")
    recorded = json.loads(text)["graph_hash"]
    for forged in ("\\ud800", "sha256:" + "g" * 64, ""):
        path = tmp_path / "graph.json"
        path.write_text(text.replace(recorded, forged), encoding="utf-8")
        with pytest.raises(fibrolang.GraphIntegrityError) as caught:
            fibrolang.load(path)
        assert [problem.code for problem in caught.value.problems] == ["graph_hash_mismatch"]
