"""A guideline's text cut into pieces that parse on their own (``compiler.front.incremental``).

No token of the language spans a line (a text's ``"..."`` and a ``#`` comment end at the
line's end; an unterminated text is a syntax error), so every line starts between two
tokens, and the cut needs no lexer: a piece starts where a line starts with a declaration's
keyword in its first column (``define``, ``input``, ``drug``, ``pathway``, ...) and runs
to the next such line. The text before the first is the guideline's header. A pathway is cut
further, at the lines that start (after indentation) with ``decide``, ``step`` or
``outcome``; its ``pathway start -> NAME`` head and its closing ``end`` line (the last line
of the pathway's piece that starts with ``end``) form its frame.

A cut here is only a guess: a keyword that starts a line may still be a name inside an
expression running on from the line above. ``compiler.front.incremental`` parses each piece
on its own, and any piece that does not parse so makes the whole text parsed as one
(docs/architecture.md, "The incremental parse", says why a cut whose pieces all parse is the
cut of the whole parse). Every keyword cut on here is a literal of exactly one place of the
grammar, the first symbol of its declaration or node (``tests/parse/test_incremental.py``
checks it against ``grammar.lark``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Literal

# Keywords that start a declaration (grammar.lark's `_item`), and a pathway's node.
DECLARATION_KEYWORDS = (
    "enum",
    "ordinal",
    "unit",
    "record",
    "input",
    "codes",
    "define",
    "constant",
    "output",
    "drug",
    "therapy",
    "invariant",
    "waive",
    "pathway",
)
NODE_KEYWORDS = ("decide", "step", "outcome")

_DECLARATION = re.compile(rf"^(?:{'|'.join(DECLARATION_KEYWORDS)})(?![A-Za-z0-9_])", re.MULTILINE)
_NODE = re.compile(rf"^[ \t]*(?:{'|'.join(NODE_KEYWORDS)})(?![A-Za-z0-9_])", re.MULTILINE)
_END = re.compile(r"^[ \t]*end(?![A-Za-z0-9_])", re.MULTILINE)
_PATHWAY = re.compile(r"pathway(?![A-Za-z0-9_])")

# What a piece is, so what it is parsed as: the header (the text alone), declarations
# (after a header), a pathway's nodes (inside a pathway) or a pathway's frame.
Kind = Literal["header", "declarations", "nodes", "frame"]


@dataclass(frozen=True, slots=True)
class Piece:
    kind: Kind
    text: str
    line: int  # the line of the guideline its text starts on (always a line's first column)
    tail: str = ""  # a frame's closing part (from its `end` line), which starts on tail_line
    tail_line: int = 0


def split(text: str) -> list[Piece]:
    """The pieces of ``text`` in order; their texts (a frame's head and tail around its
    pathway's nodes) put together again are ``text``."""
    starts = [0, *(m.start() for m in _DECLARATION.finditer(text) if m.start() > 0)]
    bounds = [*starts, len(text)]
    pieces: list[Piece] = []
    line = 1
    for index, (begin, end) in enumerate(itertools.pairwise(bounds)):
        part = text[begin:end]
        if index == 0:
            pieces.append(Piece("header", part, line))
        elif _PATHWAY.match(part):
            pieces.extend(_pathway(part, line))
        else:
            pieces.append(Piece("declarations", part, line))
        line += part.count("\n")
    return pieces


def _pathway(part: str, line: int) -> list[Piece]:
    """A pathway's piece cut into its frame and its nodes (or kept whole when it has no node
    or no `end` line after them)."""
    nodes = [m.start() for m in _NODE.finditer(part)]
    closing = [m.start() for m in _END.finditer(part)]
    if not nodes or not closing or closing[-1] <= nodes[-1]:
        return [Piece("declarations", part, line)]
    close = closing[-1]
    head = part[: nodes[0]]
    pieces = [
        Piece(
            "frame",
            head,
            line,
            tail=part[close:],
            tail_line=line + part.count("\n", 0, close),
        )
    ]
    bounds = [*nodes, close]
    for begin, end in itertools.pairwise(bounds):
        pieces.append(Piece("nodes", part[begin:end], line + part.count("\n", 0, begin)))
    return pieces
