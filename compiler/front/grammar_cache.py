"""The Lark parser of ``grammar.lark``, kept ready-made between processes.

Lark's own cache (``cache=True``) stores the parse tables in its serialised form, which
every process rebuilds object by object in Python (about 0.3 billion instructions of a
0.5 s check). Here the parser object Lark builds is pickled as it is, once, and read back
by the C unpickler in a third of that. The entry's key hashes the grammar's text, the
parser's options, Lark's files (names, sizes, modification times), the Python version and
this module's format; it lives in the cache directory (``proof_cache.cache_dir``) under
``grammar/``. A missing, unreadable or foreign entry is no error: the parser is made as
before (Lark's own cache in a directory of the user's, never the shared ``/tmp``; then a
fresh build) and the entry written again.

The entry is read back with an unpickler that builds nothing but Lark's own classes and
``functools.partial`` (what a parser is made of); Lark's two parse-table actions, which it
compares by identity, and the ``re`` module are written as references, not copies.

The contextual lexer's scanners (one alternation of terminals per set of terminals a parser
state accepts, about a hundred) are built before the parser is pickled, so that no process
compiles their regular expressions again (a fifth of a parse). A compiled expression is
written as its text, flags, groups and the regular-expression engine's code (what
``re._compiler`` makes of the text), and read back by ``_sre.compile``, which checks the code
before it builds the pattern; an expression whose code does not give back the very pattern
(``re.Pattern`` equality: text, flags and code) leaves the entry unwritten. The code is
private to the Python version, which is part of the key.
"""

from __future__ import annotations

import functools
import importlib
import io
import os
import pickle
import re
import stat
import sys
from pathlib import Path
from typing import Any

from lark import Lark
from lark.lexer import BasicLexer, ContextualLexer
from lark.parsers import lalr_analysis

from compiler import proof_cache

FORMAT = 2
# The regular-expression engine's own module (what ``re`` compiles with); it has no stubs.
_sre: Any = importlib.import_module("_sre")
_HEADER = f"fibrolang parser {FORMAT}\n".encode("ascii")
# Objects the parser refers to that must stay the very objects of this process.
_SHARED: dict[str, object] = {
    "re": re,
    "Shift": lalr_analysis.Shift,
    "Reduce": lalr_analysis.Reduce,
}


def parser(grammar: str, options: dict[str, Any]) -> Lark:
    """Lark's parser of ``grammar`` with ``options``, read from the cache when it is there."""
    directory = proof_cache.cache_dir() / "grammar"
    key = parser_key(grammar, options)
    entry = directory / f"{key}.pickle"
    stored = read_entry(entry, key)
    if stored is not None:
        return stored
    made = Lark(grammar, cache=lark_cache_file(key), **options)
    write_entry(entry, key, made)
    return made


def lark_cache_file(key: str) -> str | bool:
    """Where Lark may keep its own cache of the parse tables, or False: never Lark's default.

    With ``cache=True`` Lark writes to and reads from a predictable name in the shared
    temporary directory (``/tmp/.lark_cache_<user>_<sha>_<python>.tmp``), and unpickles
    part of that file before checking it: anyone who creates the file first runs code in
    every process that builds the parser. Its cache goes instead to a directory of the
    user's own (``$XDG_CACHE_HOME/fibrolang/lark`` or ``~/.cache/fibrolang/lark``, mode 0700),
    which is used only when it is the user's and nobody else can write to it; otherwise the
    parser is built afresh (about 0.4 s)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        base = Path(xdg) if xdg else Path.home() / ".cache"
        directory = base / "fibrolang" / "lark"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = directory.lstat()
    except (OSError, RuntimeError):  # no home, or a cache that cannot be made
        return False
    owner = os.getuid() if hasattr(os, "getuid") else status.st_uid
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != owner or status.st_mode & 0o022:
        return False
    return str(directory / f"{key}.lark")


def parser_key(grammar: str, options: dict[str, Any]) -> str:
    return proof_cache.digest_of(
        (
            f"fibrolang parser {FORMAT}",
            grammar,
            repr(sorted(options.items())),
            proof_cache.distribution_fingerprint("lark"),
            sys.version,
            sys.implementation.cache_tag or "",
        )
    )


# A compiled expression as written: ("pattern", text, flags, code, groups, group names).
_PATTERN = "pattern"


class _ParserPickler(pickle.Pickler):
    def persistent_id(self, obj: object) -> object:
        if type(obj) is re.Pattern:
            return pattern_form(obj)
        for name, shared in _SHARED.items():
            if obj is shared:
                return name
        return None


class UnfaithfulPattern(pickle.PicklingError):
    """A compiled expression whose code, compiled again, does not give back the same pattern."""


def pattern_form(pattern: re.Pattern[Any]) -> tuple[object, ...]:
    """What ``re._compiler.compile`` hands ``_sre.compile`` for ``pattern``, as plain data; the
    pattern's final flags given as its flags give the same code (the inline and Unicode flags
    are already in them). ``UnfaithfulPattern`` unless it builds the very same pattern."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    text = pattern.pattern
    if type(text) is not str:
        raise UnfaithfulPattern("only text patterns are kept")
    parsed = _parser.parse(text, pattern.flags)
    code = [int(word) for word in _compiler._code(parsed, pattern.flags)]  # opcodes: int subclasses
    names = sorted(parsed.state.groupdict.items(), key=lambda item: item[1])
    form = (_PATTERN, text, pattern.flags | parsed.state.flags, code, parsed.state.groups, names)
    try:
        faithful = build_pattern(form) == pattern
    except (pickle.UnpicklingError, RuntimeError, TypeError, ValueError):
        faithful = False
    if not faithful:
        raise UnfaithfulPattern(f"{text!r} does not compile back to the same pattern")
    return form


def build_pattern(form: object) -> re.Pattern[str]:
    """The compiled expression of a ``pattern_form``; ``UnpicklingError`` for anything else (and
    ``_sre.compile`` refuses code it cannot run)."""
    if type(form) is not tuple or len(form) != 6 or form[0] != _PATTERN:
        raise pickle.UnpicklingError("not a compiled expression")
    _, text, flags, code, groups, names = form
    if type(text) is not str or type(flags) is not int or type(groups) is not int or groups < 1:
        raise pickle.UnpicklingError("not a compiled expression")
    if type(code) is not list or not all(type(word) is int for word in code):
        raise pickle.UnpicklingError("not a compiled expression")
    if type(names) is not list or not all(
        type(pair) is tuple
        and len(pair) == 2
        and type(pair[0]) is str
        and type(pair[1]) is int
        and 0 < pair[1] < groups
        for pair in names
    ):
        raise pickle.UnpicklingError("not a compiled expression")
    index: dict[str, int] = dict(names)
    by_number: list[str | None] = [None] * groups
    for name, number in names:
        by_number[number] = name
    compiled: re.Pattern[str] = _sre.compile(text, flags, code, groups - 1, index, tuple(by_number))
    return compiled


def build_scanners(made: Lark) -> None:
    """Compile every scanner of the contextual lexer now (Lark compiles each on first use), so
    that they are pickled with the parser."""
    lexer = getattr(made.parser, "lexer", None)
    if not isinstance(lexer, ContextualLexer):
        return
    for basic in {id(b): b for b in [*lexer.lexers.values(), lexer.root_lexer]}.values():
        if isinstance(basic, BasicLexer):
            basic.scanner  # noqa: B018  (the property builds and keeps the scanner)


class _ParserUnpickler(pickle.Unpickler):
    """Builds only Lark's classes and ``functools.partial``; any other global ends the read."""

    def persistent_load(self, pid: object) -> object:
        if type(pid) is tuple:
            return build_pattern(pid)
        if type(pid) is not str or pid not in _SHARED:
            raise pickle.UnpicklingError("not a shared object of the parser")
        return _SHARED[pid]

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("functools", "partial"):
            return functools.partial
        if (module == "lark" or module.startswith("lark.")) and "." not in name:
            found = getattr(importlib.import_module(module), name, None)
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a Lark parser")


def write_entry(entry: Path, key: str, made: Lark) -> None:
    """Write atomically; a parser that cannot be pickled or a cache that cannot be written
    is no error (the next process makes the parser again)."""
    buffer = io.BytesIO()
    try:
        build_scanners(made)
        _ParserPickler(buffer, protocol=5).dump(made)
    except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return
    proof_cache.write_atomically(entry, _HEADER + key.encode("ascii") + b"\n" + buffer.getvalue())


def read_entry(entry: Path, key: str) -> Lark | None:
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    head = _HEADER + key.encode("ascii") + b"\n"
    if not data.startswith(head):
        return None
    try:
        loaded = _ParserUnpickler(io.BytesIO(memoryview(data)[len(head) :])).load()
    except Exception:  # a damaged entry, whatever the unpickler makes of it: make the parser
        return None
    return loaded if type(loaded) is Lark else None
