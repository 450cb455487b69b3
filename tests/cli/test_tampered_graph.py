"""A graph changed after it was compiled is refused by the CLI with exit 2 (README: a graph
file that fails its integrity check), never evaluated or drawn (issue 21, item 7)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
GRAPH = ROOT / "guidelines" / "fibromyalgia.graph.json"
PATIENT = ROOT / "guidelines" / "patients" / "fibromyalgia-example.json"


def _tampered(tmp_path: Path) -> Path:
    text = GRAPH.read_text(encoding="utf-8")
    tampered, count = re.subn(r'("unit": "mL/min/1.73m2",\n\s+"value": )30\n', r"\g<1>3\n", text, count=1)
    assert count == 1
    path = tmp_path / "fibromyalgia.graph.json"
    path.write_text(tampered, encoding="utf-8")
    return path


def test_eval_refuses_a_graph_whose_threshold_was_changed(tmp_path: Path) -> None:
    path = _tampered(tmp_path)
    for format_ in ("json", "text"):
        result = CliRunner().invoke(main, ["eval", str(path), "--patient", str(PATIENT), "--format", format_])
        assert result.exit_code == 2
        refused = f"fibrolang eval: cannot load {path}: graph file {path} fails its integrity check"
        assert refused in result.output
        assert "changed after it was compiled" in result.output
        assert '"status"' not in result.output and "status:" not in result.output
        assert "internal error" not in result.output
    untouched = CliRunner().invoke(main, ["eval", str(GRAPH), "--patient", str(PATIENT)])
    assert untouched.exit_code == 0, untouched.output


def test_graph_refuses_to_draw_a_changed_graph(tmp_path: Path) -> None:
    path = _tampered(tmp_path)
    result = CliRunner().invoke(main, ["graph", str(path), "-o", str(tmp_path / "chart.dot")])
    assert result.exit_code == 2
    assert "fails its integrity check" in result.output
    assert not (tmp_path / "chart.dot").exists()
