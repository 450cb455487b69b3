"""``fibrolang diff OLD NEW``: which patients get a different plan from a new version, and why.

The verdict comes from one comparison of the two whole graphs
(``behaviour.compare``): "no patient changes" only when z3 proves every
observation equal, ``unknown`` when it cannot decide one, else the changes.

The changes are then told apart by the edit that causes them. The top-level
edits of the structural diff (a definition, a node with its items and
branches, an invariant, ...) are first grouped by what they do to the logic:
the same change made in several elements (the eGFR threshold of a
definition, of a contraindication and of a safety rule) is one cause,
undone together. Each witness of the whole comparison is replayed on the
new graph with one cause undone. The witness belongs to the one cause whose
undoing gives the patient the old result back; failing that, to the causes
whose undoing changes its new result, and it is that cause's own when there
is one such cause. A cause whose witnesses are all shared is asked for
patients of its own: the new graph with it undone is compared with the new
graph, and the patients it tells apart are replayed on the old and the new
graph. Witnesses showing a change no cause's witnesses show (edits that
only act together, or an edit that cannot be undone alone) are listed
under "the edits together". With one cause, its changes are the whole
comparison's.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import fibrolang
from compiler.analysis.replay import Runtime
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS
from compiler.front.parse import SourceText
from compiler.review.behaviour import (
    Comparison,
    NotComparable,
    Witness,
    compare,
    effects,
    for_graph,
    replay_both,
)
from compiler.review.structure import (
    Edit,
    SourceHunk,
    StructuralDiff,
    hunks_of,
    revert,
    revertible,
    same_edits,
    source_hunks,
    structural_diff,
)
from fibrolang import read_graph
from fibrolang.graph import Graph

TOGETHER = "the edits together"


class DiffError(Exception):
    """A version cannot be read or compiled, or the versions cannot be compared (exit 2)."""


@dataclass(frozen=True)
class Version:
    name: str  # what the user called it (a path, or REV:path)
    text: str | None  # the guideline source, when the version is a .fibro file
    model: (
        Graph  # the typed graph (what the structural diff compares, the behavioural diff encodes and replays)
    )


@dataclass
class Change:
    """The behavioural changes one edit causes, each with a replayed witness."""

    cause: str  # the edit's label, or TOGETHER
    edits: list[Edit]
    hunks: list[SourceHunk]
    witnesses: list[Witness] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return sorted({e.kind for w in self.witnesses for e in w.effects})


@dataclass
class DiffReport:
    old: Version
    new: Version
    structure: StructuralDiff
    comparison: Comparison
    changes: list[Change]

    @property
    def verdict(self) -> str:
        return self.comparison.verdict

    @property
    def exit_code(self) -> int:
        return 0 if self.verdict == "no_changes" else 1 if self.verdict == "changes" else 2


def load_version(source: str, label: str | None = None, text: str | None = None) -> Version:
    """A version from a guideline or graph JSON file (or its text, read from git)."""
    from compiler import api

    path = Path(source)
    name = label or source
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise DiffError(f"cannot read {source}: {error.strerror or error}") from error
    if path.suffix == ".json":
        try:
            loaded = fibrolang.load(json.loads(text))
        except (ValueError, fibrolang.GuidelineError) as error:
            raise DiffError(f"{name} is not a decision graph the runtime loads: {error}") from error
        return Version(name, None, loaded.graph)
    document = SourceText(name, text)
    checked = api.check_source(document, path.resolve().parent)
    if checked.ok:
        try:
            compiled = api.compile_checked(checked)
            return Version(name, text, read_graph(compiled))
        except api.CompileError as error:
            checked = api.Checked(document, None, error.diagnostics)
    from compiler.diagnostics.renderers import render_text

    report = render_text(checked.diagnostics, lambda _file, number: document.line(number))
    raise DiffError(f"{name} does not compile:\n{report}")


def version_at(revision: str, path: Path) -> Version:
    """The guideline at ``path`` as git revision ``revision`` has it (``git show REV:path``)."""
    try:
        top = subprocess.run(
            ["git", "-C", str(path.parent.resolve()), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        relative = path.resolve().relative_to(top).as_posix()
        shown = subprocess.run(
            ["git", "-C", top, "show", f"{revision}:{relative}"], capture_output=True, text=True, check=True
        )
    except (OSError, ValueError) as error:
        raise DiffError(f"cannot read {path} from git: {error}") from error
    except subprocess.CalledProcessError as error:
        raise DiffError(f"git cannot show {revision}:{path}: {error.stderr.strip()}") from error
    return load_version(str(path), f"{revision}:{path.as_posix()}", shown.stdout)


def diff_versions(old: Version, new: Version, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> DiffReport:
    structure = structural_diff(old.model, new.model)
    try:
        comparison = compare(old.model, new.model, timeout_ms)
    except NotComparable as error:
        raise DiffError(str(error)) from error
    report = DiffReport(old, new, structure, comparison, [])
    if comparison.verdict == "changes":
        report.changes = _attribute(report, timeout_ms)
    return report


def _declared_at(text: str, edit: Edit) -> int | None:
    """The line of a definition (the graph keeps no position for definitions)."""
    pattern = re.compile(rf"^\s*define\s+{re.escape(edit.name)}\b")
    return next((n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)), None)


def _hunks(report: DiffReport, edit: Edit) -> list[SourceHunk]:
    old_text, new_text = report.old.text, report.new.text
    if old_text is None or new_text is None:
        return []
    if edit.kind == "definition" and edit.old_line is None and edit.new_line is None:
        edit = replace(edit, old_line=_declared_at(old_text, edit), new_line=_declared_at(new_text, edit))
    hunks = source_hunks(old_text, new_text)
    totals = (len(old_text.splitlines()), len(new_text.splitlines()))
    parts = [edit, *(e for e in report.structure.edits if e.parent == edit.name and edit.kind == "node")]
    found: list[SourceHunk] = []
    for part in parts:
        for hunk in hunks_of(part, report.old.model, report.new.model, hunks, *totals):
            if hunk not in found:
                found.append(hunk)
    return sorted(found, key=lambda h: (h.old_start, h.new_start))


def _attribute(report: DiffReport, timeout_ms: int) -> list[Change]:
    causes = same_edits(revertible(report.structure), report.old.model, report.new.model)
    witnesses = report.comparison.witnesses
    if len(causes) == 1:
        (cause,) = causes
        return [Change(cause_label(cause), cause, _cause_hunks(report, cause), distinct(witnesses))]
    old, new = report.old.model, report.new.model
    runtime = Runtime()
    undone = [_undo(report.new.model, report.old.model, cause) for cause in causes]
    owner = [_owner(runtime, undone, witness) for witness in witnesses]
    changes: list[Change] = []
    for i, cause in enumerate(causes):
        own = [witness for witness, by in zip(witnesses, owner, strict=True) if by == [i]]
        graph = undone[i]
        if not own and graph is not None and any(i in by for by in owner):
            # The cause acts only on witnesses another cause acts on too: ask for its own patients.
            try:
                alone = compare(graph, new, timeout_ms)
            except NotComparable:
                alone = None
            if alone is not None:
                own = [replay_both(runtime, old, new, w.patient, w.questions) for w in alone.witnesses]
        kept = distinct(own)
        if kept:
            changes.append(Change(cause_label(cause), cause, _cause_hunks(report, cause), kept))
    shown = {(e.kind, e.subject) for change in changes for w in change.witnesses for e in w.effects}
    unexplained = [w for w in witnesses if not {(e.kind, e.subject) for e in w.effects} <= shown]
    if unexplained or not changes:
        explained = {edit for change in changes for edit in change.edits}
        rest = [edit for cause in causes for edit in cause if edit not in explained]
        together = distinct(unexplained or witnesses)
        changes.append(Change(TOGETHER, rest, _cause_hunks(report, rest), together))
    return changes


def _undo(new: Graph, old: Graph, cause: list[Edit]) -> Graph | None:
    """The new graph with one cause's edits undone (where the structural diff found them);
    None when it is not a graph that loads (an edit that cannot be undone alone)."""
    graph = new
    for edit in cause:
        graph = revert(graph, old, edit)
    try:
        return fibrolang.Guideline(graph).graph  # its structure checked, as `load` checks it
    except fibrolang.GuidelineError:
        return None


def _owner(runtime: Runtime, undone: list[Graph | None], witness: Witness) -> list[int]:
    """The causes a witness belongs to: the one cause whose undoing alone gives the patient the
    old result back; else the causes whose undoing changes the new result (one owns it alone)."""
    runs = [
        None if graph is None else runtime.run(graph, for_graph(graph, witness.patient)) for graph in undone
    ]
    restore = [i for i, run in enumerate(runs) if run is not None and not effects(run, witness.old)]
    if len(restore) == 1:
        return restore
    return [i for i, run in enumerate(runs) if run is not None and effects(run, witness.new)]


def _cause_hunks(report: DiffReport, edits: list[Edit]) -> list[SourceHunk]:
    found: list[SourceHunk] = []
    for edit in edits:
        found.extend(hunk for hunk in _hunks(report, edit) if hunk not in found)
    return sorted(found, key=lambda h: (h.old_start, h.new_start))


def cause_label(edits: list[Edit]) -> str:
    """One edit's label; the same edit made in several elements names them all."""
    if len(edits) == 1:
        return edits[0].label
    return f"one edit made in {len(edits)} places ({', '.join(edit.label for edit in edits)})"


def distinct(witnesses: Iterable[Witness]) -> list[Witness]:
    """The witnesses that each show some effect (kind and subject) no earlier one shows."""
    kept: list[Witness] = []
    shown: set[tuple[str, str]] = set()
    for witness in witnesses:
        kinds = {(e.kind, e.subject) for e in witness.effects}
        if kinds - shown:
            kept.append(witness)
            shown |= kinds
    return kept
