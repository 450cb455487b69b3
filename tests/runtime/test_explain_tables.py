"""``explain`` prints each lookup table an output is read from with the cell this patient's
values select in brackets and its row pointed at, and says which conditions left an output
unset (fibrolang/table_cells.py); nothing is marked when it cannot be told."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fibrolang
from compiler import api
from fibrolang.integrity import with_graph_hash

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"


@pytest.fixture(scope="module")
def oxygen() -> fibrolang.Guideline:
    return fibrolang.load(api.compile_file(FIXTURES / "news2-oxygen.fibro"))


def _explain(guideline: fibrolang.Guideline, patient: dict[str, Any]) -> list[str]:
    return guideline.explain(guideline.evaluate(patient), patient).splitlines()


def test_the_cell_of_a_two_key_table_is_marked(oxygen: fibrolang.Guideline) -> None:
    lines = _explain(oxygen, {"spo2": 95, "breathing": "oxygen", "hypercapnic": True})
    assert "      | 95 to 96 percent | 0   | [2]    |  <- this patient (95 to 96 percent, oxygen)" in lines
    assert sum("<- this patient" in line for line in lines) == 1
    assert "  spo2_scale_1: not set (the guideline gives it no value here)" in lines
    assert "    because hypercapnic holds" in lines
    assert "    from the table by spo2 (not used for this patient):" in lines


def test_the_row_of_a_one_key_table_is_marked(oxygen: fibrolang.Guideline) -> None:
    lines = _explain(oxygen, {"spo2": 92, "breathing": "air", "hypercapnic": False})
    assert "      | 92 to 93 percent | [2] |  <- this patient (92 to 93 percent)" in lines
    assert "    because hypercapnic does not hold" in lines  # scale 2: `if not hypercapnic then unset`
    assert "    from the table by spo2, breathing (not used for this patient):" in lines


def test_the_otherwise_cell_is_marked() -> None:
    guideline = fibrolang.load(api.compile_file(FIXTURES / "annual-risk.fibro"))
    lines = _explain(guideline, {"score": 0})
    assert "      otherwise [none]  <- this patient: no row applies" in lines
    assert "      | 2 points | [mid] |  <- this patient (2 points)" in _explain(guideline, {"score": 2})


def test_a_table_read_from_another_table_marks_both() -> None:
    guideline = fibrolang.load(api.compile_file(FIXTURES / "ckd-staging.fibro"))
    lines = _explain(guideline, {"egfr": 50, "acr": 40})
    assert "      | 45 to < 60 mL/min/1.73m2 | [g3a] |  <- this patient (45 to < 60 mL/min/1.73m2)" in lines
    assert "      | g3a | moderate  | high      | [very_high] |  <- this patient (g3a, a3)" in lines


def test_nothing_is_marked_without_the_record_or_with_a_key_missing(oxygen: fibrolang.Guideline) -> None:
    patient = {"spo2": 95, "breathing": "oxygen", "hypercapnic": True}
    assert "<- this patient" not in oxygen.explain(oxygen.evaluate(patient))
    undecided = {"breathing": "oxygen", "hypercapnic": True}  # the saturation is not recorded
    lines = _explain(oxygen, undecided)
    assert not any("<- this patient" in line or "[" in line for line in lines if line.startswith("      |"))


def test_a_graph_without_positions_marks_nothing() -> None:
    graph: dict[str, Any] = json.loads(json.dumps(api.compile_file(FIXTURES / "news2-oxygen.fibro")))
    for definition in graph["definitions"]:
        for table in definition.get("tables", []):
            del table["at"]
    guideline = fibrolang.load(with_graph_hash(graph))
    lines = _explain(guideline, {"spo2": 95, "breathing": "oxygen", "hypercapnic": True})
    assert "  spo2_scale_2 = 2" in lines and not any("<- this patient" in line for line in lines)


@pytest.mark.parametrize("name", ["annual-risk", "ckd-staging", "news2-oxygen"])
def test_each_table_position_is_its_chain_and_no_mark_is_left(name: str) -> None:
    graph = api.compile_file(FIXTURES / f"{name}.fibro")
    assert "__table__" not in json.dumps(graph)
    for definition in graph["definitions"]:
        for table in definition.get("tables", []):
            node = definition["expr"]
            for step in table["at"].split("/")[1:]:
                node = node[int(step)] if isinstance(node, list) else node[step]
            assert node["op"] == "if"  # the chain of rows
            rows = len(table["rows"]) - (table["otherwise"] is None)
            for _ in range(rows):
                assert node["op"] == "if"
                node = node["else"]


def _marked(lines: list[str], output: str) -> list[str]:
    """The bracketed cells marked under ``output``'s table(s)."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {output}"))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")), len(lines))
    found = []
    for line in lines[start + 1 : end]:
        if "<- this patient" in line:
            found += [cell.strip()[1:-1] for cell in line.split("|") if cell.strip().startswith("[")]
            found += [line.split("[", 1)[1].split("]", 1)[0]] if "otherwise [" in line else []
    return found


@settings(max_examples=150, deadline=None)
@given(spo2=st.integers(50, 100), breathing=st.sampled_from(["air", "oxygen"]), hypercapnic=st.booleans())
def test_the_marked_cell_is_the_output_for_any_patient(spo2: int, breathing: str, hypercapnic: bool) -> None:
    guideline = _oxygen_guideline()
    patient = {"spo2": spo2, "breathing": breathing, "hypercapnic": hypercapnic}
    result = guideline.evaluate(patient)
    lines = guideline.explain(result, patient).splitlines()
    for output in ("spo2_scale_1", "spo2_scale_2"):
        marked = _marked(lines, output)
        if output in result.outputs:
            assert marked == [str(result.outputs[output])], (output, lines)
        else:
            assert marked == [], (output, lines)  # the scale that does not apply: no cell


@settings(max_examples=150, deadline=None)
@given(
    egfr=st.decimals(0, 200, places=1).map(float),
    acr=st.one_of(st.decimals(0, 2000, places=1).map(float), st.sampled_from([3.0, 30.0, 2.9, 30.1])),
)
def test_each_marked_ckd_cell_is_the_output(egfr: float, acr: float) -> None:
    guideline = _ckd_guideline()
    patient = {"egfr": egfr, "acr": acr}
    result = guideline.evaluate(patient)
    lines = guideline.explain(result, patient).splitlines()
    for output in ("gfr_stage", "albuminuria", "progression_risk"):
        assert _marked(lines, output) == [str(result.outputs[output])], (output, lines)


_LOADED: dict[str, fibrolang.Guideline] = {}


def _loaded(name: str) -> fibrolang.Guideline:
    if name not in _LOADED:
        _LOADED[name] = fibrolang.load(api.compile_file(FIXTURES / f"{name}.fibro"))
    return _LOADED[name]


def _oxygen_guideline() -> fibrolang.Guideline:
    return _loaded("news2-oxygen")


def _ckd_guideline() -> fibrolang.Guideline:
    return _loaded("ckd-staging")


CONVERTED = """guideline converted
  title "Cells in two units of one dimension"
  version "1"
end

input score "Score": integer 0 to 5 points
output dose "Dose" = table by score
  | 0 to 2 | 5 mg |
  | 3 to 5 | 3 g  |
end

pathway
  start -> done

  outcome done ok
end
"""


def test_an_output_is_shown_with_its_unit_beside_the_cell_as_written() -> None:
    from compiler.front.parse import SourceText

    checked = api.check_source(SourceText("converted.fibro", CONVERTED), FIXTURES)
    assert checked.ok, checked.diagnostics
    guideline = fibrolang.load(api.compile_checked(checked))
    lines = _explain(guideline, {"score": 4})
    assert "  dose = 3000 mg" in lines  # the compiler converts the cell to the first cell's unit
    assert "      | 3 to 5 | [3 g] |  <- this patient (3 to 5)" in lines
    assert "  dose = 5 mg" in _explain(guideline, {"score": 1})
    assert "  spo2_scale_2 = 2" in _explain(
        _oxygen_guideline(), {"spo2": 95, "breathing": "oxygen", "hypercapnic": True}
    )  # a number without a unit stays bare
    news2 = _loaded("news2")
    vitals: dict[str, Any] = {"respiration_rate": 22, "saturation": 95, "systolic_bp": 120, "pulse": 80}
    vitals |= {"level_of_consciousness": "alert", "temperature": 37}
    assert "  score = 3 points" in _explain(news2, vitals)  # the sum of an ordinal's points: 2 + 1


QUANTIFIED = """guideline quantified_key
  title "A table by a count"
  version "1"
end

enum agent { a1, a2, a3 }
enum band { none, some, many }
input taken: set of agent
output tried "Agents tried" = table by (count a in {a1, a2, a3} where a in taken)
  | 0      | none |
  | 1      | some |
  | 2 to 3 | many |
  otherwise none
end

pathway
  start -> done

  outcome done ok
end
"""


def test_a_table_by_a_count_marks_its_cell() -> None:
    from compiler.front.parse import SourceText

    checked = api.check_source(SourceText("quantified.fibro", QUANTIFIED), FIXTURES)
    assert checked.ok, checked.diagnostics
    guideline = fibrolang.load(api.compile_checked(checked))
    assert "      | 2 to 3 | [many] |  <- this patient (2 to 3)" in _explain(
        guideline, {"taken": ["a1", "a3"]}
    )
    assert "      | 0      | [none] |  <- this patient (0)" in _explain(guideline, {"taken": []})


BESIDE = """guideline beside_a_table
  title "A table on one arm of an output"
  version "1"
end

input pregnant: boolean
input score "Score": integer 0 to 5 points
output dose "Dose" = if pregnant then 0 mg else table by score
  | 0 to 2 | 5 mg  |
  | 3 to 5 | 10 mg |
end

pathway
  start -> done

  outcome done ok
end
"""


def test_a_table_the_output_did_not_reach_says_so() -> None:
    from compiler.front.parse import SourceText

    checked = api.check_source(SourceText("beside.fibro", BESIDE), FIXTURES)
    assert checked.ok, checked.diagnostics
    guideline = fibrolang.load(api.compile_checked(checked))
    pregnant = _explain(guideline, {"pregnant": True, "score": 4})
    assert "  dose = 0 mg" in pregnant
    assert "    from the table by score (not used for this patient):" in pregnant
    assert not any("<- this patient" in line for line in pregnant)
    other = _explain(guideline, {"pregnant": False, "score": 4})
    assert "    from the table by score:" in other
    assert "      | 3 to 5 | [10 mg] |  <- this patient (3 to 5)" in other
    undecided = _explain(guideline, {"score": 4})  # pregnancy not recorded: cannot tell
    assert "    from the table by score:" in undecided and "  dose = unknown" in undecided
