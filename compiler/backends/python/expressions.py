"""Expressions of the decision graph as straight-line Python statements (``--target python``).

``ExpressionWriter.value(expr)`` writes the statements that compute an expression into a
``Lines`` buffer and returns a ``Value``: a side-effect-free Python expression (a local, a
constant, or a short conditional over locals) holding the result. The semantics are the
runtime's (``fibrolang/closures.py``, ``kleene.py``, ``quantifiers.py``): Kleene logic over
``_Unknown`` values that carry the absent facts they came from, definitions memoised per
evaluation, quantifiers in declaration order. What the generator knows statically is
folded: a literal, a plan query whose answer the path fixes (``Plan``), an operand that
cannot be unknown.

Names reach the generated code only as checked identifiers (``identifier``) behind a
prefix; every other string reaches it through ``repr`` of a ``str`` (``literal``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from compiler.backends.python.integers import Integers
from fibrolang import expressions as ex
from fibrolang.graph import Graph
from fibrolang.operators import BINARY

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
NOT_CONSTANT: Any = object()


class PythonTargetError(Exception):
    """The graph uses something the Python target cannot express; the message says what."""


def identifier(name: str) -> str:
    """A guideline name, checked to be a plain identifier (it is used behind a prefix)."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or not name.isascii():
        raise PythonTargetError(f"{name!r} is not a plain name")
    return name


def literal(value: Any) -> str:
    """Python source for a JSON-like constant, through ``repr`` of checked types only."""
    if value is None or value is True or value is False:
        return repr(value)
    if type(value) is str:
        return repr(value)
    if type(value) is int:
        return repr(value)
    if type(value) is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise PythonTargetError(f"{value!r} is not a finite number")
        return repr(value)
    if type(value) is list:
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if type(value) is tuple:
        inner = ", ".join(literal(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if type(value) is dict:
        return "{" + ", ".join(f"{literal(key)}: {literal(item)}" for key, item in value.items()) + "}"
    if type(value) is frozenset:
        if not all(type(item) is str for item in value):
            raise PythonTargetError("a set holds member names only")
        return "frozenset(" + literal(tuple(sorted(value))) + ")" if value else "frozenset()"
    raise PythonTargetError(f"cannot write a {type(value).__name__} as a constant")


MAX_BLOCK_DEPTH = 90
"""Python reads at most 100 levels of indentation; the module stays below that."""


class Lines:
    """Indented lines of generated code, with fresh temporaries."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 1
        self.counter = 0

    def emit(self, text: str) -> None:
        if self.depth > MAX_BLOCK_DEPTH:
            raise PythonTargetError(
                f"the pathway nests its decisions deeper than a Python module can "
                f"(over {MAX_BLOCK_DEPTH} levels of blocks); evaluate it with the runtime"
            )
        self.lines.append("    " * self.depth + text)

    @contextmanager
    def indented(self) -> Iterator[None]:
        self.depth += 1
        start = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == start:
                self.emit("pass")
            self.depth -= 1

    def temporary(self, stem: str = "t") -> str:
        self.counter += 1
        return f"_{stem}{self.counter}"


@dataclass
class Flow:
    """What the code at this point knows about the memo of definitions."""

    definite: set[str] = field(default_factory=set)  # computed on every way here
    possible: set[str] = field(default_factory=set)  # computed on some way here

    def branch(self) -> Flow:
        return Flow(set(self.definite), set(self.possible))

    def join(self, *branches: Flow) -> None:
        """After a conditional block: what some branch may have computed."""
        for branch in branches:
            self.possible |= branch.possible


@dataclass
class Fact:
    """What the path knows about one plan entry: surely there (``state`` True), surely not
    (False), or there exactly when one of the locals ``variables`` is True (None)."""

    state: bool | None
    variables: tuple[str, ...] = ()

    def added_when(self, variable: str | None) -> Fact:
        """The fact after an item adds this entry (when ``variable`` holds; always if None)."""
        if variable is None or self.state is True:
            return Fact(True)
        return Fact(None, (*self.variables, variable))

    def condition(self) -> str:
        return " or ".join(self.variables)


ABSENT = Fact(False)


@dataclass
class Plan:
    """The plan so far, as the generator knows it on one path: entries are
    (kind, name) with kind ``recommended``/``avoided``/``flagged``/``seen``."""

    entries: dict[tuple[str, str], Fact] = field(default_factory=dict)
    doses: dict[str, list[tuple[Any, str | None]]] = field(default_factory=dict)

    def copy(self) -> Plan:
        return Plan(dict(self.entries), {key: list(bounds) for key, bounds in self.doses.items()})

    def fact(self, kind: str, name: str) -> Fact:
        return self.entries.get((kind, name), ABSENT)

    def query(self, state: str, subject: str | None) -> Value:
        facts = [
            fact
            for (kind, name), fact in self.entries.items()
            if kind == state and (subject is None or name == subject)
        ]
        if any(fact.state is True for fact in facts):
            return constant(True)
        variables = [variable for fact in facts if fact.state is None for variable in fact.variables]
        if not variables:
            return constant(False)
        return Value(variables[0] if len(variables) == 1 else "(" + " or ".join(variables) + ")", True)


@dataclass(frozen=True)
class Value:
    code: str
    certain: bool  # never unknown
    const: Any = NOT_CONSTANT
    input: str | None = None  # a plain read of this input (``code`` is its local)


def constant(value: Any) -> Value:
    return Value(literal(value), True, value)


def _is_simple(code: str) -> bool:
    return bool(_IDENTIFIER.match(code)) or code in ("True", "False", "None")


class ExpressionWriter:
    """Writes expressions of one graph; ``constants`` collects module-level constants."""

    def __init__(self, graph: Graph, constants: dict[str, str]) -> None:
        self.graph = graph
        self.constants = constants
        self.definitions = {definition.name: definition for definition in graph.definitions}
        self.enums = {enum.name: enum.members for enum in graph.enums}
        self.inputs = {declared.name for declared in graph.inputs}
        self.integers = Integers(graph)
        self.reads_plan: dict[str, bool] = {}
        self.certain_memo: dict[str, bool] = {}
        self.scope: list[tuple[str, str]] = []  # (variable, local)
        self.lines = Lines()
        self.flow = Flow()
        self.plan = Plan()
        self.used_inputs: set[str] = set()
        self.memoised: set[str] = set()  # definitions whose memo is checked somewhere

    # ---- module constants ----------------------------------------------------

    def constant_name(self, stem: str, code: str) -> str:
        for name, existing in self.constants.items():
            if existing == code and name.startswith(stem):
                return name
        name = f"{stem}{len(self.constants)}"
        self.constants[name] = code
        return name

    def absent(self, path: str) -> str:
        return self.constant_name("_ABSENT_", f"_absent({literal(path)})")

    def members(self, enum: str) -> str:
        return self.constant_name("_MEMBERS_", literal(tuple(self.enums.get(enum, ()))))

    # ---- helpers -------------------------------------------------------------

    def local(self, value: Value, stem: str = "t") -> Value:
        """The value held in a local (or a constant), so that it can be read twice."""
        if _is_simple(value.code) or value.const is not NOT_CONSTANT:
            return value
        name = self.lines.temporary(stem)
        self.lines.emit(f"{name} = {value.code}")
        return Value(name, value.certain, value.const)

    @contextmanager
    def conditional(self, branches: list[Flow]) -> Iterator[None]:
        """A block that runs on some ways only: it sees the memo so far, adds nothing definite."""
        outer = self.flow
        self.flow = outer.branch()
        try:
            with self.lines.indented():
                yield
        finally:
            branches.append(self.flow)
            self.flow = outer

    def is_certain(self, expr: ex.Expression) -> bool:
        """Whether ``expr`` can never be unknown (it reads no input, or only ... none)."""
        if isinstance(expr, ex.InputReference | ex.Entry | ex.Field):
            return False
        if isinstance(expr, ex.DefinitionReference):
            if expr.name not in self.certain_memo:
                self.certain_memo[expr.name] = False  # no cycles in a checked graph
                definition = self.definitions.get(expr.name)
                self.certain_memo[expr.name] = definition is not None and self.is_certain(definition.expr)
            return self.certain_memo[expr.name]
        return all(self.is_certain(child) for child in _children(expr))

    def definition_reads_plan(self, name: str) -> bool:
        if name not in self.reads_plan:
            self.reads_plan[name] = False
            definition = self.definitions.get(name)
            self.reads_plan[name] = definition is not None and _reads_plan(definition.expr, self)
        return self.reads_plan[name]

    # ---- entry points --------------------------------------------------------

    def value(self, expr: ex.Expression) -> Value:
        method = getattr(self, "_" + type(expr).__name__, None)
        if method is None:
            raise PythonTargetError(f"the Python target cannot write a {type(expr).__name__}")
        result: Value = method(expr)
        return result

    # ---- leaves --------------------------------------------------------------

    def _Constant(self, expr: ex.Constant) -> Value:
        return constant(expr.value)

    def _MemberLiteral(self, expr: ex.MemberLiteral) -> Value:
        return constant(expr.value)

    def _TextLiteral(self, expr: ex.TextLiteral) -> Value:
        return constant(expr.value)  # repr of the str (``literal``): never pasted into the module

    def _Unset(self, expr: ex.Unset) -> Value:
        return Value("_UNSET", True)  # only an output's arm (fibrolang/unset.py); left out of the result

    def _SetLiteral(self, expr: ex.SetLiteral) -> Value:
        name = self.constant_name("_SET_", literal(frozenset(expr.members)))
        return Value(name, True)

    def _EnumerationReference(self, expr: ex.EnumerationReference) -> Value:
        name = self.constant_name("_SET_", literal(frozenset(self.enums.get(expr.enum, ()))))
        return Value(name, True)

    def _InputReference(self, expr: ex.InputReference) -> Value:
        name = identifier(expr.name)
        if name not in self.inputs:
            raise PythonTargetError(f"no input is named {name!r}")
        self.used_inputs.add(name)
        return Value(f"({self.absent(name)} if i_{name} is None else i_{name})", False, input=name)

    def _VariableReference(self, expr: ex.VariableReference) -> Value:
        for variable, local in reversed(self.scope):
            if variable == expr.name:
                return Value(local, True)
        raise PythonTargetError(f"no quantifier binds {expr.name!r}")

    def _DefinitionReference(self, expr: ex.DefinitionReference) -> Value:
        name = identifier(expr.name)
        definition = self.definitions.get(name)
        if definition is None:
            raise PythonTargetError(f"no definition is named {name!r}")
        if self.definition_reads_plan(name):  # recomputed at every use, as the runtime does
            return self.value(definition.expr)
        certain = self.is_certain(definition.expr)
        local = f"d_{name}"
        if name in self.flow.definite:
            return Value(local, certain)
        if name in self.flow.possible:
            self.memoised.add(name)
            self.lines.emit(f"if {local} is _PENDING:")
            branches: list[Flow] = []
            with self.conditional(branches):
                computed = self.value(definition.expr)
                self.lines.emit(f"{local} = {computed.code}")
            self.flow.join(*branches)
        else:
            computed = self.value(definition.expr)
            self.lines.emit(f"{local} = {computed.code}")
        self.flow.definite.add(name)
        self.flow.possible.add(name)
        return Value(local, certain)

    def _PlanQuery(self, expr: ex.PlanQuery) -> Value:
        return self.plan.query(expr.state, expr.subject)

    def _DoseQuery(self, expr: ex.DoseQuery) -> Value:
        bounds = self.plan.doses.get(expr.subject, [])
        if not bounds:
            return constant(0)
        terms = [
            literal(bound) if variable is None else f"({literal(bound)} if {variable} else 0)"
            for bound, variable in bounds
        ]
        if all(variable is None for _bound, variable in bounds):
            return constant(max(bound for bound, _variable in bounds))
        return Value(terms[0] if len(terms) == 1 else f"max({', '.join(terms)})", True)

    # ---- maps and records ------------------------------------------------------

    def _map_path(self, expr: ex.Expression) -> str:
        """The dotted path of a map value (an input, or a definition that is one)."""
        if isinstance(expr, ex.InputReference):
            return expr.name
        if isinstance(expr, ex.DefinitionReference):
            definition = self.definitions.get(expr.name)
            if definition is not None:
                return self._map_path(definition.expr)
        raise PythonTargetError("the Python target reads maps only from inputs or definitions of them")

    def _entry(self, expr: ex.Entry) -> tuple[Value, Value, str]:
        """The record of a map entry (or an unknown), its key, and the map's path."""
        path = self._map_path(expr.map)
        entries = self.local(self.value(expr.map), "m")
        key = self.local(self.value(expr.key), "k")
        record = self.lines.temporary("r")
        lines = self.lines
        if key.certain:
            lines.emit(f"if {entries.code}.__class__ is _Unknown:")
        else:
            lines.emit(f"if {key.code}.__class__ is _Unknown:")
            with lines.indented():
                lines.emit(f"{record} = _merge({entries.code}, {key.code})")
            lines.emit(f"elif {entries.code}.__class__ is _Unknown:")
        with lines.indented():
            lines.emit(
                f"{record} = _absent({entries.code}.path + '.' + {key.code}) "
                f"if {entries.code}.path else {entries.code}"
            )
        lines.emit("else:")
        with lines.indented():
            lines.emit(f"{record} = {entries.code}.get({key.code})")
            lines.emit(f"if {record} is None:")
            with lines.indented():
                lines.emit(f"{record} = _absent({literal(path + '.')} + {key.code})")
        return Value(record, False), key, path

    def _Entry(self, expr: ex.Entry) -> Value:
        return self._entry(expr)[0]

    def _Field(self, expr: ex.Field) -> Value:
        name = identifier(expr.name)
        if not isinstance(expr.record, ex.Entry):
            record_path = self._record_path(expr.record)
            record = self.local(self.value(expr.record), "r")
            path_code = literal(record_path)
        else:
            record, key, map_path = self._entry(expr.record)
            path_code = f"{literal(map_path + '.')} + {key.code}"
        value = self.lines.temporary("f")
        lines = self.lines
        lines.emit(f"if {record.code}.__class__ is _Unknown:")
        with lines.indented():
            lines.emit(
                f"{value} = _absent({record.code}.path + {literal('.' + name)}) "
                f"if {record.code}.path else {record.code}"
            )
        lines.emit("else:")
        with lines.indented():
            lines.emit(f"{value} = {record.code}.get({literal(name)})")
            lines.emit(f"if {value} is None:")
            with lines.indented():
                lines.emit(f"{value} = _absent({path_code} + {literal('.' + name)})")
        return Value(value, False)

    def _record_path(self, expr: ex.Expression) -> str:
        if isinstance(expr, ex.DefinitionReference):
            definition = self.definitions.get(expr.name)
            if definition is not None:
                return self._record_path(definition.expr)
        if isinstance(expr, ex.Entry) and isinstance(expr.key, ex.MemberLiteral):
            return f"{self._map_path(expr.map)}.{expr.key.value}"
        raise PythonTargetError("the Python target reads records only from map entries")

    def _Membership(self, expr: ex.Membership) -> Value:
        element = self.local(self.value(expr.element), "e")
        collection = self.value(expr.collection)
        if collection.input is not None and element.certain:
            name = collection.input
            return Value(f"({self.absent(name)} if i_{name} is None else {element.code} in i_{name})", False)
        collection = self.local(collection, "c")
        if element.certain and collection.certain:
            return Value(f"({element.code} in {collection.code})", True)
        unknowns = " or ".join(
            f"{value.code}.__class__ is _Unknown" for value in (element, collection) if not value.certain
        )
        return Value(
            f"(_merge({element.code}, {collection.code}) if {unknowns} "
            f"else {element.code} in {collection.code})",
            False,
        )

    # ---- logic -----------------------------------------------------------------

    def _Negation(self, expr: ex.Negation) -> Value:
        operand = self.value(expr.operand)
        if operand.const is not NOT_CONSTANT:
            return constant(not operand.const)
        if operand.certain:
            return Value(f"(not {operand.code})", True)
        if operand.input is not None:
            name = operand.input
            return Value(f"({self.absent(name)} if i_{name} is None else not i_{name})", False)
        held = self.local(operand)
        return Value(
            f"(False if {held.code} is True else True if {held.code} is False else {held.code})", False
        )

    def _Conjunction(self, expr: ex.Conjunction) -> Value:
        return self._logic(expr.operands, decisive=False)

    def _Disjunction(self, expr: ex.Disjunction) -> Value:
        return self._logic(expr.operands, decisive=True)

    def _logic(self, operands: tuple[ex.Expression, ...], decisive: bool) -> Value:
        """Kleene ``and`` (decisive False) / ``or`` (decisive True), lazily, left to right:
        each later operand is computed only while the value so far is not decisive."""
        certain = all(self.is_certain(operand) for operand in operands)
        result = self.lines.temporary("b")
        started = False
        depth = 0
        outers: list[Flow] = []
        remaining = list(operands)
        while remaining:
            value = self.value(remaining.pop(0))
            if value.const is decisive:
                if not started:
                    return constant(decisive)
                self.lines.emit(f"{result} = {literal(decisive)}")
                break
            if value.const is not NOT_CONSTANT:
                continue  # the neutral value changes nothing
            if not started:
                self.lines.emit(f"{result} = {value.code}")
                started = True
            else:
                self._combine(result, self.local(value), decisive)
            if remaining:
                self.lines.emit(f"if {result} is not {literal(decisive)}:")
                self.lines.depth += 1
                depth += 1
                outers.append(self.flow)
                self.flow = self.flow.branch()
        self._close(depth, outers)
        if not started:
            return constant(not decisive)
        return Value(result, certain)

    def _close(self, depth: int, outers: list[Flow]) -> None:
        """Close the nested ``if`` blocks of ``_logic``, restoring the flow state."""
        for _ in range(depth):
            self.lines.emit("pass")
            self.lines.depth -= 1
            inner = self.flow
            self.flow = outers.pop()
            self.flow.join(inner)

    def _combine(self, result: str, value: Value, decisive: bool) -> None:
        lines = self.lines
        if value.certain:
            lines.emit(f"if {value.code} is {literal(decisive)}:")
            with lines.indented():
                lines.emit(f"{result} = {literal(decisive)}")
            return
        lines.emit(f"if {value.code} is {literal(decisive)} or {result} is {literal(not decisive)}:")
        with lines.indented():
            lines.emit(f"{result} = {value.code}")
        lines.emit(f"elif {value.code}.__class__ is _Unknown:")
        with lines.indented():
            lines.emit(f"{result} = _merge({result}, {value.code})")

    def _Conditional(self, expr: ex.Conditional) -> Value:
        condition = self.local(self.value(expr.condition), "h")
        if condition.const is True:
            return self.value(expr.then)
        if condition.const is False:
            return self.value(expr.otherwise)
        result = self.lines.temporary("v")
        lines = self.lines
        branches: list[Flow] = []
        lines.emit(f"if {condition.code} is True:")
        with self.conditional(branches):
            lines.emit(f"{result} = {self.value(expr.then).code}")
        lines.emit(f"elif {condition.code} is False:")
        with self.conditional(branches):
            lines.emit(f"{result} = {self.value(expr.otherwise).code}")
        if not condition.certain:
            lines.emit("else:")
            with self.conditional(branches):
                then = self.local(self.value(expr.then))
                otherwise = self.local(self.value(expr.otherwise))
                lines.emit(f"{result} = _merge({condition.code}, {then.code}, {otherwise.code})")
        self.flow.join(*branches)
        return Value(result, self.is_certain(expr))

    # ---- numbers ------------------------------------------------------------

    def _Comparison(self, expr: ex.Comparison) -> Value:
        return self._binary(expr.left, expr.right, expr.operator)

    def _Arithmetic(self, expr: ex.Arithmetic) -> Value:
        return self._binary(expr.left, expr.right, expr.operator)

    def _binary(self, left_expr: ex.Expression, right_expr: ex.Expression, symbol: str) -> Value:
        if symbol not in BINARY:
            raise PythonTargetError(f"unknown operator {symbol!r}")
        operator = BINARY[symbol]
        spelling = operator.python
        if (
            operator.family == "arithmetic"
            and operator.keeps_integers
            and self.integers.integral(left_expr)
            and self.integers.integral(right_expr)
        ):
            spelling = symbol  # two integers: the plain operator gives the prelude's integer

        def operator_of(left: str, right: str) -> str:
            if spelling.startswith("_"):  # a function of the prelude
                return f"{spelling}({left}, {right})"
            return f"{left} {spelling} {right}"

        left = self.value(left_expr)
        right = self.value(right_expr)
        if left.input is not None and right.certain:
            right = self.local(right)
            name = left.input
            computed = operator_of(f"i_{name}", right.code)
            return Value(f"({self.absent(name)} if i_{name} is None else {computed})", False)
        left = self.local(left, "a")
        right = self.local(right, "a")
        if left.certain and right.certain:
            return Value(f"({operator_of(left.code, right.code)})", True)
        unknowns = " or ".join(
            f"{value.code}.__class__ is _Unknown" for value in (left, right) if not value.certain
        )
        return Value(
            f"(_merge({left.code}, {right.code}) if {unknowns} else {operator_of(left.code, right.code)})",
            False,
        )

    def _Elapsed(self, expr: ex.Elapsed) -> Value:
        """Whole units between two dates (``_elapsed``, compiler/backends/python/dates.py)."""
        start = self.local(self.value(expr.start), "a")
        end = self.local(self.value(expr.end), "a")
        call = f"_elapsed({literal(expr.unit)}, {start.code}, {end.code})"
        if start.certain and end.certain:
            return Value(call, True)
        uncertain = [value.code for value in (start, end) if not value.certain]
        unknowns = " or ".join(f"{code}.__class__ is _Unknown" for code in uncertain)
        return Value(f"(_merge({start.code}, {end.code}) if {unknowns} else {call})", False)

    def _UnaryMinus(self, expr: ex.UnaryMinus) -> Value:
        operand = self.local(self.value(expr.operand))
        if operand.certain:
            return Value(f"(-{operand.code})", True)
        return Value(f"({operand.code} if {operand.code}.__class__ is _Unknown else -{operand.code})", False)

    # ---- quantifiers ----------------------------------------------------------

    def _Quantifier(self, expr: ex.Quantifier) -> Value:
        return self._loop(expr.kind, expr.variable, expr.over, expr.where)

    def _Sum(self, expr: ex.Sum) -> Value:
        return self._loop("sum", expr.variable, expr.over, expr.body)

    def _loop(self, kind: str, variable: str, over_expr: ex.Expression, body: ex.Expression | None) -> Value:
        enum = _enum_of(over_expr, self)
        over = self.local(self.value(over_expr), "c")
        lines = self.lines
        result = lines.temporary("q")
        holding = lines.temporary("n")
        unknown = lines.temporary("u")
        member = lines.temporary("v")
        branches: list[Flow] = []
        indent = 0
        if not over.certain:
            lines.emit(f"if {over.code}.__class__ is _Unknown:")
            with lines.indented():
                lines.emit(f"{result} = {over.code}")
            lines.emit("else:")
            lines.depth += 1
            indent = 1
        lines.emit(f"{holding} = 0")
        lines.emit(f"{unknown} = None")
        lines.emit(f"for {member} in {self.members(enum)}:")
        with self.conditional(branches):
            lines.emit(f"if {member} not in {over.code}:")
            with lines.indented():
                lines.emit("continue")
            self.scope.append((variable, member))
            try:
                if body is None:
                    lines.emit(f"{holding} += 1")
                else:
                    value = self.local(self.value(body), "w")
                    integral = kind == "sum" and self.integers.integral(body)
                    self._loop_step(kind, value, result, holding, unknown, integral)
            finally:
                self.scope.pop()
        if kind in ("any", "all") and body is not None:
            lines.emit("else:")
            lines.depth += 1
        final = {"count": holding, "sum": holding, "any": f"{holding} > 0", "all": "True"}[kind]
        lines.emit(f"{result} = {final} if {unknown} is None else {unknown}")
        if kind in ("any", "all") and body is not None:
            lines.depth -= 1
        lines.depth -= indent
        self.flow.join(*branches)
        return Value(result, over.certain and (body is None or self.is_certain(body)))

    def _loop_step(
        self, kind: str, value: Value, result: str, holding: str, unknown: str, integral: bool = False
    ) -> None:
        lines = self.lines
        merge = f"{unknown} = {value.code} if {unknown} is None else _merge({unknown}, {value.code})"
        if kind == "sum":  # on the decimals as written, as `+` (integers: directly)
            add = f"{holding} += {value.code}" if integral else f"{holding} = _plus({holding}, {value.code})"
            if value.certain:
                lines.emit(add)
                return
            lines.emit(f"if {value.code}.__class__ is _Unknown:")
            with lines.indented():
                lines.emit(merge)
            lines.emit("else:")
            with lines.indented():
                lines.emit(add)
            return
        lines.emit(f"if {value.code} is True:")
        with lines.indented():
            if kind == "any":
                lines.emit(f"{result} = True")
                lines.emit("break")
            else:
                lines.emit(f"{holding} += 1")
        if kind == "all":
            lines.emit(f"elif {value.code} is False:")
            with lines.indented():
                lines.emit(f"{result} = False")
                lines.emit("break")
        if not value.certain:
            lines.emit(f"elif {value.code} is not False:" if kind != "all" else "else:")
            with lines.indented():
                lines.emit(merge)

    def _CountTrue(self, expr: ex.CountTrue) -> Value:
        lines = self.lines
        holding = lines.temporary("n")
        unknown = lines.temporary("u")
        lines.emit(f"{holding} = 0")
        lines.emit(f"{unknown} = None")
        for operand in expr.operands:
            value = self.local(self.value(operand), "w")
            if value.const is not NOT_CONSTANT:
                if value.const is True:
                    lines.emit(f"{holding} += 1")
                continue
            lines.emit(f"if {value.code} is True:")
            with lines.indented():
                lines.emit(f"{holding} += 1")
            if not value.certain:
                lines.emit(f"elif {value.code} is not False:")
                with lines.indented():
                    lines.emit(
                        f"{unknown} = {value.code} if {unknown} is None else _merge({unknown}, {value.code})"
                    )
        result = lines.temporary("q")
        lines.emit(f"{result} = {holding} if {unknown} is None else {unknown}")
        return Value(result, self.is_certain(expr))

    def _SelectedSet(self, expr: ex.SelectedSet) -> Value:
        lines = self.lines
        chosen = lines.temporary("s")
        unknown = lines.temporary("u")
        lines.emit(f"{chosen} = []")
        lines.emit(f"{unknown} = None")
        for member, condition in zip(expr.members, expr.conditions, strict=False):
            value = self.local(self.value(condition), "w")
            if value.const is False:
                continue
            if value.const is True:
                lines.emit(f"{chosen}.append({literal(member)})")
                continue
            lines.emit(f"if {value.code} is True:")
            with lines.indented():
                lines.emit(f"{chosen}.append({literal(member)})")
            if not value.certain:
                lines.emit(f"elif {value.code} is not False:")
                with lines.indented():
                    lines.emit(
                        f"{unknown} = {value.code} if {unknown} is None else _merge({unknown}, {value.code})"
                    )
        result = lines.temporary("q")
        lines.emit(f"{result} = frozenset({chosen}) if {unknown} is None else {unknown}")
        return Value(result, self.is_certain(expr))


def _children(expr: ex.Expression) -> list[ex.Expression]:
    children: list[ex.Expression] = []
    for name in getattr(expr, "__dataclass_fields__", {}):
        value = getattr(expr, name)
        if isinstance(value, tuple):
            children += [item for item in value if type(item).__module__ == ex.__name__]
        elif type(value).__module__ == ex.__name__:
            children.append(value)
    return children


def _reads_plan(expr: ex.Expression, writer: ExpressionWriter) -> bool:
    if isinstance(expr, ex.PlanQuery | ex.DoseQuery):
        return True
    if isinstance(expr, ex.DefinitionReference):
        return writer.definition_reads_plan(expr.name)
    return any(_reads_plan(child, writer) for child in _children(expr))


def _enum_of(expr: ex.Expression, writer: ExpressionWriter) -> str:
    """The enumeration a quantifier's collection draws its members from."""
    if isinstance(expr, ex.SetLiteral | ex.SelectedSet):
        return expr.enum
    if isinstance(expr, ex.EnumerationReference):
        return expr.enum
    if isinstance(expr, ex.InputReference):
        for declared in writer.graph.inputs:
            if declared.name == expr.name and hasattr(declared.type, "enum"):
                return str(declared.type.enum)
    if isinstance(expr, ex.DefinitionReference):
        definition = writer.definitions.get(expr.name)
        if definition is not None:
            return _enum_of(definition.expr, writer)
    if isinstance(expr, ex.Conditional):
        return _enum_of(expr.then, writer)
    raise PythonTargetError("the Python target cannot tell which enumeration this quantifier ranges over")
