"""``compiler.check.expressions``: every kind of expression is walked, children in source order."""

from __future__ import annotations

import typing
from decimal import Decimal

from compiler.check.expressions import _CHILDREN, children, walk, walks_remembered
from compiler.front import syntax as s


def number(value: int) -> s.NumberLiteral:
    return s.NumberLiteral(s.Quantity(Decimal(value), None))


def ref(name: str) -> s.Reference:
    return s.Reference(s.Name(name))


def test_every_kind_of_expression_has_its_children() -> None:
    kinds = set(typing.get_args(s.Expr))
    assert kinds == set(_CHILDREN), "a new kind of expression needs its entry in _CHILDREN"


def test_children_in_source_order() -> None:
    a, b, c = ref("a"), ref("b"), ref("c")
    assert children(s.Comparison("<", a, b)) == (a, b)
    assert children(s.Arithmetic("+", a, b)) == (a, b)
    assert children(s.Between(a, b, c)) == (a, b, c)
    assert children(s.Not(a)) == (a,)
    assert children(s.Negative(a)) == (a,)
    assert children(s.And((a, b, c))) == (a, b, c)
    assert children(s.Or((c, a))) == (c, a)
    assert children(s.Conditional(a, b, c)) == (a, b, c)
    assert children(s.Field(a, s.Name("x"))) == (a,)
    assert children(s.Entry(a, b)) == (a, b)
    assert children(s.Membership(a, b, False)) == (a, b)
    assert children(a) == () and children(number(1)) == ()
    assert children(s.Name("not an expression")) == ()  # type: ignore[arg-type]


def test_walk_visits_parents_before_children_left_to_right() -> None:
    a, b, c, d = ref("a"), ref("b"), ref("c"), ref("d")
    left = s.Comparison("<", a, b)
    right = s.Arithmetic("+", c, d)
    top = s.And((left, right))
    assert list(walk(top)) == [top, left, a, b, right, c, d]


def test_a_remembered_walk_is_the_same_walk_and_is_forgotten_after() -> None:
    from compiler.check import expressions

    a, b, c = ref("a"), ref("b"), ref("c")
    top = s.Or((s.Not(a), s.Comparison("=", b, c)))
    plain = list(walk(top))
    with walks_remembered():
        first, again = list(walk(top)), list(walk(top))
        inner = list(walk(top.operands[1]))
        with walks_remembered():  # nested: the same memory
            assert list(walk(top)) == plain
    assert first == again == plain
    assert [id(node) for node in first] == [id(node) for node in plain]
    assert inner == [top.operands[1], b, c]
    assert expressions._remembered is None
    assert list(walk(top)) == plain
