"""Small helpers for looking at untrusted JSON values (graph files and patient records)."""

from __future__ import annotations

import math
from collections.abc import Mapping


class _Absent:
    """The marker for a key that is not in a JSON object (distinct from null)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Absent()


def is_number(value: object) -> bool:
    """A JSON number: int or float, finite, and not a bool (nor an int too large for a
    float, which ``math.isfinite`` would raise ``OverflowError`` on)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def join_path(path: str, key: str) -> str:
    """``medications`` + ``duloxetine`` -> ``medications.duloxetine``."""
    return f"{path}.{key}" if path else key


def json_kind(value: object) -> str:
    """How a value reads in an error message: 'a string', 'null', 'a list'..."""
    if value is MISSING:
        return "nothing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"
