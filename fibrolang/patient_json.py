"""Reading one patient record from JSON text, strictly: what ``json.loads`` lets pass
silently or turns into an exception no caller expects becomes an ``InvalidPatient``.

- A key given twice in one object (at any level) is ambiguous: ``json.loads``
  keeps the last one. Here each repeated key is a ``duplicate_key`` problem.
- Text that is not JSON, not UTF-8, nested deeper than ``MAX_DEPTH``, longer
  than ``MAX_RECORD_BYTES`` or holding an integer of more than ``MAX_DIGITS``
  digits is an ``UnreadablePatient`` (a subclass of ``InvalidPatient``) with
  one problem saying where and why; nothing of it is evaluated.

``read_record(text)`` returns the parsed record (the caller then validates it,
e.g. ``Guideline.evaluate``).
"""

from __future__ import annotations

import json
from typing import Any

from fibrolang.errors import InvalidPatient, Problem
from fibrolang.json_values import join_path
from fibrolang.printable import ECHO_LIMIT, printable

MAX_RECORD_BYTES = 1 << 20
"""The largest patient record read (1 MiB); real records are a few hundred bytes."""
MAX_DEPTH = 64
"""How deep objects and lists may nest in a record (a patient needs four levels)."""
MAX_DIGITS = 100
"""The longest integer literal read (Python refuses to convert more than 4,300)."""


class UnreadablePatient(InvalidPatient):
    """The text could not be read as one patient record: not JSON, or beyond the limits."""


def unreadable(message: str, code: str) -> UnreadablePatient:
    return UnreadablePatient((Problem("", message, code),))


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers the keys its text gave more than once."""

    __slots__ = ("repeated",)
    repeated: dict[str, int]


class _NumberTooLong(Exception):
    def __init__(self, digits: int) -> None:
        self.digits = digits


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    parsed = dict(pairs)
    if len(parsed) == len(pairs):
        return parsed  # the common case: a plain dict
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    marked = _Object(parsed)
    marked.repeated = {key: count for key, count in counts.items() if count > 1}
    return marked


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _NumberTooLong(digits)
    return int(text)


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_int=_integer)


def read_record(text: str) -> Any:
    """The JSON value of ``text`` (one patient record), or ``UnreadablePatient`` /
    ``InvalidPatient`` (duplicate keys) saying what is wrong."""
    size = len(text.encode("utf-8", "surrogatepass")) if len(text) > MAX_RECORD_BYTES // 4 else 0
    if size > MAX_RECORD_BYTES:
        raise unreadable(
            f"the record is {size:,} bytes; a patient record is at most {MAX_RECORD_BYTES:,} bytes",
            "too_large",
        )
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise unreadable(_syntax_error(error), "invalid_json") from None
    except RecursionError:
        raise unreadable(f"the record is nested more than {MAX_DEPTH} levels deep", "too_deep") from None
    except _NumberTooLong as error:
        raise unreadable(
            f"an integer of {error.digits} digits is too long to read (at most {MAX_DIGITS} digits)",
            "number_too_long",
        ) from None
    problems = _check_structure(value)
    if problems:
        raise (UnreadablePatient if problems[0].code == "too_deep" else InvalidPatient)(tuple(problems))
    return value


def _syntax_error(error: json.JSONDecodeError) -> str:
    """Where the text stops being JSON and why; a trailing comma (which ``json`` reports
    at the bracket after it) is reported at the comma."""
    before = error.doc[: error.pos].rstrip()
    if before.endswith(",") and error.doc[error.pos : error.pos + 1] in ("}", "]"):
        comma = len(before) - 1
        line = error.doc.count("\n", 0, comma) + 1
        column = comma - error.doc.rfind("\n", 0, comma)
        closing = error.doc[error.pos]
        return f"not valid JSON at line {line}, column {column}: a comma before the closing {closing!r}"
    return f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"


def _check_structure(value: Any) -> list[Problem]:
    """The repeated keys of every object, or the one ``too_deep`` problem."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        current, path, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return [Problem("", f"the record is nested more than {MAX_DEPTH} levels deep", "too_deep")]
        if isinstance(current, dict):
            for key, count in getattr(current, "repeated", {}).items():
                problems.append(
                    Problem(
                        join_path(path, printable(key, ECHO_LIMIT)),
                        f"the key is given {count} times: give it once",
                        "duplicate_key",
                    )
                )
            stack.extend(
                (inner, join_path(path, printable(key, ECHO_LIMIT)), depth + 1)
                for key, inner in current.items()
                if isinstance(inner, dict | list)
            )
        elif isinstance(current, list):
            stack.extend(
                (inner, f"{path}[{index}]", depth + 1)
                for index, inner in enumerate(current)
                if isinstance(inner, dict | list)
            )
    return sorted(problems)
