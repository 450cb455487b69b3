"""The ``#`` comments of a guideline's text, found without the parser (the syntax tree keeps
them for the formatter; ``compiler.front.incremental`` puts them in a tree it assembles
from cached pieces without importing Lark)."""

from __future__ import annotations

import re

from compiler.front import syntax
from compiler.front.source import SourceText

_COMMENT_OR_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*')


def comments(source: SourceText) -> list[tuple[int, int, str]]:
    """Every ``#`` comment as (line, column, text), skipping ``#`` inside strings."""
    found: list[tuple[int, int, str]] = []
    text = source.text
    line, counted = 1, 0  # the line of offset `counted`, counted once through the text
    for match in _COMMENT_OR_STRING.finditer(text):
        if match.group(0).startswith("#"):
            offset = match.start()
            line += text.count("\n", counted, offset)
            counted = offset
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            found.append((line, column, match.group(0).rstrip()))
    return found


def comment_nodes(source: SourceText) -> tuple[syntax.Comment, ...]:
    """The comments as the syntax tree keeps them (``Guideline.comments``)."""
    return tuple(
        syntax.Comment(text, syntax.Span(source.file, line, column, line, column + len(text)))
        for line, column, text in comments(source)
    )
