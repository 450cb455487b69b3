"""Lowering: the checked syntax tree becomes the decision graph of docs/graph-format.md."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.backends.graph_json import dumps
from compiler.check import check_in_context
from compiler.check.checked import CheckedGuideline, accept
from compiler.check.context import make_context
from compiler.check.model import Resolution
from compiler.front import syntax as s
from compiler.front.parse import SourceText
from compiler.front.pipeline import parse_text
from compiler.lower import GRAPH_FORMAT, LoweringError, content_hash, lower

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "tests" / "fixtures" / "tour.fibro"

HEADER = 'guideline g\n  title "G"\n  version "1"\nend\n'
PATHWAY = "pathway\n  start -> done\n  outcome done ok\nend\n"


def lowered(body: str) -> dict[str, Any]:
    text = HEADER + body + PATHWAY
    checked = api.check_source(SourceText("test.fibro", text), ROOT)
    assert checked.accepted is not None, checked.diagnostics
    return lower(checked.accepted, text)


def test_header_and_hash() -> None:
    graph = api.compile_file(TOUR)
    assert graph["format"] == GRAPH_FORMAT
    assert graph["guideline"]["id"] == "tour"
    assert graph["guideline"]["version"] == "0.1.0"
    assert graph["guideline"]["content_hash"] == content_hash(TOUR.read_text(encoding="utf-8"))
    assert graph["guideline"]["sources"] == [
        {"name": "pathway", "file": "refractory-fibromyalgia.txt", "date": "2025-08-12"}
    ]
    assert graph["guideline"]["citations"] == {
        "1": "Reference 1 of the source",
        "3": "Reference 3 of the source",
    }


def test_node_and_edge_ids_come_from_the_source() -> None:
    graph = api.compile_file(TOUR)
    assert graph["start"] == "adult"
    adult = graph["nodes"]["adult"]
    assert adult["kind"] == "decision"
    assert [b["id"] for b in adult["branches"]] == ["adult/1", "adult/otherwise"]
    assert [b["target"] for b in adult["branches"]] == ["child", "plan"]
    assert adult["branches"][0]["notes"] == ["Adults only."]
    plan = graph["nodes"]["plan"]
    assert [i["id"] for i in plan["items"]] == [f"plan/{n}" for n in range(1, 8)]
    assert plan["next"] == {"id": "plan/next", "target": "done"}
    assert graph["nodes"]["child"] == {
        "kind": "terminal",
        "status": "not_applicable",
        "message": "The pathway covers adults only.",
        "notes": [],
        "quote": None,
        "citations": [],
        "source": {"line": 78, "column": 3},
    }


def test_between_and_is_are_lowered_to_plain_comparisons() -> None:
    graph = lowered(
        "enum response { adequate, inadequate }\n"
        "input r: response\ninput score: integer 0 to 10 points\n"
        "define x = score between 4 and 6\ndefine y = r is not inadequate\n"
    )
    x, y = graph["definitions"]
    assert x["expr"] == {
        "op": "and",
        "operands": [
            {
                "op": ">=",
                "left": {"op": "input", "name": "score"},
                "right": {"op": "const", "value": 4, "unit": None},
            },
            {
                "op": "<=",
                "left": {"op": "input", "name": "score"},
                "right": {"op": "const", "value": 6, "unit": None},
            },
        ],
    }
    assert y["expr"] == {
        "op": "!=",
        "left": {"op": "input", "name": "r"},
        "right": {"op": "member", "value": "inadequate", "enum": "response"},
    }


def test_definitions_are_placed_after_what_they_use() -> None:
    graph = lowered("input a: boolean\ndefine late = early and a\ndefine early = not a\n")
    assert [d["name"] for d in graph["definitions"]] == ["early", "late"]


def test_quantifier_over_an_enum_and_map_entries() -> None:
    graph = lowered(
        "enum agent { d1, d2 }\nrecord trial { weeks: decimal 0 to 100 weeks }\n"
        "input meds: map of agent to trial\n"
        "define n = count a in agent where a in meds and meds[a].weeks >= 4 weeks\n"
        "define w = meds[d1].weeks\n"
    )
    n, w = graph["definitions"]
    assert n["expr"]["op"] == "count"
    assert n["expr"]["over"] == {"op": "enum", "enum": "agent"}
    assert n["expr"]["where"]["operands"][0] == {
        "op": "in",
        "element": {"op": "var", "name": "a"},
        "collection": {"op": "input", "name": "meds"},
    }
    assert w["expr"] == {
        "op": "field",
        "name": "weeks",
        "record": {
            "op": "entry",
            "map": {"op": "input", "name": "meds"},
            "key": {"op": "member", "value": "d1", "enum": "agent"},
        },
    }


def test_recommend_invariants_become_plain_conditions() -> None:
    graph = lowered(
        'input liver: boolean\ntherapy walk "Walk"\nend\n'
        "invariant a never recommend walk when liver\n"
        "invariant b always recommend walk when liver\n"
        "invariant c never recommend walk\n"
    )
    a, b, c = graph["invariants"]
    recommended = {"op": "recommended", "subject": "walk"}
    liver = {"op": "input", "name": "liver"}
    assert a["condition"] == {"op": "and", "operands": [recommended, liver]}
    assert b["condition"] == {"op": "or", "operands": [{"op": "not", "operand": liver}, recommended]}
    assert c["condition"] == recommended
    assert [x["kind"] for x in (a, b, c)] == ["never", "always", "never"]


def test_doses_titrations_and_monitoring() -> None:
    graph = api.compile_file(TOUR)
    items = graph["nodes"]["plan"]["items"]
    assert items[1]["dose"] == {"min": 60, "max": 60, "unit": "mg/day", "frequency": "once daily"}
    assert items[3]["titration"] == {
        "step": 15,
        "every": 2,
        "every_unit": "weeks",
        "target": 60,
        "unit": "mg/day",
    }
    assert items[6]["after"] == {"min": 4, "max": 6, "unit": "weeks"}
    duloxetine = graph["interventions"]["duloxetine"]
    assert duloxetine["evidence"] == {"level": "Ib", "strength": "A"}
    assert duloxetine["fda_approved"] is True
    assert duloxetine["effect_sizes"] == [{"value": 0.5, "outcome": "pain"}]
    assert isinstance(duloxetine["effect_sizes"][0]["value"], float)
    assert duloxetine["side_effects"] == ["dizziness", "sedation", "nausea"]
    assert duloxetine["contraindications"][0]["quote"].startswith("Avoid duloxetine")


@pytest.mark.parametrize("seed", ["0", "12345"])
def test_graph_bytes_do_not_depend_on_hash_seed(seed: str, tmp_path: Path) -> None:
    reference = dumps(api.compile_file(TOUR))
    out = tmp_path / "g.json"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "compiler.cli", "compile", str(TOUR), "-o", str(out)],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )
    assert out.read_text(encoding="utf-8") == reference
    assert json.loads(reference)["format"] == GRAPH_FORMAT


def test_a_member_declared_by_two_enumerations_follows_its_context() -> None:
    graph = lowered(
        "enum pain { mild, severe }\nenum tiredness { mild, severe }\n"
        "input ache: pain\ninput tired: tiredness\n"
        "define a = tired != severe\ndefine b = ache == severe\n"
        "define d = tired in {mild, severe}\n"
    )
    a, b, d = graph["definitions"]
    assert a["expr"]["right"] == {"op": "member", "value": "severe", "enum": "tiredness"}
    assert b["expr"]["right"] == {"op": "member", "value": "severe", "enum": "pain"}
    assert d["expr"]["collection"]["enum"] == "tiredness"


def test_a_member_compared_with_a_definition_follows_the_definitions_enumeration() -> None:
    # `worst` is a `tiredness`, the second enumeration that declares `severe`: the
    # member is tiredness's (lowering used to take the first owner, `pain`, and the
    # runtime refused the graph). The runtime loads the graph and agrees.
    graph = lowered(
        "enum pain { mild, severe }\nenum tiredness { mild, severe }\n"
        "input tired: tiredness\ndefine worst = tired\noutput worse = worst is severe\n"
    )
    worse = graph["definitions"][1]
    assert worse["expr"]["right"] == {"op": "member", "value": "severe", "enum": "tiredness"}
    result = fibrolang.load(graph).evaluate({"tired": "severe"})
    assert result.outputs["worse"] is True


def test_only_the_checker_makes_what_lowering_reads() -> None:
    text = HEADER + "input age: integer\ndefine adult = agee >= 18\n" + PATHWAY  # FIB101
    checked = api.check_source(SourceText("test.fibro", text), ROOT)
    assert checked.guideline is not None and checked.accepted is None and not checked.ok
    with pytest.raises(api.CompileError):
        api.compile_checked(checked)
    guideline, context = checked.guideline, make_context(checked.guideline, ROOT)
    with pytest.raises(TypeError, match="only the checker"):
        CheckedGuideline(guideline, context.symbols, context.model)


def test_a_name_the_checker_read_two_ways_is_an_internal_error_not_a_guess() -> None:
    # One syntax node shared by two definitions whose contexts want different
    # enumerations: the model marks its name conflicting. The types pass reports
    # this tree; were an error ever missed, lowering would still refuse the name.
    text = (
        HEADER
        + (
            "enum pain { mild, severe }\nenum tiredness { mild, severe }\n"
            "input ache: pain\ninput tired: tiredness\n"
            "define a = ache == severe\ndefine b = tired == mild\n"
        )
        + PATHWAY
    )
    guideline, problems = parse_text(text, "test.fibro")
    assert guideline is not None and not problems
    a, b = (d for d in guideline.declarations if isinstance(d, s.Definition))
    assert isinstance(a.expression, s.Comparison) and isinstance(b.expression, s.Comparison)
    severe = a.expression.right
    assert isinstance(severe, s.Reference)
    shared = dataclasses.replace(b, expression=dataclasses.replace(b.expression, right=severe))
    declarations = tuple(shared if d is b else d for d in guideline.declarations)
    guideline = dataclasses.replace(guideline, declarations=declarations)
    found, context = check_in_context(guideline, ROOT)
    assert [d.code for d in found] == ["FIB103"] and accept(context, found) is None
    accepted = accept(context, [])  # as if the checker had missed it
    assert accepted is not None
    assert accepted.model.resolution_of(severe.name) == Resolution("conflicting")
    with pytest.raises(LoweringError, match="`severe` is conflicting"):
        lower(accepted, text)
