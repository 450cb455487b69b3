"""The parse of an edited guideline, piece by piece, so that an edit costs the parse of what
it changed (``compiler.parse_cache`` keeps the pieces between checks).

The text is cut into pieces (``compiler.front.chunks``: the header, each declaration, a
pathway's frame and each of its nodes). A piece is parsed alone by the one Lark parser of
the whole text, after a stand-in header (and inside a stand-in pathway, for nodes), and
built into its part of the syntax tree; the part is kept pickled with its spans counted
from the piece's first line, and read back with them moved to where the piece now stands
(an inserted line above moves it without parsing it again). The tree put together from the
parts, its spans, comments and diagnostics are those of the whole text's parse
(docs/architecture.md, "The incremental parse", says why; ``tests/parse/test_incremental.py``
checks it on every guideline of the repository and on random edits of them).

Anything unusual answers None, and the caller parses the whole text as one: a piece that
does not parse alone, or is built with a problem; a second pathway; a cut the grammar does
not agree with. Syntax errors and their words are therefore always the whole parse's.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s
from compiler.front.chunks import Piece, split
from compiler.front.comments import comment_nodes
from compiler.front.hidden_characters import find_hidden_characters
from compiler.front.source import SourceText
from compiler.front.tree_pickle import SyntaxUnpickler

FORMAT = 1
# What a piece is parsed after: a header (one line), and for nodes a pathway's opening line;
# nodes are followed by the pathway's `end`.
STAND_IN_HEADER = 'guideline stand_in title "" version "" end\n'
STAND_IN_OPENING = "pathway start -> stand_in\n"
STAND_IN_CLOSING = "end\n"

Parsed = tuple[s.Guideline | None, list[Diagnostic]]
Position = tuple[int, int]


def piece_key(piece: Piece) -> str:
    """The key of a piece's part: its kind and text (the file's name and the toolchain are
    the key of the store that holds it, ``compiler.parse_cache``)."""
    digest = hashlib.sha256(f"{FORMAT} {piece.kind} {len(piece.text)}\n".encode("ascii"))
    digest.update(piece.text.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(piece.tail.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def parse(
    source: SourceText, stored: Mapping[str, bytes], *, whole_when_mostly_new: bool = False
) -> tuple[Parsed | None, dict[str, bytes]]:
    """The syntax tree and diagnostics of ``source`` put together from its pieces (their parts
    read from ``stored`` or parsed), or None: parse the whole text. Also the parts of this
    text's pieces, by key, for the store. ``whole_when_mostly_new``: None at once when the
    pieces not in ``stored`` hold more than a third of the text (one parse of the whole text
    is then cheaper than one of each piece, ``compiler.front.derive`` cuts it)."""
    pieces = split(source.text)
    keys = [piece_key(p) for p in pieces]
    parts: dict[str, bytes] = {}
    if whole_when_mostly_new:
        new = sum(len(p.text) + len(p.tail) for p, k in zip(pieces, keys, strict=True) if k not in stored)
        if new * 3 > len(source.text):
            return None, {k: stored[k] for k in keys if k in stored}
    values: list[tuple[Any, tuple[int, ...]]] = []
    for index, (piece, key) in enumerate(zip(pieces, keys, strict=True)):
        data = stored.get(key)
        value = None if data is None else load(data, piece, source.file)
        if value is None:
            data = encode(piece, source.file)
            value = None if data is None else load(data, piece, source.file)
        if data is None or value is None:
            parts.update((k, stored[k]) for k in keys[index + 1 :] if k in stored)
            return None, parts
        parts[key] = data
        values.append(value)
    guideline = assemble(source, pieces, values)
    if guideline is None:
        return None, parts
    return (guideline, find_hidden_characters(source.text, source.file)), parts


def assemble(
    source: SourceText, pieces: list[Piece], values: list[tuple[Any, tuple[int, ...]]]
) -> s.Guideline | None:
    """The guideline of the pieces' parts, as the grammar's `start` builds it."""
    header: s.Header | None = None
    begin: Position = (0, 0)
    end: Position = (0, 0)
    declarations: list[Any] = []
    pathways: list[s.Pathway] = []
    frame: _Frame | None = None
    for piece, (value, position) in zip(pieces, values, strict=True):
        if piece.kind == "header":
            header = value
            begin, end = (position[0], position[1]), (position[2], position[3])
            continue
        if piece.kind == "nodes":
            if frame is None:
                return None
            frame.nodes.extend(value)
            continue
        if frame is not None:
            pathways.append(frame.pathway(source.file))
            frame = None
        if piece.kind == "frame":
            frame = _Frame(value, position, [])
            end = (position[2], position[3])
        else:
            for item in value:
                (pathways if isinstance(item, s.Pathway) else declarations).append(item)
            end = (position[0], position[1])
    if frame is not None:
        pathways.append(frame.pathway(source.file))
    if header is None or len(pathways) > 1:  # a second pathway: the whole parse reports it
        return None
    return s.Guideline(
        header,
        tuple(declarations),
        pathways[0] if pathways else None,
        comment_nodes(source),
        s.Span(source.file, begin[0], begin[1], end[0], end[1]),
    )


@dataclass(slots=True)
class _Frame:
    start: s.Name
    position: tuple[int, ...]  # the pathway's first line and column, last line and column
    nodes: list[Any]

    def pathway(self, file: str) -> s.Pathway:
        line, column, end_line, end_column = self.position
        return s.Pathway(self.start, tuple(self.nodes), s.Span(file, line, column, end_line, end_column))


# ---------------------------------------------------------------------------
# A piece parsed alone, and its part pickled with spans counted from its first line
# ---------------------------------------------------------------------------


def layout(piece: Piece) -> tuple[str, int, int]:
    """The text a piece is parsed as, the line of that text the piece starts on, and the
    line its tail (a frame's) starts on."""
    if piece.kind == "header":
        return piece.text, 1, 0
    if piece.kind == "declarations":
        return STAND_IN_HEADER + piece.text, 2, 0
    if piece.kind == "nodes":
        return STAND_IN_HEADER + STAND_IN_OPENING + piece.text + STAND_IN_CLOSING, 3, 0
    return STAND_IN_HEADER + piece.text + piece.tail, 2, 2 + piece.text.count("\n")


def encode(piece: Piece, file: str) -> bytes | None:
    """The piece parsed alone and built, pickled; None when it does not parse alone, or
    builds with a problem (the whole parse reports those)."""
    if piece.kind in ("nodes", "frame") and not piece.text.endswith("\n"):
        return None
    from lark import Token, Tree
    from lark.exceptions import UnexpectedInput

    from compiler.front.build_ast import build_part
    from compiler.front.parse import parser, too_deep

    text, first, tail_first = layout(piece)
    source = SourceText(file, text)
    try:
        tree = parser().parse(text)
    except UnexpectedInput:
        return None
    if too_deep(tree, source) is not None:
        return None
    children = tree.children
    trees: list[Tree[Token]] = [c for c in children if isinstance(c, Tree)]
    if len(trees) != len(children) or not trees:
        return None
    position: tuple[int, ...]
    if piece.kind == "header":
        if len(trees) != 1:
            return None
        parts = trees
        position = (*_begin(trees[0], first), *_end(trees[0], first))
    elif piece.kind == "declarations":
        parts = trees[1:]
        if not parts:
            return None
        position = _end(parts[-1], first)
    else:
        if len(trees) != 2 or trees[1].data != "pathway":
            return None
        pathway = trees[1]
        nodes = [c for c in pathway.children if isinstance(c, Tree)]
        if piece.kind == "nodes":
            if not nodes or len(nodes) + 1 != len(pathway.children):
                return None
            parts, position = nodes, ()
        else:
            if nodes:
                return None
            parts = [pathway]
            position = (*_begin(pathway, first), *_end(pathway, tail_first))
    built: list[Any] = []
    for part in parts:
        made = build_part(part, source)
        if made is None or made[1]:
            return None
        built.append(made[0])
    if piece.kind == "header":
        value: Any = built[0]
    elif piece.kind == "frame":
        if type(built[0]) is not s.Pathway:
            return None
        value = built[0].start
    else:
        value = tuple(built)
    return pickle_part(value, position, file, first - 1)


def pickle_part(value: object, position: tuple[int, ...], file: str, offset: int) -> bytes | None:
    """A part as the store keeps it: a checksum, then the part pickled with its spans' lines
    less ``offset`` (counted from the piece's first line); None when it cannot be."""
    buffer = io.BytesIO()
    try:
        _RelativePickler(buffer, file, offset).dump((value, position))
    except (pickle.PicklingError, RecursionError, TypeError, AttributeError, ValueError):
        return None
    payload = buffer.getvalue()
    return _checksum(payload) + payload


def _checksum(payload: bytes | memoryview) -> bytes:
    """What a part starts with, so that a part damaged anywhere (a changed number of a span
    still unpickles) is noticed and its piece parsed again."""
    return hashlib.blake2b(payload, digest_size=_CHECKSUM).digest()


_CHECKSUM = 16


def _begin(tree: Any, first: int) -> Position:
    meta = tree.meta
    return getattr(meta, "container_line", meta.line) - first + 1, getattr(
        meta, "container_column", meta.column
    )


def _end(tree: Any, first: int) -> Position:
    meta = tree.meta
    return getattr(meta, "container_end_line", meta.end_line) - first + 1, getattr(
        meta, "container_end_column", meta.end_column
    )


class _RelativePickler(pickle.Pickler):
    """Writes every span of the piece's file as (line, column, end line, end column), its
    lines counted from the piece's first line; 0 (no position) stays 0."""

    def __init__(self, buffer: io.BytesIO, file: str, offset: int) -> None:
        super().__init__(buffer, protocol=5)
        self.file = file
        self.offset = offset

    def persistent_id(self, obj: Any) -> Any:
        if type(obj) is not s.Span or obj.file != self.file:
            return None
        line = obj.line - self.offset if obj.line else 0
        end_line = obj.end_line - self.offset if obj.end_line else 0
        if (obj.line and line < 1) or (obj.end_line and end_line < 1):
            raise ValueError("a span outside its piece")
        return (line, obj.column, end_line, obj.end_column)


class _PieceUnpickler(SyntaxUnpickler):
    """Builds a piece's part with its spans in ``file``, ``shift`` lines further down."""

    def __init__(self, data: bytes | memoryview, file: str, shift: int) -> None:
        super().__init__(io.BytesIO(data))
        self.file = file
        self.shift = shift

    def persistent_load(self, pid: Any) -> s.Span:
        line, column, end_line, end_column = pid
        if not (type(line) is type(column) is type(end_line) is type(end_column) is int):
            raise pickle.UnpicklingError("not a span")
        shift = self.shift
        return s.Span(
            self.file, line + shift if line else 0, column, end_line + shift if end_line else 0, end_column
        )


def load(data: bytes, piece: Piece, file: str) -> tuple[Any, tuple[int, ...]] | None:
    """A piece's part read back (its checksum checked first), its spans moved to where the
    piece stands in ``file``; and its position (lines in the guideline); None for anything
    that is not what ``encode`` writes."""
    payload = memoryview(data)[_CHECKSUM:]
    if len(data) <= _CHECKSUM or _checksum(payload) != data[:_CHECKSUM]:
        return None
    try:
        value = _PieceUnpickler(payload, file, piece.line - 1).load()
    except Exception:  # a damaged part, whatever the unpickler makes of it: parse the piece
        return None
    if type(value) is not tuple or len(value) != 2:
        return None
    part, position = value
    if type(position) is not tuple or not all(type(n) is int for n in position):
        return None
    shift, tail_shift = piece.line - 1, piece.tail_line - 1
    if piece.kind == "header" and len(position) == 4 and isinstance(part, s.Header):
        return part, (position[0] + shift, position[1], position[2] + shift, position[3])
    if piece.kind == "declarations" and len(position) == 2 and _all(part, _ITEMS):
        return part, (position[0] + shift, position[1])
    if piece.kind == "nodes" and not position and _all(part, _NODES):
        return part, ()
    if piece.kind == "frame" and len(position) == 4 and type(part) is s.Name:
        return part, (position[0] + shift, position[1], position[2] + tail_shift, position[3])
    return None


_ITEMS: tuple[type, ...] = (*get_args(s.Declaration), s.Pathway)
_NODES: tuple[type, ...] = get_args(s.PathwayNode)


def _all(part: object, kinds: Iterable[type]) -> bool:
    allowed = tuple(kinds)
    return type(part) is tuple and bool(part) and all(type(item) in allowed for item in part)
