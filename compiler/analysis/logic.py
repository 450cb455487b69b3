"""Goals inside the logic of definitions and outputs (beyond the edges of the pathway).

The decision graph's edges say nothing about a score table the pathway never
branches on. These goals reach into every definition and output that a result
shows (an output, or a definition an output reads) or that a guard uses, each
stated as a z3 term over the one encoding (``paths.PathConditions``):

* **arm**: every arm of every ``if … then … else`` reached (the condition known
  and true for the ``then`` arm, known and false for the ``else`` arm, under the
  arms that enclose it), where the definition is evaluated;
* **value**: every value of an enumeration or yes/no output, and every value of
  a whole-number output whose range is small (a score's 0..max), that some
  patient gets;
* **mcdc**: for each condition of a yes/no definition built with ``and``,
  ``or`` and ``not``, a patient for whom the condition is true and alone decides
  the definition, and one for whom it is false and alone decides it (each
  condition shown to change the decision independently: masking MC/DC);
* **boundary**: just below, at and just above every comparison of a value with
  a number inside a definition that no guard uses (the guards' comparisons are
  the test generator's boundary round, ``covering.boundary_goal``).

A goal no patient can meet is *unreachable*: z3 proves it (``unsat``) and it
is reported as such, never counted as a miss. Expressions under a quantifier's
variable and definitions that read the plan are not broken down here (their
guards are covered by the graph's own goals).

Missing-data goals (a patient without each input a reachable path reads) are
not z3 terms: the encoding knows only complete patients. ``inputs_read`` says
which guards and outputs read each input; the test generator drops the input
from a patient that reaches one of them and replays it through the runtime.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from compiler.analysis.boundaries import integral
from compiler.analysis.covering import (
    definition_expressions,
    definitions_read_by,
    guard_evaluated,
    guard_expressions,
    guards_using,
)
from compiler.analysis.encode import (
    TRUE,
    EncodingError,
    Plan,
    Sym,
    Term,
    conj,
    disj,
    is_false,
    reads_plan,
)
from compiler.analysis.paths import PathConditions
from compiler.analysis.solve import step_of
from fibrolang import expressions as ex
from fibrolang.expression_parts import Step, inline, mentions, parts, replaced, subexpressions
from fibrolang.graph import Definition, Graph
from fibrolang.operators import mirrored

KINDS = ("arm", "value", "mcdc", "boundary")
# A whole-number output gets one goal per value while its range has at most this many values.
SMALL_RANGE = 32
_BINDERS = ex.VariableReference


@dataclass(frozen=True)
class GoalDetail:
    """What the words of a goal need: an arm's or a condition's expression and value, or a
    boundary's compared expression, operator, threshold, side and value."""

    condition: ex.Expression | None = None  # arm, mcdc
    arm: str | None = None  # arm: "then" or "else"
    value: Any = None  # arm: the arm's expression; mcdc: True/False; boundary: the value
    compared: ex.Expression | None = None  # boundary
    operator: str = ""
    threshold: int | float = 0
    unit: str | None = None
    side: str = ""


@dataclass(frozen=True)
class Goal:
    kind: str  # arm, value, mcdc, boundary
    key: str  # a stable identity: "arm risk #2 then", "value risk = mid", ...
    definition: str  # the definition or output it lies in
    term: Term  # what a patient must satisfy
    output_value: Any = None  # for a value goal: the output's value in a result (JSON)
    detail: GoalDetail | None = None  # what the words need (expressions, values)


def _quantified(expr: ex.Expression) -> bool:
    return isinstance(expr, ex.Quantifier | ex.Sum)


def output_names(graph: Graph) -> list[str]:
    return [d.name for d in graph.definitions if d.output]


def shown_definitions(graph: Graph) -> set[str]:
    """Every output and every definition an output reads (a result shows their values)."""
    outputs = output_names(graph)
    readers = [d.expr for d in graph.definitions if d.output]
    return set(outputs) | definitions_read_by(graph, readers)


class LogicGoals:
    """The goals of one graph over its path conditions (module docstring)."""

    def __init__(self, paths: PathConditions) -> None:
        self.paths = paths
        self.graph = paths.graph
        self.encoder = paths.encoder
        self.empty = Plan.empty(paths.interventions, paths.flags)
        self.shown = shown_definitions(self.graph)
        self.users = guards_using(self.graph)
        self.definitions: dict[str, Definition] = {d.name: d for d in self.graph.definitions}

    def evaluated(self, name: str) -> Term | None:
        """When a definition is evaluated: always for one a result shows, else when the walk
        evaluates a guard that uses it; None when nothing reads it."""
        if name in self.shown:
            return TRUE
        reached = [guard_evaluated(self.paths, guard) for guard in self.users.get(name, [])]
        terms = [term for term in reached if term is not None]
        return disj(*terms) if terms else None

    def _encodable(self, name: str) -> bool:
        return not reads_plan(self.definitions[name].expr, self.encoder.definition_reads_plan)

    def goals(self) -> list[Goal]:
        found: list[Goal] = []
        for name in self.definitions:
            evaluated = self.evaluated(name)
            if evaluated is None or not self._encodable(name):
                continue
            expr = self.definitions[name].expr
            found += list(self._arms(name, expr, evaluated))
            found += list(self._mcdc(name, expr, evaluated))
        for name in output_names(self.graph):
            if self._encodable(name):
                found += self._values(name)
        found += self._boundaries()
        return found

    # -- arms --

    def _arms(self, name: str, expr: ex.Expression, evaluated: Term) -> Iterator[Goal]:
        ordinal = 0

        def walk(node: ex.Expression, context: Term) -> Iterator[Goal]:
            nonlocal ordinal
            if _quantified(node):
                return  # under a quantifier's variable: not broken down
            if isinstance(node, ex.Conditional) and not mentions(node.condition, _BINDERS):
                ordinal += 1
                number = ordinal
                condition = self._condition(node.condition)
                if condition is None:
                    return
                for arm, holds, branch in (
                    ("then", condition.holds(), node.then),
                    ("else", condition.fails(), node.otherwise),
                ):
                    yield Goal(
                        "arm",
                        f"arm {name} #{number} {arm}",
                        name,
                        conj(evaluated, context, holds),
                        detail=GoalDetail(condition=node.condition, arm=arm, value=branch),
                    )
                    yield from walk(branch, conj(context, holds))
                return
            for _, part in parts(node):
                yield from walk(part, context)

        yield from walk(expr, TRUE)

    def _condition(self, expr: ex.Expression) -> Sym | None:
        try:
            sym = self.encoder.expr(expr, self.empty, {})
        except EncodingError:
            return None
        return sym if sym.kind == "boolean" else None

    # -- output values --

    def _values(self, name: str) -> list[Goal]:
        expr = self.definitions[name].expr
        try:
            sym = self.encoder.expr(expr, self.empty, {})
        except EncodingError:
            return []
        label = f"value {name}"
        unset_goals = _unset_goals(sym, label, name)
        if unset_goals:  # the values are shown only where the output is set
            sym = Sym(sym.kind, sym.value, conj(sym.known, z3.Not(sym.unset)), sym.enum, sym.record)
        return unset_goals + self._set_values(name, expr, sym, label)

    def _set_values(self, name: str, expr: ex.Expression, sym: Sym, label: str) -> list[Goal]:
        if sym.kind == "boolean":
            return [
                Goal("value", f"{label} = {str(v).lower()}", name, conj(sym.known, sym.value == v), v)
                for v in (True, False)
            ]
        if sym.kind == "member":
            members = self.encoder.patient.members(sym.enum or "")
            return [
                Goal("value", f"{label} = {m}", name, conj(sym.known, sym.value == index), m)
                for index, m in enumerate(members)
            ]
        if sym.kind == "number" and self._integral(expr):
            bounds = self._range(sym)
            if bounds is None or bounds[1] - bounds[0] + 1 > SMALL_RANGE:
                return []
            return [
                Goal("value", f"{label} = {v}", name, conj(sym.known, sym.value == v), v)
                for v in range(bounds[0], bounds[1] + 1)
            ]
        return []

    def _integral(self, expr: ex.Expression) -> bool:
        """Whether a number only ever takes whole values (definitions inlined)."""
        return integral(inline(expr, definition_expressions(self.graph)), self.graph)

    def _range(self, sym: Sym) -> tuple[int, int] | None:
        """The least and greatest value a whole-number output takes (z3's optimiser)."""
        bounds = []
        for direction in ("minimize", "maximize"):
            optimiser = z3.Optimize()
            optimiser.set("timeout", 10_000)
            optimiser.add(*self.paths.constraints, sym.known)
            value = sym.value if z3.is_int(sym.value) else z3.ToInt(sym.value)
            handle = getattr(optimiser, direction)(value)
            if optimiser.check() != z3.sat:
                return None
            found = handle.value()
            if not z3.is_int_value(found):
                return None
            bounds.append(found.as_long())
        return bounds[0], bounds[1]

    # -- MC/DC --

    def _mcdc(self, name: str, expr: ex.Expression, evaluated: Term) -> Iterator[Goal]:
        if not isinstance(expr, ex.Conjunction | ex.Disjunction | ex.Negation) or mentions(expr, _BINDERS):
            return
        whole = self._condition(expr)
        if whole is None:
            return
        for ordinal, (path, leaf) in enumerate(_conditions(expr), start=1):
            condition = self._condition(leaf)
            when_true = self._condition(replaced(expr, path, ex.Constant(True, None)))
            when_false = self._condition(replaced(expr, path, ex.Constant(False, None)))
            if condition is None or when_true is None or when_false is None:
                continue
            decides = conj(
                when_true.known, when_false.known, when_true.value != when_false.value, whole.known
            )
            for value, holds in ((True, condition.holds()), (False, condition.fails())):
                yield Goal(
                    "mcdc",
                    f"mcdc {name} #{ordinal} {str(value).lower()}",
                    name,
                    conj(evaluated, holds, decides),
                    detail=GoalDetail(condition=leaf, value=value),
                )

    # -- boundaries inside definitions no guard uses --

    def _decisive(self, expr: ex.Expression) -> dict[Step, Term]:
        """When each comparison inside an ``if`` decides the definition's value: the
        value (or whether it is known, or set) differs with the comparison taken as
        true and as false. A boundary patient must meet it, or a table's row is
        "tested" by a patient for whom it does not matter: another row before it, an
        output's `if ... else unset` choosing unset, a column whose cells agree. By
        the path of the comparison; a comparison outside every ``if`` arm is not
        listed (its boundary goals are as before)."""
        found: dict[Step, Term] = {}

        def walk(node: ex.Expression, path: Step, inside: bool) -> None:
            if _quantified(node):
                return
            if isinstance(node, ex.Comparison) and inside:
                term = self._deciding(expr, path)
                if term is not None:
                    found[path] = term
            inside = inside or isinstance(node, ex.Conditional)
            for step, part in parts(node):
                walk(part, (*path, *step), inside)

        walk(expr, (), False)
        return found

    def _deciding(self, expr: ex.Expression, path: Step) -> Term | None:
        try:
            when_true = self.encoder.expr(replaced(expr, path, ex.Constant(True, None)), self.empty, {})
            when_false = self.encoder.expr(replaced(expr, path, ex.Constant(False, None)), self.empty, {})
        except EncodingError:
            return None
        if when_true.kind not in ("boolean", "number", "member", "text") or when_true.kind != when_false.kind:
            return None
        return z3.Or(
            when_true.known != when_false.known,
            when_true.unset != when_false.unset,
            conj(
                when_true.known,
                when_false.known,
                z3.Not(when_true.unset),
                z3.Not(when_false.unset),
                when_true.value != when_false.value,
            ),
        )

    def _boundaries(self) -> list[Goal]:
        found = []
        for name, definition in self.definitions.items():
            if self.users.get(name) or name not in self.shown or not self._encodable(name):
                continue
            comparisons = _comparisons(definition.expr)
            decisive = self._decisive(definition.expr)
            for ordinal, (path, comparison) in enumerate(comparisons, start=1):
                reached = decisive.get(path, TRUE)
                for compared, threshold, operator in _sides(comparison):
                    try:
                        sym = self.encoder.expr(compared, self.empty, {})
                    except EncodingError:
                        continue
                    if sym.kind != "number":
                        continue
                    step = Fraction(1) if self._integral(compared) else step_of(False, threshold.value)
                    at = Fraction(str(threshold.value))
                    for side, value in (("below", at - step), ("at", at), ("above", at + step)):
                        found.append(
                            Goal(
                                "boundary",
                                f"boundary {name} #{ordinal} {side}",
                                name,
                                conj(reached, sym.known, sym.value == _value_term(value)),
                                detail=GoalDetail(
                                    compared=compared,
                                    operator=operator,
                                    threshold=threshold.value,
                                    unit=threshold.unit,
                                    side=side,
                                    value=int(value) if value.denominator == 1 else float(value),
                                ),
                            )
                        )
        return found


def _value_term(value: Fraction) -> Term:
    return z3.IntVal(int(value)) if value.denominator == 1 else z3.Q(value.numerator, value.denominator)


def _comparisons(expr: ex.Expression, path: Step = ()) -> list[tuple[Step, ex.Comparison]]:
    """Comparisons outside any quantifier, depth first with keys sorted, with their paths."""
    found: list[tuple[Step, ex.Comparison]] = []
    if _quantified(expr):
        return found
    if isinstance(expr, ex.Comparison) and not mentions(expr, _BINDERS):
        found.append((path, expr))
    for step, part in parts(expr):
        found += _comparisons(part, (*path, *step))
    return found


def _sides(comparison: ex.Comparison) -> list[tuple[ex.Expression, ex.Constant, str]]:
    """(compared expression, number constant, operator with the compared side on the left)."""
    left, right = comparison.left, comparison.right
    if isinstance(right, ex.Constant) and _constant(right) and not _constant(left):
        return [(left, right, comparison.operator)]
    if isinstance(left, ex.Constant) and _constant(left) and not _constant(right):
        return [(right, left, mirrored(comparison.operator))]
    return []


def _constant(expr: ex.Expression) -> bool:
    return isinstance(expr, ex.Constant) and not isinstance(expr.value, bool)


def _conditions(expr: ex.Expression, path: Step = ()) -> list[tuple[Step, ex.Expression]]:
    """The conditions (leaves) of an ``and``/``or``/``not`` tree, with their paths."""
    if isinstance(expr, ex.Conjunction | ex.Disjunction):
        found = []
        for index, operand in enumerate(expr.operands):
            found += _conditions(operand, (*path, "operands", index))
        return found
    if isinstance(expr, ex.Negation):
        return _conditions(expr.operand, (*path, "operand"))
    return [(path, expr)]


def met(model: Any, goal: Goal) -> bool:
    """Whether the patient a model describes (every input fixed) meets the goal."""
    return bool(z3.is_true(model.eval(goal.term, model_completion=True)))


# -- missing data ------------------------------------------------------------------


def _inputs_of(
    expr: ex.Expression, definitions: Mapping[str, ex.Expression], seen: set[str] | None = None
) -> set[str]:
    seen = set() if seen is None else seen
    found: set[str] = set()
    for inner in subexpressions(expr):
        if isinstance(inner, ex.InputReference):
            found.add(inner.name)
        elif (
            isinstance(inner, ex.DefinitionReference) and inner.name not in seen and inner.name in definitions
        ):
            seen.add(inner.name)
            found |= _inputs_of(definitions[inner.name], definitions, seen)
    return found


@dataclass(frozen=True)
class InputReaders:
    guards: tuple[str, ...]  # branch and item guards that read the input
    outputs: tuple[str, ...]  # outputs that read it


def inputs_read(graph: Graph) -> dict[str, InputReaders]:
    """Input -> the guards and outputs that read it (directly or through definitions)."""
    definitions = definition_expressions(graph)
    names = [declared.name for declared in graph.inputs]
    guards: dict[str, list[str]] = {name: [] for name in names}
    outputs: dict[str, list[str]] = {name: [] for name in names}
    for guard_id, _, guard in guard_expressions(graph):
        for name in sorted(_inputs_of(guard, definitions)):
            guards[name].append(guard_id)
    for name in output_names(graph):
        for read in sorted(_inputs_of(definitions[name], definitions)):
            outputs[read].append(name)
    return {
        name: InputReaders(tuple(guards[name]), tuple(outputs[name]))
        for name in names
        if guards[name] or outputs[name]
    }


def reads_input(result: Mapping[str, Any], readers: InputReaders) -> bool:
    """Whether a result's walk evaluated a guard that reads the input (or an output reads it)."""
    if readers.outputs:
        return True
    guards: list[Mapping[str, Any]] = result.get("trace", {}).get("guards", [])
    evaluated = {g.get("edge") or g.get("item") for g in guards}
    return any(guard in evaluated for guard in readers.guards)


class UnsetValue:
    """The value goal "the output is left unset" (fibrolang/unset.py): a result shows it
    by leaving the output out; ``str`` gives the words and the test name."""

    __slots__ = ()

    def __str__(self) -> str:
        return "unset"

    def __repr__(self) -> str:
        return "UNSET_VALUE"


UNSET_VALUE = UnsetValue()


def _unset_goals(sym: Sym, label: str, name: str) -> list[Goal]:
    """The goal "unset" of an output that may be unset (none for any other)."""
    if is_false(sym.unset):
        return []
    return [Goal("value", f"{label} = unset", name, conj(sym.known, sym.unset), UNSET_VALUE)]


def shows_value(outputs: Mapping[str, Any], goal: Goal) -> bool:
    """Does a result's ``outputs`` show the value a value goal asks for?"""
    if goal.output_value is UNSET_VALUE:
        return goal.definition not in outputs
    return goal.definition in outputs and bool(outputs[goal.definition] == goal.output_value)
