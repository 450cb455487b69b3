"""The test generator's rounds inside definitions and outputs, and for missing data.

After the graph's own goals (edges, paths, item outcomes, guard boundaries;
``cases``), two rounds reach the logic a pathway does not branch on:

5. **logic goals** (``analysis.logic``): every arm of every conditional in a
   definition or output, every reachable value of an enumeration, yes/no or
   small whole-number output, MC/DC on yes/no definitions, boundaries of
   comparisons in definitions no guard uses. A goal an earlier patient already
   meets (z3 evaluates the goal on that patient's model) is added to that
   patient's purposes; otherwise a readable witness becomes a new test. A goal
   with no witness is proven unreachable (``unsat``) and counted as such.
6. **missing data**: for every input a guard or an output reads, a patient
   without it: the first test whose walk evaluates a guard that reads it (or
   any test, when an output reads it) with that input left out, replayed
   through the runtime (``insufficient_data`` naming it, or the answer it gets
   where it is not needed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.analysis.logic import KINDS, Goal, LogicGoals, inputs_read, met, reads_input, shows_value
from compiler.analysis.witnesses import ReplayMismatch, patient_constraints
from compiler.testgen import words
from compiler.testgen.literals import slug
from fibrolang.graph import Graph

Counts = dict[str, tuple[int, int]]  # kind -> (goals met, goals proven unreachable)


class _Models:
    """The model of each complete patient, asked once (every input fixed: a single answer)."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.models: dict[int, Any] = {}

    def of(self, case: Any) -> Any:
        key = id(case)
        if key not in self.models:
            patient = case.patient
            if any(declared.name not in patient for declared in self.state.graph.inputs):
                self.models[key] = None
            else:
                answer = self.state.prover.decide(*patient_constraints(self.state.paths, patient))
                self.models[key] = answer.model if answer.verdict == "sat" else None
        return self.models[key]


def _confirmed(goal: Goal, model: Any, result: Mapping[str, Any] | None) -> bool:
    if model is None or not met(model, goal):
        return False
    if goal.kind == "value":
        outputs = (result or {}).get("outputs", {})
        return shows_value(outputs, goal)
    return True


def gather_logic(state: Any) -> Counts:
    counts = {kind: [0, 0] for kind in KINDS}
    models = _Models(state)
    for goal in LogicGoals(state.paths).goals():
        text = words.logic_words(state.graph, goal.kind, goal.definition, goal.detail, goal.output_value)
        name = f"test_{words.logic_slug(goal.kind, goal.key)}"
        holder = next(
            (case for case in state.cases if (m := models.of(case)) is not None and met(m, goal)), None
        )
        if holder is not None:
            holder.purposes.append(_purpose(goal.kind, name, text))
            counts[goal.kind][0] += 1
            continue
        found = state.witness([goal.term], goal.key)
        if found is None:
            counts[goal.kind][1] += 1
            continue
        patient, replay = found
        case = state.add(patient, goal.kind, name, text, replay)
        if case is None:
            continue
        if not _confirmed(goal, models.of(case), replay.result):
            raise ReplayMismatch(f"the witness for {goal.key} does not meet it when replayed")
        counts[goal.kind][0] += 1
    return {kind: (met_, unreachable) for kind, (met_, unreachable) in counts.items()}


def _purpose(kind: str, name: str, text: str) -> Any:
    from compiler.testgen.cases import Purpose  # cases imports this module

    return Purpose(kind, name, text)


def gather_missing(state: Any) -> tuple[int, int]:
    """(inputs with a patient without them, inputs no test reads)."""
    covered = unreachable = 0
    for name, readers in inputs_read(state.graph).items():
        holder = next(
            (
                case
                for case in state.cases
                if name not in case.patient and reads_input(case.replay.result or {}, readers)
            ),
            None,
        )
        if holder is not None:
            text = _missing_text(state.graph, name, holder.replay)
            holder.purposes.append(_purpose("missing", f"test_missing_{slug(name)}", text))
            covered += 1
            continue
        base = next(
            (
                case
                for case in state.cases
                if name in case.patient and reads_input(case.replay.result or {}, readers)
            ),
            None,
        )
        if base is None:
            unreachable += 1
            continue
        patient = {key: value for key, value in base.patient.items() if key != name}
        replay = state.runtime.run(state.graph, patient)
        text = _missing_text(state.graph, name, replay)
        if state.add(patient, "missing", f"test_missing_{slug(name)}", text, replay) is not None:
            covered += 1
    return covered, unreachable


def _missing_text(graph: Graph, name: str, replay: Any) -> str:
    missing = list((replay.result or {}).get("missing", []))
    return words.missing_words(graph, name, replay.outcome, missing)
