"""The flowchart backend: DOT snapshots, SVG read back, highlighting, hostile text."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import fibrolang
from compiler import api
from compiler.backends.flowchart.dot import render_dot, stages, trace_from_dict
from compiler.backends.flowchart.dot_text import escape, identifier
from compiler.backends.flowchart.files import flowchart_bytes, write_flowchart
from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
GUIDELINES = {
    "tour": ROOT / "tests" / "fixtures" / "tour.fibro",
    "hostile": ROOT / "tests" / "fixtures" / "hostile.fibro",
    "fibromyalgia": ROOT / "guidelines" / "fibromyalgia.fibro",
    "acr2016": ROOT / "guidelines" / "acr2016.fibro",
}
SVG = "{http://www.w3.org/2000/svg}"
FIBROMYALGIA_PATIENT = {
    "age": 45,
    "egfr": 80,
    "chronic_liver_disease": False,
    "depression": True,
    "sleep_disturbance": False,
    "fatigue": False,
    "comorbidities": ["back_pain"],
    "ecg_done": False,
    "pain_score": 7,
    "medications": {},
}
HOSTILE_ID = 'a"b\\c]; digraph {<x>&é'


def graph_of(name: str) -> dict[str, Any]:
    return api.compile_file(GUIDELINES[name])


def svg_text(data: bytes) -> str:
    """All text an SVG shows, with whitespace removed (labels are wrapped)."""
    root = ElementTree.fromstring(data)
    return re.sub(r"\s+", "", "".join(t.text or "" for t in root.iter(f"{SVG}text")))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", sorted(GUIDELINES))
def test_dot_snapshot(name: str, snapshot: Any) -> None:
    assert render_dot(graph_of(name)) == snapshot


def test_dot_snapshot_left_to_right(snapshot: Any) -> None:
    assert render_dot(graph_of("tour"), direction="LR") == snapshot


@pytest.mark.parametrize("name", sorted(GUIDELINES))
def test_svg_parses_and_shows_every_node(name: str) -> None:
    graph = graph_of(name)
    shown = svg_text(flowchart_bytes(graph, "svg"))
    for node_id, node in graph["nodes"].items():
        words = node.get("question") or node.get("title") or node.get("message") or ""
        assert squeeze(words) in shown, f"{node_id}: {words!r} not in the SVG"
    assert squeeze(graph["guideline"]["title"]) in shown
    assert squeeze(graph["guideline"]["content_hash"]) in shown


def taken_ids(svg: bytes) -> set[str]:
    root = ElementTree.fromstring(svg)
    return {g.get("id", "") for g in root.iter(f"{SVG}g") if "taken" in (g.get("class") or "").split()}


@pytest.mark.parametrize(
    ("name", "patient"),
    [
        ("hostile", {"age": 50, "egfr": 20, "flag_input": False, "agents": ["alpha"]}),
        ("hostile", {"age": 10}),
        (
            "acr2016",
            {
                "pain_areas": [],
                "fatigue": 0,
                "waking_unrefreshed": 0,
                "cognitive_symptoms": 0,
                "headaches": False,
                "lower_abdominal_pain": False,
                "depression": False,
                "symptom_months": 1,
            },
        ),
        ("fibromyalgia", FIBROMYALGIA_PATIENT),
    ],
)
def test_highlight_styles_exactly_the_taken_path(name: str, patient: dict[str, Any]) -> None:
    graph = graph_of(name)
    trace = fibrolang.load(graph).evaluate(patient).trace
    expected = {f"node:{'(start)' if n == 'start' else identifier(n)}" for n in trace.nodes}
    expected |= {f"edge:{identifier(e)}" for e in trace.edges}
    svg = flowchart_bytes(graph, "svg", highlight=trace)
    assert taken_ids(svg) == expected
    assert taken_ids(flowchart_bytes(graph, "svg")) == set()
    dot = render_dot(graph, highlight=trace)
    assert dot.count('class="taken"') == len(expected)


def test_highlight_ticks_the_items_the_plan_gave() -> None:
    graph = graph_of("fibromyalgia")
    result = fibrolang.load(graph).evaluate(FIBROMYALGIA_PATIENT)
    dot = render_dot(graph, highlight=trace_from_dict(result.trace.to_dict()))
    given = len(result.recommendations) + len(result.avoid) + len(result.flags) + len(result.monitoring)
    assert dot.count("&#10004; ") == given + 1  # and once in the legend


def test_hostile_guideline_renders_without_breaking_dot_or_svg() -> None:
    graph = graph_of("hostile")
    dot = render_dot(graph)
    assert dot.isascii()
    svg = flowchart_bytes(graph, "svg")
    shown = svg_text(svg)
    for text in ['"]; digraph {', "<b>bold</b>", "\\ back\\slash", "é ≥ ² 中文", "<script>alert"]:
        assert squeeze(text) in shown


def hostile_graph() -> dict[str, Any]:
    """The tour's graph with hostile node ids, version, hash and source date."""
    graph = copy.deepcopy(graph_of("tour"))
    nodes = graph["nodes"]
    nodes[HOSTILE_ID] = nodes.pop("plan")
    nodes["adult"]["branches"][1]["target"] = HOSTILE_ID
    graph["guideline"]["version"] = '1.0"\n]; digraph {'
    graph["guideline"]["content_hash"] = "sha256:<&>\\"
    graph["guideline"]["sources"][0]["date"] = '"]; digraph {\n'
    return graph


def test_hostile_graph_json_renders() -> None:
    graph = hostile_graph()
    dot = render_dot(graph)
    assert HOSTILE_ID not in dot
    assert identifier(HOSTILE_ID) in dot
    svg = flowchart_bytes(graph, "svg")
    ElementTree.fromstring(svg)
    assert squeeze('1.0"]; digraph {') in svg_text(svg)


@given(st.text())
def test_escape_output_is_inert(text: str) -> None:
    escaped = escape(text)
    assert escaped.isascii()
    assert not set(escaped) & set('<>"\\\n\r')
    assert all(32 <= ord(c) < 127 for c in escaped)


@given(st.text(min_size=1))
def test_identifiers_are_safe_and_distinct(text: str) -> None:
    assert not set(identifier(text)) & set('<>"\\\n&; {}[]')
    assert identifier(text) != identifier(text + "x")


def test_stages_of_the_fibromyalgia_pathway() -> None:
    groups = stages(fibrolang.read_graph(graph_of("fibromyalgia")))
    assert len(groups) >= 2
    assert groups[0][0] == "adult"
    assert stages(fibrolang.read_graph(graph_of("tour"))) == []


def test_dot_is_the_same_under_any_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from compiler import api\n"
        "from compiler.backends.flowchart.dot import render_dot\n"
        "for path in sys.argv[1:]:\n"
        "    sys.stdout.write(render_dot(api.compile_file(path)))\n"
    )
    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, *(str(p) for p in GUIDELINES.values())],
            env=env,
            capture_output=True,
            check=True,
            cwd=ROOT,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("suffix", ["svg", "pdf", "png", "dot"])
def test_rendered_files_are_reproducible(tmp_path: Path, suffix: str) -> None:
    graph = graph_of("acr2016")
    first = write_flowchart(graph, tmp_path / f"one.{suffix}").read_bytes()
    second = write_flowchart(graph, tmp_path / f"two.{suffix}").read_bytes()
    assert first == second
    if suffix == "svg":
        assert b"graphviz version" not in first
        assert first.count(b"Generated by `fibrolang graph`") == 1
    if suffix == "pdf":
        assert b"/CreationDate" not in first  # the printable chart (tests/backends/test_dot_print.py)
        one_page = flowchart_bytes(graph, "pdf", paper=None)
        assert b"/CreationDate (D:19700101000000Z)" in one_page


def test_graph_command(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "tour.svg"
    result = runner.invoke(main, ["graph", str(GUIDELINES["tour"]), "-o", str(out), "--direction", "LR"])
    assert result.exit_code == 0, result.output
    ElementTree.parse(out)
    graph_file = tmp_path / "tour.json"
    graph_file.write_text(json.dumps(graph_of("acr2016")), encoding="utf-8")
    patient = tmp_path / "patient.json"
    patient.write_text(json.dumps({"symptom_months": 1}), encoding="utf-8")
    dot_out = tmp_path / "tour.dot"
    result = runner.invoke(main, ["graph", str(graph_file), "-o", str(dot_out), "--patient", str(patient)])
    assert result.exit_code == 0, result.output
    assert 'class="taken"' in dot_out.read_text(encoding="utf-8")
    result = runner.invoke(main, ["graph", str(GUIDELINES["tour"]), "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2


def test_graph_command_refuses_a_malformed_graph_file_with_one_error(tmp_path: Path) -> None:
    """The chart is drawn from the typed graph: a graph file whose hash matches but that
    does not read (a node without its branches) is refused with the reader's problems."""
    from fibrolang.integrity import with_graph_hash

    document = graph_of("acr2016")
    decision = next(name for name, node in document["nodes"].items() if node["kind"] == "decision")
    del document["nodes"][decision]["branches"]
    graph_file = tmp_path / "broken.graph.json"
    graph_file.write_text(json.dumps(with_graph_hash(document)), encoding="utf-8")
    out = tmp_path / "broken.dot"
    result = CliRunner().invoke(main, ["graph", str(graph_file), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"nodes.{decision}.branches: is required but absent" in result.output
    assert not out.exists()
