"""Lookup tables on the flowchart: each drawn as its grid (compiler/backends/flowchart/dot_tables.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from compiler import api
from compiler.backends.flowchart.dot import render_dot
from compiler.backends.flowchart.files import flowchart_bytes

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def _graph(name: str) -> dict[str, Any]:
    return api.compile_file(ROOT / "tests" / "fixtures" / f"{name}.fibro")


def _svg_texts(data: bytes) -> list[str]:
    root = ElementTree.fromstring(data)
    return [re.sub(r"\s+", " ", t.text or "").strip() for t in root.iter(f"{SVG}text")]


def test_the_two_key_grid_is_drawn_with_its_headings_and_every_cell() -> None:
    texts = _svg_texts(flowchart_bytes(_graph("ckd-staging"), "svg"))
    assert "Lookup tables" in texts
    assert "Risk of progression (output progression_risk)" in texts
    assert "by gfr_stage, albuminuria" in texts
    for heading in ("a1", "a2", "a3", "g1", "g2", "g3a", "g3b", "g4", "g5", ">= 90 mL/min/1.73m2", "< 3"):
        assert heading in texts, heading
    assert texts.count("very_high") == 1 + 2 + 3 + 3  # g3a, g3b, g4, g5


def test_an_otherwise_cell_is_drawn() -> None:
    dot = render_dot(_graph("annual-risk"))
    assert "otherwise" in dot and "none" in dot


def test_a_guideline_without_tables_has_no_table_cluster() -> None:
    dot = render_dot(api.compile_file(ROOT / "guidelines" / "fibromyalgia.fibro"))
    assert "cluster_tables" not in dot


def test_a_hostile_label_is_escaped_in_the_table(tmp_path: Path) -> None:
    source = (ROOT / "tests" / "fixtures" / "annual-risk.fibro").read_text(encoding="utf-8")
    hostile = source.replace('output risk "Annual risk"', 'output risk "<b>risk</b> & \\"more\\""')
    path = tmp_path / "annual-risk.fibro"
    path.write_text(hostile, encoding="utf-8")
    (tmp_path / "annual-risk-source.txt").write_text(
        (ROOT / "tests" / "fixtures" / "annual-risk-source.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    dot = render_dot(api.compile_file(path))
    assert "&lt;b&gt;risk&lt;/b&gt; &amp; &quot;more&quot;" in dot
    texts = _svg_texts(flowchart_bytes(api.compile_file(path), "svg"))
    assert '<b>risk</b> & "more" (output risk)' in texts


def test_the_chart_says_when_an_output_is_not_set() -> None:
    texts = " ".join(_svg_texts(flowchart_bytes(_graph("news2-oxygen"), "svg")))
    assert "Outputs not set for some patients" in texts
    assert (
        "SpO2 scale 1 points: not set (no value) when prescribed target saturation of 88 to 92% "
        "(hypercapnic respiratory failure)" in texts
    )
    assert "when not prescribed target saturation of 88 to 92%" in texts  # scale 2, beside its grid
    assert "Not set (no value) when prescribed target" in texts  # the grid of scale 1 says it too
    assert "Outputs not set" not in " ".join(_svg_texts(flowchart_bytes(_graph("ckd-staging"), "svg")))


def test_the_printed_chart_has_the_tables_and_the_keys_data() -> None:
    from compiler.backends.flowchart.print_pages import TABLES
    from compiler.backends.flowchart.print_pdf import layout
    from fibrolang import read_graph

    pages, dots = layout(read_graph(_graph("news2-oxygen")), paper="a4")
    tables = [(page, dot) for page, dot in zip(pages, dots, strict=True) if page.stage == TABLES]
    assert [page.heading for page, _ in tables] == ["Lookup tables"]  # both fit on one page
    page, dot = tables[0]
    assert page.number == len(pages) and page.nodes == ("(table spo2_scale_1 1)", "(table spo2_scale_2 1)")
    for words in ("SpO2 scale 2 points (output spo2_scale_2)", "by spo2, breathing", "95 to 96 percent"):
        assert words in dot, words
    cover = dots[0]
    for words in ("Lookup tables", "Scores: bands and points", "Outputs not set for some patients"):
        assert words in cover, words


def test_the_printed_tables_and_the_marked_explanation_do_not_depend_on_the_hash_seed() -> None:
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "import fibrolang\n"
        "from compiler import api\n"
        "from compiler.backends.flowchart.print_pdf import printable_pdf\n"
        "graph = api.compile_file(sys.argv[1])\n"
        "patient = {'spo2': 95, 'breathing': 'oxygen', 'hypercapnic': True}\n"
        "guideline = fibrolang.load(graph)\n"
        "text = guideline.explain(guideline.evaluate(patient), patient)\n"
        "sys.stdout.buffer.write(printable_pdf(graph) + text.encode())\n"
    )
    outputs = []
    for seed in ("0", "12345"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(ROOT / "tests" / "fixtures" / "news2-oxygen.fibro")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
            cwd=ROOT,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert b"<- this patient (95 to 96 percent, oxygen)" in outputs[0]
