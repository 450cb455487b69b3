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

Before it is written, the parse table's equal entries are made one object (its 13,600
entries are 1,411 distinct actions under 236 distinct terminal names; the pickle then
refers back to the first of each instead of writing each again), which halves the time
of reading the entry back; the table's contents are the same.
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
from lark.parsers import lalr_analysis

from compiler import proof_cache

FORMAT = 2
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


class _ParserPickler(pickle.Pickler):
    def persistent_id(self, obj: object) -> str | None:
        for name, shared in _SHARED.items():
            if obj is shared:
                return name
        return None


class _ParserUnpickler(pickle.Unpickler):
    """Builds only Lark's classes and ``functools.partial``; any other global ends the read."""

    def persistent_load(self, pid: object) -> object:
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


def share_equal_entries(made: Lark) -> None:
    """Make the parse table's equal terminal names, and its actions made of the very same
    parts, one object each, in place (each state's row keeps its identity and contents); a
    parser without the table where Lark keeps it now is left as it is."""
    table = getattr(
        getattr(getattr(getattr(made, "parser", None), "parser", None), "parser", None), "parse_table", None
    )
    states = getattr(table, "states", None)
    if type(states) is not dict:
        return
    names: dict[object, object] = {}
    actions: dict[object, object] = {}
    for row in states.values():
        if type(row) is not dict:
            return
        shared = {names.setdefault(name, name): _shared(actions, action) for name, action in row.items()}
        row.clear()
        row.update(shared)


def _shared(actions: dict[object, object], action: object) -> object:
    """The first action seen made of the very same parts (the action object and the same
    state number or the very same rule object): shared only what is identical."""
    if type(action) is not tuple or len(action) != 2:
        return action
    kind, argument = action
    return actions.setdefault((id(kind), argument if type(argument) is int else id(argument)), action)


def write_entry(entry: Path, key: str, made: Lark) -> None:
    """Write atomically; a parser that cannot be pickled or a cache that cannot be written
    is no error (the next process makes the parser again)."""
    share_equal_entries(made)
    buffer = io.BytesIO()
    try:
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
