"""The one encoding of decision-graph expressions into z3 (shared by every analysis).

It follows the runtime's semantics (docs/graph-format.md, ``fibrolang.closures``)
exactly, including Kleene's three-valued logic: every encoded value is a pair
``(value, known)`` of z3 terms. ``known`` is ``True`` for everything a complete
patient determines; it can be false only where a record of a map is read for
a key the map does not hold (``medications[duloxetine].weeks`` for a patient
who never took duloxetine), which is how a complete patient can still reach
``insufficient_data``.

The patient model (``PatientModel``): one z3 variable per input: booleans are
``Bool``, integers ``Int``, decimals ``Real``, an enumeration an ``Int`` index
into its members, a set one ``Bool`` per member, a map one presence ``Bool``
per key plus one variable per record field per key. Declared ranges and enum
bounds are hard constraints (``PatientModel.ranges``). Quantifiers over finite
enumerations are unrolled; definitions are inlined (cached when they do not
read the plan, re-encoded against the current plan when they do).
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import z3

from compiler.analysis import capi, dates
from fibrolang import expressions as ex
from fibrolang.expression_parts import subexpressions
from fibrolang.graph import (
    BooleanType,
    DateType,
    Enumeration,
    EnumType,
    Graph,
    MapType,
    NumberType,
    Record,
    SetType,
    ValueType,
)
from fibrolang.operators import Kit, binary

Term = Any  # a z3 expression (z3 ships no type information)

TRUE: Term = z3.BoolVal(True)
FALSE: Term = z3.BoolVal(False)
_BOOLEAN = z3.BoolSort()  # kept alive: its address is given to z3 (``boolean_constant``)
_BOOLEAN_SORT = _BOOLEAN.ast


class EncodingError(Exception):
    """The graph uses something the encoding does not model (an internal error)."""


# -- constant folding helpers: keep formulas small when facts are known ----------
#
# ``conj``, ``disj`` and ``neg`` build the very terms ``z3.And``, ``z3.Or`` and ``z3.Not`` build,
# and ``is_true`` / ``is_false`` answer as ``z3.is_true`` / ``z3.is_false``; for Boolean terms of
# the main context (every term of the encoding) they call z3's C API directly (``capi``), without
# z3py's per-argument coercion, conversions and error checks, which cost more than z3's own work
# here (docs/benchmarks.md).

_CONTEXT = TRUE.ctx
_REF = _CONTEXT.ref()
# ``true`` and ``false`` are unique terms of the context (z3 shares terms by structure), and these
# two stay alive (module constants), so no other term can ever be at their addresses.
_TRUE_ADDRESS = TRUE.as_ast().value
_FALSE_ADDRESS = FALSE.as_ast().value
_FAST = capi.AVAILABLE


def _ours(term: Term) -> bool:
    """A Boolean term of the main context."""
    return isinstance(term, z3.BoolRef) and term.ctx is _CONTEXT


def _truth(term: Term) -> bool | None:
    """True for the term ``true``, False for ``false``, None for any other term."""
    if _ours(term):
        address = term.as_ast().value
        return True if address == _TRUE_ADDRESS else False if address == _FALSE_ADDRESS else None
    return True if z3.is_true(term) else False if z3.is_false(term) else None


def is_true(term: Term) -> bool:
    return _truth(term) is True


def is_false(term: Term) -> bool:
    return _truth(term) is False


class _Boolean(z3.BoolRef):  # type: ignore[misc]
    """A Boolean term of the main context made through ``capi``: z3py's ``BoolRef`` (the same
    term, the same methods), whose reference count is kept through plain C calls."""

    def __init__(self, ast: Any) -> None:
        self.ast = ast
        self.ctx = _CONTEXT
        capi.INCREMENT(_REF, ast)

    def __del__(self) -> None:
        # as z3py's AstRef.__del__: nothing once the interpreter is tearing the modules down
        if self.ast is not None and capi.DECREMENT is not None and _REF is not None:
            capi.DECREMENT(_REF, self.ast)
            self.ast = None


def boolean_constant(name: str) -> Term:
    """``z3.Bool(name)`` in the main context."""
    if not _FAST:
        return z3.Bool(name)
    symbol = capi.MAKE_SYMBOL(_REF, name.encode(sys.getdefaultencoding() or "latin-1"))
    return _Boolean(capi.MAKE_CONSTANT(_REF, symbol, _BOOLEAN_SORT))


def equation(named: Term, formula: Term) -> Term:
    """``named == formula`` (z3py's ``__eq__``), directly when both are Boolean terms of the main
    context (z3py would coerce neither)."""
    if _FAST and _ours(named) and _ours(formula):
        return _Boolean(capi.MAKE_EQUAL(_REF, named.as_ast(), formula.as_ast()))
    return named == formula


def true_in(model: Any, term: Term) -> bool:
    """``is_true(model.eval(term, model_completion=True))`` for a Boolean term of the main
    context: whether the term evaluates to ``true`` (its one address) in a z3py model."""
    if not (_FAST and _ours(term)):
        return is_true(model.eval(term, model_completion=True))
    result = ctypes.c_void_p()
    if not capi.MODEL_EVALUATE(_REF, model.model, term.as_ast(), True, ctypes.byref(result)):
        return is_true(model.eval(term, model_completion=True))  # z3py raises as it would
    return bool(result.value == _TRUE_ADDRESS)


def same(first: Term, second: Term) -> bool:
    """``first.eq(second)`` for terms of the main context: the same term, as z3 shares terms by
    structure (z3's ``Z3_is_eq_ast`` compares the two addresses)."""
    if first.ctx is _CONTEXT and second.ctx is _CONTEXT:
        return bool(first.as_ast().value == second.as_ast().value)
    return bool(first.eq(second))


def _connective(make: Any, fallback: Any, terms: list[Term]) -> Term:
    if not _FAST or not all(_ours(term) for term in terms):
        return fallback(*terms)
    array = (z3.Ast * len(terms))(*(term.as_ast() for term in terms))
    return _Boolean(make(_REF, len(terms), array))


def conj(*terms: Term) -> Term:
    kept = []
    for term in terms:
        truth = _truth(term)
        if truth is False:
            return FALSE
        if truth is None:
            kept.append(term)
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else _connective(capi.MAKE_AND, z3.And, kept)


def disj(*terms: Term) -> Term:
    kept = []
    for term in terms:
        truth = _truth(term)
        if truth is True:
            return TRUE
        if truth is None:
            kept.append(term)
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else _connective(capi.MAKE_OR, z3.Or, kept)


def neg(term: Term) -> Term:
    truth = _truth(term)
    if truth is not None:
        return FALSE if truth else TRUE
    if _FAST and _ours(term):
        return _Boolean(capi.MAKE_NOT(_REF, term.as_ast()))
    return z3.Not(term)


def implies(premise: Term, conclusion: Term) -> Term:
    return disj(neg(premise), conclusion)


def choose(condition: Term, then: Term, otherwise: Term) -> Term:
    truth = _truth(condition)
    if truth is not None:
        return then if truth else otherwise
    if same(then, otherwise):
        return then
    return z3.If(condition, then, otherwise)


def number_term(value: int | float) -> Term:
    if isinstance(value, bool):
        raise EncodingError("a boolean where a number was expected")
    if isinstance(value, int):
        return z3.IntVal(value)
    return z3.RealVal(repr(value))


# -- values ------------------------------------------------------------------


@dataclass(frozen=True)
class Sym:
    """An encoded value: its kind, the z3 term (or a structure of terms) and when it is known."""

    kind: str  # boolean number member set map record enumeration text
    value: Any
    known: Term = TRUE
    enum: str | None = None
    record: str | None = None
    unset: Term = FALSE  # an output's value left unset by design (fibrolang/unset.py)

    def holds(self) -> Term:
        """Known and true (what a guard needs to be taken)."""
        return conj(self.known, self.value)

    def fails(self) -> Term:
        """Known and false."""
        return conj(self.known, neg(self.value))


@dataclass(frozen=True)
class Plan:
    """What a path has added so far, as z3 terms over the inputs."""

    recommended: Mapping[str, Term]
    avoided: Mapping[str, Term]
    flagged: Mapping[str, Term]
    doses: Mapping[str, Term]

    @staticmethod
    def empty(interventions: Iterable[str], flags: Iterable[str]) -> Plan:
        names = list(interventions)
        return Plan(
            {name: FALSE for name in names},
            {name: FALSE for name in names},
            {name: FALSE for name in flags},
            {name: z3.IntVal(0) for name in names},
        )


# -- the patient -------------------------------------------------------------


@dataclass
class MapModel:
    key_enum: str
    record: str
    present: dict[str, Term]
    fields: dict[str, dict[str, Term]]  # key -> field -> variable


@dataclass
class PatientModel:
    """The z3 variables of one patient record and the constraints its declarations impose."""

    graph: Graph
    variables: dict[str, Any] = field(default_factory=dict)
    ranges: list[Term] = field(default_factory=list)
    # (z3 variable, declared type) for every scalar variable, in a stable order.
    scalars: list[tuple[Term, ValueType]] = field(default_factory=list)
    enums: dict[str, Enumeration] = field(init=False)
    records: dict[str, Record] = field(init=False)

    def __post_init__(self) -> None:
        self.enums = {enum.name: enum for enum in self.graph.enums}
        self.records = {record.name: record for record in self.graph.records}
        for declared in self.graph.inputs:
            name, type_ = declared.name, declared.type
            if isinstance(type_, SetType):
                members = self.members(type_.enum)
                self.variables[name] = {m: self._scalar(f"{name}.{m}", BooleanType()) for m in members}
            elif isinstance(type_, MapType):
                self.variables[name] = self._map(name, type_)
            else:
                self.variables[name] = self._scalar(name, type_)

    def members(self, enum: str) -> tuple[str, ...]:
        return self.enums[enum].members

    def _scalar(self, name: str, type_: ValueType) -> Term:
        if isinstance(type_, BooleanType):
            variable = z3.Bool(name)
        elif isinstance(type_, NumberType):
            variable = z3.Int(name) if type_.integral else z3.Real(name)
            if type_.minimum is not None:
                self.ranges.append(variable >= number_term(type_.minimum))
            if type_.maximum is not None:
                self.ranges.append(variable <= number_term(type_.maximum))
        elif isinstance(type_, DateType):  # YYYYMMDD, a real calendar date (compiler/analysis/dates.py)
            variable = z3.Int(name)
            self.ranges.extend(dates.constrain(variable))
        elif isinstance(type_, EnumType):
            variable = z3.Int(name)
            self.ranges.append(variable >= 0)
            self.ranges.append(variable < len(self.members(type_.enum)))
        else:
            kind = "set" if isinstance(type_, SetType) else "map"
            raise EncodingError(f"{name}: a {kind} cannot be a record field or a map entry here")
        self.scalars.append((variable, type_))
        return variable

    def _map(self, name: str, type_: MapType) -> MapModel:
        record = self.records[type_.record]
        model = MapModel(type_.key, type_.record, {}, {})
        for key in self.members(type_.key):
            model.present[key] = self._scalar(f"{name}.{key}", BooleanType())
            model.fields[key] = {
                record_field.name: self._scalar(f"{name}.{key}.{record_field.name}", record_field.type)
                for record_field in record.fields
            }
        return model


# -- expressions -------------------------------------------------------------


def _real(term: Term) -> Term:
    return z3.ToReal(term) if z3.is_int(term) else term


def _constant(term: Term) -> int:
    simplified = z3.simplify(term)
    if not z3.is_int_value(simplified) and not z3.is_rational_value(simplified):
        raise EncodingError("the number of decimals of round must be a constant")
    return int(simplified.as_fraction()) if z3.is_rational_value(simplified) else int(simplified.as_long())


# How the encoding chooses and floors for fibrolang.operators' formulas.
Z3_KIT = Kit(choose=z3.If, floor=lambda x: z3.ToReal(z3.ToInt(x)), constant=_constant)


def reads_plan(expr: ex.Expression, definitions: Mapping[str, bool]) -> bool:
    """Whether an expression depends on what the path has added (directly or via a definition)."""
    for inner in subexpressions(expr):
        if isinstance(inner, ex.PlanQuery | ex.DoseQuery):
            return True
        if isinstance(inner, ex.DefinitionReference) and definitions.get(inner.name, False):
            return True
    return False


def field_type(graph: Graph, record: str, name: str) -> ValueType:
    """The declared type of a field of a record."""
    for declared in graph.records:
        if declared.name == record:
            for record_field in declared.fields:
                if record_field.name == name:
                    return record_field.type
    raise EncodingError(f"no field {name!r} in record {record!r}")


class Encoder:
    """Encodes the expressions of one graph over one ``PatientModel``."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.patient = PatientModel(graph)
        self.inputs: dict[str, ValueType] = {declared.name: declared.type for declared in graph.inputs}
        self.definitions: dict[str, ex.Expression] = {d.name: d.expr for d in graph.definitions}
        self.definition_reads_plan: dict[str, bool] = {}
        for definition in graph.definitions:
            self.definition_reads_plan[definition.name] = reads_plan(
                definition.expr, self.definition_reads_plan
            )
        self._cache: dict[str, Sym] = {}

    # -- entry points --

    def condition(self, expr: ex.Expression, plan: Plan) -> Sym:
        sym = self.expr(expr, plan, {})
        if sym.kind != "boolean":
            raise EncodingError(f"a condition must be boolean, not {sym.kind}")
        return sym

    def expr(self, expr: ex.Expression, plan: Plan, scope: dict[str, Sym]) -> Sym:
        method = _METHODS.get(type(expr))
        if method is None:
            raise EncodingError(f"cannot encode the expression {type(expr).__name__}")
        result: Sym = method(self, expr, plan, scope)
        return result

    # -- leaves --

    def _op_const(self, expr: ex.Constant, plan: Plan, scope: dict[str, Sym]) -> Sym:
        value = expr.value
        if isinstance(value, bool):
            return Sym("boolean", z3.BoolVal(value))
        return Sym("number", number_term(value))

    def _op_text(self, expr: ex.TextLiteral, plan: Plan, scope: dict[str, Sym]) -> Sym:
        """A text an output shows: a z3 string constant, so two texts are equal exactly when
        they are the same text, in one graph or across two (the behavioural diff); the
        checker lets nothing but an `if` choose a text, so the solver sees only If-chains
        of constants and equalities between them (compiler/check/text.py)."""
        return Sym("text", z3.StringVal(expr.value))

    def _member_index(self, enum: str, member: str) -> Term:
        members = self.patient.members(enum)
        if member not in members:
            raise EncodingError(f"{member!r} is not a member of {enum}")
        return z3.IntVal(members.index(member))

    def _op_member(self, expr: ex.MemberLiteral, plan: Plan, scope: dict[str, Sym]) -> Sym:
        return Sym("member", self._member_index(expr.enum, expr.value), enum=expr.enum)

    def _op_set(self, expr: ex.SetLiteral, plan: Plan, scope: dict[str, Sym]) -> Sym:
        enum = expr.enum
        chosen = set(expr.members)
        return Sym("set", {m: z3.BoolVal(m in chosen) for m in self.patient.members(enum)}, enum=enum)

    def _op_select(self, expr: ex.SelectedSet, plan: Plan, scope: dict[str, Sym]) -> Sym:
        """``{m1 when c1, m2 when c2}``: the members whose condition holds; unknown
        when any condition is unknown (as in the runtime)."""
        enum = expr.enum
        conditions = [self._boolean(c, plan, scope) for c in expr.conditions]
        chosen: dict[str, list[Term]] = {}
        for member, condition in zip(expr.members, conditions, strict=True):
            chosen.setdefault(member, []).append(condition.value)
        value = {m: disj(*chosen[m]) if m in chosen else FALSE for m in self.patient.members(enum)}
        return Sym("set", value, conj(*(c.known for c in conditions)), enum=enum)

    def _op_enum(self, expr: ex.EnumerationReference, plan: Plan, scope: dict[str, Sym]) -> Sym:
        enum = expr.enum
        return Sym("enumeration", {m: TRUE for m in self.patient.members(enum)}, enum=enum)

    def _op_input(self, expr: ex.InputReference, plan: Plan, scope: dict[str, Sym]) -> Sym:
        name = expr.name
        variable = self.patient.variables[name]
        return self._typed(self.inputs[name], variable, TRUE)

    def _typed(self, type_: ValueType, value: Any, known: Term) -> Sym:
        if isinstance(type_, BooleanType):
            return Sym("boolean", value, known)
        if isinstance(type_, NumberType):
            return Sym("number", value, known)
        if isinstance(type_, DateType):
            return Sym("date", value, known)
        if isinstance(type_, EnumType):
            return Sym("member", value, known, enum=type_.enum)
        if isinstance(type_, SetType):
            return Sym("set", value, known, enum=type_.enum)
        return Sym("map", value, known, enum=type_.key, record=type_.record)

    def _op_def(self, expr: ex.DefinitionReference, plan: Plan, scope: dict[str, Sym]) -> Sym:
        name = expr.name
        if self.definition_reads_plan[name]:
            return self.expr(self.definitions[name], plan, {})
        if name not in self._cache:
            self._cache[name] = self.expr(self.definitions[name], plan, {})
        return self._cache[name]

    def _op_var(self, expr: ex.VariableReference, plan: Plan, scope: dict[str, Sym]) -> Sym:
        if expr.name not in scope:
            raise EncodingError(f"unbound variable {expr.name!r}")
        return scope[expr.name]

    # -- maps and records --

    def _op_entry(self, expr: ex.Entry, plan: Plan, scope: dict[str, Sym]) -> Sym:
        entries = self.expr(expr.map, plan, scope)
        key = self.expr(expr.key, plan, scope)
        if entries.kind != "map" or key.kind != "member":
            raise EncodingError("an entry needs a map and a member key")
        model: MapModel = entries.value
        present = self._select(key, model.present)
        return Sym("record", (model, key), conj(entries.known, key.known, present), record=model.record)

    def _select(self, key: Sym, by_member: Mapping[str, Term]) -> Term:
        """The term for ``key``'s member; an If-chain when the key is not a constant."""
        members = self.patient.members(key.enum or "")
        if z3.is_int_value(key.value):
            return by_member[members[key.value.as_long()]]
        result = by_member[members[-1]]
        for index in range(len(members) - 2, -1, -1):
            result = choose(key.value == index, by_member[members[index]], result)
        return result

    def _op_field(self, expr: ex.Field, plan: Plan, scope: dict[str, Sym]) -> Sym:
        record = self.expr(expr.record, plan, scope)
        if record.kind != "record":
            raise EncodingError("a field needs a record")
        model, key = record.value
        name = expr.name
        type_ = field_type(self.graph, model.record, name)
        value = self._select(key, {member: fields[name] for member, fields in model.fields.items()})
        return self._typed(type_, value, record.known)

    def _op_in(self, expr: ex.Membership, plan: Plan, scope: dict[str, Sym]) -> Sym:
        element = self.expr(expr.element, plan, scope)
        collection = self.expr(expr.collection, plan, scope)
        if element.kind != "member":
            raise EncodingError("membership needs a member")
        if collection.kind == "map":
            holds = self._select(element, collection.value.present)
        elif collection.kind in ("set", "enumeration"):
            holds = self._select(element, collection.value)
        else:
            raise EncodingError(f"membership in a {collection.kind}")
        return Sym("boolean", holds, conj(element.known, collection.known))

    # -- logic --

    def _op_not(self, expr: ex.Negation, plan: Plan, scope: dict[str, Sym]) -> Sym:
        operand = self._boolean(expr.operand, plan, scope)
        return Sym("boolean", neg(operand.value), operand.known)

    def _boolean(self, expr: ex.Expression, plan: Plan, scope: dict[str, Sym]) -> Sym:
        sym = self.expr(expr, plan, scope)
        if sym.kind != "boolean":
            raise EncodingError(f"expected a boolean, got a {sym.kind}")
        return sym

    def _op_and(self, expr: ex.Conjunction, plan: Plan, scope: dict[str, Sym]) -> Sym:
        operands = [self._boolean(o, plan, scope) for o in expr.operands]
        some_false = disj(*(o.fails() for o in operands))
        every_known = conj(*(o.known for o in operands))
        return Sym("boolean", conj(*(o.holds() for o in operands)), disj(some_false, every_known))

    def _op_or(self, expr: ex.Disjunction, plan: Plan, scope: dict[str, Sym]) -> Sym:
        operands = [self._boolean(o, plan, scope) for o in expr.operands]
        some_true = disj(*(o.holds() for o in operands))
        every_known = conj(*(o.known for o in operands))
        return Sym("boolean", some_true, disj(some_true, every_known))

    def _op_if(self, expr: ex.Conditional, plan: Plan, scope: dict[str, Sym]) -> Sym:
        condition = self._boolean(expr.condition, plan, scope)
        then = self.expr(expr.then, plan, scope)
        otherwise = self.expr(expr.otherwise, plan, scope)
        if "unset" in (then.kind, otherwise.kind) or not (is_false(then.unset) and is_false(otherwise.unset)):
            return _unset_arms(condition, then, otherwise)
        if then.kind != otherwise.kind or then.kind not in ("boolean", "number", "member", "text"):
            raise EncodingError(f"`if` choosing between a {then.kind} and a {otherwise.kind}")
        return Sym(
            then.kind,
            choose(condition.value, then.value, otherwise.value),
            conj(condition.known, choose(condition.value, then.known, otherwise.known)),
            enum=then.enum,
        )

    def _op_unset(self, expr: ex.Unset, plan: Plan, scope: dict[str, Sym]) -> Sym:
        return Sym("unset", None, TRUE, unset=TRUE)

    def _op_compare(self, expr: ex.Comparison, plan: Plan, scope: dict[str, Sym]) -> Sym:
        left = self.expr(expr.left, plan, scope)
        right = self.expr(expr.right, plan, scope)
        if left.kind != right.kind or left.kind not in ("number", "member", "boolean", "date"):
            raise EncodingError(f"cannot compare a {left.kind} with a {right.kind}")
        comparison = binary(expr.operator)
        if left.kind not in ("number", "date") and not comparison.equality:
            raise EncodingError(f"cannot order {left.kind}s")
        value = comparison.apply(left.value, right.value)
        return Sym("boolean", value, conj(left.known, right.known))

    def _op_arithmetic(self, expr: ex.Arithmetic, plan: Plan, scope: dict[str, Sym]) -> Sym:
        left = self.expr(expr.left, plan, scope)
        right = self.expr(expr.right, plan, scope)
        if left.kind != "number" or right.kind != "number":
            raise EncodingError("arithmetic needs numbers")
        operator = binary(expr.operator)
        a, b = left.value, right.value
        if operator.real:  # z3's `/` on two integers would divide with a remainder
            a, b = _real(a), _real(b)
        value = operator.formula(a, b, Z3_KIT)
        return Sym("number", value, conj(left.known, right.known))

    def _op_elapsed(self, expr: ex.Elapsed, plan: Plan, scope: dict[str, Sym]) -> Sym:
        start = self.expr(expr.start, plan, scope)
        end = self.expr(expr.end, plan, scope)
        if start.kind != "date" or end.kind != "date":
            raise EncodingError("the time between two dates needs dates")
        value = dates.elapsed(expr.unit, start.value, end.value)
        return Sym("number", value, conj(start.known, end.known))

    def _op_neg(self, expr: ex.UnaryMinus, plan: Plan, scope: dict[str, Sym]) -> Sym:
        operand = self.expr(expr.operand, plan, scope)
        if operand.kind != "number":
            raise EncodingError("unary minus needs a number")
        return Sym("number", -operand.value, operand.known)

    # -- quantifiers --

    def _unrolled(
        self,
        variable: str,
        over_expr: ex.Expression,
        body: ex.Expression | None,
        plan: Plan,
        scope: dict[str, Sym],
    ) -> tuple[Sym, list[tuple[Term, Sym | None]]]:
        over = self.expr(over_expr, plan, scope)
        if over.kind not in ("set", "enumeration"):
            raise EncodingError(f"a quantifier over a {over.kind}")
        members = self.patient.members(over.enum or "")
        rows = []
        for index, member in enumerate(members):
            inside = over.value[member]
            if z3.is_false(inside):
                continue
            bound = {**scope, variable: Sym("member", z3.IntVal(index), enum=over.enum)}
            rows.append((inside, self.expr(body, plan, bound) if body is not None else None))
        return over, rows

    def _op_quantifier(self, expr: ex.Quantifier, plan: Plan, scope: dict[str, Sym]) -> Sym:
        over, rows = self._unrolled(expr.variable, expr.over, expr.where, plan, scope)
        kind = expr.kind
        all_known = conj(over.known, *(implies(inside, w.known) for inside, w in rows if w is not None))
        if kind == "count":
            terms = [
                choose(conj(inside, w.value if w else TRUE), z3.IntVal(1), z3.IntVal(0)) for inside, w in rows
            ]
            return Sym("number", z3.Sum(*terms) if terms else z3.IntVal(0), all_known)
        if kind == "any":
            some = disj(*(conj(inside, w.holds() if w else TRUE) for inside, w in rows))
            return Sym("boolean", some, conj(over.known, disj(some, all_known)))
        failing = disj(*(conj(inside, w.fails()) for inside, w in rows if w is not None))
        return Sym("boolean", neg(failing), conj(over.known, disj(failing, all_known)))

    def _op_sum(self, expr: ex.Sum, plan: Plan, scope: dict[str, Sym]) -> Sym:
        over, rows = self._unrolled(expr.variable, expr.over, expr.body, plan, scope)
        terms = []
        knowns = []
        for inside, body in rows:
            if body is None or body.kind != "number":
                raise EncodingError("a sum needs a numeric body")
            terms.append(choose(inside, body.value, z3.IntVal(0)))
            knowns.append(implies(inside, body.known))
        known = conj(over.known, *knowns)
        return Sym("number", z3.Sum(*terms) if terms else z3.IntVal(0), known)

    def _op_count_true(self, expr: ex.CountTrue, plan: Plan, scope: dict[str, Sym]) -> Sym:
        operands = [self._boolean(o, plan, scope) for o in expr.operands]
        terms = [choose(o.value, z3.IntVal(1), z3.IntVal(0)) for o in operands]
        return Sym("number", z3.Sum(*terms) if terms else z3.IntVal(0), conj(*(o.known for o in operands)))

    # -- what the path has added --

    def _op_plan(self, expr: ex.PlanQuery, plan: Plan, scope: dict[str, Sym]) -> Sym:
        state: Mapping[str, Term] = getattr(plan, expr.state)
        subject = expr.subject
        if subject is None:
            return Sym("boolean", disj(*state.values()))
        return Sym("boolean", state.get(subject, FALSE))

    def _op_dose(self, expr: ex.DoseQuery, plan: Plan, scope: dict[str, Sym]) -> Sym:
        return Sym("number", plan.doses.get(expr.subject, z3.IntVal(0)))


_METHODS: dict[type, Callable[[Encoder, Any, Plan, dict[str, Sym]], Sym]] = {
    ex.Constant: Encoder._op_const,
    ex.TextLiteral: Encoder._op_text,
    ex.MemberLiteral: Encoder._op_member,
    ex.SetLiteral: Encoder._op_set,
    ex.SelectedSet: Encoder._op_select,
    ex.EnumerationReference: Encoder._op_enum,
    ex.InputReference: Encoder._op_input,
    ex.DefinitionReference: Encoder._op_def,
    ex.VariableReference: Encoder._op_var,
    ex.Entry: Encoder._op_entry,
    ex.Field: Encoder._op_field,
    ex.Membership: Encoder._op_in,
    ex.Negation: Encoder._op_not,
    ex.Conjunction: Encoder._op_and,
    ex.Disjunction: Encoder._op_or,
    ex.Conditional: Encoder._op_if,
    ex.Unset: Encoder._op_unset,
    ex.Comparison: Encoder._op_compare,
    ex.Arithmetic: Encoder._op_arithmetic,
    ex.Elapsed: Encoder._op_elapsed,
    ex.UnaryMinus: Encoder._op_neg,
    ex.Quantifier: Encoder._op_quantifier,
    ex.Sum: Encoder._op_sum,
    ex.CountTrue: Encoder._op_count_true,
    ex.PlanQuery: Encoder._op_plan,
    ex.DoseQuery: Encoder._op_dose,
}


def known_value(sym: Sym) -> Term:
    """A number, member index or text where it is known, a fixed value of its sort elsewhere
    (where it is unknown is observed apart): what two versions or mutants compare."""
    return z3.If(sym.known, sym.value, z3.StringVal("") if sym.kind == "text" else -1)


def _unset_arms(condition: Sym, then: Sym, otherwise: Sym) -> Sym:
    """``if c then a else b`` where an arm is (or may be) ``unset``: the value of the
    arm that is set (any value where both are unset: ``unset`` says to ignore it),
    and ``unset`` as an If over the arms' flags. Only an output's chain has such
    arms (fibrolang/unset.py), so nothing but the output reader sees the value."""
    if then.kind == "unset" and otherwise.kind == "unset":
        return Sym("unset", None, condition.known, unset=conj(condition.known, TRUE))
    shaped = otherwise if then.kind == "unset" else then
    if "unset" not in (then.kind, otherwise.kind) and then.kind != otherwise.kind:
        raise EncodingError(f"`if` choosing between a {then.kind} and a {otherwise.kind}")
    then_value = shaped.value if then.kind == "unset" else then.value
    else_value = shaped.value if otherwise.kind == "unset" else otherwise.value
    return Sym(
        shaped.kind,
        choose(condition.value, then_value, else_value),
        conj(condition.known, choose(condition.value, then.known, otherwise.known)),
        enum=shaped.enum,
        unset=choose(condition.value, then.unset, otherwise.unset),
    )
