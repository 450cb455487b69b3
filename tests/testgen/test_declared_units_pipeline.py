"""A unit the guideline declares (docs/language.md, "Units a guideline declares") through the
whole pipeline: the checker, the formatter's round trip, the graph and its schema, the
runtime fused and unfused, the proofs, the flowchart, explain, the generated suite (a
patient on each side of the threshold) and mutation (every mutant killed)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

import fibrolang
from compiler import api
from compiler.backends.flowchart.dot import render_dot
from compiler.format.formatter import format_text
from compiler.front.parse import SourceText
from compiler.testgen.mutate import run
from compiler.testgen.suite import generate, read_patients, write
from fibrolang.program import Program

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "fibrolang" / "schema" / "graph.schema.json").read_text(encoding="utf-8"))

SOURCE = """guideline alcohol_units
  title "Alcohol intake in a declared unit"
  version "1.0.0"
end

unit drinks/fortnight "Alcoholic drinks per fortnight" dimension "alcohol intake"
input intake "Alcohol intake": integer 0 to 200 drinks/fortnight
output heavy_drinking "Heavy drinking" = intake > 28 drinks/fortnight
output above_limit "Drinks above the limit" =
  if intake > 28 drinks/fortnight then intake - 28 drinks/fortnight else 0 drinks/fortnight

therapy brief_intervention "Brief intervention"
  class counselling
end

pathway
  start -> assess

  decide assess "Is the intake above the limit?"
    when intake > 28 drinks/fortnight -> advise
    otherwise -> done
  end

  step advise "Advice"
    recommend brief_intervention
    -> done
  end

  outcome done ok
end
"""


def _checked() -> api.Checked:
    checked = api.check_source(SourceText("alcohol_units.fibro", SOURCE), ROOT)
    assert checked.ok and not checked.diagnostics, checked.diagnostics
    return checked


def test_the_checker_and_the_formatter_keep_the_declared_unit() -> None:
    _checked()
    formatted, diagnostics = format_text(SOURCE, "alcohol_units.fibro")
    assert formatted == SOURCE, diagnostics  # the canonical layout, the declaration kept


def test_the_graph_runtime_and_proofs_read_the_declared_unit() -> None:
    checked = _checked()
    graph = api.compile_checked(checked)
    assert not list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(graph))
    assert graph["inputs"]["intake"]["type"]["unit"] == "drinks/fortnight"
    guideline = fibrolang.load(graph)
    unfused = Program(guideline.graph, fuse=False)
    for intake in range(0, 201):
        fused = guideline.evaluate({"intake": intake})
        assert fused == unfused.run(guideline.validate({"intake": intake}))
        assert fused.outputs == {"heavy_drinking": intake > 28, "above_limit": max(intake - 28, 0)}
        advised = ["brief_intervention"] if intake > 28 else []
        assert [r.intervention for r in fused.recommendations] == advised
    assert [d for d in api.prove(checked) if d.severity == "error"] == []
    explained = guideline.explain(guideline.evaluate({"intake": 30}), {"intake": 30}).splitlines()
    assert "  above_limit = 2 drinks/fortnight" in explained


def test_the_flowchart_shows_the_declared_unit() -> None:
    dot = render_dot(api.compile_checked(_checked()))
    assert 'label=<Alcohol intake &gt; 28<BR ALIGN="LEFT"/>drinks/fortnight<BR ALIGN="LEFT"/>>' in dot


def test_the_suite_tests_each_side_of_the_threshold_and_kills_every_mutant(tmp_path: Path) -> None:
    path = tmp_path / "alcohol_units.fibro"
    path.write_text(SOURCE, encoding="utf-8")
    graph = api.compile_file(path)
    patients = read_patients(write(generate(path, tmp_path / "generated", root=tmp_path, graph=graph)))
    intakes = {patient.patient.get("intake") for patient in patients}
    assert {28, 29} <= intakes
    report = run(json.loads(json.dumps(graph, sort_keys=True)), patients)
    assert report.score == 100.0, [o.mutant.id for o in report.outcomes if o.status == "survivor"]
    assert any(o.mutant.operator == "move-threshold" for o in report.outcomes)
