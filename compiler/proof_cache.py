"""A cache of the safety proofs' diagnostics, so that checking an unchanged guideline again
does not rebuild and re-ask every proof (and does not import z3 at all).

The proofs (``compiler.api.prove``) are a function of the checked guideline, which is a
function of its source text, its file name as given (the spans), the toolchain's own code
(parser, checker, lowering, analysis, runtime replays), lark (the parse) and z3, plus the
solver timeout and proof budget. The key hashes all of those: the bytes of every file of
the ``compiler`` and ``fibrolang`` packages, the names, sizes and modification times of
z3's and lark's files, the Python version, the source text, the file name and the two
limits. Nothing else is read by the proofs (the source documents that quotes are checked
against are read by the checker, which is not cached and runs every time).

A guideline edited since it was proved is lowered, and when the proofs of a guideline of
exactly the same logic came out clean before, the answer is again clean without asking
the solver (``prove_or_recall``): the verdicts read the decision graph's logic only, never
where an element stands in the text or its traceability (quotes, notes, citations), and a
clean answer has no span or word to move. Its key (``logic_key``) hashes the toolchain,
z3, the Python version, the two limits and the typed graph pickled without its source
positions, traceability records, the text's hash and the interventions' quotes, notes,
citations and positions; entries are under ``proved/``, and only clean answers are kept
there. So editing a quote, a note or a comment, or moving lines, costs a parse, a check and
a lowering, not the proofs.

A guideline whose logic changed is proved again, but question by question: each question
the analysis asks the solver whose exact content was answered by the latest proofs of the
same file (whatever its version then) is answered as it was then, without z3
(``prove_recalling``, ``compiler.analysis.recall``); a new safety rule, say, asks z3 only
its own questions. A question's key is the SHA-256 of a salt (``question_salt``: the toolchain,
z3, Python and the two limits) and of the structural digests of what the solver is asked
(``compiler.analysis.digest``: the goals, each covering every definition it reads, and the
input ranges; for a witness patient also the cone's equations in the order they are
asserted and what the readable search reads besides the solver), so the same key is the
same question: correct by construction, no reasoning about which edit touches which
question. Only definite answers are kept (sat or unsat; a patient whose search met no
unknown answer), and the analysis makes its diagnostics exactly as if it had asked
(``solve.Prover``: an unsatisfiable core, which can depend on the questions asked before,
is taken after replaying them all). The answers of one run are one entry per file name
under ``questions/`` (``write_answers``), with the SHA-256 of their JSON; an entry read back
(``read_answers``) is checked field by field and against that digest, and ignored whole
on any mismatch.

Of the whole answers (``proofs/``, ``proved/``), only a complete one is stored: none whose
proofs ran out of time (FIB220, FIB221) or failed inside (FIB9xx), and only diagnostics that
read back equal to what was written.
An entry is JSON, checked field by field on reading; anything unexpected (not JSON, another
key, a wrong type, an unknown code) is ignored and the proofs run as if there were no
entry. Entries live in ``$FIBROLANG_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/fibrolang``,
else ``~/.cache/fibrolang``, under ``proofs/`` (and ``proved/``, ``questions/``), in
directories made mode 0700; deleting the directory is always safe. ``fibrolang check
--no-cache`` neither reads nor writes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pickle
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.diagnostics.catalogue import CATALOGUE, Diagnostic, RelatedSpan, Severity
from compiler.front.syntax import Span

if TYPE_CHECKING:
    from compiler.api import Checked
    from fibrolang.graph import Graph

FORMAT = 1
CACHE_VARIABLE = "FIBROLANG_CACHE_DIR"
# Codes whose presence means the answer depends on the machine's speed or is a failure.
UNSTORED_CODES = ("FIB220", "FIB221")
_DIAGNOSTIC_FIELDS = {"code", "severity", "message", "span", "hint", "related", "data"}
_SEVERITIES: dict[str, Severity] = {"error": "error", "warning": "warning", "note": "note"}
_PACKAGES = (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent / "fibrolang")


def cache_dir() -> Path:
    """Where entries are kept (see the module's docstring)."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "fibrolang"


def prove(
    checked: Checked, timeout_ms: int, budget_seconds: float | None, directory: Path | None
) -> list[Diagnostic]:
    """``compiler.api.prove``, answered from the cache in ``directory`` when an entry for
    exactly this guideline and toolchain is there; ``directory=None``: no cache."""
    from compiler import api

    if directory is None or checked.source is None or not checked.ok:
        return api.prove(checked, timeout_ms=timeout_ms, budget_seconds=budget_seconds)
    key = proof_key(checked.source.file, checked.source.text, timeout_ms, budget_seconds)
    entry = directory / "proofs" / f"{key}.json"
    stored = read_entry(entry, key)
    if stored is not None:
        return stored
    found = prove_or_recall(checked, timeout_ms, budget_seconds, directory)
    if storable(found):
        write_entry(entry, key, found)
    return found


def prove_or_recall(
    checked: Checked, timeout_ms: int, budget_seconds: float | None, directory: Path
) -> list[Diagnostic]:
    """``compiler.api.prove``, or nothing at all when a guideline of exactly the same logic (its
    decision graph but for the source positions and the traceability: quotes, notes, citations)
    was proved clean before (``logic_key``, ``proved/``): the proofs' verdicts read only the
    logic, and a clean answer has no span to move. An answer with any diagnostic is kept only
    under the text's own key (its spans and words are the text's)."""
    from compiler import api

    graph = api.graph_to_prove(checked)
    if isinstance(graph, list):
        return graph
    key = logic_key(graph, timeout_ms, budget_seconds)
    entry = directory / "proved" / f"{key}.json"
    if read_entry(entry, key) == []:
        return []
    found = prove_recalling(checked, graph, timeout_ms, budget_seconds, directory)
    if found == []:
        write_entry(entry, key, found)
    return found


def prove_recalling(
    checked: Checked, graph: Graph, timeout_ms: int, budget_seconds: float | None, directory: Path
) -> list[Diagnostic]:
    """``compiler.api.prove_graph``, each question whose exact content was asked before (by the
    latest proofs of the same file, whatever its version then: ``questions/``) answered as it
    was then (``compiler.analysis.recall``); this run's answers are kept for the next."""
    from compiler.analysis import analyse
    from compiler.analysis.recall import Recall

    assert checked.source is not None
    entry = directory / "questions" / f"{digest_of((checked.source.file,))}.json"
    recall = Recall(question_salt(timeout_ms, budget_seconds), read_answers(entry))
    found = analyse(
        graph, checked.guideline, timeout_ms=timeout_ms, budget_seconds=budget_seconds, recall=recall
    )
    if recall.asked:
        write_answers(entry, recall.answers)
    return found


def question_salt(timeout_ms: int, budget_seconds: float | None) -> str:
    """What every question's key holds besides the question: the toolchain, z3, Python, limits."""
    return cache_key(f"fibrolang questions {FORMAT}", ("z3",), repr(timeout_ms), repr(budget_seconds))


def _answers_digest(answers: object) -> str:
    text = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def write_answers(entry: Path, answers: dict[str, dict[str, Any]]) -> None:
    """Write the answers of one run atomically, with their digest (``read_answers``)."""
    try:
        payload = {"format": FORMAT, "answers": answers, "digest": _answers_digest(answers)}
        data = json.dumps(payload, sort_keys=True, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return
    write_atomically(entry, data)


_HEX = frozenset("0123456789abcdef")


def read_answers(entry: Path) -> dict[str, dict[str, Any]]:
    """The answers ``write_answers`` wrote, checked field by field and against their digest; none
    at all for anything else (no entry, not JSON, another shape, a damaged answer)."""
    try:
        payload = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if type(payload) is not dict or set(payload) != {"format", "answers", "digest"}:
        return {}
    answers = payload["answers"]
    if payload["format"] != FORMAT or type(answers) is not dict:
        return {}
    for key, answer in answers.items():
        if len(key) != 64 or not set(key) <= _HEX or type(answer) is not dict or len(answer) != 1:
            return {}
        if not (
            answer.get("verdict") in ("sat", "unsat")
            or ("patient" in answer and type(answer["patient"]) is dict)
        ):
            return {}
    try:
        if payload["digest"] != _answers_digest(answers):
            return {}
    except (TypeError, ValueError):
        return {}
    return answers


def logic_key(graph: Graph, timeout_ms: int, budget_seconds: float | None) -> str:
    """The key of a clean proof of ``graph``: the toolchain, z3, Python, the two limits and the
    typed graph pickled without what ties it to its text (every ``Traceability`` and
    ``SourcePosition``, the text's hash, the interventions' quotes, notes, citations and
    positions; no proof reads them but to place and word a diagnostic). Anything else that
    differs, a label or a note kept elsewhere, gives another key: a miss, never a wrong hit."""
    from fibrolang.graph import GuidelineInfo, Intervention, SourcePosition, Traceability

    class LogicPickler(pickle.Pickler):
        """Writes each traceability record and source position as a mark, and the guideline's
        record and each intervention without what ties them to the text (the text's hash; an
        intervention's quote, notes, citations and position): graphs that differ only in
        those pickle alike. Only ever written, never read."""

        def __init__(self, file: io.BytesIO) -> None:
            super().__init__(file, protocol=5)
            self.fast = True  # no memo: the bytes depend on the values only, never on which are shared
            self.stripped: list[object] = []  # kept alive, so that their ids stay theirs
            self.stripped_ids: set[int] = set()

        def persistent_id(self, obj: object) -> object:
            kind = type(obj)
            if kind is Traceability:
                return "traceability"
            if kind is SourcePosition:
                return "position"
            if id(obj) in self.stripped_ids:
                return None
            if isinstance(obj, GuidelineInfo):
                stripped: object = replace(obj, content_hash="")
            elif isinstance(obj, Intervention):
                stripped = replace(obj, quote=None, notes=(), citations=(), source=None)
            else:
                return None
            self.stripped.append(stripped)
            self.stripped_ids.add(id(stripped))
            return (kind.__name__, stripped)

    buffer = io.BytesIO()
    LogicPickler(buffer).dump(graph)
    return cache_key(
        f"fibrolang proved logic {FORMAT}",
        ("z3",),
        repr(timeout_ms),
        repr(budget_seconds),
        hashlib.sha256(buffer.getvalue()).hexdigest(),
    )


def proof_key(file: str, text: str, timeout_ms: int, budget_seconds: float | None) -> str:
    return cache_key(
        f"fibrolang proofs {FORMAT}", ("z3", "lark"), repr(timeout_ms), repr(budget_seconds), file, text
    )


def cache_key(kind: str, distributions: tuple[str, ...], *parts: str) -> str:
    """The key of an entry of a cache of the toolchain's work (proofs, questions, syntax trees):
    ``kind``, the toolchain's own files, the Python version, the named distributions' files
    (``distribution_fingerprint``), then ``parts``."""
    return digest_of(
        (
            kind,
            toolchain_fingerprint_once(),
            sys.version,
            sys.implementation.cache_tag or "",
            *(distribution_fingerprint(name) for name in distributions),
            *parts,
        )
    )


def toolchain_fingerprint() -> str:
    """SHA-256 of the path and bytes of every file of the ``compiler`` and ``fibrolang``
    packages (bytecode caches aside), in a fixed order."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        for root, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = Path(root, name)
                digest.update(str(path.relative_to(package.parent)).encode("utf-8", "surrogateescape"))
                digest.update(b"\0")
                data = path.read_bytes()
                digest.update(len(data).to_bytes(8, "big"))
                digest.update(data)
    return digest.hexdigest()


_FINGERPRINTS: dict[tuple[Path, ...], str] = {}


def toolchain_fingerprint_once() -> str:
    """``toolchain_fingerprint``, computed at its first use and kept for the process (the
    syntax trees' key and the proofs' both read it): this process runs the modules it read
    when it imported them, so an edit made to them later must not change the key under
    which its answers are stored."""
    found = _FINGERPRINTS.get(_PACKAGES)
    if found is None:
        found = _FINGERPRINTS[_PACKAGES] = toolchain_fingerprint()
    return found


def distribution_fingerprint(module: str) -> str:
    """The names, sizes and modification times of an installed package's files (found
    without importing it): a different build or version of it gives another fingerprint."""
    spec = find_spec(module)
    if spec is None:
        return f"{module}: absent"
    places = list(spec.submodule_search_locations or ([spec.origin] if spec.origin else []))
    parts: list[str] = [module]
    for place in places:
        for root, dirs, files in os.walk(place):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(root, name)
                stat = os.stat(path)
                parts.append(f"{os.path.relpath(path, place)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def storable(found: Sequence[Diagnostic]) -> bool:
    if any(d.code in UNSTORED_CODES or d.code.startswith("FIB9") for d in found):
        return False
    try:
        return _diagnostics_from_json(json.loads(json.dumps(_diagnostics_to_json(found)))) == list(found)
    except (TypeError, ValueError):
        return False


def write_entry(entry: Path, key: str, found: Sequence[Diagnostic]) -> None:
    """Write atomically; a cache that cannot be written is no error, the next check proves
    again."""
    payload = json.dumps({"format": FORMAT, "key": key, "diagnostics": _diagnostics_to_json(found)})
    write_atomically(entry, payload.encode("utf-8"))


def digest_of(parts: Iterable[str]) -> str:
    """The SHA-256 of ``parts``, each preceded by its length, so that no two lists of parts
    give the same bytes: the key of an entry of every cache (proofs, syntax trees, parser)."""
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


def write_atomically(entry: Path, data: bytes) -> None:
    """Write ``data`` to ``entry`` through a temporary file renamed into place, so that a
    reader sees the whole entry or none; a cache that cannot be written is no error."""
    temporary = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        make_private_directory(entry.parent)
        temporary.write_bytes(data)
        os.replace(temporary, entry)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def make_private_directory(directory: Path) -> None:
    """Make ``directory`` and its missing parents, each one the user's alone (mode 0700; an
    existing directory is left as it is)."""
    missing: list[Path] = []
    while not directory.is_dir():
        missing.append(directory)
        if directory.parent == directory:
            break
        directory = directory.parent
    for made in reversed(missing):
        made.mkdir(mode=0o700, exist_ok=True)


def read_entry(entry: Path, key: str) -> list[Diagnostic] | None:
    """The diagnostics stored under ``key``, or None for no entry or one that is not
    exactly what ``write_entry`` writes."""
    try:
        payload = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or set(payload) != {"format", "key", "diagnostics"}:
        return None
    if payload["format"] != FORMAT or payload["key"] != key:
        return None
    try:
        return _diagnostics_from_json(payload["diagnostics"])
    except (TypeError, ValueError, KeyError):
        return None


def _span_to_json(span: Span) -> list[Any]:
    return [span.file, span.line, span.column, span.end_line, span.end_column]


def _diagnostics_to_json(found: Sequence[Diagnostic]) -> list[dict[str, Any]]:
    return [
        {
            "code": d.code,
            "severity": d.severity,
            "message": d.message,
            "span": _span_to_json(d.span),
            "hint": d.hint,
            "related": [[_span_to_json(r.span), r.message] for r in d.related],
            "data": [[name, value] for name, value in d.data],
        }
        for d in found
    ]


def _string(value: object) -> str:
    if type(value) is not str:
        raise TypeError("expected a string")
    return value


def _integer(value: object) -> int:
    if type(value) is not int:
        raise TypeError("expected an integer")
    return value


def _list(value: object, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise TypeError("expected a list")
    return value


def _span_from_json(value: object) -> Span:
    file, line, column, end_line, end_column = _list(value, 5)
    return Span(_string(file), _integer(line), _integer(column), _integer(end_line), _integer(end_column))


def _diagnostics_from_json(value: object) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for item in _list(value):
        if type(item) is not dict or set(item) != _DIAGNOSTIC_FIELDS:
            raise TypeError("expected a diagnostic")
        code = _string(item["code"])
        severity = _SEVERITIES[_string(item["severity"])]
        if code not in CATALOGUE:
            raise ValueError("unknown code")
        hint = item["hint"]
        related = tuple(
            RelatedSpan(_span_from_json(span), _string(message))
            for span, message in (_list(r, 2) for r in _list(item["related"]))
        )
        data = tuple((_string(name), entry) for name, entry in (_list(d, 2) for d in _list(item["data"])))
        found.append(
            Diagnostic(
                code,
                severity,
                _string(item["message"]),
                _span_from_json(item["span"]),
                None if hint is None else _string(hint),
                related,
                data,
            )
        )
    return found
