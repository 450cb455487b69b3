"""Reading a request body as JSON, within limits, without surprises.

Too large (413), not UTF-8, not JSON, nested too deep, a huge integer literal
or a key given twice in one object (400): each is an ``Issue``; nothing of
such a body is read further.
"""

from __future__ import annotations

import json
from typing import Any

from compiler.serve.outcome import Issue, RequestProblems

MAX_BODY_BYTES = 5 * 1024 * 1024
"""The largest request read (5 MiB): a patient's prefetch for one guideline is a few kB."""
MAX_DEPTH = 32
"""How deep a request may nest: a CDS Hooks request with a prefetched Bundle needs about twelve."""
MAX_DIGITS = 50


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    parsed = dict(pairs)
    if len(parsed) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return parsed


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError("an integer of more than 50 digits")
    return int(text)


def _constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON number")


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def read_json(body: bytes) -> Any:
    """The parsed body, or ``RequestProblems`` saying why not."""
    if len(body) > MAX_BODY_BYTES:
        raise RequestProblems(
            413, [Issue("too-long", "", f"the request is {len(body)} bytes, more than {MAX_BODY_BYTES}")]
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestProblems(
            400, [Issue("structure", "", f"the request is not UTF-8 (byte {error.start})")]
        ) from None
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_int=_integer, parse_constant=_constant)
    except _Duplicate as error:
        message = f"the key {error.key[:80]!r} is given twice in one object"
        raise RequestProblems(400, [Issue("structure", "", message)]) from None
    except RecursionError:
        raise RequestProblems(
            400, [Issue("structure", "", f"the request nests more than {MAX_DEPTH} levels deep")]
        ) from None
    except json.JSONDecodeError as error:
        message = f"the request is not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        raise RequestProblems(400, [Issue("structure", "", message)]) from None
    except ValueError as error:
        raise RequestProblems(
            400, [Issue("structure", "", f"the request is not usable JSON: {error}")]
        ) from None
    if _depth(value) > MAX_DEPTH:
        raise RequestProblems(
            400, [Issue("structure", "", f"the request nests more than {MAX_DEPTH} levels deep")]
        )
    return value
