"""Frozen, slotted dataclasses made for less: ``@record`` and ``@ordered_record``.

``@record`` is ``@dataclass(frozen=True, slots=True)`` and ``@ordered_record`` is
``@dataclass(frozen=True, slots=True, order=True)``, with the same behaviour: the class is a
real dataclass (``dataclasses.fields``, ``replace``, ``asdict``, ``is_dataclass`` and
``__match_args__`` as before), its ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__``, ``__delattr__``, ``__getstate__`` and ``__setstate__`` (and the order
methods) do what the standard library's do (tests/runtime/test_records.py compares them on
twins), and an instance pickles as before.

Why: on Python 3.11, ``@dataclass`` compiles each generated method with its own ``exec``
(six or more a class, about 0.4 ms); the 190 record classes of the syntax tree, the graph,
its expressions, the results and the checker's model cost ``fibrolang check`` some 70 ms.
Here ``dataclasses.dataclass`` still collects the fields (with ``init``, ``repr`` and
``eq`` off, so it compiles nothing); ``__init__`` is compiled (a constructor must be fast
and have its signature); ``__eq__`` and ``__hash__`` are compiled the first time an
instance is compared or hashed (few classes ever are in one run); the rest are shared
closures over the field names. Code is only ever compiled from field names, never data.

Only plain fields are supported (a default, ``field(compare=..., hash=..., repr=...)``);
anything else (``__post_init__``, ``default_factory``, ``kw_only``, ``InitVar``, a
dataclass base class) is refused with ``TypeError``: use ``@dataclass`` for those.
"""

from __future__ import annotations

import dataclasses
import inspect  # imported by dataclasses anyway
import operator
import reprlib
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T")

# Names the generated __init__ uses besides its parameters (and ``_dflt_*``, the defaults):
# a field may not be called so.
_RESERVED = frozenset({"self", "_set"})


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True, slots=True)``, made for less (see the module)."""
    return _make(cls, order=False)


@dataclass_transform(
    frozen_default=True, order_default=True, field_specifiers=(dataclasses.field, dataclasses.Field)
)
def ordered_record(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True, slots=True, order=True)``, made for less (see the module)."""
    return _make(cls, order=True)


def _make(cls: type[_T], order: bool) -> type[_T]:
    if "__post_init__" in cls.__dict__ or any(dataclasses.is_dataclass(base) for base in cls.__mro__[1:]):
        raise TypeError(f"@record {cls.__qualname__}: no __post_init__ nor dataclass base; use @dataclass")
    documented = bool(cls.__doc__)
    if not documented:
        cls.__doc__ = "?"  # written below, once the __init__ it describes exists
    made: type[_T] = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=True)
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    names = tuple(f.name for f in fields)
    if set(inspect.get_annotations(cls)) != set(names):
        raise TypeError(
            f"@record {cls.__qualname__}: only plain fields (no ClassVar, InitVar); use @dataclass"
        )
    for f in fields:
        if (
            f.default_factory is not dataclasses.MISSING
            or f.kw_only
            or not f.init
            or f.name in _RESERVED
            or f.name.startswith("_dflt_")
        ):
            raise TypeError(f"@record {cls.__qualname__}.{f.name}: only a plain field; use @dataclass")
    methods = _methods(made, fields, order)
    methods["__init__"] = _init(fields)
    for name, method in methods.items():
        method.__qualname__ = f"{made.__qualname__}.{name}"
        setattr(made, name, method)
    if not documented:
        made.__doc__ = _signature_text(made, fields)
    return made


def _signature_text(cls: type[Any], fields: tuple[dataclasses.Field[Any], ...]) -> str:
    """The docstring dataclass gives a class without one: its name and ``__init__``'s signature,
    as ``inspect.signature`` writes it; written here without it (a third of the cost of making
    a class) when every annotation is a string, as under ``from __future__ import annotations``."""
    if not all(isinstance(f.type, str) for f in fields):
        return cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    parameters = (
        f"{f.name}: {f.type!r}" + ("" if f.default is dataclasses.MISSING else f" = {f.default!r}")
        for f in fields
    )
    return f"{cls.__name__}({', '.join(parameters)})"


def _init(fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """The ``__init__`` of the standard library, compiled from the field names (never data)."""
    defaults = {f"_dflt_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    parameters = "".join(
        f", {f.name}=_dflt_{f.name}" if f.default is not dataclasses.MISSING else f", {f.name}"
        for f in fields
    )
    assigns = "".join(f"  _set(self, {f.name!r}, {f.name})\n" for f in fields) or "  pass\n"
    text = (
        f"def _create({', '.join(['_set', *defaults])}):\n"
        f" def __init__(self{parameters}):\n{assigns}"
        " return __init__\n"
    )
    namespace: dict[str, Any] = {}
    exec(text, {"__builtins__": __builtins__}, namespace)
    init: Callable[..., None] = namespace["_create"](object.__setattr__, **defaults)
    init.__annotations__ = {f.name: f.type for f in fields} | {"return": None}
    return init


def _comparisons(
    cls: type[Any], fields: tuple[dataclasses.Field[Any], ...]
) -> tuple[Callable[..., Any], ...]:
    """The standard library's ``__eq__`` and ``__hash__``, compiled from the field names (never
    data) and set on ``cls``; called the first time an instance is compared or hashed (most
    classes of a run never are: each would pay for compiling the two)."""
    compared = [f.name for f in fields if f.compare]
    hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
    text = (
        "def __eq__(self, other):\n"
        " if other.__class__ is self.__class__:\n"
        f"  return {_tuple('self', compared)}=={_tuple('other', compared)}\n"
        " return NotImplemented\n"
        "def __hash__(self):\n"
        f" return hash({_tuple('self', hashed)})\n"
    )
    namespace: dict[str, Any] = {}
    exec(text, {"__builtins__": __builtins__}, namespace)
    for name in ("__eq__", "__hash__"):
        namespace[name].__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, namespace[name])
    return namespace["__eq__"], namespace["__hash__"]


def _tuple(owner: str, names: list[str]) -> str:
    """``(self.a,self.b,)``: the tuple dataclasses compare and hash."""
    return "(" + "".join(f"{owner}.{name}," for name in names) + ")"


def _methods(
    cls: type[Any], fields: tuple[dataclasses.Field[Any], ...], order: bool
) -> dict[str, Callable[..., Any]]:
    """Every method but ``__init__``, made without compiling: ``__eq__`` and ``__hash__`` compile
    theirs on first use (``_comparisons``); the others read the fields they need with one
    ``operator.attrgetter``, into the tuple the standard library's would build."""
    names = tuple(f.name for f in fields)
    shown = _values(tuple(f.name for f in fields if f.repr))
    shown_names = tuple(f.name for f in fields if f.repr)
    compared = _values(tuple(f.name for f in fields if f.compare))
    frozen_error = dataclasses.FrozenInstanceError
    set_field = object.__setattr__
    every = _values(names)

    def __eq__(self: Any, other: Any) -> Any:
        return _comparisons(cls, fields)[0](self, other)

    def __hash__(self: Any) -> int:
        return int(_comparisons(cls, fields)[1](self))

    def __repr__(self: Any) -> str:
        values = shown(self)
        inner = ", ".join(f"{name}={value!r}" for name, value in zip(shown_names, values, strict=True))
        return f"{self.__class__.__qualname__}({inner})"

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise frozen_error(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise frozen_error(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    def __getstate__(self: Any) -> list[Any]:
        return list(every(self))

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):  # as dataclasses: a short state sets fewer
            set_field(self, name, value)

    methods: dict[str, Callable[..., Any]] = {
        "__eq__": __eq__,
        "__hash__": __hash__,
        "__repr__": reprlib.recursive_repr()(__repr__),
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
        "__getstate__": __getstate__,
        "__setstate__": __setstate__,
    }
    if order:

        def __lt__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) < compared(other)
            return NotImplemented

        def __le__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) <= compared(other)
            return NotImplemented

        def __gt__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) > compared(other)
            return NotImplemented

        def __ge__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) >= compared(other)
            return NotImplemented

        methods |= {"__lt__": __lt__, "__le__": __le__, "__gt__": __gt__, "__ge__": __ge__}
    return methods


def _values(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the tuple ``(obj.a, obj.b, ...)`` of ``names``, as dataclasses builds it."""
    if len(names) >= 2:
        return operator.attrgetter(*names)
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()
