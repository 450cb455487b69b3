"""A cache of parsed guidelines, so that checking an unchanged guideline again does not
import Lark, load its parse tables, compile its lexer's regular expressions and parse
(together more than half of a check whose proofs come from ``compiler.proof_cache``).

The syntax tree and the parse's diagnostics (``compiler.front.pipeline.parse_source``) are a
function of the source text, its file name as given (the spans), the front end's code, Lark
and the Python version: the key hashes all of those, as ``compiler.proof_cache`` does (the
bytes of every file of the ``compiler`` and ``fibrolang`` packages, the names, sizes and
modification times of Lark's files). Nothing else is read by the parse. The checker, which
reads the source documents that quotes are checked against, is not cached: it runs on
every check, on the tree read back.

Only a parse that gave a syntax tree is stored. An entry is a header line naming the format,
the key, then the tree and the diagnostics pickled; it is read back with an unpickler that
builds nothing but the syntax tree's classes, ``Decimal`` and the diagnostics' (anything
else, a wrong header, another key, a wrong shape: the entry is ignored and the guideline
parsed as if there were none). Entries live beside the proofs' (``proof_cache.cache_dir``),
under ``syntax/``; deleting the directory is always safe. ``fibrolang check --no-cache``
neither reads nor writes them.

A text with no entry (an edited guideline) is parsed piece by piece
(``compiler.front.incremental``): the parts of its unchanged pieces (declarations, the
header, the pathway's nodes) come from the file's store under ``syntax-pieces/``, moved to
where they now stand, and only the edited pieces are parsed; anything unusual parses the
whole text as before (docs/architecture.md, "The incremental parse").
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from compiler import proof_cache
from compiler.collector import collector_paused
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front.source import SourceText
from compiler.front.syntax import Guideline
from compiler.front.tree_pickle import SyntaxUnpickler

FORMAT = 1
_HEADER = f"fibrolang syntax tree {FORMAT}\n".encode("ascii")
PIECES_FORMAT = 1
_PIECES_HEADER = f"fibrolang syntax pieces {PIECES_FORMAT}\n".encode("ascii")
Parsed = tuple[Guideline | None, list[Diagnostic]]


def parse(source: SourceText, directory: Path | None) -> Parsed:
    """``compiler.front.pipeline.parse_source``, answered from the cache in ``directory``
    when an entry for exactly this text, file name and toolchain is there;
    ``directory=None``: no cache."""
    if directory is None:
        from compiler.front.pipeline import parse_source

        return parse_source(source)
    key = parse_key(source.file, source.text)
    entry = directory / "syntax" / f"{key}.pickle"
    stored = read_entry(entry, key)
    if stored is not None:
        return stored
    guideline, problems = parse_pieces(source, directory)
    if guideline is not None:
        with collector_paused():  # pickling makes a tuple per object: no cycle among them
            write_entry(entry, key, (guideline, problems))
    return guideline, problems


def parse_pieces(source: SourceText, directory: Path) -> Parsed:
    """The text put together from its pieces (``compiler.front.incremental``), their parts
    read from the store of this file's pieces in ``directory``; or, when most pieces are new
    or one does not parse alone, the whole text parsed, and its tree cut into the pieces'
    parts (``compiler.front.derive``). The store is written again with this text's parts."""
    from compiler.front import incremental

    key = pieces_key(source.file)
    entry = directory / "syntax-pieces" / f"{key}.pickle"
    stored = read_pieces(entry, key)
    with collector_paused():
        parsed, parts = incremental.parse(source, stored, whole_when_mostly_new=True)
        if parsed is None:
            from compiler.front.derive import derive
            from compiler.front.pipeline import parse_source_keeping_tree

            guideline, problems, tree = parse_source_keeping_tree(source)
            parsed = guideline, problems
            if guideline is not None and tree is not None:
                parts = {**parts, **derive(source.file, source.text, tree, guideline)}
                # the same tree put together from the parts: the entry written for this text
                # is then the same bytes whichever way the text was parsed
                parsed = incremental.parse(source, parts, whole_when_mostly_new=True)[0] or parsed
    if parts and parts != stored:
        write_pieces(entry, key, parts)
    return parsed


def parse_key(file: str, text: str) -> str:
    return proof_cache.cache_key(f"fibrolang syntax tree {FORMAT}", ("lark",), file, text)


def pieces_key(file: str) -> str:
    """The key of the store of a file's pieces: its name and the toolchain (each piece's
    part is keyed inside it by its kind and text, ``incremental.piece_key``)."""
    return proof_cache.cache_key(f"fibrolang syntax pieces {PIECES_FORMAT}", ("lark",), file)


class _PiecesUnpickler(pickle.Unpickler):
    """The store is a dict of texts to bytes: it needs no global at all."""

    def find_class(self, module: str, name: str) -> type:
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a store of pieces")


def read_pieces(entry: Path, key: str) -> dict[str, bytes]:
    """The parts stored under ``key`` (each read back, and checked, only when its piece is
    met); nothing for no store or one that is not exactly what ``write_pieces`` writes."""
    try:
        data = entry.read_bytes()
    except OSError:
        return {}
    head = _PIECES_HEADER + key.encode("ascii") + b"\n"
    if not data.startswith(head):
        return {}
    try:
        value = _PiecesUnpickler(io.BytesIO(memoryview(data)[len(head) :])).load()
    except Exception:  # a damaged store: parse the pieces again
        return {}
    if type(value) is not dict or not all(type(k) is str and type(v) is bytes for k, v in value.items()):
        return {}
    return value


def write_pieces(entry: Path, key: str, parts: dict[str, bytes]) -> None:
    """Write atomically (only this text's pieces: the store does not grow with edits)."""
    try:
        payload = pickle.dumps(parts, protocol=5)
    except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return
    proof_cache.write_atomically(entry, _PIECES_HEADER + key.encode("ascii") + b"\n" + payload)


def write_entry(entry: Path, key: str, parsed: tuple[Guideline, list[Diagnostic]]) -> None:
    """Write atomically (a temporary file renamed into place); a tree that cannot be pickled
    (nested beyond the pickler's depth) or a cache that cannot be written is no error."""
    try:
        payload = pickle.dumps(parsed, protocol=5)
    except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return
    proof_cache.write_atomically(entry, _HEADER + key.encode("ascii") + b"\n" + payload)


def read_entry(entry: Path, key: str) -> Parsed | None:
    """The syntax tree and diagnostics stored under ``key``, or None for no entry or one
    that is not exactly what ``write_entry`` writes."""
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    head = _HEADER + key.encode("ascii") + b"\n"
    if not data.startswith(head):
        return None
    try:
        with collector_paused():
            value = SyntaxUnpickler(io.BytesIO(memoryview(data)[len(head) :])).load()
    except Exception:  # a damaged entry, whatever the unpickler makes of it: parse afresh
        return None
    if type(value) is not tuple or len(value) != 2:
        return None
    guideline, problems = value
    if type(guideline) is not Guideline or type(problems) is not list:
        return None
    if not all(type(d) is Diagnostic for d in problems):
        return None
    return guideline, problems
