"""The commonest valid shapes of a graph file, read in one pass each.

``GraphReader`` (graph_reader.py) reads every field of a graph on its own, with
a JSON path ready for each problem it may report. Almost every part of a
compiled graph has one of a few valid shapes (an edge with a string id and
target, a guard comparing an input with a constant, a traceability without
notes): the functions here read those shapes with a few class checks and no
paths, and build their frozen dataclasses through the slots' descriptors
(``builder``: the same objects, equal and frozen, at about half the cost of the
generated ``__init__``, which sets each field through ``object.__setattr__``).

Each function returns None for anything it does not recognise, valid or not:
the caller then reads that part field by field, which reports every problem as
before. A quick reading therefore never accepts what the field-by-field reading
would refuse, nor reads anything differently (tests/runtime/test_graph_quick.py
compares the two on every committed graph and on mutated ones).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fibrolang import expressions as ex
from fibrolang.graph import (
    ACTIONS,
    ActionNode,
    DecisionNode,
    Dose,
    Edge,
    RecommendItem,
    SourcePosition,
    TerminalNode,
    Traceability,
)
from fibrolang.json_values import is_number
from fibrolang.operators import BINARY

T = TypeVar("T")
_new = object.__new__


def builder(cls: type[T]) -> Callable[..., T]:
    """A positional constructor of the frozen, slotted dataclass ``cls`` (every field
    given, in declaration order) that sets the slots through their descriptors."""
    names: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    setters = [cls.__dict__[name].__set__ for name in names]
    if len(setters) == 1:
        (set_a,) = setters

        def build_1(a: Any) -> T:
            made = _new(cls)
            set_a(made, a)
            return made

        return build_1
    if len(setters) == 2:
        set_a, set_b = setters

        def build_2(a: Any, b: Any) -> T:
            made = _new(cls)
            set_a(made, a)
            set_b(made, b)
            return made

        return build_2
    if len(setters) == 3:
        set_a, set_b, set_c = setters

        def build_3(a: Any, b: Any, c: Any) -> T:
            made = _new(cls)
            set_a(made, a)
            set_b(made, b)
            set_c(made, c)
            return made

        return build_3
    if len(setters) == 4:
        set_a, set_b, set_c, set_d = setters

        def build_4(a: Any, b: Any, c: Any, d: Any) -> T:
            made = _new(cls)
            set_a(made, a)
            set_b(made, b)
            set_c(made, c)
            set_d(made, d)
            return made

        return build_4
    if len(setters) == 5:
        set_a, set_b, set_c, set_d, set_e = setters

        def build_5(a: Any, b: Any, c: Any, d: Any, e: Any) -> T:
            made = _new(cls)
            set_a(made, a)
            set_b(made, b)
            set_c(made, c)
            set_d(made, d)
            set_e(made, e)
            return made

        return build_5
    return cls  # other arities: the dataclass's own constructor


new_position = builder(SourcePosition)
new_traceability = builder(Traceability)
new_edge = builder(Edge)
new_dose = builder(Dose)
new_decision = builder(DecisionNode)
new_action = builder(ActionNode)
new_terminal = builder(TerminalNode)
_new_input = builder(ex.InputReference)
_new_definition = builder(ex.DefinitionReference)
_new_constant = builder(ex.Constant)
_new_member = builder(ex.MemberLiteral)
_new_comparison = builder(ex.Comparison)
_new_arithmetic = builder(ex.Arithmetic)
_new_conjunction = builder(ex.Conjunction)
_new_disjunction = builder(ex.Disjunction)
_new_negation = builder(ex.Negation)
_new_entry = builder(ex.Entry)
_new_field = builder(ex.Field)
_new_membership = builder(ex.Membership)
_new_plan_query = builder(ex.PlanQuery)
_FAMILY = {symbol: operator.family for symbol, operator in BINARY.items()}
_ACTIONS = frozenset(ACTIONS)

NO_TRACE = Traceability((), None, (), None)


def common_traceability(obj: dict[str, Any]) -> Traceability | None:
    """The traceability of ``obj`` when it has the commonest valid shape (no notes, no
    citations or whole-number ones, a string or null quote, a source of two whole numbers
    or none), read in one pass; None for anything else, which the field-by-field reading
    checks (and reports)."""
    notes = obj.get("notes", ())
    citations = obj.get("citations", ())
    quote = obj.get("quote")
    source = obj.get("source")
    if notes and notes.__class__ is list and all(note.__class__ is str for note in notes):
        notes = tuple(notes)
    elif notes != () and notes != []:
        return None
    if citations and citations.__class__ is list and all(number.__class__ is int for number in citations):
        citations = tuple(citations)
    elif citations != () and citations != []:
        return None
    if quote is not None and quote.__class__ is not str:
        return None
    if source is None:
        if not notes and not citations and quote is None:
            return NO_TRACE
        return new_traceability(tuple(notes), quote, tuple(citations), None)
    if source.__class__ is not dict:
        return None
    line = source.get("line")
    column = source.get("column")
    if line.__class__ is not int or column.__class__ is not int:
        return None
    return new_traceability(tuple(notes), quote, tuple(citations), new_position(line, column))


def common_expression(value: Any) -> ex.Expression | None:
    """``value`` as an expression when it and all its parts are of the commonest ops
    (input, def, const, member, the binary operators, and, or, not, entry, field, in, the
    plan queries) in
    a valid shape; None for anything else."""
    if value.__class__ is not dict:
        return None
    op = value.get("op")
    if op.__class__ is not str:
        return None
    if op == "input":
        name = value.get("name")
        return _new_input(name) if name.__class__ is str else None
    if op == "const":
        constant = value.get("value", _NOTHING)
        unit = value.get("unit")
        if constant.__class__ is not bool and not is_number(constant):
            return None
        if unit is not None and unit.__class__ is not str:
            return None
        return _new_constant(constant, unit)
    family = _FAMILY.get(op)
    if family is not None:
        left = common_expression(value.get("left"))
        right = common_expression(value.get("right"))
        if left is None or right is None:
            return None
        if family == "comparison":
            return _new_comparison(op, left, right)
        return _new_arithmetic(op, left, right)
    if op == "def":
        name = value.get("name")
        return _new_definition(name) if name.__class__ is str else None
    if op == "and" or op == "or":
        listed = value.get("operands")
        if listed.__class__ is not list or len(listed) < 2:
            return None
        operands = []
        for operand in listed:
            read = common_expression(operand)
            if read is None:
                return None
            operands.append(read)
        return (_new_conjunction if op == "and" else _new_disjunction)(tuple(operands))
    if op == "not":
        operand = common_expression(value.get("operand"))
        return None if operand is None else _new_negation(operand)
    if op == "recommended" or op == "avoided" or op == "flagged":
        subject = value.get("subject", _NOTHING)
        if subject is not None and subject.__class__ is not str:
            return None  # absent (_NOTHING) or not a string
        return _new_plan_query(op, subject)
    if op == "member":
        member = value.get("value")
        enum = value.get("enum")
        if member.__class__ is not str or enum.__class__ is not str:
            return None
        return _new_member(member, enum)
    if op == "field":
        record = common_expression(value.get("record"))
        name = value.get("name")
        if record is None or name.__class__ is not str:
            return None
        return _new_field(record, name)
    if op == "entry" or op == "in":
        first = common_expression(value.get("map" if op == "entry" else "element"))
        second = common_expression(value.get("key" if op == "entry" else "collection"))
        if first is None or second is None:
            return None
        return (_new_entry if op == "entry" else _new_membership)(first, second)
    return None


_NOTHING = object()  # a key that is absent (a const without a value is not common)


def common_edge(value: Any, guarded: bool) -> Edge | None:
    """An edge (a branch when ``guarded``, else an action's ``next``, whose guard is not
    read) of the commonest valid shape; None for anything else."""
    if value.__class__ is not dict:
        return None
    edge_id = value.get("id")
    target = value.get("target")
    label = value.get("label")
    if edge_id.__class__ is not str or target.__class__ is not str:
        return None
    if label is not None and label.__class__ is not str:
        return None
    guard = None
    if guarded:
        written = value.get("guard")
        if written is not None:
            guard = common_expression(written)
            if guard is None:
                return None
    trace = common_traceability(value)
    if trace is None:
        return None
    return new_edge(edge_id, guard, target, label, trace)


_new_recommend = builder(RecommendItem)  # seven fields: the dataclass's constructor


def common_recommendation(value: Any) -> RecommendItem | None:
    """A ``recommend`` item of the commonest valid shape (a dose or none, no titration);
    None for anything else."""
    if value.__class__ is not dict or value.get("kind") != "recommend":
        return None
    item_id = value.get("id")
    action = value.get("action")
    intervention = value.get("intervention")
    if item_id.__class__ is not str or intervention.__class__ is not str:
        return None
    if action.__class__ is not str or action not in _ACTIONS:
        return None
    if value.get("titration") is not None:
        return None
    guard = None
    written = value.get("guard")
    if written is not None:
        guard = common_expression(written)
        if guard is None:
            return None
    dose = None
    written = value.get("dose")
    if written is not None:
        dose = common_dose(written)
        if dose is None:
            return None
    trace = common_traceability(value)
    if trace is None:
        return None
    return _new_recommend(item_id, guard, action, intervention, dose, None, trace)


def common_dose(value: Any) -> Dose | None:
    """A dose with numbers for bounds and a string or null unit and frequency."""
    if value.__class__ is not dict:
        return None
    minimum = value.get("min")
    maximum = value.get("max")
    unit = value.get("unit")
    frequency = value.get("frequency")
    if not is_number(minimum) or not is_number(maximum):
        return None
    if (unit is not None and unit.__class__ is not str) or (
        frequency is not None and frequency.__class__ is not str
    ):
        return None
    return new_dose(minimum, maximum, unit, frequency)
