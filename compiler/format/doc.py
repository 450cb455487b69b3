"""A small Wadler-style pretty printer for the formatter.

A document is text with optional line breaks grouped together: a group is
printed on one line when it fits in the width, otherwise each of its breaks
becomes a new line indented by the enclosing ``Nest``. ``Mark`` records the
source line of the text that follows it, so a broken line can carry its own
anchor for placing comments. The printer runs with an explicit stack, so deep
expressions cannot exhaust Python's recursion limit here.
"""

from __future__ import annotations

from dataclasses import dataclass

from fibrolang.records import record


@record
class Concat:
    parts: tuple[Doc, ...]


@record
class Nest:
    indent: int
    doc: Doc


@record
class Group:
    doc: Doc


@record
class Break:
    """A space when its group is flat, a new line when the group is broken."""


@record
class Mark:
    """The source line of what follows (for comment anchors); prints nothing."""

    line: int


Doc = str | Concat | Nest | Group | Break | Mark

BREAK = Break()


def concat(*parts: Doc) -> Doc:
    return Concat(tuple(parts))


@dataclass(slots=True)
class PrintedLine:
    """One printed line: indentation, text, and the source line it starts with."""

    indent: int
    text: str
    anchor: int | None


_FLAT = 0
_BROKEN = 1


def _fits(room: int, group: Doc, rest: list[tuple[int, int, Doc]]) -> bool:
    """Does ``group`` (flat) plus what follows it up to the next broken line fit?"""
    stack: list[tuple[int, Doc]] = [(_FLAT, group)]
    rest_index = len(rest) - 1
    while room >= 0:
        if not stack:
            if rest_index < 0:
                return True
            _, mode, doc = rest[rest_index]
            rest_index -= 1
            stack.append((mode, doc))
            continue
        mode, doc = stack.pop()
        if isinstance(doc, str):
            room -= len(doc)
        elif isinstance(doc, Concat):
            stack.extend((mode, part) for part in reversed(doc.parts))
        elif isinstance(doc, Nest | Group):
            stack.append((mode, doc.doc))
        elif isinstance(doc, Break):
            if mode == _BROKEN:
                return True
            room -= 1
    return False


def render(doc: Doc, indent: int, anchor: int | None, width: int) -> list[PrintedLine]:
    """Print ``doc`` starting a line at ``indent``; breaks indent relative to it."""
    lines: list[PrintedLine] = []
    current: list[str] = []
    column = indent
    line_indent = indent
    line_anchor = anchor
    pending_anchor: int | None = None
    at_line_start = False
    stack: list[tuple[int, int, Doc]] = [(indent, _BROKEN, doc)]
    while stack:
        nesting, mode, item = stack.pop()
        if isinstance(item, str):
            if at_line_start and item:
                at_line_start = False
            current.append(item)
            column += len(item)
        elif isinstance(item, Concat):
            stack.extend((nesting, mode, part) for part in reversed(item.parts))
        elif isinstance(item, Nest):
            stack.append((nesting + item.indent, mode, item.doc))
        elif isinstance(item, Group):
            flat = _fits(width - column, item.doc, stack)
            stack.append((nesting, _FLAT if flat else _BROKEN, item.doc))
        elif isinstance(item, Mark):
            if at_line_start and pending_anchor is None:
                pending_anchor = item.line if item.line > 0 else None
        elif isinstance(item, Break):
            if mode == _FLAT:
                current.append(" ")
                column += 1
            else:
                lines.append(PrintedLine(line_indent, "".join(current).rstrip(), line_anchor))
                current = []
                column = nesting
                line_indent = nesting
                at_line_start = True
                pending_anchor = None
                line_anchor = None
        if not at_line_start and line_anchor is None and pending_anchor is not None:
            line_anchor = pending_anchor
            pending_anchor = None
    lines.append(PrintedLine(line_indent, "".join(current).rstrip(), line_anchor))
    return lines
