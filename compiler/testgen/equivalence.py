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
the same snapshot from both graphs: the mutant is **equivalent**.

The encoding covers complete patients (an input is never absent; only map
entries and their fields can be). ``mutate`` therefore cross-checks every
equivalent verdict on sampled patients, some with missing facts
(``mutate.cross_checked``; docs/testing.md, "Why an equivalent mutant is
equivalent"). A mutant that changes a definition a safety rule reads is never
called equivalent here (the runtime's safety check is not encoded): it is
unclassified if it survives every test.

A mutant that only changes guards (a flipped comparison or a moved threshold,
in a guard or in a definition that is no output and that no output and no
safety rule reads: ``result_definitions``) is
classified without encoding the mutant graph (``classify_guard_change``): it
is equivalent exactly when no patient *evaluates* one of the changed guards,
in the original walk, with a different value (true, false or unknown) from
the mutated guard's. If some patient does, take the first such guard on its
walk: the two walks agree up to it, so the mutant evaluates it too, with the
other value, and the trace in the snapshot shows it. If none does, the two
walks agree everywhere. The question needs only the changed guards and the
path conditions that reach them, where encoding the whole mutant grows with
the graph. Otherwise
the solver's patient is made readable and replayed through the runtime on
both graphs; if the snapshots differ, the mutant is a **real survivor** and
that patient would kill it. A solver ``unknown``, an output that reads the
plan, or a replay that does not confirm the difference, is **unclassified**.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import z3

from compiler.analysis.covering import definitions_read_by, guard_evaluated, guard_of
from compiler.analysis.encode import FALSE, Encoder, Plan, Sym, Term, conj, is_false, known_value, reads_plan
from compiler.analysis.items import item_content
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Runtime
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS, Prover, SolverUnknown
from compiler.testgen.view import snapshot_view
from fibrolang.graph import DecisionNode, Graph

JSON = dict[str, Any]  # a patient record


@dataclass(frozen=True)
class Verdict:
    kind: str  # equivalent, survivor, unclassified
    reason: str
    patient: JSON | None = None


def _named(paths: PathConditions) -> dict[str, tuple[Term, Term]]:
    """Name -> (constant, defining formula) of every named intermediate term, in creation order."""
    found: dict[str, tuple[Term, Term]] = {}
    for name, positions in paths.defined_at.items():
        for position in positions:
            equation = paths.constraints[position]
            found[name] = (equation.arg(0), equation.arg(1))
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
    seen: dict[str, Term] = {}
    for edge_id, edge in paths.edges.items():
        seen[f"edge {edge_id} -> {edge.target}"] = edge.taken
    for node_id, guards in paths.guards.items():
        node = paths.nodes[node_id]
        evaluated = paths.reach[node_id]
        branches = node.branches if isinstance(node, DecisionNode) else ()
        for branch, guard in zip(branches, guards, strict=False):
            if guard is None:
                break
            seen[f"guard {branch.id} true"] = conj(evaluated, guard.holds())
            seen[f"guard {branch.id} false"] = conj(evaluated, guard.fails())
            seen[f"guard {branch.id} unknown"] = conj(evaluated, z3.Not(guard.known))
            evaluated = conj(evaluated, guard.fails())
    going: dict[str, Term] = {}
    for item_id, item in paths.items.items():
        before = going.get(item.node, paths.reach[item.node])
        key = item_content(item.item)
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
    for definition in paths.graph.definitions:
        if not definition.output:
            continue
        if reads_plan(definition.expr, encoder.definition_reads_plan):
            return None
        sym = encoder.expr(definition.expr, empty, {})
        seen[f"output {definition.name} known"] = sym.known
        if sym.kind == "unset" or not is_false(sym.unset):  # unset by design (fibrolang/unset.py)
            seen[f"output {definition.name} unset"] = conj(sym.known, sym.unset)
            if sym.kind == "unset":
                continue
            sym = Sym(sym.kind, sym.value, conj(sym.known, z3.Not(sym.unset)), sym.enum, sym.record)
        if sym.kind == "set":
            for member, term in sym.value.items():
                seen[f"output {definition.name} has {member}"] = z3.And(sym.known, term)
        elif sym.kind == "boolean":
            seen[f"output {definition.name} value"] = z3.And(sym.known, sym.value)
        else:  # a number, or an enum member's index or a text: compared only where it is known
            seen[f"output {definition.name} value"] = known_value(sym)
    return seen


class Classifier:
    """Classifies the surviving mutants of one graph (the original's encoding is built once)."""

    def __init__(self, original: Graph, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.original = original
        self.paths = PathConditions(original)
        self.prover = Prover(self.paths, timeout_ms)
        outputs = _outputs(self.paths)
        self.observed = None if outputs is None else {**_observations(self.paths), **outputs}

    def classify_guard_change(self, mutant: Graph, guards: Sequence[str], fall_back: bool = True) -> Verdict:
        """``classify`` for a mutant that changes only the guards ``guards`` (branch and item
        ids), directly or through definitions no output or safety rule reads (module docstring);
        ``classify`` itself when a changed definition is read by one. When the runtime does not
        confirm the solver's patient, falls back to ``classify`` (``fall_back=False``: the
        unconfirmed verdict, for tests of this question alone)."""
        if not self.guard_change_only(mutant):
            return self.classify(mutant)
        encoder = Encoder(mutant)
        differences = []
        for guard_id in guards:
            evaluated = guard_evaluated(self.paths, guard_id)
            found = self._guard(guard_id)
            expression = guard_of(mutant, guard_id)
            if evaluated is None or found is None or expression is None:
                return self.classify(mutant)
            before, plan = found
            after = encoder.condition(expression, plan)
            changed = z3.Or(before.holds() != after.holds(), before.known != after.known)
            differences.append(conj(evaluated, changed))
        try:
            patient = self.prover.witness(z3.Or(*differences))
        except SolverUnknown as error:
            return Verdict("unclassified", f"the solver could not decide: {error}")
        if patient is None:
            return Verdict(
                "equivalent",
                "z3 proves that no complete patient evaluates a changed guard with a different value (unsat)",
            )
        verdict = _confirm(self.original, mutant, patient)
        return verdict if verdict.kind == "survivor" or not fall_back else self.classify(mutant)

    def guard_change_only(self, mutant: Graph) -> bool:
        """Whether no definition the mutant changes is an output, or is read by an output or a
        safety rule (an invariant or a declared contraindication): the condition for
        ``classify_guard_change``, besides changing only guards. A changed output changes the
        result wherever its value changes, whatever the guards do (issue 19's reproducer)."""
        return not _changed_definitions(self.original, mutant) & result_definitions(mutant)

    def _guard(self, guard_id: str) -> tuple[Sym, Plan] | None:
        """The original encoding of a branch or item guard, and the plan it is evaluated in."""
        item = self.paths.items.get(guard_id)
        if item is not None:
            return (item.guard, item.plan_before) if item.guard is not None else None
        edge = self.paths.edges.get(guard_id)
        if edge is None:
            return None
        guard = self.paths.guards.get(edge.node, [])[edge.index]
        return (guard, self.paths.entry_plan[edge.node]) if guard is not None else None

    def classify(self, mutant: Graph) -> Verdict:
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
        safety = bool(_changed_definitions(self.original, mutant) & safety_definitions(mutant))
        if not differences:
            if safety:
                return Verdict("unclassified", _SAFETY_UNMODELLED)
            return Verdict("equivalent", "the mutation changes nothing a guard or an output reads")
        try:
            background = [rename(c) for c in rename.constraints]
            patient = self.prover.witness(z3.Or(*differences), background=background)
        except SolverUnknown as error:
            return Verdict("unclassified", f"the solver could not decide: {error}")
        if patient is None:
            if safety:
                return Verdict("unclassified", _SAFETY_UNMODELLED)
            return Verdict(
                "equivalent", "z3 proves that every complete patient gets the same snapshot (unsat)"
            )
        return _confirm(self.original, mutant, patient)


_SAFETY_UNMODELLED = (
    "no complete patient gets a different snapshot, but the mutant changes a definition a safety "
    "rule reads, which this comparison does not model (the runtime checks it on every plan)"
)


def safety_definitions(graph: Graph) -> set[str]:
    """The definitions a safety rule (invariant, declared contraindication) reads, directly or
    through other definitions: the runtime checks them on every plan, the encoding does not."""
    readers = [invariant.condition for invariant in graph.invariants]
    readers += [
        contraindication.condition
        for intervention in graph.interventions
        for contraindication in intervention.contraindications
    ]
    return definitions_read_by(graph, readers)


def result_definitions(graph: Graph) -> set[str]:
    """The definitions a result shows other than through guards: every output, and every
    definition an output or a safety rule (invariant, contraindication) reads, directly or
    through other definitions."""
    outputs = [d for d in graph.definitions if d.output]
    shown = definitions_read_by(graph, [d.expr for d in outputs])
    return {d.name for d in outputs} | shown | safety_definitions(graph)


def _changed_definitions(original: Graph, mutant: Graph) -> set[str]:
    before = {d.name: d.expr for d in original.definitions}
    return {d.name for d in mutant.definitions if before.get(d.name) != d.expr}


def classify(original: Graph, mutant: Graph, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Verdict:
    """Whether some patient gets a different snapshot from ``original`` and ``mutant``."""
    return Classifier(original, timeout_ms).classify(mutant)


def _confirm(original: Graph, mutant: Graph, patient: JSON) -> Verdict:
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


def distinguishing_patient(original: Graph, mutant: Graph, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Any:
    """A replayed patient that kills the mutant, or None (equivalent or unclassified)."""
    verdict = classify(original, mutant, timeout_ms)
    return verdict.patient if verdict.kind == "survivor" else None
