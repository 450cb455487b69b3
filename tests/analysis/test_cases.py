"""Each analysis on a small broken guideline: the diagnostics the case file
expects inline (``# E:+1:10: FIB201 ...``, tests/support/expectations.py),
what ``fibrolang check`` prints for it in each format (its golden file in
tests/analysis/goldens; ``pytest --update-goldens`` rewrites them), and a
counterexample that really reaches the offending path when the runtime
evaluates it (checked here independently of the analysis's own replay)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import z3
from expectations import compare, line_of, read_expectations
from goldens import FORMATS, compare_or_update, golden_path, run_check, stale_goldens

import fibrolang
from compiler import api
from compiler.analysis import analyse
from compiler.diagnostics.catalogue import Diagnostic
from fibrolang import read_graph

CASES = Path(__file__).parent / "cases"
GUIDELINES = Path(__file__).resolve().parents[2] / "guidelines"
CASE_FILES = sorted(CASES.glob("*.fibro"))


def _analyse(name: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    checked = api.check_file(CASES / f"{name}.fibro")
    assert checked.ok, [d.message for d in checked.diagnostics]
    graph = api.compile_checked(checked)
    return graph, analyse(read_graph(graph), checked.guideline)


def _data(diagnostic: Diagnostic) -> dict[str, Any]:
    return dict(diagnostic.data)


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_diagnostics_and_positions(path: Path) -> None:
    _graph, found = _analyse(path.stem)
    problems = compare(read_expectations(path), found)
    assert not problems, "\n".join(problems)
    assert all(d.span.file.endswith(path.name) for d in found)


@pytest.mark.parametrize("format_", FORMATS)
@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_rendered_diagnostics_match_the_golden_file(
    path: Path, format_: str, update_goldens: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = run_check(path, format_, monkeypatch)
    expected = read_expectations(path)
    assert checked.exit_code == (1 if any(e.severity == "error" for e in expected) else 0), checked.output
    compare_or_update(golden_path(path, format_), checked.output, update_goldens)


def test_every_golden_file_belongs_to_a_case(update_goldens: bool) -> None:
    assert stale_goldens(CASE_FILES, update_goldens) == []


def test_clean_guideline_has_no_findings_and_no_internal_errors() -> None:
    _graph, found = _analyse("clean")
    assert found == []


def test_unreachable_names_the_guard_that_excludes_it() -> None:
    _graph, found = _analyse("unreachable")
    path_case = found[0]
    excluding = line_of(CASES / "unreachable.fibro", "otherwise -> profile")
    assert [r.span.line for r in path_case.related] == [excluding]
    assert "adult/otherwise" in path_case.related[0].message


def test_incomplete_counterexample_matches_no_branch() -> None:
    graph, found = _analyse("incomplete")
    patient = _data(found[0])["counterexample"]
    assert patient == {"egfr": 30}
    with pytest.raises(fibrolang.GuidelineError, match="no branch of decision kidney holds"):
        fibrolang.load(graph).evaluate(patient)


def test_shadowed_branch_names_the_covering_branch() -> None:
    _graph, found = _analyse("shadowed")
    covering = line_of(CASES / "shadowed.fibro", "when age >= 18 years -> adult_plan")
    assert [(r.span.line, r.span.column) for r in found[0].related] == [(covering, 10)]
    assert "counterexample" not in _data(found[0])  # a dead branch has no patient


def test_overlap_patient_matches_both_branches() -> None:
    graph, found = _analyse("overlap")
    patient = _data(found[0])["counterexample"]
    assert "profile/1" in fibrolang.load(graph).evaluate(patient).trace.edges
    without_first = copy.deepcopy(graph)
    without_first["nodes"]["profile"]["branches"].pop(0)
    assert "profile/2" in fibrolang.load(without_first, verify=False).evaluate(patient).trace.edges


def test_conflict_patients_get_the_conflicting_plan() -> None:
    graph, found = _analyse("conflict")
    contraindicated, both = found
    result = fibrolang.load(graph).evaluate(_data(contraindicated)["counterexample"])
    assert result.status == "ok"
    assert "duloxetine" in [r.intervention for r in result.recommendations]
    assert _data(contraindicated)["counterexample"]["chronic_liver_disease"] is True
    result = fibrolang.load(graph).evaluate(_data(both)["counterexample"])
    assert "tramadol" in [r.intervention for r in result.recommendations]
    assert "tramadol" in [a.intervention for a in result.avoid]
    assert _data(both)["path"] == " -> ".join(result.trace.edges)


def test_refuted_invariants_are_violated_by_the_runtime_on_the_printed_path() -> None:
    graph, found = _analyse("invariant")
    for diagnostic, name in zip(found, ["no_milnacipran_over_80", "exercise_always"], strict=True):
        only = dict(graph, invariants=[i for i in graph["invariants"] if i["name"] == name])
        with pytest.raises(fibrolang.SafetyViolation) as raised:
            fibrolang.load(only, verify=False).evaluate(_data(diagnostic)["counterexample"])
        assert raised.value.invariant == name
        assert _data(diagnostic)["path"] == " -> ".join(raised.value.edges)
    assert _data(found[0])["counterexample"] == {"age": 81, "fatigue": True}


def test_undecided_patient_gets_insufficient_data() -> None:
    graph, found = _analyse("undecided")
    result = fibrolang.load(graph).evaluate(_data(found[0])["counterexample"])
    assert result.status == "insufficient_data"
    assert result.missing == ("medications.duloxetine.weeks",)


def test_doses_outside_the_declared_range_and_unit() -> None:
    graph, _found = _analyse("clean")
    broken = copy.deepcopy(graph)
    item = broken["nodes"]["plan"]["items"][1]
    item["dose"] = {"min": 60, "max": 120, "unit": "mg/day", "frequency": None}
    found = analyse(read_graph(broken), None, prove=False)
    assert [d.code for d in found] == ["FIB208"]
    assert "the dose of duloxetine (60 to 120 mg/day) lies outside its declared range (60 to 60 mg/day)" in (
        found[0].message
    )
    item["dose"] = {"min": 60, "max": 60, "unit": "mg", "frequency": None}
    assert [d.code for d in analyse(read_graph(broken), None, prove=False)] == ["FIB209"]
    item["dose"] = {"min": 1.5, "max": 1.5, "unit": "mg/day", "frequency": None}
    item["titration"] = {"step": 1.5, "every": 2, "every_unit": "weeks", "target": 60, "unit": "mg/day"}
    assert analyse(read_graph(broken), None, prove=False) == []  # a titration may start below the range


def test_solver_unknown_is_its_own_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    # Deterministic: every question comes back "unknown", as after a timeout.
    from compiler.analysis import solve

    def unknown(solver: object) -> object:
        return z3.unknown

    monkeypatch.setattr(solve, "check", unknown)
    checked = api.check_file(GUIDELINES / "fibromyalgia.fibro")
    found = analyse(read_graph(api.compile_checked(checked)), checked.guideline, timeout_ms=1)
    assert found, "undecided questions must be reported"
    assert all(d.code == "FIB220" for d in found)  # unknown is never reported as a failure or a proof
    assert "within the solver's time limit of 0.001 s" in found[0].message
    assert found[0].severity == "error"


def test_a_real_solver_timeout_never_becomes_a_failure_or_a_proof() -> None:
    # With a 1 ms limit some questions may time out, depending on the machine:
    # whatever is not decided is FIB220, and nothing else is reported.
    checked = api.check_file(GUIDELINES / "fibromyalgia.fibro")
    found = analyse(read_graph(api.compile_checked(checked)), checked.guideline, timeout_ms=1)
    assert all(d.code == "FIB220" for d in found)
    assert all("within the solver's time limit of 0.001 s" in d.message for d in found)
