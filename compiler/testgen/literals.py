"""Python source for values and text, escaped by construction.

Guideline data reaches a generated module only as

* literals of JSON-safe values (``has_safe_repr``: None, booleans, integers,
  finite floats, strings, lists and string-keyed dicts of those), written
  with ``repr`` of each scalar, so a string from a guideline can never become
  code;
* docstrings: a text that contains no backslash, no double quote and no
  character that is not printable (newlines aside) cannot end a
  triple-quoted string or start an escape, so it is written as it is;
  any other text is written as ``repr`` of each line, concatenated in
  parentheses;
* identifiers made by ``slug`` (ASCII letters, digits and ``_`` only).

The module renderer reads every generated module back (``ast.parse``,
``compile``, ``ast.literal_eval`` of each patient, each docstring compared
with the intended text) before anything is written; nothing is executed.
"""

from __future__ import annotations

import keyword
import math
import re
from typing import Any

LINE_LENGTH = 100


class UnsafeValue(ValueError):
    """A value that has no safe Python literal (it would not round-trip as JSON data)."""


def has_safe_repr(value: object) -> bool:
    """Whether ``value`` is JSON-safe data whose ``repr`` is a Python literal of itself."""
    if value is None or isinstance(value, bool | str):
        return True
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(has_safe_repr(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and has_safe_repr(item) for key, item in value.items())
    return False


def _scalar(value: object) -> str:
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise UnsafeValue(f"no safe literal for {type(value).__name__}")


def literal(value: object, indent: int = 0, width: int = LINE_LENGTH, column: int | None = None) -> str:
    """A Python literal of JSON-safe ``value`` that starts at ``column`` (default: ``indent``)
    in a block indented by ``indent``: one line when it fits ``width``, else one entry per
    line, indented by four more spaces, with trailing commas."""
    if not has_safe_repr(value):
        raise UnsafeValue("the value is not JSON-safe data")
    flat = _flat(value)
    start = indent if column is None else column
    if start + len(flat) <= width or not isinstance(value, list | tuple | dict) or not value:
        return flat
    inner = " " * (indent + 4)
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{inner}{_scalar(key)}: "
            lines.append(f"{head}{literal(item, indent + 4, width, len(head))},")
        return "{\n" + "\n".join(lines) + "\n" + " " * indent + "}"
    for item in value:
        lines.append(f"{inner}{literal(item, indent + 4, width)},")
    return "[\n" + "\n".join(lines) + "\n" + " " * indent + "]"


def _flat(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return _scalar(value)


def is_plain_text(text: str) -> bool:
    """Text that can sit between triple double quotes as it is."""
    return "\\" not in text and '"' not in text and all(c == "\n" or c.isprintable() for c in text)


def docstring(text: str, indent: int) -> tuple[str, str]:
    """A docstring statement for ``text`` indented by ``indent`` spaces, and the exact string
    value the statement holds (what the read-back compares)."""
    pad = " " * indent
    lines = text.split("\n")
    if is_plain_text(text):
        if len(lines) == 1:
            return f'{pad}"""{text}"""', text
        body = "\n".join(f"{pad}{line}" if line else "" for line in lines[1:])
        return f'{pad}"""{lines[0]}\n{body}\n{pad}"""', f"{lines[0]}\n{body}\n{pad}"
    parts = [repr(line + "\n") for line in lines[:-1]] + [repr(lines[-1])]
    inner = "\n".join(f"{pad}    {part}" for part in parts)
    return f"{pad}(\n{inner}\n{pad})", text


def comment_text(text: str) -> str:
    """One line safe to follow ``# `` (control characters and line breaks become spaces)."""
    return "".join(c if c.isprintable() else " " for c in text)


def slug(text: str, limit: int = 60) -> str:
    """A lower-case identifier fragment of ASCII letters, digits and underscores."""
    fragment = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if len(fragment) > limit:
        fragment = fragment[:limit].rstrip("_")
    return fragment or "x"


def identifier(name: str) -> str:
    """``name`` if it is a safe Python identifier, else ValueError."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or keyword.iskeyword(name):
        raise ValueError(f"not a safe identifier: {name!r}")
    return name


def same_data(left: Any, right: Any) -> bool:
    """Equal as JSON data: ``1`` and ``1.0`` or ``True`` and ``1`` are different."""
    if type(left) is not type(right):
        if isinstance(left, list | tuple) and isinstance(right, list | tuple):
            return len(left) == len(right) and all(same_data(a, b) for a, b in zip(left, right, strict=True))
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same_data(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple):
        return len(left) == len(right) and all(same_data(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)
