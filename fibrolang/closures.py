"""Compile expressions into closures, once, at load time; check their types on the way.

Each expression becomes a function ``(Context) -> value`` built from nested
closures: no ``eval``/``exec``, no per-evaluation dispatch on ``op``. The
commonest shapes (a field of a map entry compared with a constant, ``member
in map and ...``, ``not definition``, ...) become one fused closure each
(``fibrolang.fused``) unless ``fuse=False``; a definition that is a literal is
read as that literal. Unknown
values (``values.Unknown``) follow Kleene's three-valued logic as
graph-format.md specifies, and carry the absent facts they came from.

Type errors (``age < duloxetine``, a guard that is a number, a reference to
an undeclared input) are collected as ``Problem``s; an expression that
failed to type-check gets the shape ``invalid`` so that one mistake is
reported once, not at every use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fibrolang import expressions as ex
from fibrolang import fused
from fibrolang.dates import elapsed_between
from fibrolang.errors import Problem
from fibrolang.graph import (
    BooleanType,
    DateType,
    EnumType,
    Graph,
    NumberType,
    SetType,
    ValueType,
)
from fibrolang.json_values import join_path
from fibrolang.kleene import kleene
from fibrolang.operators import binary, result_unit
from fibrolang.quantifiers import compile_count_true, compile_quantifier, compile_sum
from fibrolang.records import record
from fibrolang.unset import UNSET
from fibrolang.values import PENDING, Context, Unknown, absent, merge_unknown

Evaluator = Callable[[Context], Any]


@record
class Shape:
    """The static type of an expression: what kind of value it yields."""

    kind: str  # boolean number member set map record enumeration text invalid
    enum: str | None = None
    record: str | None = None
    unit: str | None = None


INVALID = Shape("invalid")
BOOLEAN = Shape("boolean")
DATE_SHAPE = Shape("date")  # a YYYY-MM-DD text (fibrolang/dates.py)
TEXT_SHAPE = Shape("text")  # a value an output shows; no operator takes it (only `if` chooses it)
UNSET_SHAPE = Shape("unset")  # only an output's `if` arms (fibrolang/unset.py, checked at load)


def shape_of(declared: ValueType) -> Shape:
    """The shape of a value of a declared input or record field type."""
    if isinstance(declared, BooleanType):
        return BOOLEAN
    if isinstance(declared, DateType):
        return DATE_SHAPE
    if isinstance(declared, NumberType):
        return Shape("number", unit=declared.unit)
    if isinstance(declared, EnumType):
        return Shape("member", enum=declared.enum)
    if isinstance(declared, SetType):
        return Shape("set", enum=declared.enum)
    return Shape("map", enum=declared.key, record=declared.record)


@record
class CompiledDefinition:
    index: int
    shape: Shape
    compute: Evaluator
    reads_plan: bool  # depends on what the path added: recomputed at every use


class ExpressionCompiler:
    """Compiles the expressions of one graph; ``problems`` collects type errors."""

    def __init__(self, graph: Graph, problems: list[Problem], fuse: bool = True) -> None:
        self.problems = problems
        self.fuse = fuse  # False: no fused closures (fibrolang.fused), for differential tests
        self.enums = {enum.name: enum.members for enum in graph.enums}
        self.records = {record.name: {f.name: f.type for f in record.fields} for record in graph.records}
        self.inputs = {declared.name: declared.type for declared in graph.inputs}
        self.interventions = {item.id for item in graph.interventions}
        self.definitions: dict[str, CompiledDefinition] = {}
        self.scope: list[tuple[str, str]] = []  # (variable, enum), innermost last
        self.depth = 0
        self._reads_plan = False
        self.condition_reads_plan = False
        self.constants: dict[str, Any] = {}  # definitions that are literals, by value

    def fail(self, path: str, message: str, code: str = "type_error") -> Shape:
        self.problems.append(Problem(path, message, code))
        return INVALID

    # ---- entry points ------------------------------------------------------

    def condition(self, expr: ex.Expression, path: str) -> Evaluator:
        """A guard or invariant: must be boolean. ``condition_reads_plan`` then says whether
        it reads the plan (a plan query, a dose, a definition that does)."""
        outer, self._reads_plan = self._reads_plan, False
        evaluate, shape = self.compile(expr, path)
        self.condition_reads_plan = self._reads_plan
        self._reads_plan = outer or self._reads_plan
        if shape.kind not in ("boolean", "invalid"):
            self.fail(path, f"a condition must be true or false, not a {shape.kind}")
        return evaluate

    def define(self, name: str, expr: ex.Expression, path: str) -> CompiledDefinition:
        """Compile a definition; later expressions may refer to it by name."""
        self._reads_plan = False
        compute, shape = self.compile(expr, path)
        if name in self.definitions:
            self.fail(join_path(path, "name"), f"definition {name!r} is defined twice", "duplicate")
        definition = CompiledDefinition(len(self.definitions), shape, compute, self._reads_plan)
        self.definitions[name] = definition
        if self.fuse and isinstance(expr, ex.Constant | ex.MemberLiteral | ex.SetLiteral):
            self.constants[name] = compute(None)  # type: ignore[arg-type]  # reads no context
        return definition

    def compile(self, expr: ex.Expression, path: str) -> tuple[Evaluator, Shape]:
        method: Callable[[Any, str], tuple[Evaluator, Shape]] = getattr(self, "_" + type(expr).__name__)
        return method(expr, path)

    # ---- leaves ------------------------------------------------------------

    def _Constant(self, expr: ex.Constant, path: str) -> tuple[Evaluator, Shape]:
        value = expr.value
        shape = BOOLEAN if isinstance(value, bool) else Shape("number", unit=expr.unit)
        return (lambda context: value), shape

    def _MemberLiteral(self, expr: ex.MemberLiteral, path: str) -> tuple[Evaluator, Shape]:
        value = expr.value
        self._member(expr.enum, value, join_path(path, "value"))
        return (lambda context: value), Shape("member", enum=expr.enum)

    def _TextLiteral(self, expr: ex.TextLiteral, path: str) -> tuple[Evaluator, Shape]:
        value = expr.value
        return (lambda context: value), TEXT_SHAPE

    def _SetLiteral(self, expr: ex.SetLiteral, path: str) -> tuple[Evaluator, Shape]:
        for index, member in enumerate(expr.members):
            self._member(expr.enum, member, f"{path}.members[{index}]")
        value = frozenset(expr.members)
        return (lambda context: value), Shape("set", enum=expr.enum)

    def _SelectedSet(self, expr: ex.SelectedSet, path: str) -> tuple[Evaluator, Shape]:
        for index, member in enumerate(expr.members):
            self._member(expr.enum, member, f"{path}.members[{index}]")
        conditions = [
            self.condition(condition, f"{path}.when[{index}]")
            for index, condition in enumerate(expr.conditions)
        ]
        entries = tuple(zip(expr.members, conditions, strict=False))

        def selected(context: Context) -> Any:
            chosen = set()
            unknown = None
            for member, condition in entries:
                value = condition(context)
                if value is True:
                    chosen.add(member)
                elif value.__class__ is Unknown:
                    unknown = value if unknown is None else merge_unknown(unknown, value)
            return frozenset(chosen) if unknown is None else unknown

        return selected, Shape("set", enum=expr.enum)

    def _EnumerationReference(self, expr: ex.EnumerationReference, path: str) -> tuple[Evaluator, Shape]:
        members = frozenset(self._enum(expr.enum, join_path(path, "enum")))
        return (lambda context: members), Shape("enumeration", enum=expr.enum)

    def _InputReference(self, expr: ex.InputReference, path: str) -> tuple[Evaluator, Shape]:
        name = expr.name
        declared = self.inputs.get(name)
        if declared is None:
            return never_evaluated, self.fail(
                join_path(path, "name"), f"no input is named {name!r}", "unknown_name"
            )
        unknown = absent(name)

        def read_input(context: Context) -> Any:
            value = context.inputs.get(name)
            return unknown if value is None else value

        return read_input, shape_of(declared)

    def _DefinitionReference(self, expr: ex.DefinitionReference, path: str) -> tuple[Evaluator, Shape]:
        definition = self.definitions.get(expr.name)
        if definition is None:
            return never_evaluated, self.fail(
                join_path(path, "name"),
                f"no earlier definition is named {expr.name!r} (definitions are in dependency order)",
                "unknown_name",
            )
        compute, index = definition.compute, definition.index
        if expr.name in self.constants:  # a literal: no memo to read
            return compute, definition.shape
        if definition.reads_plan:
            self._reads_plan = True
            return compute, definition.shape

        def read_definition(context: Context) -> Any:
            value = context.definitions[index]
            if value is PENDING:
                value = context.definitions[index] = compute(context)
            return value

        read_definition.memo = (index, compute, False)  # type: ignore[attr-defined]
        return read_definition, definition.shape

    def _VariableReference(self, expr: ex.VariableReference, path: str) -> tuple[Evaluator, Shape]:
        for slot in range(len(self.scope) - 1, -1, -1):
            variable, enum = self.scope[slot]
            if variable == expr.name:
                return _read_bound(slot), Shape("member", enum=enum)
        return never_evaluated, self.fail(
            join_path(path, "name"), f"no quantifier around this binds {expr.name!r}", "unknown_name"
        )

    def _PlanQuery(self, expr: ex.PlanQuery, path: str) -> tuple[Evaluator, Shape]:
        self._reads_plan = True
        subject, state = expr.subject, expr.state
        if subject is not None and state != "flagged":
            self._intervention(subject, join_path(path, "subject"))
        return fused.plan_query(state, subject), BOOLEAN

    def _DoseQuery(self, expr: ex.DoseQuery, path: str) -> tuple[Evaluator, Shape]:
        self._reads_plan = True
        subject = expr.subject
        self._intervention(subject, join_path(path, "subject"))
        return fused.dose_query(subject), Shape("number")

    # ---- maps and records --------------------------------------------------

    def _Entry(self, expr: ex.Entry, path: str) -> tuple[Evaluator, Shape]:
        read_map, map_shape = self.compile(expr.map, join_path(path, "map"))
        read_key, key_shape = self.compile(expr.key, join_path(path, "key"))
        if map_shape.kind == "invalid" or key_shape.kind == "invalid":
            return never_evaluated, INVALID
        if map_shape.kind != "map":
            return never_evaluated, self.fail(
                join_path(path, "map"), f"expected a map, not a {map_shape.kind}"
            )
        if key_shape.kind != "member" or key_shape.enum != map_shape.enum:
            return never_evaluated, self.fail(
                join_path(path, "key"), f"a key of this map is a member of {map_shape.enum}"
            )

        def read_entry(context: Context) -> Any:
            entries = read_map(context)
            key = read_key(context)
            if key.__class__ is Unknown:
                return merge_unknown(entries, key)
            if entries.__class__ is Unknown:
                return absent(f"{entries.path}.{key}") if entries.path else entries
            record = entries.get(key)
            return absent(f"{entries.path}.{key}") if record is None else record

        return read_entry, Shape("record", record=map_shape.record)

    def _Field(self, expr: ex.Field, path: str) -> tuple[Evaluator, Shape]:
        read_record, shape = self.compile(expr.record, join_path(path, "record"))
        if shape.kind == "invalid":
            return never_evaluated, INVALID
        if shape.kind != "record":
            return never_evaluated, self.fail(
                join_path(path, "record"), f"expected a record, not a {shape.kind}"
            )
        fields = self.records.get(shape.record or "", {})
        name = expr.name
        if name not in fields:
            return never_evaluated, self.fail(
                join_path(path, "name"), f"record {shape.record} has no field {name!r}", "unknown_name"
            )

        field = self._map_field(expr)
        if field is not None:
            return fused.input_field(*field), shape_of(fields[name])

        def read_field(context: Context) -> Any:
            record = read_record(context)
            if record.__class__ is Unknown:
                return absent(f"{record.path}.{name}") if record.path else record
            value = record.get(name)
            return absent(f"{record.path}.{name}") if value is None else value

        return read_field, shape_of(fields[name])

    def _Membership(self, expr: ex.Membership, path: str) -> tuple[Evaluator, Shape]:
        read_element, element = self.compile(expr.element, join_path(path, "element"))
        read_collection, collection = self.compile(expr.collection, join_path(path, "collection"))
        if element.kind == "invalid" or collection.kind == "invalid":
            return never_evaluated, INVALID
        if collection.kind not in ("set", "map", "enumeration"):
            return never_evaluated, self.fail(
                join_path(path, "collection"), f"membership needs a set or a map, not a {collection.kind}"
            )
        if element.kind != "member" or element.enum != collection.enum:
            return never_evaluated, self.fail(
                join_path(path, "element"), f"expected a member of {collection.enum}"
            )

        key = self._key(expr.element)
        if key is not None and isinstance(expr.collection, ex.InputReference):
            return fused.member_of_input(key, expr.collection.name), BOOLEAN

        def is_member(context: Context) -> Any:
            member = read_element(context)
            members = read_collection(context)
            if member.__class__ is Unknown or members.__class__ is Unknown:
                return merge_unknown(member, members)
            return member in members

        return is_member, BOOLEAN

    # ---- logic -------------------------------------------------------------

    def _booleans(self, operands: tuple[ex.Expression, ...], path: str) -> list[Evaluator]:
        compiled = []
        for index, operand in enumerate(operands):
            compiled.append(self.condition(operand, f"{path}.operands[{index}]"))
        return compiled

    def _Negation(self, expr: ex.Negation, path: str) -> tuple[Evaluator, Shape]:
        operand = self.condition(expr.operand, join_path(path, "operand"))
        if self.fuse and isinstance(expr.operand, ex.PlanQuery):
            return fused.plan_query(expr.operand.state, expr.operand.subject, negated=True), BOOLEAN
        if self.fuse and isinstance(expr.operand, ex.DefinitionReference):
            definition = self.definitions.get(expr.operand.name)
            if definition is not None and not definition.reads_plan:
                return fused.not_definition(definition.index, definition.compute), BOOLEAN

        def negate(context: Context) -> Any:
            value = operand(context)
            if value is True:
                return False
            if value is False:
                return True
            return value

        return negate, BOOLEAN

    def _Conjunction(self, expr: ex.Conjunction, path: str) -> tuple[Evaluator, Shape]:
        return self._logic(expr.operands, path, decisive=False), BOOLEAN

    def _Disjunction(self, expr: ex.Disjunction, path: str) -> tuple[Evaluator, Shape]:
        return self._logic(expr.operands, path, decisive=True), BOOLEAN

    def _logic(self, operands: tuple[ex.Expression, ...], path: str, decisive: bool) -> Evaluator:
        compiled = self._booleans(operands, path)
        if never_evaluated in compiled or not self.fuse:
            return kleene(compiled, decisive, unroll=self.fuse)
        queries = [operand for operand in operands if isinstance(operand, ex.PlanQuery)]
        if (
            len(queries) == len(operands)
            and len({query.state for query in queries}) == 1
            and all(query.subject is not None for query in queries)
        ):
            subjects = frozenset(query.subject for query in queries if query.subject)
            return fused.plan_all(queries[0].state, subjects, decisive)
        first = operands[0]
        key = self._key(first.element) if isinstance(first, ex.Membership) else None
        if (
            not decisive
            and key is not None
            and isinstance(first, ex.Membership)
            and isinstance(first.collection, ex.InputReference)
        ):
            # `member in input and ...`: the commonest guard on a map entry
            name = first.collection.name
            field = self._map_field(operands[1])
            if len(operands) == 2 and field is not None and field[:2] == (name, key):
                return fused.member_and_field(name, key, field[2])
            rest = compiled[1] if len(compiled) == 2 else kleene(compiled[1:], decisive)
            return fused.member_and(name, key, rest)
        if len(operands) == 2:
            leading = self._leading(first, compiled[1], decisive)
            if leading is not None:
                return leading
        return kleene(compiled, decisive)

    def _leading(self, first: ex.Expression, rest: Evaluator, decisive: bool) -> Evaluator | None:
        """``first and rest`` (or ``or``) with ``first`` read inline: a boolean input, a
        plan query, or the negation of either."""
        negated = isinstance(first, ex.Negation)
        operand = first.operand if isinstance(first, ex.Negation) else first
        if isinstance(operand, ex.PlanQuery):
            return fused.plan_query_then(operand.state, operand.subject, negated, rest, decisive)
        if isinstance(operand, ex.InputReference):
            declared = self.inputs.get(operand.name)
            if declared is not None and shape_of(declared).kind == "boolean":
                return fused.boolean_input_then(operand.name, negated, rest, decisive)
        return None

    def _Conditional(self, expr: ex.Conditional, path: str) -> tuple[Evaluator, Shape]:
        condition = self.condition(expr.condition, join_path(path, "condition"))
        then, then_shape = self.compile(expr.then, join_path(path, "then"))
        otherwise, else_shape = self.compile(expr.otherwise, join_path(path, "else"))
        if UNSET_SHAPE in (then_shape, else_shape):  # an output's arm (fibrolang/unset.py)
            shape = else_shape if then_shape == UNSET_SHAPE else then_shape
        else:
            kinds = ("boolean", "number", "member", "set", "map", "text")  # a text: shown, never read
            shape = self._same(then_shape, else_shape, join_path(path, "else"), kinds)

        def choose(context: Context) -> Any:
            holds = condition(context)
            if holds is True:
                return then(context)
            if holds is False:
                return otherwise(context)
            return merge_unknown(holds, then(context), otherwise(context))

        return choose, shape

    def _Elapsed(self, expr: ex.Elapsed, path: str) -> tuple[Evaluator, Shape]:
        start, start_shape = self.compile(expr.start, join_path(path, "from"))
        end, end_shape = self.compile(expr.end, join_path(path, "to"))
        for shape, key in ((start_shape, "from"), (end_shape, "to")):
            if shape.kind not in ("date", "invalid"):
                self.fail(join_path(path, key), f"expected a date, got a {_describe(shape)}")
        unit = expr.unit

        def elapsed(context: Context) -> Any:
            a = start(context)
            b = end(context)
            if a.__class__ is Unknown or b.__class__ is Unknown:
                return merge_unknown(a, b)
            return elapsed_between(unit, a, b)

        return elapsed, Shape("number", unit=unit)

    def _Unset(self, expr: ex.Unset, path: str) -> tuple[Evaluator, Shape]:
        return (lambda context: UNSET), UNSET_SHAPE

    # ---- numbers -----------------------------------------------------------

    def _Comparison(self, expr: ex.Comparison, path: str) -> tuple[Evaluator, Shape]:
        left, left_shape = self.compile(expr.left, join_path(path, "left"))
        right, right_shape = self.compile(expr.right, join_path(path, "right"))
        comparison = binary(expr.operator)
        compare = comparison.apply
        if "invalid" not in (left_shape.kind, right_shape.kind):
            if comparison.equality or DATE_SHAPE in (left_shape, right_shape):
                self._same(left_shape, right_shape, path, ("number", "member", "boolean", "date"))
            else:
                self._numbers(left_shape, right_shape, path, expr.operator)
        constant = self._literal(expr.right)
        if constant is not None:
            if self.fuse and isinstance(expr.left, ex.InputReference) and expr.left.name in self.inputs:
                return fused.compare_input(expr.left.name, compare, constant), BOOLEAN
            field = self._map_field(expr.left)
            if field is not None and left is not never_evaluated:
                return fused.compare_input_field(*field, compare, constant), BOOLEAN

            def compare_constant(context: Context) -> Any:
                value = left(context)
                if value.__class__ is Unknown:
                    return value
                return compare(value, constant)

            return compare_constant, BOOLEAN

        def compare_values(context: Context) -> Any:
            a = left(context)
            b = right(context)
            if a.__class__ is Unknown or b.__class__ is Unknown:
                return merge_unknown(a, b)
            return compare(a, b)

        return compare_values, BOOLEAN

    def _key(self, expr: ex.Expression) -> fused.Key | None:
        """A member literal, or the slot of a bound variable: a key ``fused`` can read."""
        if not self.fuse:
            return None
        if isinstance(expr, ex.MemberLiteral):
            return expr.value
        if isinstance(expr, ex.VariableReference):
            for slot in range(len(self.scope) - 1, -1, -1):
                if self.scope[slot][0] == expr.name:
                    return slot
        return None

    def _map_field(self, expr: ex.Expression) -> tuple[str, fused.Key, str] | None:
        """``(input, key, field)`` when ``expr`` is ``input[key].field`` with a ``_key``."""
        if isinstance(expr, ex.Field):
            entry = expr.record
            if isinstance(entry, ex.Entry) and isinstance(entry.map, ex.InputReference):
                key = self._key(entry.key)
                if key is not None:
                    return entry.map.name, key, expr.name
        return None

    def _literal(self, expr: ex.Expression) -> Any:
        """The value of a number or member literal, or of a definition that is one; else None."""
        if isinstance(expr, ex.Constant | ex.MemberLiteral):
            return expr.value
        if isinstance(expr, ex.DefinitionReference):
            value = self.constants.get(expr.name)
            if not isinstance(value, frozenset):
                return value
        return None

    def _Arithmetic(self, expr: ex.Arithmetic, path: str) -> tuple[Evaluator, Shape]:
        left, left_shape = self.compile(expr.left, join_path(path, "left"))
        right, right_shape = self.compile(expr.right, join_path(path, "right"))
        shape = self._numbers(left_shape, right_shape, path, expr.operator)
        apply = binary(expr.operator).apply

        def calculate(context: Context) -> Any:
            a = left(context)
            b = right(context)
            if a.__class__ is Unknown or b.__class__ is Unknown:
                return merge_unknown(a, b)
            return apply(a, b)

        return calculate, shape

    def _UnaryMinus(self, expr: ex.UnaryMinus, path: str) -> tuple[Evaluator, Shape]:
        operand, shape = self.compile(expr.operand, join_path(path, "operand"))
        if shape.kind not in ("number", "invalid"):
            shape = self.fail(path, f"cannot negate a {shape.kind}")

        def negative(context: Context) -> Any:
            value = operand(context)
            return value if value.__class__ is Unknown else -value

        return negative, shape

    # ---- quantifiers ---------------------------------------------------------

    def _Quantifier(self, expr: ex.Quantifier, path: str) -> tuple[Evaluator, Shape]:
        return compile_quantifier(self, expr, path)

    def _Sum(self, expr: ex.Sum, path: str) -> tuple[Evaluator, Shape]:
        return compile_sum(self, expr, path)

    def _CountTrue(self, expr: ex.CountTrue, path: str) -> tuple[Evaluator, Shape]:
        return compile_count_true(self._booleans(expr.operands, path)), Shape("number")

    # ---- checks --------------------------------------------------------------

    def _enum(self, name: str, path: str) -> tuple[str, ...]:
        members = self.enums.get(name)
        if members is None:
            self.fail(path, f"no enumeration is named {name!r}", "unknown_name")
            return ()
        return members

    def _member(self, enum: str, member: str, path: str) -> None:
        members = self.enums.get(enum)
        if members is None:
            self.fail(path, f"no enumeration is named {enum!r}", "unknown_name")
        elif member not in members:
            self.fail(path, f"{member!r} is not a member of {enum}", "unknown_name")

    def _intervention(self, name: str, path: str) -> None:
        if name not in self.interventions:
            self.fail(path, f"no intervention is named {name!r}", "unknown_name")

    def _numbers(self, left: Shape, right: Shape, path: str, symbol: str = "==") -> Shape:
        if "invalid" in (left.kind, right.kind):
            return INVALID
        if left.kind != "number" or right.kind != "number":
            return self.fail(path, f"expected numbers, got a {left.kind} and a {right.kind}")
        operator = binary(symbol)
        unit, problem = result_unit(operator, left.unit or None, right.unit or None)
        if problem is not None:
            return self.fail(
                path,
                f"{problem} (fibrolang never converts units: numbers that meet must carry the same unit)",
                "unit_mismatch",
            )
        if operator.unit_rule == "compare":  # the unit of the compared values, for `_same`
            unit = left.unit or right.unit
        return Shape("number", unit=unit)

    def _same(
        self,
        left: Shape,
        right: Shape,
        path: str,
        kinds: tuple[str, ...] = ("boolean", "number", "member", "set", "map"),
    ) -> Shape:
        if "invalid" in (left.kind, right.kind):
            return INVALID
        if left.kind == "number" and right.kind == "number":
            return self._numbers(left, right, path)
        if left.kind != right.kind or left.enum != right.enum or left.kind not in kinds:
            return self.fail(path, f"cannot combine a {_describe(left)} with a {_describe(right)} here")
        return left


def _describe(shape: Shape) -> str:
    return f"{shape.kind} of {shape.enum}" if shape.enum else shape.kind


def _read_bound(slot: int) -> Evaluator:
    def read_variable(context: Context) -> Any:
        return context.bound[slot]

    return read_variable


def never_evaluated(context: Context) -> Any:
    raise AssertionError("an expression that failed to type-check was evaluated")
