"""Coverage of the goals inside definitions and outputs, and of missing data.

Each kind counts the goals some patient of the suite meets, out of the goals
some patient can meet. A goal no suite patient meets is asked of z3: with a
witness it is a miss (listed with that patient); without one (``unsat``) it is
**unreachable** and not counted. The kinds:

* **arms**, **values**, **MC/DC**: ``analysis.logic`` goals, met when z3
  evaluates the goal true on the patient's model (every input fixed);
* **boundaries**: just below, at and just above every comparison with a
  number, in a guard or a definition (``covering.comparison_sites``: met when a
  guard using it is evaluated with the compared value there) and in a
  definition no guard uses (``analysis.logic``);
* **missing data**: each input a guard or an output reads, left out of some
  patient whose walk evaluates a guard that reads it (or whose outputs read it).
  Unreachable when no walk can evaluate such a guard.

A value goal is also checked against the runtime's output, so a suite
patient counts only when the result really shows that value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3

from compiler.analysis import covering
from compiler.analysis.logic import Goal, LogicGoals, inputs_read, met, reads_input, shows_value
from compiler.analysis.paths import PathConditions
from compiler.analysis.solve import Prover
from compiler.analysis.witnesses import patient_constraints
from fibrolang.graph import Graph

JSON = dict[str, Any]  # a runtime result
TITLES = {
    "arm": "arms",
    "value": "output values",
    "mcdc": "MC/DC",
    "boundary": "boundaries",
    "missing": "missing data",
}


@dataclass
class KindCoverage:
    kind: str
    met: int
    reachable: int
    unreachable: int

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    @property
    def percent(self) -> float:
        return 100.0 * self.met / self.reachable if self.reachable else 100.0


def _models(paths: PathConditions, prover: Prover, patients: list[Any]) -> list[Any]:
    models: list[Any] = []
    for entry in patients:
        patient = entry.patient
        if any(declared.name not in patient for declared in paths.graph.inputs):
            models.append(None)
            continue
        try:
            answer = prover.decide(*patient_constraints(paths, patient))
        except ValueError:
            models.append(None)
            continue
        models.append(answer.model if answer.verdict == "sat" else None)
    return models


def boundary_goals(paths: PathConditions) -> list[Goal]:
    """The test generator's boundary goals (guards and the definitions guards use), as goals met
    when some guard using the comparison is evaluated with the compared value there."""
    found = []
    for site in covering.comparison_sites(paths.graph):
        for side, value in covering.boundary_values(paths.graph, site):
            reached = []
            for guard in site.guards:
                goals = covering.boundary_goal(paths, site, guard, value, decisive=False)
                if goals is not None:
                    reached.append(z3.And(*goals))
            if reached:
                key = f"boundary {site.origin} #{site.ordinal} {side}"
                found.append(Goal("boundary", key, site.origin, z3.Or(*reached)))
    return found


def logic_coverage(
    graph: Graph,
    paths: PathConditions,
    prover: Prover,
    patients: list[Any],
    results: list[JSON | None],
    missing: list[Any],
) -> list[KindCoverage]:
    from compiler.testgen.coverage import Missing  # coverage imports this module

    models = _models(paths, prover, patients)
    goals = [*LogicGoals(paths).goals(), *boundary_goals(paths)]
    counts = {kind: [0, 0, 0] for kind in TITLES}  # met, reachable, unreachable
    for goal in goals:
        counted = counts[goal.kind]
        if any(
            model is not None and met(model, goal) and _shows(goal, result)
            for model, result in zip(models, results, strict=True)
        ):
            counted[0] += 1
            counted[1] += 1
            continue
        patient = prover.witness(goal.term)
        if patient is None:
            counted[2] += 1
            continue
        counted[1] += 1
        missing.append(Missing(goal.key, patient))
    for name, readers in inputs_read(graph).items():
        counted = counts["missing"]
        if any(
            name not in entry.patient and result is not None and reads_input(result, readers)
            for entry, result in zip(patients, results, strict=True)
        ):
            counted[0] += 1
            counted[1] += 1
            continue
        reads = [covering.guard_evaluated(paths, guard) for guard in readers.guards]
        read = z3.BoolVal(True) if readers.outputs else z3.Or(*[r for r in reads if r is not None])
        witness = prover.witness(read)
        if witness is None:
            counted[2] += 1
            continue
        counted[1] += 1
        witness = {key: value for key, value in witness.items() if key != name}
        missing.append(Missing(f"missing data: a patient without {name}", witness))
    return [KindCoverage(kind, *counts[kind]) for kind in TITLES]


def _shows(goal: Goal, result: JSON | None) -> bool:
    if result is None:
        return False
    if goal.kind != "value":
        return True
    return shows_value(result.get("outputs", {}), goal)
