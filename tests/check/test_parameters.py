"""Parameterised definitions and per-member constants (compiler/front/parameters.py):
the example of docs/language.md checks, compiles and runs; calls become
ordinary definitions with readable labels; problems in a template's body are
reported once, at the template."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import fibrolang
from compiler import api
from compiler.backends.graph_json import dumps
from compiler.front.parse import SourceText

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "language.md"


def _example() -> str:
    blocks: list[str] = re.findall(r"```fibro\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    (block,) = [b for b in blocks if b.startswith("guideline parameters_example")]
    return block


def _checked(text: str) -> api.Checked:
    return api.check_source(SourceText("example.fibro", text), ROOT)


def _load(text: str, tmp_path: Path) -> tuple[dict[str, Any], fibrolang.Guideline]:
    checked = _checked(text)
    assert checked.ok, [f"{d.code} {d.message}" for d in checked.diagnostics]
    graph = api.compile_checked(checked)
    path = tmp_path / "example.graph.json"
    path.write_text(dumps(graph), encoding="utf-8")
    return graph, fibrolang.load(path)


def _trial(dose: float, response: str) -> dict[str, Any]:
    return {"daily_dose_mg": dose, "response": response, "ongoing": True}


def test_the_language_example_runs(tmp_path: Path) -> None:
    graph, guideline = _load(_example(), tmp_path)
    labels = {d["name"]: d["label"] for d in graph["definitions"]}
    # Only the calls made exist, each with the template's label filled in.
    assert labels == {
        "titrated": "Agents optimised up to a ceiling",
        "on__duloxetine": "Taking duloxetine now",
        "on__milnacipran": "Taking milnacipran now",
        "on__tramadol": "Taking tramadol now",
        "optimisable__duloxetine": "Duloxetine below 60 mg/day",
        "optimisable__milnacipran": "Milnacipran below 100 mg/day",
        "failed__duloxetine": "Duloxetine has failed",
        "failed__milnacipran": "Milnacipran has failed",
    }
    notes = {d["name"]: d["notes"] for d in graph["definitions"]}
    # An instance carries the notes of the constant entries it reads.
    assert notes["failed__milnacipran"] == ["100 mg/day is as effective as 200 mg/day for most patients."]
    assert notes["failed__duloxetine"] == []
    patient = {
        "medications": {
            "duloxetine": _trial(30, "inadequate"),
            "milnacipran": _trial(100, "inadequate"),
            "tramadol": _trial(50, "adequate"),
        }
    }
    result = guideline.evaluate(patient)
    assert result.status == "ok"
    assert [(r.intervention, r.action) for r in result.recommendations] == [
        ("duloxetine", "increase"),
        ("milnacipran", "stop"),
        ("tramadol", "continue"),
    ]
    # At the ceiling, duloxetine has failed instead: the constant decides.
    patient["medications"]["duloxetine"] = _trial(60, "inadequate")
    result = guideline.evaluate(patient)
    assert ("duloxetine", "stop") in [(r.intervention, r.action) for r in result.recommendations]
    # A missing dose is a missing fact of the member's own entry.
    del patient["medications"]["duloxetine"]["daily_dose_mg"]
    result = guideline.evaluate(patient)
    assert result.status == "insufficient_data"
    assert "medications.duloxetine.daily_dose_mg" in result.missing


def test_explanations_show_the_call(tmp_path: Path) -> None:
    text = _example().replace(
        "    continue tramadol when on(tramadol)\n    -> done\n  end\n",
        '    -> check\n  end\n\n  decide check "Tramadol?"\n    when on(tramadol) -> done\n'
        '      label "taking tramadol"\n    otherwise -> done\n  end\n',
    )
    _graph, guideline = _load(text, tmp_path)
    result = guideline.evaluate({"medications": {"tramadol": _trial(50, "adequate")}})
    assert "taking tramadol (when on(tramadol))" in guideline.explain(result)


def test_a_mistake_in_a_template_body_is_reported_once_at_the_template() -> None:
    text = _example().replace(
        "on(a) and medications[a].daily_dose_mg < ceiling(a)",
        "on(a) and medications[a].daily_dose_mg < 3 weeks",
    )
    checked = _checked(text)
    mistakes = [d for d in checked.diagnostics if d.severity == "error"]
    assert [(d.code, d.span.line) for d in mistakes] == [
        ("FIB104", text.splitlines().index("  on(a) and medications[a].daily_dose_mg < 3 weeks") + 1)
    ], mistakes


def test_a_guideline_without_parameters_is_left_as_it_is() -> None:
    text = (ROOT / "guidelines" / "acr2016.fibro").read_text(encoding="utf-8")
    from compiler.front.parameters import expand
    from compiler.front.pipeline import parse_text

    guideline, _ = parse_text(text, "acr2016.fibro")
    assert guideline is not None
    expanded, problems = expand(guideline)
    assert expanded is guideline and problems == []


def test_a_quantifier_that_passes_its_variable_is_expanded(tmp_path: Path) -> None:
    blocks: list[str] = re.findall(r"```fibro\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    (block,) = [b for b in blocks if "first_line_on_board" in b]
    text = (
        'guideline quantified\n  title "Q"\n  version "1"\nend\n\n'
        + block
        + '\npathway\n  start -> done\n  outcome done ok "Done."\nend\n'
    )
    graph, guideline = _load(text, tmp_path)
    expressions = {d["name"]: d["expr"] for d in graph["definitions"]}
    assert expressions["first_line_on_board"] == {
        "op": "or",
        "operands": [{"op": "def", "name": "on__duloxetine"}, {"op": "def", "name": "on__milnacipran"}],
    }
    assert expressions["others_taken"]["op"] == "count_true"
    assert guideline.evaluate({"taking": ["milnacipran"]}).status == "ok"
