"""The pieces' parts of a text parsed whole (``compiler.front.incremental``'s store, filled
without parsing each piece again).

When most of a text's pieces are not in the store (the first check of a guideline, a
changed toolchain) or one does not parse alone, the whole text is parsed once; its Lark tree
is then cut where the pieces are. A piece's part is taken from the whole tree only where the
cut is the grammar's: each piece's first declaration (or node) starts on the piece's first
line, at its keyword, every declaration and node falls in one piece, and the pathway's
`end` is in its frame's tail. A part taken so is the part the piece parsed alone gives
(docs/architecture.md, "The incremental parse"; ``tests/parse/test_incremental.py``
compares their bytes); anything else leaves the piece out of the store.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Tree

from compiler.front import syntax as s
from compiler.front.chunks import Piece, split
from compiler.front.incremental import pickle_part, piece_key


def derive(file: str, text: str, tree: Tree[Token], guideline: s.Guideline) -> dict[str, bytes]:
    """The parts of ``text``'s pieces, by key, cut from its whole parse (``tree``, built into
    ``guideline`` without a problem); only those whose cut the tree confirms."""
    items = [c for c in tree.children if isinstance(c, Tree)]
    if len(items) != len(tree.children) or not items:
        return {}
    header, items = items[0], items[1:]
    built = _built_items(items, guideline)
    if built is None:
        return {}
    pieces = split(text)
    tops = [(i, p) for i, p in enumerate(pieces) if p.kind != "nodes"]
    parts: dict[str, bytes] = {}
    found: list[tuple[Piece, object, tuple[int, ...]] | None] = []
    cursor = 0
    for number, (index, piece) in enumerate(tops):
        if piece.kind == "header":
            first_piece = tops[1][1].line if len(tops) > 1 else None
            if index != 0 or (items and (first_piece is None or _begin(items[0])[0] < first_piece)):
                return {}  # a declaration inside the header's piece
            found.append((piece, guideline.header, (*_begin(header), *_end(header))))
            continue
        following = tops[number + 1][1].line if number + 1 < len(tops) else None
        mine: list[int] = []
        while cursor < len(items) and (following is None or _begin(items[cursor])[0] < following):
            mine.append(cursor)
            cursor += 1
        if not mine or _begin(items[mine[0]]) != (piece.line, 1):
            found.append(None)
            continue
        if piece.kind == "declarations":
            end_line, end_column = _end(items[mine[-1]])
            value = tuple(built[i] for i in mine)
            found.append((piece, value, (end_line - piece.line + 1, end_column)))
            continue
        nodes = _nodes_of_frame(pieces, index, mine, items, built)
        found.extend(nodes)
    if cursor != len(items):
        return {}
    for entry in found:
        if entry is None:
            continue
        piece, part, position = entry
        data = pickle_part(part, position, file, piece.line - 1)
        if data is not None:
            parts[piece_key(piece)] = data
    return parts


def _built_items(items: list[Tree[Token]], guideline: s.Guideline) -> list[Any] | None:
    """What each declaration's tree was built into, in order (``start`` puts the pathway
    apart from the declarations)."""
    declarations = iter(guideline.declarations)
    built: list[Any] = []
    for item in items:
        if item.data == "pathway":
            if guideline.pathway is None or any(b is guideline.pathway for b in built):
                return None
            built.append(guideline.pathway)
        else:
            built.append(next(declarations, None))
    if any(b is None for b in built) or next(declarations, None) is not None:
        return None
    if guideline.pathway is not None and not any(b is guideline.pathway for b in built):
        return None
    return built


def _nodes_of_frame(
    pieces: list[Piece], index: int, mine: list[int], items: list[Tree[Token]], built: list[Any]
) -> list[tuple[Piece, object, tuple[int, ...]] | None]:
    """A pathway's frame and its nodes' parts, or nothing when the tree does not cut there."""
    frame = pieces[index]
    if len(mine) != 1 or items[mine[0]].data != "pathway":
        return [None]
    tree, pathway = items[mine[0]], built[mine[0]]
    node_trees = [c for c in tree.children if isinstance(c, Tree)]
    node_pieces: list[Piece] = []
    for piece in pieces[index + 1 :]:
        if piece.kind != "nodes":
            break
        node_pieces.append(piece)
    if len(node_trees) != len(pathway.nodes) or not node_trees or not node_pieces:
        return [None]
    if _begin(node_trees[0])[0] < node_pieces[0].line:  # a node inside the frame's head
        return [None]
    end_line, end_column = _end(tree)
    if end_line < frame.tail_line or _end(node_trees[-1])[0] >= frame.tail_line:
        return [None]
    line, column = _begin(tree)
    found: list[tuple[Piece, object, tuple[int, ...]] | None] = [
        (
            frame,
            pathway.start,
            (line - frame.line + 1, column, end_line - frame.tail_line + 1, end_column),
        )
    ]
    cursor = 0
    for number, piece in enumerate(node_pieces):
        following = node_pieces[number + 1].line if number + 1 < len(node_pieces) else frame.tail_line
        mine_nodes: list[int] = []
        while cursor < len(node_trees) and _begin(node_trees[cursor])[0] < following:
            mine_nodes.append(cursor)
            cursor += 1
        indent = len(piece.text) - len(piece.text.lstrip(" \t"))
        if not mine_nodes or _begin(node_trees[mine_nodes[0]]) != (piece.line, indent + 1):
            found.append(None)
            continue
        found.append((piece, tuple(pathway.nodes[i] for i in mine_nodes), ()))
    return found if cursor == len(node_trees) else [None]


def _begin(tree: Tree[Token]) -> tuple[int, int]:
    meta = tree.meta
    return getattr(meta, "container_line", meta.line), getattr(meta, "container_column", meta.column)


def _end(tree: Tree[Token]) -> tuple[int, int]:
    meta = tree.meta
    return getattr(meta, "container_end_line", meta.end_line), getattr(
        meta, "container_end_column", meta.end_column
    )
