"""The structural diff of two decision graphs: what was added, removed or changed.

Elements are compared by their stable ids (node ids, item and branch ids,
definition, invariant, intervention and input names), without their source
positions: moving a block or reformatting the file changes no element. A
changed element lists the fields that changed (``guard``, ``dose``,
``quote``, ``notes``, ...). The source edits shown for an element are the
hunks of a line diff of the two guideline texts that fall in the element's
lines (from its first line to the line before the next element).

``revert(new, old, edit)`` is the new graph with one edit undone: what the
behavioural diff uses to tell which edit causes which change of behaviour.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# Collections of elements: (graph key, element kind, how elements are named).
_COLLECTIONS = (
    ("inputs", "input", None),
    ("definitions", "definition", "name"),
    ("nodes", "node", None),
    ("invariants", "invariant", "name"),
    ("interventions", "intervention", None),
    ("enums", "enumeration", None),
    ("records", "record", None),
)


@dataclass(frozen=True)
class Edit:
    kind: str  # input, definition, node, invariant, intervention, enumeration, record, item, branch
    name: str
    change: str  # added, removed, changed
    fields: tuple[str, ...] = ()  # the fields that changed (changed elements)
    parent: str | None = None  # the node of an item or branch
    old_line: int | None = None
    new_line: int | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass
class StructuralDiff:
    edits: list[Edit] = field(default_factory=list)
    header: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # id, version, content hash

    def of_kind(self, *kinds: str) -> list[Edit]:
        return [e for e in self.edits if e.kind in kinds]

    @property
    def quotes(self) -> list[Edit]:
        return [e for e in self.edits if "quote" in e.fields]


def elements(graph: JSON, key: str, named_by: str | None) -> dict[str, JSON]:
    collection = graph.get(key, {} if named_by is None else [])
    if named_by is None:
        return dict(collection)
    return {entry[named_by]: entry for entry in collection}


def _bare(element: Any) -> Any:
    """An element without its source positions (and a node without its items and branches)."""
    if isinstance(element, dict):
        return {k: _bare(v) for k, v in element.items() if k not in ("source", "items", "branches")}
    if isinstance(element, list):
        return [_bare(v) for v in element]
    return element


def _changed_fields(before: JSON, after: JSON) -> tuple[str, ...]:
    old, new = _bare(before), _bare(after)
    return tuple(sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)))


def _line(element: JSON | None) -> int | None:
    source = (element or {}).get("source")
    return source.get("line") if isinstance(source, dict) and source.get("line") else None


def structural_diff(old: JSON, new: JSON) -> StructuralDiff:
    diff = StructuralDiff()
    for key in ("id", "version", "content_hash", "title"):
        before, after = old["guideline"].get(key), new["guideline"].get(key)
        if before != after:
            diff.header[key] = (before, after)
    for key, kind, named_by in _COLLECTIONS:
        before, after = elements(old, key, named_by), elements(new, key, named_by)
        for name in sorted(set(before) | set(after)):
            was, now = before.get(name), after.get(name)
            if was is None or now is None:
                change = "added" if was is None else "removed"
                diff.edits.append(Edit(kind, name, change, old_line=_line(was), new_line=_line(now)))
                continue
            fields = _changed_fields(was, now)
            parts = _parts(name, was, now) if kind == "node" else []
            fields = tuple(
                sorted({*fields, *({"item": "items", "branch": "branches"}[p.kind] for p in parts)})
            )
            if fields:
                diff.edits.append(Edit(kind, name, "changed", fields, None, _line(was), _line(now)))
            diff.edits.extend(parts)
    return diff


def _parts(node_id: str, was: JSON, now: JSON) -> list[Edit]:
    """The items and branches of a node that were added, removed or changed."""
    found = []
    for key, kind in (("items", "item"), ("branches", "branch")):
        before = {e["id"]: e for e in was.get(key, [])}
        after = {e["id"]: e for e in now.get(key, [])}
        for part in sorted(set(before) | set(after)):
            old_part, new_part = before.get(part), after.get(part)
            if old_part is None or new_part is None:
                change = "added" if old_part is None else "removed"
                found.append(Edit(kind, part, change, (), node_id, _line(old_part), _line(new_part)))
                continue
            fields = _changed_fields(old_part, new_part)
            if [e["id"] for e in was.get(key, [])].index(part) != [e["id"] for e in now.get(key, [])].index(
                part
            ):
                fields = tuple(sorted({*fields, "position"}))
            if fields:
                found.append(Edit(kind, part, "changed", fields, node_id, _line(old_part), _line(new_part)))
    return found


# -- undoing one edit ------------------------------------------------------------------


def revertible(diff: StructuralDiff) -> list[Edit]:
    """The top-level edits (whole elements; a node with its items and branches)."""
    return [e for e in diff.edits if e.parent is None]


def revert(new: JSON, old: JSON, edit: Edit) -> JSON:
    """``new`` with ``edit`` undone (the element as ``old`` has it, or absent when added)."""
    for key, kind, named_by in _COLLECTIONS:
        if kind != edit.kind:
            continue
        graph = copy.copy(new)
        before = elements(old, key, named_by)
        if named_by is None:
            collection = dict(new[key])
            if edit.name in before:
                collection[edit.name] = before[edit.name]
            else:
                collection.pop(edit.name, None)
            graph[key] = collection
            return graph
        entries = [e for e in new[key] if e[named_by] != edit.name]
        if edit.name in before:
            position = [e[named_by] for e in old[key]].index(edit.name)
            entries.insert(min(position, len(entries)), before[edit.name])
        graph[key] = entries
        return graph
    raise ValueError(f"cannot revert a {edit.kind}")


# -- one edit made in several places ------------------------------------------------------

# What does not change what a patient gets: an element's wording and where it stands.
_WORDING = (
    "source",
    "title",
    "notes",
    "quote",
    "citations",
    "text",
    "reason",
    "label",
    "question",
    "message",
)


def _logic_changes(before: Any, after: Any, enclosing: Any = None) -> list[tuple[str, str]]:
    """The smallest differing parts of two versions of an element, each shown within the
    expression that holds it (``egfr < 30`` -> ``egfr < 35``, not ``30`` -> ``35``); wording
    and source positions are left out."""
    if isinstance(before, dict) and isinstance(after, dict):
        if before.get("op") not in (None, "const"):
            enclosing = (before, after)
        found = []
        for key in sorted(set(before) | set(after)):
            if key in _WORDING:
                continue
            if key not in before or key not in after:
                found.append(_shown(enclosing or (before, after)))
            else:
                found.extend(_logic_changes(before[key], after[key], enclosing))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            found
            for old, new in zip(before, after, strict=True)
            for found in _logic_changes(old, new, enclosing)
        ]
    if before == after:
        return []
    return [_shown(enclosing or (before, after))]


def _shown(pair: tuple[Any, Any]) -> tuple[str, str]:
    return tuple(json.dumps(_bare_logic(side), sort_keys=True) for side in pair)  # type: ignore[return-value]


def _bare_logic(element: Any) -> Any:
    if isinstance(element, dict):
        return {k: _bare_logic(v) for k, v in element.items() if k not in _WORDING}
    if isinstance(element, list):
        return [_bare_logic(v) for v in element]
    return element


def logic_edit(edit: Edit, old: JSON, new: JSON) -> frozenset[tuple[str, str]] | None:
    """What a changed element's edit does to its logic, as a set of (before, after) expressions;
    None for an added or removed element, or an edit of wording alone."""
    if edit.change != "changed":
        return None
    for key, kind, named_by in _COLLECTIONS:
        if kind == edit.kind:
            before, after = elements(old, key, named_by)[edit.name], elements(new, key, named_by)[edit.name]
            changes = frozenset(_logic_changes(before, after))
            return changes or None
    return None


def same_edits(edits: list[Edit], old: JSON, new: JSON) -> list[list[Edit]]:
    """The edits grouped by what they do: the same change of logic made in several elements (the
    eGFR threshold of a definition, a contraindication and a safety rule) is one group, undone
    together. Groups keep the edits' order; an edit alone is a group of one."""
    groups: list[list[Edit]] = []
    by_change: dict[frozenset[tuple[str, str]], list[Edit]] = {}
    for edit in edits:
        change = logic_edit(edit, old, new)
        if change is None:
            groups.append([edit])
        elif change in by_change:
            by_change[change].append(edit)
        else:
            by_change[change] = [edit]
            groups.append(by_change[change])
    return groups


# -- source edits ------------------------------------------------------------------------


def _starts(graph: JSON) -> list[int]:
    lines: set[int] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            line = _line(value)
            if line is not None:
                lines.add(line)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk({k: v for k, v in graph.items() if k != "guideline"})
    return sorted(lines)


def element_lines(graph: JSON, line: int | None, total: int) -> range:
    """The lines of the element starting at ``line``: up to the next element's first line."""
    if line is None:
        return range(0)
    later = [start for start in _starts(graph) if start > line]
    return range(line, (later[0] if later else total + 1))


@dataclass(frozen=True)
class SourceHunk:
    old_start: int
    new_start: int
    removed: tuple[str, ...]
    added: tuple[str, ...]


def source_hunks(old_text: str, new_text: str) -> list[SourceHunk]:
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    return [
        SourceHunk(i1 + 1, j1 + 1, tuple(old_lines[i1:i2]), tuple(new_lines[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def hunks_of(
    edit: Edit, old: JSON, new: JSON, hunks: list[SourceHunk], old_total: int, new_total: int
) -> list[SourceHunk]:
    """The source hunks inside the edited element's lines (in either version)."""
    old_range = element_lines(old, edit.old_line, old_total)
    new_range = element_lines(new, edit.new_line, new_total)
    found = []
    for hunk in hunks:
        old_span = range(hunk.old_start, hunk.old_start + max(len(hunk.removed), 1))
        new_span = range(hunk.new_start, hunk.new_start + max(len(hunk.added), 1))
        if set(old_span) & set(old_range) or set(new_span) & set(new_range):
            found.append(hunk)
    return found
