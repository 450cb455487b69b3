"""Which patients get a different result from two versions of a guideline, and why.

Both graphs are encoded by the one encoding (``analysis.paths``) over the same
patient variables; every named intermediate term carries its version's
prefix (``~old ...``, ``~new ...``), so the two encodings live side by side
in one solver and share only the inputs. What a patient gets from a version
is a function of these *observations*, each a z3 term over the inputs:

* the outcome: the walk ends at an ``ok`` terminal with a plan that keeps
  every invariant (the plan is delivered), breaks invariant N (the runtime
  refuses the plan), ends at a ``not_applicable`` or ``insufficient_data``
  terminal, stops at node N for want of a fact, or finds no branch;
* the route: every edge, taken or not (the trace a clinician is shown);
* the delivered plan: for every item content (what it adds: recommendation
  with action, dose and titration, avoid item, flag, monitoring; not its
  wording), whether an item with that content applies when the plan is
  delivered (the runtime returns a plan only then, and keeps one of
  identical entries);
* every output: its value and whether it is known.

The versions behave the same for every patient exactly when no observation
differs. ``compare`` asks one question per observation that is not
syntactically the same term in both versions: "is there a patient for whom
it differs?" Each satisfiable question gives a readable witness patient
(``solve.Prover.witness``), replayed through the runtime on both graphs; the
runtime's two results, not the model, say what changed (``effects``).
"No patient changes" is said only when every question is unsat; a question
the solver cannot decide makes the verdict ``unknown``. What the encoding
does not model (an output that reads the plan, a change of an input's type
or of an enumeration's members) makes the comparison an error, never a
proof.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import z3

from compiler.analysis import solve
from compiler.analysis.cone import Cones
from compiler.analysis.encode import (
    FALSE,
    Encoder,
    Plan,
    Sym,
    Term,
    conj,
    disj,
    is_false,
    known_value,
    reads_plan,
)
from compiler.analysis.items import item_content
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Replay, Runtime
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS, Prover, SolverUnknown
from compiler.analysis.witnesses import patient_constraints
from fibrolang import expressions as ex
from fibrolang.graph import (
    BooleanType,
    DateType,
    EnumType,
    Graph,
    GuidelineInfo,
    MapType,
    NumberType,
    SetType,
    TerminalNode,
    ValueType,
)

JSON = dict[str, Any]  # a patient record, or an entry of a runtime result

Verdict = Literal["no_changes", "changes", "unknown"]

# What an item's content is, for comparing plans: not its id, position or wording.
_WORDING = ("id", "guard", "source", "notes", "quote", "citations", "text", "reason", "label")


class NotComparable(Exception):
    """The two versions cannot be compared by this encoding (a clear error, not a verdict)."""


class _OldConditions(PathConditions):
    def _name(self, label: str, formula: Term) -> Term:
        return super()._name(f"old {label}", formula)

    def _name_number(self, label: str, formula: Term) -> Term:
        return super()._name_number(f"old {label}", formula)


class _NewConditions(PathConditions):
    def _name(self, label: str, formula: Term) -> Term:
        return super()._name(f"new {label}", formula)

    def _name_number(self, label: str, formula: Term) -> Term:
        return super()._name_number(f"new {label}", formula)


class JointConditions(PathConditions):
    """The path conditions of two versions in one set of constraints over shared inputs
    (what ``solve.Prover`` needs to ask for witnesses of differences). ``old`` may be given
    already encoded, to compare one version with many (the mutants of a graph)."""

    def __init__(self, old: Graph | PathConditions, new: Graph) -> None:
        self.old = old if isinstance(old, PathConditions) else _OldConditions(old)
        _comparable(self.old.graph, new)
        self.new = _NewConditions(new)
        old = self.old.graph
        self.graph = _joint_graph(old, new)
        self.encoder = Encoder(self.graph)
        self.constraints = list(self.encoder.patient.ranges)
        self.defined_at = {}
        for version in (self.old, self.new):
            offset = len(self.constraints)
            self.constraints.extend(version.constraints)
            for name, positions in version.defined_at.items():
                self.defined_at[name] = [offset + p for p in positions]
        self.order = []
        self.reach = {}
        self.entry_plan = {}
        self.edges = {}
        self.items = {}
        self.no_branch = {}
        self.undecided = {}
        self.guards = {}


def kind_of(type_: ValueType) -> str:
    """The ``kind`` of a declared type as the graph JSON writes it (``integer``, ``map``, ...)."""
    if isinstance(type_, NumberType):
        return "integer" if type_.integral else "decimal"
    kinds: dict[type, str] = {
        BooleanType: "boolean",
        DateType: "date",
        EnumType: "enum",
        SetType: "set",
        MapType: "map",
    }
    return kinds[type(type_)]


def _comparable(old: Graph, new: Graph) -> None:
    problems = []
    old_inputs = {d.name: d.type for d in old.inputs}
    new_inputs = {d.name: d.type for d in new.inputs}
    for name in sorted(set(old_inputs) & set(new_inputs)):
        before, after = kind_of(old_inputs[name]), kind_of(new_inputs[name])
        if before != after:
            problems.append(f"input {name} changed from a {before} to a {after}")
    old_enums = {e.name: e.members for e in old.enums}
    new_enums = {e.name: e.members for e in new.enums}
    for name in sorted(set(old_enums) & set(new_enums)):
        if old_enums[name] != new_enums[name]:
            problems.append(f"the members of enumeration {name} changed")
    old_records = {r.name: {f.name: f.type for f in r.fields} for r in old.records}
    new_records = {r.name: {f.name: f.type for f in r.fields} for r in new.records}
    for name in sorted(set(old_records) & set(new_records)):
        before_fields, after_fields = old_records[name], new_records[name]
        for field_name in sorted(set(before_fields) & set(after_fields)):
            if kind_of(before_fields[field_name]) != kind_of(after_fields[field_name]):
                problems.append(f"field {field_name} of record {name} changed its kind")
    if problems:
        raise NotComparable(
            "the behavioural diff compares patients over the same inputs, but " + "; ".join(problems)
        )


def _merged(first: dict[str, Any], second: dict[str, Any]) -> tuple[Any, ...]:
    """``{**first, **second}``'s values: ``first``'s order, then ``second``'s new names;
    ``second``'s value for a name both have."""
    return tuple({**first, **second}.values())


def _joint_graph(old: Graph, new: Graph) -> Graph:
    """A graph holding the inputs (and their enumerations and records) of both versions, and
    both versions' expressions (whose numbers are the candidates of readable witnesses): both
    versions' nodes, definitions and invariants. Only its declarations are encoded (the
    patient model); its pathway is never walked (its node ids may repeat)."""
    return Graph(
        guideline=GuidelineInfo("", None, "", "", (), ()),
        enums=_merged({e.name: e for e in new.enums}, {e.name: e for e in old.enums}),
        records=_merged({r.name: r for r in new.records}, {r.name: r for r in old.records}),
        inputs=_merged({d.name: d for d in old.inputs}, {d.name: d for d in new.inputs}),
        definitions=(*old.definitions, *new.definitions),
        interventions=(),
        start="",
        nodes=(*old.nodes, *new.nodes),
        invariants=(*old.invariants, *new.invariants),
    )


def content_key(entry: JSON) -> str:
    """What an entry of a runtime result's plan adds, without its wording (one stable JSON string)."""
    return json.dumps({k: v for k, v in entry.items() if k not in _WORDING}, sort_keys=True)


def observations(paths: PathConditions) -> dict[str, Term]:
    """Observation name -> z3 term (Boolean, or a number for numeric outputs)."""
    graph = paths.graph
    encoder = paths.encoder
    seen: dict[str, Term] = {}
    status = {t: node.status for t in paths.terminals() if isinstance(node := paths.nodes[t], TerminalNode)}
    ok_ends = [(t, paths.reach[t]) for t in paths.terminals() if status[t] == "ok"]
    violations = []
    for invariant in graph.invariants:
        never = invariant.kind == "never"

        def broken(plan: Plan, condition: ex.Expression = invariant.condition, never: bool = never) -> Term:
            sym = encoder.condition(condition, plan)
            return sym.holds() if never else sym.fails()

        term = disj(*(conj(reach, broken(paths.entry_plan[t])) for t, reach in ok_ends))
        seen[f"outcome: invariant {invariant.name} refuses the plan"] = term
        violations.append(term)
    delivered = conj(disj(*(reach for _, reach in ok_ends)), z3.Not(disj(*violations)))
    seen["outcome: a plan is delivered"] = delivered
    for terminal in paths.terminals():
        if status[terminal] != "ok":
            seen[f"outcome: ends at {terminal} ({status[terminal]})"] = paths.reach[terminal]
    for node_id, term in paths.undecided.items():
        seen[f"outcome: stops at {node_id} for want of a fact"] = term
    for node_id, term in paths.no_branch.items():
        seen[f"outcome: no branch of {node_id} holds"] = term
    for edge_id, edge in paths.edges.items():
        seen[f"route: edge {edge_id} -> {edge.target}"] = edge.taken
    by_content: dict[str, list[Term]] = {}
    for item in paths.items.values():
        by_content.setdefault(item_content(item.item), []).append(item.applies)
    for key, terms in by_content.items():
        # The runtime keeps the first of identical entries on a walk: what a patient gets is
        # whether some item with this content applies, not how many do.
        seen[f"plan: {key}"] = conj(delivered, disj(*terms))
    empty = Plan.empty(paths.interventions, paths.flags)
    for definition in graph.definitions:
        if not definition.output:
            continue
        name = definition.name
        if reads_plan(definition.expr, encoder.definition_reads_plan):
            raise NotComparable(f"output {name} reads the plan, which the behavioural diff does not model")
        sym = encoder.expr(definition.expr, empty, {})
        seen[f"output {name} known"] = sym.known
        if sym.kind == "unset" or not is_false(sym.unset):  # unset by design (fibrolang/unset.py)
            seen[f"output {name} unset"] = conj(sym.known, sym.unset)
            if sym.kind == "unset":
                continue
            sym = Sym(sym.kind, sym.value, conj(sym.known, z3.Not(sym.unset)), sym.enum, sym.record)
        if sym.kind == "set":
            for member, term in sym.value.items():
                seen[f"output {name} has {member}"] = conj(sym.known, term)
        elif sym.kind == "boolean":
            seen[f"output {name} value"] = conj(sym.known, sym.value)
        else:
            seen[f"output {name} value"] = known_value(sym)
    return seen


@dataclass(frozen=True)
class Effect:
    kind: str  # recommendation added/removed, dose changed, status changed, flag changed, ...
    subject: str  # the intervention, flag, output or status concerned
    old: str
    new: str


@dataclass(frozen=True)
class Witness:
    """A patient for whom the versions differ, replayed through the runtime on both."""

    patient: JSON
    questions: tuple[str, ...]  # the observations found to differ for this patient
    old: Replay
    new: Replay
    effects: tuple[Effect, ...]


@dataclass
class Comparison:
    verdict: Verdict
    witnesses: list[Witness] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # questions the solver could not decide
    unconfirmed: list[str] = field(default_factory=list)  # solver differences the runtime did not show
    questions: int = 0  # observations asked about


def old_version(graph: Graph) -> PathConditions:
    """The old version encoded once, for ``compare`` with many new ones."""
    return _OldConditions(graph)


def compare(
    old: Graph | PathConditions, new: Graph, timeout_ms: int = DEFAULT_TIMEOUT_MS, first_only: bool = False
) -> Comparison:
    """Every observation that some patient sees differently, each with a replayed witness
    (``first_only``: stop at the first confirmed witness; the verdict is as sound either way:
    the proof that no patient changes, a confirmed change, or unknown)."""
    joint = JointConditions(old, new)
    old = joint.old.graph
    before, after = observations(joint.old), observations(joint.new)
    prover = Prover(joint, timeout_ms)
    runtime = Runtime()
    comparison = Comparison("no_changes")
    differing: list[tuple[str, Term, Term]] = []
    for key in sorted(set(before) | set(after)):
        left: Any = before.get(key, _absent(after.get(key)))
        right: Any = after.get(key, _absent(left))
        if not left.eq(right):
            differing.append((key, left, right))
    comparison.questions = len(differing)
    if not differing:
        return comparison
    found: list[tuple[Witness, Any]] = []  # each witness with a model fixing its patient

    def add(patient: JSON) -> bool:
        model = prover.decide(*patient_constraints(joint, patient)).model
        keys = tuple(key for key, left, right in differing if _differs(model, left, right))
        witness = replay_both(runtime, old, new, patient, keys)
        if not keys or not witness.effects:
            return False
        found.append((witness, model))
        return True

    # One question for every observation not yet told apart: does any patient see one of them
    # differently? Unsat proves them all equal at once. Otherwise the solver's patient points at
    # an observation it tells apart; that observation alone is asked for a readable witness (a
    # small cone), and every observation the witness tells apart is done. So the solver is asked
    # about twice per witness, not once per observation.
    cones = Cones(joint)
    remaining = differing
    done = 0
    while remaining and not (first_only and found):
        question = cones.solver([z3.Or(*(left != right for _, left, right in remaining))], timeout_ms)
        answer = solve.check(question)
        if answer == z3.unsat:
            remaining = []
        if answer != z3.sat:
            break  # unknown: each observation is asked on its own below
        key, left, right = next(q for q in remaining if _differs(question.model(), q[1], q[2]))
        try:
            patient = prover.witness(left != right)
        except SolverUnknown as error:
            comparison.undecided.append(f"{key}: {error}")
        else:
            # None: this observation alone is proved equal (the first check's model, over a
            # larger cone, only pointed at it); it is dropped and the rest asked again.
            if patient is not None and not add(patient):
                comparison.unconfirmed.append(key)
        told = found[-1][1] if len(found) > done else None  # the new witness's model, if any
        done = len(found)
        remaining = [q for q in remaining if q[0] != key and not (told and _differs(told, q[1], q[2]))]
    for key, left, right in remaining:
        if first_only and found:
            break
        if any(_differs(model, left, right) for _, model in found):
            continue
        try:
            patient = prover.witness(left != right)
        except SolverUnknown as error:
            comparison.undecided.append(f"{key}: {error}")
            continue
        if patient is not None and not add(patient):
            comparison.unconfirmed.append(key)
    # In a fixed order (the observations told apart, then the patient), not the order the
    # solver happened to answer in: the same two versions give the same report every run.
    comparison.witnesses = sorted((witness for witness, _ in found), key=_witness_order)
    if comparison.witnesses:
        comparison.verdict = "changes"
    elif comparison.undecided or comparison.unconfirmed:
        comparison.verdict = "unknown"
    return comparison


def _witness_order(witness: Witness) -> tuple[tuple[str, ...], str]:
    return witness.questions, json.dumps(witness.patient, sort_keys=True)


def _absent(other: Term | None) -> Term:
    """The value of an observation a version does not have: false, the empty text for a text,
    or zero for a number."""
    if other is not None and z3.is_string(other):
        return z3.StringVal("")
    if other is not None and not z3.is_bool(other):
        return z3.IntVal(0)
    return FALSE


def _differs(model: Any, left: Term, right: Term) -> bool:
    """Whether the patient a model fixes (every input, so every named term) sees the observation
    differently in the two versions."""
    return bool(z3.is_true(model.eval(left != right, model_completion=True)))


def for_graph(graph: Graph, patient: JSON) -> JSON:
    """The patient restricted to the inputs a version declares (the runtime rejects others)."""
    declared = {d.name for d in graph.inputs}
    return {k: v for k, v in patient.items() if k in declared}


def replay_both(
    runtime: Runtime, old: Graph, new: Graph, patient: JSON, questions: tuple[str, ...] = ()
) -> Witness:
    before = runtime.run(old, for_graph(old, patient))
    after = runtime.run(new, for_graph(new, patient))
    return Witness(patient, questions, before, after, tuple(effects(before, after)))


# -- what the runtime shows ---------------------------------------------------------


def _outcome(replay: Replay) -> str:
    if replay.outcome == "violation":
        return f"refused (invariant {replay.violated})"
    return replay.outcome


def _recommendations(replay: Replay) -> dict[tuple[str, str], list[JSON]]:
    """(intervention, action) -> every recommendation with them (a plan may hold two: increase
    pregabalin to 300-450 and to 450 mg/day), in the result's order."""
    found: dict[tuple[str, str], list[JSON]] = {}
    for entry in replay.result.get("recommendations", []):
        found.setdefault((entry["intervention"], entry["action"]), []).append(entry)
    return found


def _without(entries: list[JSON], others: list[JSON]) -> list[JSON]:
    """``entries`` less one entry of the same content for each of ``others`` (multiset difference)."""
    left = [content_key(entry) for entry in others]
    kept = []
    for entry in entries:
        key = content_key(entry)
        if key in left:
            left.remove(key)
        else:
            kept.append(entry)
    return kept


def describe_dose(entry: JSON) -> str:
    from compiler.testgen.view import _dose, _titration

    dose = _dose(entry.get("dose")) + _titration(entry.get("titration"))
    text = f"{entry['action']} {entry['intervention']}{dose}"
    return text.strip()


def effects(before: Replay, after: Replay) -> list[Effect]:
    """What the runtime's two results say changed for one patient, grouped by kind."""
    found: list[Effect] = []
    if _outcome(before) != _outcome(after):
        found.append(Effect("status changed", "status", _outcome(before), _outcome(after)))
    old_plan, new_plan = _recommendations(before), _recommendations(after)
    for key in sorted(set(old_plan) | set(new_plan)):
        intervention = key[0]
        gone = _without(old_plan.get(key, []), new_plan.get(key, []))
        came = _without(new_plan.get(key, []), old_plan.get(key, []))
        if len(gone) == len(came) == 1:
            was, now = gone[0], came[0]
            kind = (
                "dose changed"
                if (was.get("dose"), was.get("titration")) != (now.get("dose"), now.get("titration"))
                else "recommendation changed"
            )
            found.append(Effect(kind, intervention, describe_dose(was), describe_dose(now)))
            continue
        found.extend(Effect("recommendation removed", intervention, describe_dose(e), "") for e in gone)
        found.extend(Effect("recommendation added", intervention, "", describe_dose(e)) for e in came)
    for kind, field_name, label in (("avoid", "intervention", "avoid"), ("flags", "id", "flag")):
        old_set = {e[field_name] for e in before.result.get(kind, [])}
        new_set = {e[field_name] for e in after.result.get(kind, [])}
        for name in sorted(old_set ^ new_set):
            state = ("removed", "listed", "") if name in old_set else ("added", "", "listed")
            found.append(Effect(f"{label} changed", name, state[1], state[2]))
    old_watch = {e["what"] for e in before.result.get("monitoring", [])}
    new_watch = {e["what"] for e in after.result.get("monitoring", [])}
    for what in sorted(old_watch ^ new_watch):
        found.append(
            Effect(
                "monitoring changed",
                what,
                "listed" if what in old_watch else "",
                "listed" * (what in new_watch),
            )
        )
    old_out, new_out = before.result.get("outputs", {}), after.result.get("outputs", {})
    for name in sorted(set(old_out) | set(new_out)):
        if old_out.get(name) != new_out.get(name):
            found.append(Effect("output changed", name, _text(old_out.get(name)), _text(new_out.get(name))))
    if before.outcome == after.outcome == "insufficient_data":
        was, now = before.result.get("missing", []), after.result.get("missing", [])
        if was != now:
            found.append(Effect("missing facts changed", "missing", ", ".join(was), ", ".join(now)))
    if not found and before.edges != after.edges:
        found.append(Effect("route changed", "trace", " -> ".join(before.edges), " -> ".join(after.edges)))
    return found


def _text(value: Any) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True)
