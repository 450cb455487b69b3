"""``@record`` and ``@ordered_record`` behave as ``@dataclass(frozen=True, slots=True[, order=True])``.

Each record class below has a twin made by the standard library; every observable behaviour
(construction, defaults, repr, equality, hashing, order, pickling, copying, ``dataclasses``'
functions, pattern matching, signatures, frozenness) is compared between the two on random
values, NaN included (equality of the field tuples treats an object as equal to itself).
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fibrolang.records import ordered_record, record


@record
class Point:
    """A point with a label that equality ignores."""

    x: float
    y: Any
    label: str = field(compare=False, default="p")


@dataclass(frozen=True, slots=True)
class PointTwin:
    """A point with a label that equality ignores."""

    x: float
    y: Any
    label: str = field(compare=False, default="p")


@ordered_record
class Place:
    """A place in a file, in order."""

    file: str
    line: int
    column: int = 1


@dataclass(frozen=True, slots=True, order=True)
class PlaceTwin:
    """A place in a file, in order."""

    file: str
    line: int
    column: int = 1


@record
class Single:
    value: Any
    note: str = field(compare=True, hash=False, repr=False, default="")


@dataclass(frozen=True, slots=True)
class SingleTwin:
    value: Any
    note: str = field(compare=True, hash=False, repr=False, default="")


@record
class Empty:
    """Nothing at all."""


@dataclass(frozen=True, slots=True)
class EmptyTwin:
    """Nothing at all."""


PAIRS: list[tuple[type[Any], type[Any]]] = [
    (Point, PointTwin),
    (Place, PlaceTwin),
    (Single, SingleTwin),
    (Empty, EmptyTwin),
]

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.tuples(st.integers(), st.text(max_size=3)),
)


def renamed(text: str, ours: type[Any], theirs: type[Any]) -> str:
    """``text`` of the twin, written with the record's class name."""
    return text.replace(theirs.__name__, ours.__name__)


def reduced(obj: Any, protocol: int) -> tuple[Any, ...]:
    """What pickle writes of ``obj`` (its ``__reduce_ex__``), the twin's class named as the record."""
    made, arguments, *rest = obj.__reduce_ex__(protocol)
    named = tuple(a.__name__.removesuffix("Twin") if isinstance(a, type) else a for a in arguments)
    return (made, named, *rest)


def both(ours: type[Any], theirs: type[Any], *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    return ours(*args, **kwargs), theirs(*args, **kwargs)


def test_the_class_is_a_dataclass_with_the_same_fields_slots_and_match_args() -> None:
    for ours, theirs in PAIRS:
        assert dataclasses.is_dataclass(ours)
        assert [(f.name, f.type, f.default, f.compare, f.hash, f.repr) for f in dataclasses.fields(ours)] == [
            (f.name, f.type, f.default, f.compare, f.hash, f.repr) for f in dataclasses.fields(theirs)
        ]
        assert vars(ours)["__slots__"] == vars(theirs)["__slots__"]
        assert vars(ours)["__match_args__"] == vars(theirs)["__match_args__"]
        assert str(inspect.signature(ours)) == str(inspect.signature(theirs))
        assert renamed(theirs.__doc__ or "", ours, theirs) == ours.__doc__
        assert ours.__init__.__qualname__ == f"{ours.__qualname__}.__init__"


@given(values, values, st.text(max_size=3), values, values)
def test_points_behave_as_the_dataclass(x: Any, y: Any, label: str, x2: Any, y2: Any) -> None:
    ours, theirs = both(Point, PointTwin, x, y, label)
    other, other_twin = both(Point, PointTwin, x2, y2)
    assert repr(ours) == renamed(repr(theirs), Point, PointTwin)
    assert (ours == other) == (theirs == other_twin)
    assert (ours != other) == (theirs != other_twin)
    assert ours == Point(x, y, "another label")
    assert ours != theirs  # another class: NotImplemented both ways
    assert ours.__eq__(theirs) is NotImplemented
    assert hash(ours) == hash(theirs)
    assert ours.__getstate__() == theirs.__getstate__()
    # read back as the twin is (a NaN read back is another NaN: unequal, as for the twin)
    assert repr(pickle.loads(pickle.dumps(ours))) == repr(ours)
    assert (pickle.loads(pickle.dumps(ours)) == ours) == (pickle.loads(pickle.dumps(theirs)) == theirs)
    assert repr(copy.deepcopy(ours)) == repr(ours)
    assert repr(copy.copy(ours)) == repr(ours)
    assert repr(dataclasses.replace(ours, label="q")) == renamed(
        repr(dataclasses.replace(theirs, label="q")), Point, PointTwin
    )
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
    match ours:
        case Point(a, b):
            assert (a, b) == (x, y) or x != x or y != y
        case _:
            pytest.fail("no match")


@given(st.text(max_size=2), st.integers(-3, 3), st.integers(-3, 3), st.text(max_size=2), st.integers(-3, 3))
def test_places_order_as_the_dataclass(file: str, line: int, column: int, file2: str, line2: int) -> None:
    a, a_twin = both(Place, PlaceTwin, file, line, column)
    b, b_twin = both(Place, PlaceTwin, file2, line2)
    assert (a < b, a <= b, a > b, a >= b, a == b) == (
        a_twin < b_twin,
        a_twin <= b_twin,
        a_twin > b_twin,
        a_twin >= b_twin,
        a_twin == b_twin,
    )
    assert a.__lt__(a_twin) is NotImplemented
    with pytest.raises(TypeError):
        assert a < a_twin


@given(values, st.text(max_size=2))
def test_one_field_compares_and_hashes_as_a_tuple(value: Any, note: str) -> None:
    ours, theirs = both(Single, SingleTwin, value, note)
    assert ours == Single(value, note)  # NaN included: the tuple (value,) equals itself
    assert (ours == Single(value, note + "x")) is False
    assert hash(ours) == hash(theirs) == hash(Single(value, note + "x"))
    assert repr(ours) == renamed(repr(theirs), Single, SingleTwin)
    assert reduced(ours, 4) == reduced(theirs, 4)


def test_pickles_are_the_dataclass_pickles() -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        point, twin = both(Point, PointTwin, 1.5, (2, "b"), "c")
        assert reduced(point, protocol) == reduced(twin, protocol)
        assert pickle.loads(pickle.dumps(point, protocol)) == point
        assert pickle.loads(pickle.dumps(Empty(), protocol)) == Empty()


def test_an_empty_record_equals_and_hashes_as_the_dataclass() -> None:
    ours, theirs = both(Empty, EmptyTwin)
    assert ours == Empty() and hash(ours) == hash(theirs) and repr(ours) == "Empty()"


def test_fields_cannot_be_assigned_nor_deleted() -> None:
    point = Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        point.x = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'y'"):
        del point.y
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.other = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        Point(1)  # type: ignore[call-arg]
    assert not hasattr(point, "__dict__")


def test_a_recursive_repr_is_cut_as_the_dataclass_cuts_it() -> None:
    cycle: list[Any] = []
    cycle_twin: list[Any] = []
    ours, theirs = Point(1, cycle), PointTwin(1, cycle_twin)
    cycle.append(ours)
    cycle_twin.append(theirs)
    assert repr(ours) == "Point(x=1, y=[...], label='p')"
    assert repr(ours) == renamed(repr(theirs), Point, PointTwin)


def test_what_a_record_cannot_be_is_refused() -> None:
    def post_init() -> None:
        @record
        class WithPostInit:
            x: int

            def __post_init__(self) -> None:
                pass

    def factory() -> None:
        @record
        class WithFactory:
            x: list[int] = field(default_factory=list)

    def kw_only() -> None:
        @record
        class KwOnly:
            x: int = field(kw_only=True)

    def derived() -> None:
        @record
        class Derived(PointTwin):
            z: int = 0

    def self_field() -> None:
        @record
        class SelfField:
            self: int

    def default_name() -> None:
        @record
        class DefaultName:
            x: int = 0
            _dflt_x: int = 1

    for make in (post_init, factory, kw_only, derived, self_field, default_name):
        with pytest.raises(TypeError, match="@record"):
            make()


def test_the_records_of_the_compiler_and_the_runtime_are_frozen_slotted_dataclasses() -> None:
    checked = 0
    for name in ("compiler.front.syntax", "fibrolang.graph", "fibrolang.expressions"):
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name:
                assert vars(value)["__slots__"] == tuple(f.name for f in dataclasses.fields(value))
                assert value.__setattr__ is not object.__setattr__
                if (value.__doc__ or "").startswith(f"{value.__name__}("):  # written for a class without one
                    signature = str(inspect.signature(value)).replace(" -> None", "")
                    assert value.__doc__ == value.__name__ + signature
                checked += 1
    assert checked > 100
