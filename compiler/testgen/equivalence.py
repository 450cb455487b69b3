"""Is a surviving mutant equivalent? Ask z3 for a patient who tells the two graphs apart.

Both graphs are encoded by the one encoding (``PathConditions``) over the same
patient variables; the mutant's named intermediate terms are renamed so the
two encodings live side by side in one solver. What a snapshot can see of a
result is a function of these observations, which are compared one by one:

* every edge: taken or not;
* every branch guard and item guard: evaluated and true, evaluated and
  false, evaluated and unknown (the trace lists each evaluated guard with its
  value; an unknown one ends the walk with ``insufficient_data``);
* every unguarded item: applied or not, keyed by what it adds (intervention,
  action, dose, titration, flag, monitoring), so a swapped agent differs
  wherever the item applies;
* every output: its value and whether it is known.

If no patient makes any observation differ (``unsat``), every patient gets
the same snapshot from both graphs: the mutant is **equivalent**. Otherwise
the solver's patient is made readable and replayed through the runtime on
both graphs; if the snapshots differ, the mutant is a **real survivor** and
that patient would kill it. A solver ``unknown``, an output that reads the
plan, or a replay that does not confirm the difference, is **unclassified**.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import z3

from compiler.analysis.encode import FALSE, JSON, Plan, Term, conj, reads_plan
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Runtime
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS, Prover, SolverUnknown
from compiler.testgen.view import snapshot_view

_PAYLOAD_SKIP = ("id", "guard", "source", "notes", "quote", "citations", "text", "reason")


@dataclass(frozen=True)
class Verdict:
    kind: str  # equivalent, survivor, unclassified
    reason: str
    patient: JSON | None = None


def _renaming(paths: PathConditions, prefix: str) -> list[tuple[Term, Term]]:
    pairs = []
    for constraint in paths.constraints:
        if z3.is_eq(constraint):
            named = constraint.arg(0)
            if z3.is_const(named) and named.decl().name().startswith("~"):
                pairs.append((named, z3.Const(prefix + named.decl().name(), named.sort())))
    return pairs


def _observations(paths: PathConditions) -> dict[str, Term]:
    graph = paths.graph
    seen: dict[str, Term] = {}
    for edge_id, edge in paths.edges.items():
        seen[f"edge {edge_id} -> {edge.target}"] = edge.taken
    for node_id, guards in paths.guards.items():
        node = graph["nodes"][node_id]
        evaluated = paths.reach[node_id]
        for branch, guard in zip(node["branches"], guards, strict=False):
            if guard is None:
                break
            seen[f"guard {branch['id']} true"] = conj(evaluated, guard.holds())
            seen[f"guard {branch['id']} false"] = conj(evaluated, guard.fails())
            seen[f"guard {branch['id']} unknown"] = conj(evaluated, z3.Not(guard.known))
            evaluated = conj(evaluated, guard.fails())
    going: dict[str, Term] = {}
    for item_id, item in paths.items.items():
        before = going.get(item.node, paths.reach[item.node])
        payload = {k: v for k, v in item.item.items() if k not in _PAYLOAD_SKIP}
        key = json.dumps(payload, sort_keys=True)
        if item.guard is None:
            seen[f"item {item_id} applies {key}"] = before
            going[item.node] = before
            continue
        seen[f"item {item_id} applies {key}"] = item.applies
        seen[f"guard {item_id} false"] = conj(before, item.guard.fails())
        seen[f"guard {item_id} unknown"] = conj(before, z3.Not(item.guard.known))
        going[item.node] = conj(before, item.guard.known)
    return seen


def _outputs(paths: PathConditions) -> dict[str, Term] | None:
    """Output observations (None when an output reads the plan: not modelled here)."""
    encoder = paths.encoder
    empty = Plan.empty(paths.interventions, paths.flags)
    seen: dict[str, Term] = {}
    for definition in paths.graph["definitions"]:
        if not definition.get("output"):
            continue
        if reads_plan(definition["expr"], encoder.definition_reads_plan):
            return None
        sym = encoder.expr(definition["expr"], empty, {})
        seen[f"output {definition['name']} known"] = sym.known
        if sym.kind == "set":
            for member, term in sym.value.items():
                seen[f"output {definition['name']} has {member}"] = z3.And(sym.known, term)
        elif sym.kind == "boolean":
            seen[f"output {definition['name']} value"] = z3.And(sym.known, sym.value)
        else:  # a number, or an enum member's index: compared only where it is known
            seen[f"output {definition['name']} value"] = z3.If(sym.known, sym.value, -1)
    return seen


def classify(original: JSON, mutant: JSON, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Verdict:
    """Whether some patient gets a different snapshot from ``original`` and ``mutant``."""
    first = PathConditions(original)
    second = PathConditions(mutant)
    outputs_first, outputs_second = _outputs(first), _outputs(second)
    if outputs_first is None or outputs_second is None:
        return Verdict("unclassified", "an output reads the plan, which this comparison does not model")
    renaming = _renaming(second, "mutant ")

    def rename(term: Term) -> Term:
        return z3.substitute(term, *renaming) if renaming else term

    seen_first = {**_observations(first), **outputs_first}
    seen_second = {key: rename(term) for key, term in {**_observations(second), **outputs_second}.items()}
    differences = []
    for key in sorted(set(seen_first) | set(seen_second)):
        left: Any = seen_first.get(key, FALSE)
        right: Any = seen_second.get(key, FALSE)
        if left.eq(right):
            continue
        differences.append(left != right)
    if not differences:
        return Verdict("equivalent", "the encodings are identical")
    prover = Prover(first, timeout_ms)
    prover.solver.add(*(rename(c) for c in second.constraints))
    try:
        patient = prover.witness(z3.Or(*differences))
    except SolverUnknown as error:
        return Verdict("unclassified", f"the solver could not decide: {error}")
    if patient is None:
        return Verdict("equivalent", "z3 proves that every patient gets the same snapshot (unsat)")
    return _confirm(original, mutant, patient)


def _confirm(original: JSON, mutant: JSON, patient: JSON) -> Verdict:
    runtime = Runtime()
    before, after = runtime.run(original, patient), runtime.run(mutant, patient)
    if after.outcome not in ("ok", "not_applicable", "insufficient_data"):
        return Verdict("survivor", f"this patient makes the mutant end in {after.outcome}", patient)
    if (
        before.result
        and after.result
        and snapshot_view(dict(before.result)) != snapshot_view(dict(after.result))
    ):
        return Verdict("survivor", "this patient gets a different snapshot from the mutant", patient)
    return Verdict(
        "unclassified", "the solver's distinguishing patient was not confirmed by the runtime", patient
    )


def distinguishing_patient(original: JSON, mutant: JSON, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Any:
    """A replayed patient that kills the mutant, or None (equivalent or unclassified)."""
    verdict = classify(original, mutant, timeout_ms)
    return verdict.patient if verdict.kind == "survivor" else None
