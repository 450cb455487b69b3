"""The structural digests that key recalled answers (compiler/analysis/digest.py): two terms
have the same digest exactly when they are the same z3 term, a defined name's digest covers
its definition, and what the digests do not describe turns recall off instead of guessing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.analysis.digest import Digests, NotDigestible
from compiler.analysis.paths import PathConditions


def digests(constraints: list[Any], defined_at: dict[str, list[int]] | None = None) -> Digests:
    paths = SimpleNamespace(constraints=constraints, defined_at=defined_at or {})
    return Digests(cast(PathConditions, paths))


BOOLEANS = [z3.Bool("p"), z3.Bool("q"), z3.Bool("~reach x")]
INTEGERS = [z3.Int("n"), z3.Int("m")]
REALS = [z3.Real("r"), z3.Real("n")]  # a Real named like an Int: a different term


def numbers(depth: int) -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.sampled_from(INTEGERS),
        st.sampled_from(REALS),
        st.integers(-3, 3).map(z3.IntVal),
        st.sampled_from(["1", "1.5", "0.1", "-2"]).map(z3.RealVal),
    )
    if depth == 0:
        return leaves
    inner = numbers(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(inner, inner).map(lambda pair: pair[0] + pair[1]),
        st.tuples(inner, inner).map(lambda pair: pair[0] * pair[1]),
        inner.map(lambda term: z3.ToReal(term) if z3.is_int(term) else term),
    )


def booleans(depth: int) -> st.SearchStrategy[Any]:
    leaves = st.one_of(st.sampled_from(BOOLEANS), st.booleans().map(z3.BoolVal))
    if depth == 0:
        return leaves
    inner = booleans(depth - 1)
    return st.one_of(
        leaves,
        st.lists(inner, min_size=2, max_size=3).map(lambda terms: z3.And(*terms)),
        st.lists(inner, min_size=2, max_size=3).map(lambda terms: z3.Or(*terms)),
        inner.map(z3.Not),
        st.tuples(numbers(1), numbers(1)).map(lambda pair: pair[0] <= pair[1]),
        st.tuples(numbers(1), numbers(1)).map(lambda pair: pair[0] == pair[1]),
        st.tuples(inner, inner, inner).map(lambda three: z3.If(*three)),
        st.sampled_from(["a", "b", ""]).map(lambda text: z3.StringVal(text) == z3.StringVal("a")),
    )


@settings(max_examples=300, deadline=None)
@given(booleans(3), booleans(3))
def test_two_terms_have_the_same_digest_exactly_when_they_are_the_same_term(first: Any, second: Any) -> None:
    found = digests([z3.BoolVal(True)])
    assert (found.of([first]) == found.of([second])) == first.eq(second)
    assert found.of([first]) == digests([z3.BoolVal(True)]).of([first])  # no state between runs


def test_a_defined_name_stands_for_its_definition() -> None:
    named, x = z3.Bool("~reach a"), z3.Int("x")
    goal = z3.And(named, z3.Bool("p"))

    def goal_digest(threshold: int) -> bytes:
        found = digests([x >= 0, named == (x < threshold)], {"~reach a": [1]})
        return found.of([goal])[0]

    assert goal_digest(30) == goal_digest(30)
    assert goal_digest(30) != goal_digest(29)
    ranges = digests([x >= 0, named == (x < 30)], {"~reach a": [1]}).shared
    assert ranges != digests([x >= 1, named == (x < 30)], {"~reach a": [1]}).shared


def test_what_the_digests_do_not_describe_turns_recall_off() -> None:
    named, x = z3.Bool("~reach a"), z3.Int("x")
    with pytest.raises(NotDigestible):  # read before its definition
        digests([z3.Bool("~b") == named, named == (x < 3)], {"~b": [0], "~reach a": [1]})
    with pytest.raises(NotDigestible):  # defined twice
        digests([named == (x < 3), named == (x < 4)], {"~reach a": [0, 1]})
    found = digests([x >= 0])
    with pytest.raises(NotDigestible):  # a quantifier
        found.of([z3.ForAll([x], x >= 0)])
