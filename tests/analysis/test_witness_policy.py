"""Readable witnesses depend on the question only.

``Prover.witness`` asks a fresh solver holding the question's cone of
influence, makes the neutral facts in one check, and moves numbers to their
first allowed candidate after a bisection. These tests compare it with the
plain statement of the policy, run on the solver that holds the whole graph:
neutral facts added greedily in declaration order, then each number tried at
every candidate in order. The two must give the same patient for every edge
of the real guidelines and of a synthetic guideline with many thresholds
(where the bisection is used), whatever model z3 happens to find first.
"""

from __future__ import annotations

import itertools
import math
import sys
import tempfile
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import z3

from compiler import api
from compiler.analysis.cone import Cones
from compiler.analysis.paths import PathConditions
from compiler.analysis.solve import Prover, _fits, _fraction, _neutral_term, _value_term
from fibrolang import read_graph
from fibrolang.graph import EnumType, NumberType

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import synthetic_guideline  # noqa: E402


@cache
def _paths(name: str) -> PathConditions:
    if name == "synthetic":
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "synthetic.fibro"
            path.write_text(synthetic_guideline(24), encoding="utf-8")
            return PathConditions(read_graph(api.compile_file(path)))
    return PathConditions(read_graph(api.compile_file(ROOT / "guidelines" / f"{name}.fibro")))


def _plain_policy(prover: Prover, goal: Any) -> dict[str, Any] | None:
    """The witness policy stated plainly, on the whole graph's solver."""
    solver = prover.solver
    scalars = prover.paths.encoder.patient.scalars
    solver.push()
    try:
        solver.add(goal)
        if solver.check() != z3.sat:
            return None
        for variable, type_ in scalars:  # 1. neutral facts, greedily
            solver.push()
            solver.add(_neutral_term(variable, type_))
            keep = solver.check() == z3.sat
            solver.pop()
            if keep:
                solver.add(_neutral_term(variable, type_))
        for variable, type_ in scalars:  # 2. each number at its first allowed candidate
            if not isinstance(type_, NumberType):
                continue
            ordered, _ = prover.candidates(type_)
            neutral = ordered[0]
            chosen = next((c for c in ordered if _sat(solver, variable == _value_term(c))), None)
            if chosen is None:
                pytest.skip("no candidate is allowed: the policy falls back to the model's value")
            if chosen.denominator != 1:  # a whole neighbour instead, when allowed (nearer neutral first)
                low = Fraction(math.floor(chosen))
                for whole in sorted((low, low + 1), key=lambda w: (abs(w - neutral), w)):
                    if _fits(whole, type_) and _sat(solver, variable == _value_term(whole)):
                        chosen = whole
                        break
            solver.add(variable == _value_term(chosen))
        for variable, type_ in scalars:  # 3. each enumeration value at its first allowed member
            if isinstance(type_, EnumType):
                members = len(prover.paths.encoder.patient.members(type_.enum))
                solver.add(variable == next(i for i in range(members) if _sat(solver, variable == i)))
        assert solver.check() == z3.sat
        return prover.patient(solver.model())
    finally:
        solver.pop()


def _sat(solver: z3.Solver, constraint: Any) -> bool:
    solver.push()
    solver.add(constraint)
    answer = solver.check() == z3.sat
    solver.pop()
    return bool(answer)


@pytest.mark.parametrize("name", ["fibromyalgia", "acr2016", "synthetic"])
def test_every_edge_witness_follows_the_plain_policy(name: str) -> None:
    paths = _paths(name)
    prover = Prover(paths)
    if name == "synthetic":  # enough thresholds that the bisection is used
        numbers = [t for _, t in paths.encoder.patient.scalars if isinstance(t, NumberType)]
        assert all(len(prover.candidates(t)[0]) > 16 for t in numbers)
    for edge in paths.edges.values():
        assert prover.witness(edge.taken) == _plain_policy(prover, edge.taken), edge.id


def test_the_cone_of_an_early_edge_leaves_out_the_rest_of_the_pathway() -> None:
    paths = _paths("synthetic")
    cones = Cones(paths)
    early, late = paths.edges["rule_1/1"], paths.edges["rule_20/1"]
    names_early, names_late = cones.names([early.taken]), cones.names([late.taken])
    assert "~edge rule_1/1" in names_early and "~reach rule_1" in names_early
    assert not any(name.endswith(("rule_2", "rule_20", "treat_20")) for name in names_early)
    assert names_early < names_late  # the walk to rule 20 passes rule 1
    assert len(cones.constraints([early.taken])) < len(paths.constraints) / 4
    # every input keeps its declared range, whatever the question
    assert all(c in cones.constraints([early.taken]) for c in paths.encoder.patient.ranges)


def test_a_witness_from_the_cone_satisfies_the_whole_graph() -> None:
    paths = _paths("synthetic")
    prover = Prover(paths)
    for edge_id in ("rule_3/1", "rule_17/otherwise", "treat_23/next"):
        patient = prover.witness(paths.edges[edge_id].taken)
        assert patient is not None
        solver = z3.Solver()
        solver.add(*paths.constraints, paths.edges[edge_id].taken)
        for variable, type_ in paths.encoder.patient.scalars:
            name = str(variable)
            if isinstance(type_, NumberType):
                solver.add(variable == _value_term(Fraction(str(patient[name]))))
        assert solver.check() == z3.sat, edge_id
        model = solver.model()
        assert all(
            _fraction(model.eval(v, model_completion=True)) == Fraction(str(patient[str(v)]))
            for v, t in paths.encoder.patient.scalars
            if isinstance(t, NumberType) and t.integral
        )


def test_a_cone_does_not_depend_on_the_questions_asked_before() -> None:
    # z3 reuses the id of a term that no longer exists: answers remembered for one question's
    # own terms must not leak into the next question's.
    paths = _paths("fibromyalgia")
    shared = Cones(paths)
    edges = list(paths.edges.values())
    for first, second in zip(edges, reversed(edges), strict=True):
        goal = z3.And(first.taken, z3.Not(second.taken))
        assert shared.names([goal]) == Cones(paths).names([goal]), (first.id, second.id)


@pytest.mark.parametrize("name", ["fibromyalgia", "synthetic"])
def test_satisfiable_gives_the_same_verdicts_from_cones_and_from_the_whole_graph(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from compiler.analysis import solve

    paths = _paths(name)
    edges = list(paths.edges.values())
    questions = [[edge.taken] for edge in edges]
    questions += [[a.taken, b.taken] for a in edges for b in edges if a.node == b.node and a.id < b.id]
    questions += [[a.taken, b.taken] for a, b in itertools.pairwise(edges)]
    verdicts = {}
    # whole graph, whole cones, cones cut at the nodes every patient reaches
    for cut, slice_from in ((False, 10**9), (False, 0), (True, 0)):
        monkeypatch.setattr(solve, "SLICE_FROM", slice_from)
        monkeypatch.setattr(solve, "CUT_ALWAYS_REACHED", cut)
        prover = Prover(paths)
        verdicts[cut, slice_from] = [prover.satisfiable(*goals) for goals in questions]
    assert verdicts[False, 0] == verdicts[False, 10**9]
    assert verdicts[True, 0] == verdicts[False, 10**9]
    assert True in verdicts[True, 0] and False in verdicts[True, 0]  # both kinds of answer are compared
