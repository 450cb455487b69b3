"""``Guideline.evaluate(patient, trace=False)`` and ``Guideline.evaluate_many``: the same
answers as ``evaluate``, patient by patient, errors included."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from fibrolang.program import NO_TRACE

ROOT = Path(__file__).resolve().parents[2]


def answer(guideline: fibrolang.Guideline, patient: Any, trace: bool = True) -> Any:
    try:
        return guideline.evaluate(patient, trace=trace)
    except (fibrolang.InvalidPatient, fibrolang.SafetyViolation, fibrolang.GuidelineError) as error:
        return error


def same(first: Any, second: Any) -> bool:
    if isinstance(first, Exception) or isinstance(second, Exception):
        return type(first) is type(second) and str(first) == str(second)
    return bool(first == second)


def patients(guideline: fibrolang.Guideline, count: int) -> list[Any]:
    rng = random.Random(21)
    suite = ROOT / "tests" / "generated" / f"test_guideline_{guideline.id}.py"
    from compiler.testgen.suite import read_patients

    found: list[Any] = [case.patient for case in read_patients(suite)]
    for _ in range(count):  # the suite's patients with facts left out or broken
        patient = dict(rng.choice(found))
        for name in list(patient):
            roll = rng.random()
            if roll < 0.15:
                del patient[name]
            elif roll < 0.18:
                patient[name] = "not a value"
        found.append(patient)
    return found


@pytest.mark.parametrize("name", ["fibromyalgia", "acr2016"])
def test_lean_mode_and_batch_give_the_same_answers(name: str) -> None:
    guideline = fibrolang.load(ROOT / "guidelines" / f"{name}.graph.json")
    records = patients(guideline, 2000)
    full = [answer(guideline, patient) for patient in records]
    lean = [answer(guideline, patient, trace=False) for patient in records]
    for expected, got in zip(full, lean, strict=True):
        if isinstance(expected, fibrolang.Result):
            assert got.trace == NO_TRACE
            assert dataclasses.replace(expected, trace=NO_TRACE) == got
        else:
            assert same(expected, got)
    assert all(same(a, b) for a, b in zip(full, guideline.evaluate_many(records), strict=True))
    assert all(same(a, b) for a, b in zip(lean, guideline.evaluate_many(records, trace=False), strict=True))
    kinds = {type(item).__name__ for item in full}
    assert {"Result", "InvalidPatient"} <= kinds


def test_evaluate_many_is_lazy_and_keeps_going_after_an_invalid_record() -> None:
    guideline = fibrolang.load(ROOT / "guidelines" / "acr2016.graph.json")
    results = guideline.evaluate_many(iter([{"fatigue": 9}, {}]))
    first = next(results)
    assert isinstance(first, fibrolang.InvalidPatient)
    assert [problem.code for problem in first.problems] == ["above_maximum"]
    assert isinstance(next(results), fibrolang.Result)
    assert next(results, None) is None


@pytest.mark.parametrize("budget", [0, 7])
def test_the_lean_walk_is_the_same_when_few_plan_states_are_kept(budget: int) -> None:
    """Beyond its budget the trie of plan states (``fibrolang.lean``) makes states afresh
    for each walk: the answers must not change, nor depend on which walks came first."""
    guideline = fibrolang.load(ROOT / "guidelines" / "fibromyalgia.graph.json")
    guideline._program.root_state.budget[0] = budget
    records = patients(guideline, 600)
    for patient in records:
        expected = answer(guideline, patient)
        got = answer(guideline, patient, trace=False)
        if isinstance(expected, fibrolang.Result):
            assert dataclasses.replace(expected, trace=NO_TRACE) == got
        else:
            assert same(expected, got)
    assert guideline._program.root_state.budget[0] == 0


def test_the_lean_walk_without_the_fused_shortcuts_gives_the_same_answers() -> None:
    from fibrolang.program import Program

    guideline = fibrolang.load(ROOT / "guidelines" / "fibromyalgia.graph.json")
    plain = Program(guideline.graph, fuse=False)
    for patient in patients(guideline, 600):
        try:
            inputs = guideline.validate(patient)
        except fibrolang.InvalidPatient:
            continue
        expected = answer(guideline, patient)
        try:
            got: Any = plain.run(inputs, trace=False)
        except (fibrolang.SafetyViolation, fibrolang.GuidelineError) as error:
            got = error
        if isinstance(expected, fibrolang.Result):
            assert dataclasses.replace(expected, trace=NO_TRACE) == got
        else:
            assert same(expected, got)


def test_the_lean_walk_reads_the_plan_where_guards_ask_for_it() -> None:
    """benchmarks/spec.fibro's flags and safety rule ask whether amitriptyline is
    recommended; the lean walk hands them the plan of its current state."""
    from compiler import api

    guideline = fibrolang.load(api.compile_file(ROOT / "benchmarks" / "spec.fibro"))
    rng = random.Random(14)
    flagged = 0
    for _ in range(3000):
        patient = {
            name: (
                rng.random() < 0.5
                if declared.type.__class__.__name__ == "BooleanType"
                else rng.randint(int(declared.type.minimum or 0), int(declared.type.maximum or 0))  # type: ignore[union-attr]
            )
            for name, declared in guideline.inputs.items()
            if rng.random() < 0.95
        }
        expected = answer(guideline, patient)
        got = answer(guideline, patient, trace=False)
        if isinstance(expected, fibrolang.Result):
            assert dataclasses.replace(expected, trace=NO_TRACE) == got
            flagged += bool(got.flags)
        else:
            assert same(expected, got)
    assert flagged > 100


def test_the_lean_walk_reads_plain_input_guards_inline_on_spec_fibro() -> None:
    """The guards the lean walk reads without calling (a boolean input, ``input <op>
    constant``, ``X is recommended and ...``) are marked on spec.fibro's steps, so the test
    above compares those inline reads with the full walk's closures."""
    from compiler import api
    from fibrolang.pathway import ActionStep, DecisionStep

    guideline = fibrolang.load(api.compile_file(ROOT / "benchmarks" / "spec.fibro"))
    steps: dict[str, Any] = {}
    pending = [guideline._program.start]
    while pending:
        step = pending.pop()
        if step.id in steps:
            continue
        steps[step.id] = step
        if isinstance(step, DecisionStep):
            pending += [branch.target for branch in step.branches]
        elif isinstance(step, ActionStep):
            pending.append(step.target)
    first_line = [branch.input for branch in steps["first_line"].branches]
    assert first_line == ["depression", "sleep_disturbance", "fatigue", None]
    stage = steps["stage"].branches
    assert (stage[1].input, stage[1].constant) == ("failed_count", 2)
    assert stage[1].compare is not None and stage[1].input_missing == frozenset({"failed_count"})
    assert [item.input for item in steps["reassess"].items] == ["on_treatment"]
    requires = [getattr(item, "requires", None) for item in steps["for_everyone"].items]
    assert requires[:2] == ["amitriptyline", "amitriptyline"]
    plain = fibrolang.program.Program(guideline.graph, fuse=False)
    assert all(branch.input is None for branch in plain.start.branches)  # type: ignore[attr-defined]


def test_a_long_run_of_action_steps_is_chained_in_bounded_pieces() -> None:
    """``pathway.chain_actions``: the lean walk goes through a run of action steps as a few
    chained steps of at most ``CHAIN_LIMIT`` items, with the full walk's answers."""
    import graphs as g

    from fibrolang.pathway import CHAIN_LIMIT, ActionStep

    count = 3 * CHAIN_LIMIT
    drugs = [f"drug_{index}" for index in range(count)]
    nodes: dict[str, Any] = {
        f"step_{index}": g.action(
            f"step_{index}",
            [g.recommend(name, guard=g.inp("p") if index % 2 else g.plan("recommended", drugs[index - 1]))],
            f"step_{index + 1}" if index + 1 < count else "end",
        )
        for index, name in enumerate(drugs)
    }
    nodes["end"] = g.terminal()
    document = g.graph(
        {"p": g.boolean()}, nodes, "step_0", interventions={name: g.drug(name) for name in drugs}
    )
    guideline = fibrolang.load(document)
    first = guideline._program.start
    assert isinstance(first, ActionStep)
    assert 1 < len(first.lean_items) <= CHAIN_LIMIT
    for patient in ({"p": True}, {"p": False}, {}):
        expected = answer(guideline, patient)
        got = answer(guideline, patient, trace=False)
        if isinstance(expected, fibrolang.Result):
            assert dataclasses.replace(expected, trace=NO_TRACE) == got
        else:
            assert same(expected, got)
