"""Fused closures: the commonest expression shapes as one closure each instead of a tree.

A closure call is most of what evaluating a small expression costs, so the
compiler (``fibrolang.closures``) recognises a few shapes after type-checking
them and builds one closure that does the whole job, with the same values and
the same unknowns (the same absent facts) as the tree it replaces:

- ``input <op> constant`` and ``map[member].field <op> constant``;
- ``member in input`` and ``map[member].field``;
- ``member in input and ...``, and ``member in input and input[member].field``;
- ``not definition``, reading the per-evaluation memo directly;
- the plan queries, one closure per kind.

The unknown value of a fused read is built once here: ``Unknown`` is immutable.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from fibrolang.values import PENDING, Context, Unknown, absent, merge_unknown

Evaluator = Callable[[Context], Any]


def compare_input(name: str, compare: Callable[[Any, Any], bool], constant: Any) -> Evaluator:
    """``input <op> constant`` (the four orderings written out: one call fewer). Each of the
    four carries ``comparison``, ``(name, operator, constant)``: the lean walk reads the
    input and compares it inline instead of calling it (``input_comparison``)."""
    unknown = absent(name)
    if compare is operator.lt:

        def input_below(context: Context) -> Any:
            value = context.inputs.get(name)
            return unknown if value is None else value < constant

        input_below.comparison = (name, operator.lt, constant)  # type: ignore[attr-defined]
        return input_below
    if compare is operator.le:

        def input_at_most(context: Context) -> Any:
            value = context.inputs.get(name)
            return unknown if value is None else value <= constant

        input_at_most.comparison = (name, operator.le, constant)  # type: ignore[attr-defined]
        return input_at_most
    if compare is operator.gt:

        def input_above(context: Context) -> Any:
            value = context.inputs.get(name)
            return unknown if value is None else value > constant

        input_above.comparison = (name, operator.gt, constant)  # type: ignore[attr-defined]
        return input_above
    if compare is operator.ge:

        def input_at_least(context: Context) -> Any:
            value = context.inputs.get(name)
            return unknown if value is None else value >= constant

        input_at_least.comparison = (name, operator.ge, constant)  # type: ignore[attr-defined]
        return input_at_least

    def compare_input(context: Context) -> Any:
        value = context.inputs.get(name)
        if value is None:
            return unknown
        return compare(value, constant)

    return compare_input


Key = str | int
"""The key of a map entry: a member literal (``str``), or the member a quantifier has bound
to a variable, by its slot in ``Context.bound`` (``int``)."""


class _Absent(dict[str, Unknown]):
    """The unknown value of ``input.<key>.field`` (or ``input``) for each key, made on demand."""

    def __init__(self, pattern: str) -> None:
        super().__init__()
        self.pattern = pattern

    def __missing__(self, key: str) -> Unknown:
        unknown = self[key] = absent(self.pattern.format(key))
        return unknown


def member_of_input(key: Key, name: str) -> Evaluator:
    """``member in input`` (a set or a map)."""
    unknown = absent(name)
    if isinstance(key, int):
        slot = key

        def is_bound_member_of_input(context: Context) -> Any:
            collection = context.inputs.get(name)
            if collection is None:
                return unknown
            return context.bound[slot] in collection

        return is_bound_member_of_input
    member = key

    def is_member_of_input(context: Context) -> Any:
        collection = context.inputs.get(name)
        if collection is None:
            return unknown
        return member in collection

    return is_member_of_input


def input_field(name: str, key: Key, field: str) -> Evaluator:
    """``input[key].field``: unknown, naming ``input.key.field``, if any of the three is absent.

    The tree it replaces names the deepest fact read: the field of an absent entry, or
    of an entry of an absent map (docs/graph-format.md, "Missing data").
    """
    if isinstance(key, int):
        slot, unknowns = key, _Absent(f"{name}.{{}}.{field}")

        def read_input_bound_field(context: Context) -> Any:
            member = context.bound[slot]
            entries = context.inputs.get(name)
            if entries is None:
                return unknowns[member]
            record = entries.get(member)
            if record is None:
                return unknowns[member]
            value = record.get(field)
            return unknowns[member] if value is None else value

        return read_input_bound_field
    member, unknown = key, absent(f"{name}.{key}.{field}")

    def read_input_field(context: Context) -> Any:
        entries = context.inputs.get(name)
        if entries is None:
            return unknown
        record = entries.get(member)
        if record is None:
            return unknown
        value = record.get(field)
        return unknown if value is None else value

    return read_input_field


def compare_input_field(
    name: str, key: Key, field: str, compare: Callable[[Any, Any], bool], constant: Any
) -> Evaluator:
    """``input[key].field <op> constant``."""
    if isinstance(key, int):
        slot, unknowns = key, _Absent(f"{name}.{{}}.{field}")

        def compare_input_bound_field(context: Context) -> Any:
            member = context.bound[slot]
            entries = context.inputs.get(name)
            if entries is None:
                return unknowns[member]
            record = entries.get(member)
            if record is None:
                return unknowns[member]
            value = record.get(field)
            if value is None:
                return unknowns[member]
            return compare(value, constant)

        return compare_input_bound_field
    member, unknown = key, absent(f"{name}.{key}.{field}")

    def compare_input_field(context: Context) -> Any:
        entries = context.inputs.get(name)
        if entries is None:
            return unknown
        record = entries.get(member)
        if record is None:
            return unknown
        value = record.get(field)
        if value is None:
            return unknown
        return compare(value, constant)

    return compare_input_field


def member_and(name: str, key: Key, rest: Evaluator) -> Evaluator:
    """``member in input and rest`` (``rest`` the other operands of the ``and``)."""
    unknown = absent(name)
    is_member = member_of_input(key, name)

    def member_and(context: Context) -> Any:
        holds = is_member(context)
        if holds is False:
            return False
        value = rest(context)
        if holds is True or value is False:
            return value
        return merge_unknown(unknown, value) if value.__class__ is Unknown else unknown

    if isinstance(key, int):
        return member_and
    member = key

    def literal_member_and(context: Context) -> Any:
        collection = context.inputs.get(name)
        if collection is None:
            value = rest(context)
            if value is False:
                return False
            return merge_unknown(unknown, value) if value.__class__ is Unknown else unknown
        if member not in collection:
            return False
        return rest(context)

    return literal_member_and


def member_and_field(name: str, key: Key, field: str) -> Evaluator:
    """``member in input and input[member].field``, the field a boolean."""
    if isinstance(key, int):
        return member_and(name, key, input_field(name, key, field))
    member = key
    both = merge_unknown(absent(name), absent(f"{name}.{member}.{field}"))
    unknown = absent(f"{name}.{member}.{field}")

    def member_and_field(context: Context) -> Any:
        entries = context.inputs.get(name)
        if entries is None:
            return both
        record = entries.get(member)
        if record is None:
            return False
        value = record.get(field)
        return unknown if value is None else value

    return member_and_field


def not_definition(index: int, compute: Evaluator) -> Evaluator:
    """``not d`` for a definition memoised per evaluation (one that reads no plan)."""

    def read_not_definition(context: Context) -> Any:
        value = context.definitions[index]
        if value is PENDING:
            value = context.definitions[index] = compute(context)
        if value is True:
            return False
        if value is False:
            return True
        return value

    read_not_definition.memo = (index, compute, True)  # type: ignore[attr-defined]
    return read_not_definition


def plan_query(state: str, subject: str | None, negated: bool = False) -> Evaluator:
    """``X recommended`` / ``avoided`` / ``flagged``, ``anything recommended`` (subject None),
    or their negation."""
    if state == "recommended":
        if subject is None:
            if negated:
                return lambda context: not context.recommended
            return lambda context: bool(context.recommended)
        if negated:
            return lambda context: subject not in context.recommended
        return lambda context: subject in context.recommended
    if state == "avoided":
        if subject is None:
            if negated:
                return lambda context: not context.avoided
            return lambda context: bool(context.avoided)
        if negated:
            return lambda context: subject not in context.avoided
        return lambda context: subject in context.avoided
    if subject is None:
        if negated:
            return lambda context: not context.flagged
        return lambda context: bool(context.flagged)
    if negated:
        return lambda context: subject not in context.flagged
    return lambda context: subject in context.flagged


def dose_query(subject: str) -> Evaluator:
    """``dose of X``: the largest dose the path recommends for X so far, 0 if none."""
    return lambda context: context.doses.get(subject, 0)


# ---- plan queries in bulk ---------------------------------------------------------


def plan_all(state: str, subjects: frozenset[str], decisive: bool) -> Evaluator:
    """``X recommended or Y recommended ...`` (decisive True) or the same with ``and``.

    Plan queries are never unknown, so the Kleene operator is plain set logic here.
    """
    if state == "recommended":
        if decisive:
            return lambda context: not context.recommended.isdisjoint(subjects)
        return lambda context: context.recommended.issuperset(subjects)
    if state == "avoided":
        if decisive:
            return lambda context: not context.avoided.isdisjoint(subjects)
        return lambda context: context.avoided.issuperset(subjects)
    if decisive:
        return lambda context: not context.flagged.isdisjoint(subjects)
    return lambda context: context.flagged.issuperset(subjects)


# ---- a two-operand and/or whose first operand is read inline -------------------------


def boolean_input_then(name: str, negated: bool, rest: Evaluator, decisive: bool) -> Evaluator:
    """``[not] input and rest`` (decisive False) or ``... or rest`` (decisive True), the
    input a boolean: Kleene's two-operand ``and``/``or`` (``kleene.kleene``) with the first
    operand read inline."""
    comparison = input_comparison(rest)
    if comparison is not None:
        return _boolean_input_then_compare(name, negated, comparison, decisive)
    unknown = absent(name)

    def boolean_input_then(context: Context) -> Any:
        a = context.inputs.get(name)
        if a is None:
            b = rest(context)
            if b is decisive:
                return b
            return merge_unknown(unknown, b) if b.__class__ is Unknown else unknown
        if negated:
            a = not a
        if a is decisive:
            return a
        return rest(context)

    return boolean_input_then


def plan_query_then(
    state: str, subject: str | None, negated: bool, rest: Evaluator, decisive: bool
) -> Evaluator:
    """``[not] X recommended and rest`` (or ``or``): a plan query is never unknown, so it
    decides, or the value is ``rest``'s."""
    query = plan_query(state, subject, negated)
    if state == "recommended" and subject is not None:
        if negated:

            def not_recommended_then(context: Context) -> Any:
                if (subject not in context.recommended) is decisive:
                    return decisive
                return rest(context)

            return not_recommended_then

        def recommended_then(context: Context) -> Any:
            if (subject in context.recommended) is decisive:
                return decisive
            return rest(context)

        return recommended_then

    def query_then(context: Context) -> Any:
        if query(context) is decisive:
            return decisive
        return rest(context)

    return query_then


def input_comparison(guard: Evaluator | None) -> tuple[str, Callable[[Any, Any], bool], Any] | None:
    """``(input, operator, constant)`` when ``guard`` is an ``input <op> constant`` of
    ``compare_input``: its value is ``operator(value, constant)``, or the input's unknown
    when it is absent."""
    attributes = getattr(guard, "__dict__", None)  # a closure's own (no AttributeError raised)
    found: tuple[str, Callable[[Any, Any], bool], Any] | None = (
        attributes.get("comparison") if attributes else None
    )
    return found


def definition_read(guard: Evaluator | None) -> tuple[int, Evaluator, bool] | None:
    """``(index, compute, negated)`` when ``guard`` reads a definition memoised per evaluation,
    ``d`` or ``not d`` (the closures of ``closures`` and ``not_definition``): its value is the
    memo's (computed by ``compute`` the first time), negated when ``negated``."""
    attributes = getattr(guard, "__dict__", None)  # a closure's own (no AttributeError raised)
    found: tuple[int, Evaluator, bool] | None = attributes.get("memo") if attributes else None
    return found


def _boolean_input_then_compare(
    name: str, negated: bool, comparison: tuple[str, Callable[[Any, Any], bool], Any], decisive: bool
) -> Evaluator:
    """``boolean_input_then`` whose ``rest`` is an ``input <op> constant`` of
    ``compare_input``, read and compared inline: the same values and unknowns, one call
    fewer (``on_treatment and weeks_on_current < 4 weeks``)."""
    unknown = absent(name)
    other, compare, constant = comparison
    other_unknown = absent(other)
    both_unknown = merge_unknown(unknown, other_unknown)

    def boolean_input_then_compare(context: Context) -> Any:
        inputs = context.inputs
        a = inputs.get(name)
        if a is None:
            b = inputs.get(other)
            if b is None:
                return both_unknown
            if compare(b, constant) is decisive:
                return decisive
            return unknown
        if negated:
            a = not a
        if a is decisive:
            return a
        b = inputs.get(other)
        return other_unknown if b is None else compare(b, constant)

    return boolean_input_then_compare
