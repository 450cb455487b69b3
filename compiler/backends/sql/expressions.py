"""Expressions of the decision graph as sqlglot expressions: a value and a missing-facts mask.

An expression becomes a ``Scalar`` (a SQL value that is NULL exactly when the runtime's
value is unknown, and a mask: per BIGINT word, the bits of the absent facts the unknown
names, 0 whenever the value is known) or a ``Members`` (a set: one boolean per member of
its enumeration). SQL's AND, OR and NOT over NULL are Kleene's; everything else that
differs (a quantifier over an unknown set, ``if`` with an unknown condition, ``count``
with an unknown operand, membership of an unknown member) is written out with CASE.

Plan queries (``X is recommended``, ``dose of X``) read the walk's ``applied`` columns
(``PlanPoint``): what the path has added before the point where the expression is read.
Every guideline string reaches SQL as a sqlglot literal; every name as a quoted
identifier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import assert_never

import sqlglot
from sqlglot import exp

from compiler.backends.sql.layout import SEPARATOR, Layout, SqlTargetError
from fibrolang import expressions as ex
from fibrolang.graph import Graph, MapType, NumberType, SetType
from fibrolang.operators import BINARY, Operator

Mask = dict[int, exp.Expr]


def _sql_class(spelling: str) -> type[exp.Binary]:
    """The sqlglot node of the operator the table spells ``spelling`` in SQL."""
    node = sqlglot.parse_one(f"a {spelling} b", read="duckdb")
    if not isinstance(node, exp.Binary):
        raise SqlTargetError(f"the operator table's SQL spelling {spelling!r} is not a binary operator")
    return type(node)


_SQL_BINARY: dict[str, type[exp.Binary]] = {
    symbol: _sql_class(op.sql) for symbol, op in BINARY.items() if op.family != "function"
}


def _sql_operation(symbol: str, left: exp.Expr, right: exp.Expr, integers: bool = False) -> exp.Expr:
    """``left symbol right``; ``integers``: both operands are always integers (BIGINT)."""
    operator = BINARY[symbol]
    if integers and operator.keeps_integers:  # two integers: BIGINT, as the runtime's int
        return _operation(operator, left, right)
    if operator.decimal:  # on the decimals the operands print as, as the runtime computes
        left = exp.cast(left, _DECIMAL)
        right = exp.cast(right, "INTEGER" if operator.unit_rule == "left" else _DECIMAL)
        return exp.cast(_operation(operator, left, right), "DOUBLE")
    return _operation(operator, left, right)


# Nine decimals: more than any measurement carries, and few enough that a product stays exact.
_DECIMAL = "DECIMAL(38, 9)"


def _operation(operator: Operator, left: exp.Expr, right: exp.Expr) -> exp.Expr:
    symbol = operator.symbol
    match operator.family:
        case "comparison" | "arithmetic":
            return _SQL_BINARY[symbol](this=left, expression=right)
        case "function":
            return exp.func(operator.sql, left, right, dialect="duckdb")
        case unreachable:
            assert_never(unreachable)


# ---- SQL building blocks ------------------------------------------------------------


def column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def string(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def big(value: int) -> exp.Expr:
    return exp.cast(exp.Literal.number(value), "BIGINT")


def number(value: bool | int | float) -> exp.Expr:
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int):
        return big(value)
    return exp.cast(exp.Literal.number(repr(float(value))), "DOUBLE")


TRUE: exp.Expr = exp.true()
FALSE: exp.Expr = exp.false()


def static(expression: exp.Expr) -> bool | None:
    """True or False for a boolean literal, else None."""
    if isinstance(expression, exp.Boolean):
        return bool(expression.this)
    return None


def wrap(expression: exp.Expr) -> exp.Expr:
    if isinstance(expression, exp.Column | exp.Literal | exp.Boolean | exp.Null | exp.Paren | exp.Cast):
        return expression
    return exp.Paren(this=expression)


def conjunction(operands: Iterable[exp.Expr]) -> exp.Expr:
    """AND (Kleene), folding literal TRUE/FALSE."""
    kept: list[exp.Expr] = []
    for operand in operands:
        known = static(operand)
        if known is False:
            return FALSE
        if known is None:
            kept.append(operand)
    if not kept:
        return TRUE
    result = wrap(kept[0])
    for operand in kept[1:]:
        result = exp.And(this=result, expression=wrap(operand))
    return result


def disjunction(operands: Iterable[exp.Expr]) -> exp.Expr:
    """OR (Kleene), folding literal TRUE/FALSE."""
    kept: list[exp.Expr] = []
    for operand in operands:
        known = static(operand)
        if known is True:
            return TRUE
        if known is None:
            kept.append(operand)
    if not kept:
        return FALSE
    result = wrap(kept[0])
    for operand in kept[1:]:
        result = exp.Or(this=result, expression=wrap(operand))
    return result


def negation(operand: exp.Expr) -> exp.Expr:
    known = static(operand)
    if known is not None:
        return FALSE if known else TRUE
    return exp.Not(this=wrap(operand))


def is_null(operand: exp.Expr) -> exp.Expr:
    """``operand IS NULL``; FALSE outright for a literal and for a literal cast to a type (never
    for another cast: the cast of a NULL, such as arithmetic on an absent fact, is NULL)."""
    if _never_null(operand):
        return FALSE
    return exp.Is(this=wrap(operand), expression=exp.null())


def _never_null(operand: exp.Expr) -> bool:
    if isinstance(operand, exp.Cast):
        operand = operand.this
    return isinstance(operand, exp.Boolean | exp.Literal) and not isinstance(operand, exp.Null)


def is_true(operand: exp.Expr) -> exp.Expr:
    """TRUE when TRUE, FALSE when FALSE or NULL."""
    known = static(operand)
    if known is not None:
        return TRUE if known else FALSE
    if isinstance(operand, exp.Column):
        # a column is cheap to read twice: ``x IS NOT NULL AND x`` costs DuckDB a third of
        # COALESCE(x, FALSE) (docs/benchmarks.md, issue 15, sixth round)
        return exp.Paren(this=exp.And(this=_known(operand), expression=operand.copy()))
    return exp.Coalesce(this=operand, expressions=[FALSE])


def is_false(operand: exp.Expr) -> exp.Expr:
    """TRUE when FALSE, FALSE when TRUE or NULL."""
    known = static(operand)
    if known is not None:
        return FALSE if known else TRUE
    if isinstance(operand, exp.Column):  # as in ``is_true``
        return exp.Paren(this=exp.And(this=_known(operand), expression=exp.Not(this=operand.copy())))
    return exp.Not(this=exp.Coalesce(this=operand, expressions=[TRUE]))


def _known(operand: exp.Expr) -> exp.Expr:
    return exp.Not(this=exp.Is(this=operand.copy(), expression=exp.null()))


def case(*branches: tuple[exp.Expr, exp.Expr], default: exp.Expr) -> exp.Expr:
    kept = [(condition, value) for condition, value in branches if static(condition) is not False]
    if kept and static(kept[0][0]) is True:
        return kept[0][1]
    if not kept:
        return default
    built = exp.Case()
    for condition, value in kept:
        if static(condition) is True:
            return built.else_(value)
        built = built.when(condition, value)
    return built.else_(default)


def bit_if(condition: exp.Expr, bit: int) -> exp.Expr:
    """``bit`` where ``condition`` is TRUE, else 0; ``condition`` is never NULL. Written
    ``-CAST(condition AS BIGINT) & bit`` (all ones or none, masked): on DuckDB about half
    the cost of ``CASE WHEN condition THEN bit ELSE 0 END`` (docs/benchmarks.md, issue 15,
    sixth round)."""
    known = static(condition)
    if known is not None:
        return big(bit) if known else big(0)
    return exp.Paren(
        this=exp.BitwiseAnd(this=exp.Neg(this=exp.cast(condition, "BIGINT")), expression=big(bit))
    )


def mask_union(*masks: Mask) -> Mask:
    """The union of masks: per word, the OR of each distinct term."""
    terms: dict[int, dict[str, exp.Expr]] = {}
    for mask in masks:
        for word, value in mask.items():
            for term in _terms(value):
                terms.setdefault(word, {}).setdefault(term.sql(), term)
    union: Mask = {}
    for word in sorted(terms):
        values = list(terms[word].values())
        combined = values[0]
        for value in values[1:]:
            combined = exp.BitwiseOr(this=combined, expression=value)
        union[word] = wrap(combined) if len(values) > 1 else combined
    return union


def _terms(value: exp.Expr) -> list[exp.Expr]:
    inner = value.this if isinstance(value, exp.Paren) else value
    if isinstance(inner, exp.BitwiseOr):
        return _terms(inner.this) + _terms(inner.expression)
    return [inner]


def mask_when(condition: exp.Expr, mask: Mask) -> Mask:
    return {word: case((condition, value), default=big(0)) for word, value in mask.items()}


# ---- values -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    """A boolean, number or member: NULL when unknown; ``mask`` the facts it then names."""

    value: exp.Expr
    mask: Mask = field(default_factory=dict)
    integral: bool = False
    # the same facts without the test that the value is unknown (None: ``mask`` has none):
    # equal to ``mask`` wherever the value is unknown, for a reader that knows it is
    unguarded: Mask | None = None

    def named(self) -> Mask:
        """The mask, for a reader that reads it only where the value is unknown."""
        return self.mask if self.unguarded is None else self.unguarded


@dataclass(frozen=True)
class Members:
    """A set of members of ``enum``: per member, a boolean that is NULL when the set is unknown."""

    enum: str
    members: dict[str, exp.Expr]
    unknown: exp.Expr  # TRUE when the set is unknown (FALSE when it never is)
    mask: Mask = field(default_factory=dict)


@dataclass(frozen=True)
class MapInput:
    name: str


@dataclass(frozen=True)
class EntryOf:
    map: str
    key: str


Value = Scalar | Members | MapInput | EntryOf


class PlanPoint:
    """What the path has added before one point of the walk: the items it may have applied."""

    def __init__(self, items: Iterable[PlanItem]) -> None:
        self.items = tuple(items)

    def query(self, state: str, subject: str | None) -> exp.Expr:
        applied = [
            column(item.applied)
            for item in self.items
            if item.state == state and (subject is None or item.subject == subject)
        ]
        return disjunction(applied)

    def dose(self, subject: str) -> Scalar:
        bounds = [
            (item, item.dose_bound)
            for item in self.items
            if item.state == "recommended" and item.subject == subject and item.dose_bound is not None
        ]
        integral = all(isinstance(bound, int) for _item, bound in bounds)
        if not bounds:
            return Scalar(big(0), {}, True)
        if all(bound > 0 for _item, bound in bounds):
            # the highest bound among the applied items, else 0: one CASE, highest first (never
            # NULL, so that no engine has to check its operands as GREATEST's would be)
            by_bound: dict[int | float, list[exp.Expr]] = {}
            for item, bound in sorted(bounds, key=lambda pair: -pair[1]):
                by_bound.setdefault(bound, []).append(column(item.applied))
            highest = case(
                *((disjunction(applied), number(bound)) for bound, applied in by_bound.items()),
                default=number(0),
            )
            return Scalar(highest, {}, integral)
        terms = [case((column(item.applied), number(bound)), default=number(0)) for item, bound in bounds]
        if len(terms) == 1:
            return Scalar(terms[0], {}, integral)
        return Scalar(exp.Greatest(this=terms[0], expressions=terms[1:]), {}, integral)


@dataclass(frozen=True)
class PlanItem:
    """An item as plan queries see it: the state it sets for a subject, and its column."""

    applied: str  # the column: TRUE when the walk applied the item
    state: str  # recommended avoided flagged (or "" for stop items and monitoring)
    subject: str
    dose_bound: int | float | None


Materialise = Callable[[str, Value], Value]


class Translator:
    """Translates the expressions of one graph; definitions become columns via ``materialise``."""

    def __init__(
        self,
        graph: Graph,
        layout: Layout,
        materialise: Materialise,
        materialise_bit: Callable[[str, exp.Expr], exp.Expr],
    ) -> None:
        self.materialise_bit = materialise_bit
        self.layout = layout
        self.enums = {enum.name: enum.members for enum in graph.enums}
        self.inputs = {declared.name: declared.type for declared in graph.inputs}
        self.records = {record.name: {f.name: f.type for f in record.fields} for record in graph.records}
        self.materialise = materialise
        self.definitions: dict[str, Value] = {}
        self.plan_definitions: dict[str, ex.Expression] = {}
        self.bound: dict[str, str] = {}

    def absent_bit(self, name: str, absent: exp.Expr, word: int, bit: int) -> exp.Expr:
        """The fact's bit when it is absent, else 0: one column per fact, read by every mask."""
        return self.materialise_bit(f"absent__{name}", bit_if(absent, bit))

    # ---- definitions ------------------------------------------------------------

    def define(self, name: str, expression: ex.Expression) -> None:
        if self.reads_plan(expression):
            self.plan_definitions[name] = expression
            return
        self.definitions[name] = self.materialise(name, self.value(expression, PlanPoint(())))

    def reads_plan(self, expression: ex.Expression) -> bool:
        if isinstance(expression, ex.PlanQuery | ex.DoseQuery):
            return True
        if isinstance(expression, ex.DefinitionReference):
            return expression.name in self.plan_definitions
        return any(self.reads_plan(child) for child in _children(expression))

    # ---- entry points -----------------------------------------------------------

    def condition(self, expression: ex.Expression, point: PlanPoint) -> Scalar:
        value = self.value(expression, point)
        if not isinstance(value, Scalar):
            raise SqlTargetError("a condition must be true or false")
        return value

    def value(self, expression: ex.Expression, point: PlanPoint) -> Value:
        method: Callable[[ex.Expression, PlanPoint], Value] = getattr(self, "_" + type(expression).__name__)
        return method(expression, point)

    def scalar(self, expression: ex.Expression, point: PlanPoint) -> Scalar:
        value = self.value(expression, point)
        if not isinstance(value, Scalar):
            raise SqlTargetError(
                "the SQL target needs a boolean, a number or a member here, not a set or a map"
            )
        return value

    def members(self, expression: ex.Expression, point: PlanPoint) -> Members:
        value = self.value(expression, point)
        if not isinstance(value, Members):
            raise SqlTargetError("the SQL target expected a set here")
        return value

    # ---- leaves -----------------------------------------------------------------

    def _Constant(self, expression: ex.Constant, point: PlanPoint) -> Value:
        value = expression.value
        return Scalar(number(value), {}, isinstance(value, int) and not isinstance(value, bool))

    def _MemberLiteral(self, expression: ex.MemberLiteral, point: PlanPoint) -> Value:
        return Scalar(string(expression.value))

    def _TextLiteral(self, expression: ex.TextLiteral, point: PlanPoint) -> Value:
        return Scalar(string(expression.value))  # a literal sqlglot quotes (exp.Literal.string)

    def _SetLiteral(self, expression: ex.SetLiteral, point: PlanPoint) -> Value:
        chosen = set(expression.members)
        members = self.enums.get(expression.enum, ())
        return Members(expression.enum, {m: TRUE if m in chosen else FALSE for m in members}, FALSE)

    def _EnumerationReference(self, expression: ex.EnumerationReference, point: PlanPoint) -> Value:
        return Members(expression.enum, dict.fromkeys(self.enums.get(expression.enum, ()), TRUE), FALSE)

    def _SelectedSet(self, expression: ex.SelectedSet, point: PlanPoint) -> Value:
        conditions = [self.condition(c, point) for c in expression.conditions]
        unknown = disjunction(is_null(c.value) for c in conditions if c.mask)
        chosen: dict[str, exp.Expr] = {}
        for member, condition in zip(expression.members, conditions, strict=True):
            chosen[member] = disjunction([chosen.get(member, FALSE), condition.value])
        members = {
            m: case((unknown, exp.null()), default=is_true(chosen.get(m, FALSE)))
            for m in self.enums.get(expression.enum, ())
        }
        return Members(expression.enum, members, unknown, mask_union(*(c.mask for c in conditions)))

    def _InputReference(self, expression: ex.InputReference, point: PlanPoint) -> Value:
        name = expression.name
        declared = self.inputs.get(name)
        if declared is None:
            raise SqlTargetError(f"no input is named {name!r}")
        if isinstance(declared, MapType):
            return MapInput(name)
        fact = self.layout.facts[name]
        absent = is_null(column(name))
        mask = {fact.word: self.absent_bit(name, absent, fact.word, fact.value)}
        if isinstance(declared, SetType):
            members: dict[str, exp.Expr] = {
                m: exp.ArrayContains(this=column(name), expression=string(m))
                for m in self.enums.get(declared.enum, ())
            }
            return Members(declared.enum, members, absent, mask)
        return Scalar(column(name), mask, isinstance(declared, NumberType) and declared.integral)

    def _DefinitionReference(self, expression: ex.DefinitionReference, point: PlanPoint) -> Value:
        if expression.name in self.plan_definitions:
            return self.value(self.plan_definitions[expression.name], point)
        if expression.name not in self.definitions:
            raise SqlTargetError(f"no earlier definition is named {expression.name!r}")
        return self.definitions[expression.name]

    def _VariableReference(self, expression: ex.VariableReference, point: PlanPoint) -> Value:
        member = self.bound.get(expression.name)
        if member is None:
            raise SqlTargetError(f"no quantifier around this binds {expression.name!r}")
        return Scalar(string(member))

    def _PlanQuery(self, expression: ex.PlanQuery, point: PlanPoint) -> Value:
        return Scalar(point.query(expression.state, expression.subject))

    def _DoseQuery(self, expression: ex.DoseQuery, point: PlanPoint) -> Value:
        return point.dose(expression.subject)

    # ---- maps and records ---------------------------------------------------------

    def _key(self, expression: ex.Expression) -> str:
        if isinstance(expression, ex.MemberLiteral):
            return expression.value
        if isinstance(expression, ex.VariableReference) and expression.name in self.bound:
            return self.bound[expression.name]
        raise SqlTargetError(
            "the SQL target reads a map only with a key named in the guideline or bound by a quantifier"
        )

    def _Entry(self, expression: ex.Entry, point: PlanPoint) -> Value:
        if not isinstance(expression.map, ex.InputReference):
            raise SqlTargetError("the SQL target reads entries only of a map input")
        mapped = self.value(expression.map, point)
        if not isinstance(mapped, MapInput):
            raise SqlTargetError("an entry is read from a map")
        return EntryOf(mapped.name, self._key(expression.key))

    def _Field(self, expression: ex.Field, point: PlanPoint) -> Value:
        record = self.value(expression.record, point)
        if not isinstance(record, EntryOf):
            raise SqlTargetError("the SQL target reads fields only of a map input's entry")
        path = f"{record.map}.{record.key}.{expression.name}"
        layout = self.layout.by_path.get(path)
        if layout is None or layout.declared is None:
            raise SqlTargetError(f"no column holds {path}")
        fact = self.layout.facts[path]
        name = f"{record.map}{SEPARATOR}{record.key}{SEPARATOR}{expression.name}"
        mask = {fact.word: self.absent_bit(name, is_null(column(name)), fact.word, fact.value)}
        declared = layout.declared
        if isinstance(declared, SetType):
            absent = is_null(column(name))
            members: dict[str, exp.Expr] = {
                m: exp.ArrayContains(this=column(name), expression=string(m))
                for m in self.enums.get(declared.enum, ())
            }
            return Members(declared.enum, members, absent, mask)
        return Scalar(column(name), mask, isinstance(declared, NumberType) and declared.integral)

    def _Membership(self, expression: ex.Membership, point: PlanPoint) -> Value:
        collection = self.value(expression.collection, point)
        if isinstance(collection, MapInput):
            key = self._key(expression.element)
            fact = self.layout.facts[collection.name]
            given = is_true(column(collection.name))
            entry = is_true(column(f"{collection.name}{SEPARATOR}{key}"))
            # a CASE takes its branch only where the condition is TRUE: the bare column says it
            value = case((column(collection.name), entry), default=exp.null())
            return Scalar(
                value, {fact.word: self.absent_bit(collection.name, negation(given), fact.word, fact.value)}
            )
        if not isinstance(collection, Members):
            raise SqlTargetError("membership needs a set or a map")
        element = self.scalar(expression.element, point)
        if isinstance(element.value, exp.Literal) and element.value.is_string:
            member = element.value.this
            return Scalar(collection.members.get(member, FALSE), collection.mask)
        unknown = disjunction([collection.unknown, is_null(element.value)])
        holds = disjunction(
            conjunction([exp.EQ(this=wrap(element.value), expression=string(m)), is_true(held)])
            for m, held in collection.members.items()
        )
        return Scalar(case((unknown, exp.null()), default=holds), mask_union(element.mask, collection.mask))

    # ---- logic --------------------------------------------------------------------

    def _Negation(self, expression: ex.Negation, point: PlanPoint) -> Value:
        operand = self.condition(expression.operand, point)
        return Scalar(negation(operand.value), operand.mask, unguarded=operand.unguarded)

    def _Conjunction(self, expression: ex.Conjunction, point: PlanPoint) -> Value:
        return self._kleene(expression.operands, point, conjunction)

    def _Disjunction(self, expression: ex.Disjunction, point: PlanPoint) -> Value:
        return self._kleene(expression.operands, point, disjunction)

    def _kleene(
        self,
        operands: tuple[ex.Expression, ...],
        point: PlanPoint,
        combine: Callable[[Iterable[exp.Expr]], exp.Expr],
    ) -> Value:
        values = [self.condition(operand, point) for operand in operands]
        value = combine(v.value for v in values)
        masks = [v.mask for v in values if v.mask]
        if not masks or static(value) is not None:
            return Scalar(value)
        # unknown only when no operand decided: then every unknown operand's facts are named
        # (a known operand's mask is 0)
        named = mask_union(*masks)
        return Scalar(value, mask_when(is_null(value), named), unguarded=named)

    def _Conditional(self, expression: ex.Conditional, point: PlanPoint) -> Value:
        condition = self.condition(expression.condition, point)
        then = self.scalar(expression.then, point)
        otherwise = self.scalar(expression.otherwise, point)
        held, failed = is_true(condition.value), is_false(condition.value)
        value = case((held, then.value), (failed, otherwise.value), default=exp.null())
        mask: Mask = {}
        for word in sorted({*condition.mask, *then.mask, *otherwise.mask}):
            zero = big(0)
            unknown_words = mask_union(
                {word: condition.mask.get(word, zero)},
                {word: then.mask.get(word, zero)},
                {word: otherwise.mask.get(word, zero)},
            )
            mask[word] = case(
                (held, then.mask.get(word, zero)),
                (failed, otherwise.mask.get(word, zero)),
                default=unknown_words[word],
            )
        return Scalar(value, mask, then.integral and otherwise.integral)

    # ---- numbers ------------------------------------------------------------------

    def _Comparison(self, expression: ex.Comparison, point: PlanPoint) -> Value:
        left = self.scalar(expression.left, point)
        right = self.scalar(expression.right, point)
        operator = _SQL_BINARY[expression.operator]
        value = operator(this=wrap(left.value), expression=wrap(right.value))
        return Scalar(value, mask_union(left.mask, right.mask))

    def _Arithmetic(self, expression: ex.Arithmetic, point: PlanPoint) -> Value:
        left = self.scalar(expression.left, point)
        right = self.scalar(expression.right, point)
        integers = left.integral and right.integral
        value = _sql_operation(expression.operator, wrap(left.value), wrap(right.value), integers)
        integral = integers and BINARY[expression.operator].keeps_integers
        return Scalar(value, mask_union(left.mask, right.mask), integral)

    def _UnaryMinus(self, expression: ex.UnaryMinus, point: PlanPoint) -> Value:
        operand = self.scalar(expression.operand, point)
        return Scalar(exp.Neg(this=wrap(operand.value)), operand.mask, operand.integral)

    # ---- quantifiers --------------------------------------------------------------

    def _each(
        self, variable: str, over: ex.Expression, body: ex.Expression, point: PlanPoint
    ) -> tuple[Members, list[tuple[exp.Expr, Scalar]]]:
        collection = self.members(over, point)
        if variable in self.bound:
            raise SqlTargetError(f"quantifier variable {variable!r} is bound twice")
        terms = []
        try:
            for member, included in collection.members.items():
                if static(included) is False:
                    continue
                self.bound[variable] = member
                terms.append((included, self.scalar(body, point)))
        finally:
            self.bound.pop(variable, None)
        return collection, terms

    def _Quantifier(self, expression: ex.Quantifier, point: PlanPoint) -> Value:
        where = expression.where if expression.where is not None else ex.Constant(True, None)
        collection, terms = self._each(expression.variable, expression.over, where, point)
        # an included member's filter matters; its facts are named when it is unknown
        inner_mask = mask_union(*(mask_when(is_true(inc), term.mask) for inc, term in terms if term.mask))
        if expression.kind == "count":
            anything_unknown = disjunction(
                conjunction([is_true(inc), is_null(term.value)]) for inc, term in terms if term.mask
            )
            total: exp.Expr = big(0)
            for included, term in terms:
                one = case((conjunction([is_true(included), is_true(term.value)]), big(1)), default=big(0))
                total = exp.Add(this=wrap(total), expression=one) if not _zero(total) else one
            held = case((anything_unknown, exp.null()), default=total)
            value = case((collection.unknown, exp.null()), default=held)
            mask = mask_union(mask_when(collection.unknown, collection.mask), inner_mask)
            return Scalar(value, mask, True)
        if expression.kind == "any":
            held = disjunction(conjunction([inc, term.value]) for inc, term in terms)
        else:
            held = conjunction(disjunction([negation(inc), term.value]) for inc, term in terms)
        value = case((collection.unknown, exp.null()), default=held)
        mask = mask_union(
            mask_when(collection.unknown, collection.mask), mask_when(is_null(held), inner_mask)
        )
        return Scalar(value, {w: m for w, m in mask.items()})

    def _Sum(self, expression: ex.Sum, point: PlanPoint) -> Value:
        collection, terms = self._each(expression.variable, expression.over, expression.body, point)
        anything_unknown = disjunction(
            conjunction([is_true(inc), is_null(term.value)]) for inc, term in terms if term.mask
        )
        integral = all(term.integral for _inc, term in terms)
        total: exp.Expr = big(0)
        for included, term in terms:
            addend = case((is_true(included), term.value), default=big(0))
            if not integral:  # on the decimals as written, as `+`; the total then a DOUBLE
                addend = exp.cast(addend, _DECIMAL)
            total = exp.Add(this=wrap(total), expression=wrap(addend))
        if not integral:
            total = exp.cast(total, "DOUBLE")
        held = case((anything_unknown, exp.null()), default=total)
        value = case((collection.unknown, exp.null()), default=held)
        inner = mask_union(*(mask_when(is_true(inc), term.mask) for inc, term in terms if term.mask))
        mask = mask_union(mask_when(collection.unknown, collection.mask), inner)
        return Scalar(value, mask, integral)

    def _CountTrue(self, expression: ex.CountTrue, point: PlanPoint) -> Value:
        values = [self.condition(operand, point) for operand in expression.operands]
        anything_unknown = disjunction(is_null(v.value) for v in values if v.mask)
        total: exp.Expr = big(0)
        for v in values:
            one = case((is_true(v.value), big(1)), default=big(0))
            total = exp.Add(this=wrap(total), expression=one) if not _zero(total) else one
        value = case((anything_unknown, exp.null()), default=total)
        return Scalar(value, mask_union(*(v.mask for v in values)), True)


def _zero(expression: exp.Expr) -> bool:
    return isinstance(expression, exp.Cast) and expression.this == exp.Literal.number(0)


def _children(expression: ex.Expression) -> list[ex.Expression]:
    children: list[ex.Expression] = []
    for name in getattr(expression, "__slots__", ()):
        value = getattr(expression, name)
        if isinstance(value, tuple):
            children += [item for item in value if not isinstance(item, str)]
        elif value is not None and not isinstance(value, str | int | float | bool):
            children.append(value)
    return children
