"""Syntax trees pickled (``compiler.parse_cache``'s entries, ``compiler.front.incremental``'s
parts) and read back: what a pickle may build (the syntax tree's classes, the diagnostics'
and ``Decimal``; any other global ends the read), and how their objects are written.

A frozen dataclass with slots pickles through ``dataclasses``' own ``__getstate__`` and
``__setstate__``, Python functions that list the class's fields for every object (about
half the time of pickling or reading a guideline's tree). Each of these classes is written
instead as a call of the class with its fields' values (``copyreg``; the values read by one
``operator.attrgetter``): the same objects, built by the class's own ``__init__``."""

from __future__ import annotations

import copyreg
import dataclasses
import operator
import pickle
from collections.abc import Callable
from decimal import Decimal

from compiler.diagnostics import catalogue
from compiler.front import syntax

ALLOWED: dict[tuple[str, str], type] = {
    **{
        (syntax.__name__, name): value
        for name, value in vars(syntax).items()
        if isinstance(value, type) and value.__module__ == syntax.__name__
    },
    (catalogue.__name__, "Diagnostic"): catalogue.Diagnostic,
    (catalogue.__name__, "RelatedSpan"): catalogue.RelatedSpan,
    ("decimal", "Decimal"): Decimal,
}


class SyntaxUnpickler(pickle.Unpickler):
    """Builds only what ``ALLOWED`` names; any other global ends the read."""

    def find_class(self, module: str, name: str) -> type:
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a syntax tree") from None


def _reducer(cls: type) -> Callable[[object], tuple[type, tuple[object, ...]]]:
    names = [f.name for f in dataclasses.fields(cls)]
    if len(names) == 1:
        (name,) = names
        return lambda obj: (cls, (getattr(obj, name),))
    values = operator.attrgetter(*names) if names else (lambda obj: ())
    return lambda obj: (cls, values(obj))


def register() -> None:
    """Write every class of ``ALLOWED`` that is a dataclass built by its ``__init__`` from all
    its fields as a call of the class (idempotent)."""
    for cls in ALLOWED.values():
        if dataclasses.is_dataclass(cls) and all(f.init for f in dataclasses.fields(cls)):
            copyreg.pickle(cls, _reducer(cls))


register()
