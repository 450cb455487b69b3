"""The integrity hash of a decision graph: ``graph_hash``, checked by ``fibrolang.load``.

``graph_hash`` is ``"sha256:"`` and the hex SHA-256 of the graph's canonical
JSON text (``canonical_text``: sorted keys, two-space indentation, UTF-8
without escaping, one final newline, the form ``fibrolang compile`` writes)
without the ``graph_hash`` field itself. ``guideline.content_hash`` is a hash
of the *source* (``.fibro``) text, which the runtime does not have; this one
is a hash of the graph's own content, so the runtime can recompute it.

A file is verified from the bytes read: in canonical form the field is the one
line ``  "graph_hash": "sha256:<hex>",`` and the other bytes of the file are
exactly the canonical text of the graph without it, so hashing them costs one
pass of SHA-256 and no re-serialisation. When the bytes do not match (a file in
another layout: re-indented, CRLF line ends), and for a dict, the parsed content
is re-serialised in canonical form and hashed (slower: the indenting encoder is
pure Python): a file loads only if what it parses to is what was hashed.

What it protects against: accidental or careless edits of a compiled graph
(a threshold changed from 30 to 3 by hand, a truncated copy, a merge that
mixed two versions). What it does not: anyone who edits the graph and then
recomputes the hash (it is a checksum, not a signature; signing graphs is a
later step), nor a wrong source compiled correctly.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, NoReturn

from fibrolang.errors import GuidelineError, Problem
from fibrolang.json_values import json_kind
from fibrolang.printable import printable

FIELD = "graph_hash"
PREFIX = "sha256:"


class GraphIntegrityError(GuidelineError):
    """The graph's content does not match its ``graph_hash`` (or it carries none): it was
    changed after it was compiled. It is refused rather than evaluated."""


def canonical_text(document: Mapping[str, Any]) -> str:
    """The canonical JSON text of a graph document (what ``fibrolang compile`` writes)."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _digest(data: bytes) -> str:
    return PREFIX + hashlib.sha256(data).hexdigest()


def graph_hash(document: Mapping[str, Any]) -> str:
    """The integrity hash of a graph document (its ``graph_hash`` field, if any, left out)."""
    content = {key: value for key, value in document.items() if key != FIELD}
    return _digest(canonical_text(content).encode("utf-8"))


def with_graph_hash(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` carrying its integrity hash (the compiler's last step; tools
    that build or change graphs in memory call it to make a loadable graph)."""
    return {**{key: value for key, value in document.items() if key != FIELD}, FIELD: graph_hash(document)}


_WELL_FORMED = re.compile(PREFIX + "[0-9a-f]{64}")


def _line(expected: str) -> bytes:
    return f'\n  "{FIELD}": "{expected}",\n'.encode()


def verify(document: object, raw: bytes | None = None, origin: str = "the graph") -> None:
    """Raise ``GraphIntegrityError`` unless ``document`` (parsed from ``raw``, the bytes of
    a file, when given) matches its ``graph_hash``."""
    if not isinstance(document, Mapping):
        problem = Problem("", f"expected an object, got {json_kind(document)}", "wrong_type")
        _refuse(origin, "it is not a JSON object", problem)
    expected = document.get(FIELD)
    if not isinstance(expected, str):
        _refuse(origin, "it carries no graph_hash", Problem(FIELD, "absent", "no_graph_hash"))
    if raw is not None and _WELL_FORMED.fullmatch(expected):
        line = _line(expected)
        at = raw.find(line)
        if at >= 0:
            whole = memoryview(raw)
            digest = hashlib.sha256(whole[: at + 1])  # the bytes around the line, not copied
            digest.update(whole[at + len(line) :])
            if PREFIX + digest.hexdigest() == expected:
                return
    try:
        actual = graph_hash(document)
    except (TypeError, ValueError, RecursionError) as error:
        problem = Problem(FIELD, f"the content is not JSON data ({type(error).__name__})", "not_json")
        _refuse(origin, "it cannot be hashed", problem)
    if actual != expected:
        problem = Problem(FIELD, f"recorded {expected}, content hashes to {actual}", "graph_hash_mismatch")
        why = "its content does not match its graph_hash: it was changed after it was compiled"
        _refuse(origin, why, problem)


def _refuse(origin: str, why: str, problem: Problem) -> NoReturn:
    raise GraphIntegrityError(
        f"{printable(origin, 200)} fails its integrity check ({why}). Recompile it from its guideline "
        "(`fibrolang compile` or `fibrolang build`); to load a graph changed on purpose "
        "during development, pass verify=False.",
        (problem,),
    )
