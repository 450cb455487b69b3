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


def _named(paths: PathConditions) -> dict[str, tuple[Term, Term]]:
    """Name -> (constant, defining formula) of every named intermediate term, in creation order."""
    found: dict[str, tuple[Term, Term]] = {}
    for constraint in paths.constraints:
        if z3.is_eq(constraint):
            named = constraint.arg(0)
            if z3.is_const(named) and named.decl().name().startswith("~"):
                found[named.decl().name()] = (named, constraint.arg(1))
    return found


def _mentions(formula: Term, names: set[str], seen: set[int]) -> bool:
    """Whether ``formula`` refers to one of ``names`` (shared subterms visited once)."""
    stack = [formula]
    while stack:
        term = stack.pop()
        key = term.get_id()
        if key in seen:
            continue
        seen.add(key)
        if z3.is_const(term):
            if term.decl().name() in names:
                return True
            continue
        stack.extend(term.children())
    return False


class _Renaming:
    """Renames the mutant's named terms whose meaning differs from the original's (a changed
    definition, or one that refers to a changed name), so both encodings share one solver and
    everything upstream of the mutation stays literally shared. One ``Z3_substitute`` call per
    term with arrays built once (``z3.substitute`` re-checks its pairs on every call)."""

    def __init__(self, original: PathConditions, mutant: PathConditions, prefix: str) -> None:
        before, after = _named(original), _named(mutant)
        changed: set[str] = set()
        for name, (_, formula) in after.items():
            other = before.get(name)
            if other is None or not other[1].eq(formula) or _mentions(formula, changed, set()):
                changed.add(name)
        self.constraints = [after[name][0] == after[name][1] for name in after if name in changed]
        pairs = [
            (after[name][0], z3.Const(prefix + name, after[name][0].sort()))
            for name in after
            if name in changed
        ]
        self.pairs = pairs  # keeps the terms (and their reference counts) alive for the arrays
        self.count = len(pairs)
        self.context = z3.main_ctx()
        self.source = (z3.Ast * self.count)()
        self.target = (z3.Ast * self.count)()
        for index, (old, new) in enumerate(pairs):
            self.source[index] = old.as_ast()
            self.target[index] = new.as_ast()

    def __call__(self, term: Term) -> Term:
        if not self.count or z3.is_true(term) or z3.is_false(term):
            return term
        renamed = z3.Z3_substitute(self.context.ref(), term.as_ast(), self.count, self.source, self.target)
        return z3.z3._to_expr_ref(renamed, self.context)


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


class Classifier:
    """Classifies the surviving mutants of one graph (the original's encoding is built once)."""

    def __init__(self, original: JSON, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.original = original
        self.paths = PathConditions(original)
        self.prover = Prover(self.paths, timeout_ms)
        outputs = _outputs(self.paths)
        self.observed = None if outputs is None else {**_observations(self.paths), **outputs}

    def classify(self, mutant: JSON) -> Verdict:
        """Whether some patient gets a different snapshot from the original and ``mutant``."""
        second = PathConditions(mutant)
        outputs_second = _outputs(second)
        if self.observed is None or outputs_second is None:
            return Verdict("unclassified", "an output reads the plan, which this comparison does not model")
        rename = _Renaming(self.paths, second, "mutant ")
        seen_second = {key: rename(term) for key, term in {**_observations(second), **outputs_second}.items()}
        differences = []
        for key in sorted(set(self.observed) | set(seen_second)):
            left: Any = self.observed.get(key, FALSE)
            right: Any = seen_second.get(key, FALSE)
            if not left.eq(right):
                differences.append(left != right)
        if not differences:
            return Verdict("equivalent", "the mutation changes nothing a guard or an output reads")
        try:
            background = [rename(c) for c in rename.constraints]
            patient = self.prover.witness(z3.Or(*differences), background=background)
        except SolverUnknown as error:
            return Verdict("unclassified", f"the solver could not decide: {error}")
        if patient is None:
            return Verdict("equivalent", "z3 proves that every patient gets the same snapshot (unsat)")
        return _confirm(self.original, mutant, patient)


def classify(original: JSON, mutant: JSON, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Verdict:
    """Whether some patient gets a different snapshot from ``original`` and ``mutant``."""
    return Classifier(original, timeout_ms).classify(mutant)


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
