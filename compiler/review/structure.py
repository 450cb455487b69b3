"""The structural diff of two decision graphs: what was added, removed or changed.

Both versions are typed graphs (``fibrolang.read_graph``). Elements are compared
by their stable ids (node ids, item and branch ids, definition, invariant,
intervention and input names), without their source positions: moving a block
or reformatting the file changes no element. A changed element lists the fields
that changed, named as the graph file names them (docs/graph-format.md:
``guard``, ``dose``, ``quote``, ``notes``, ...; ``facets`` says which). The
source edits shown for an element are the hunks of a line diff of the two
guideline texts that fall in the element's lines (from its first line to the
line before the next element).

``revert(new, old, edit)`` is the new graph with one edit undone: what the
behavioural diff uses to tell which edit causes which change of behaviour.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from fibrolang import expressions as ex
from fibrolang.graph import (
    ActionItem,
    ActionNode,
    AvoidItem,
    DecisionNode,
    Edge,
    Enumeration,
    FlagItem,
    Graph,
    Intervention,
    Invariant,
    MonitorItem,
    Node,
    RecommendItem,
    TerminalNode,
)
from fibrolang.graph_writer import Element, write_element

Part: TypeAlias = ActionItem | Edge

# Collections of elements: (graph field, element kind, the field that names an element).
# Inputs, nodes, interventions, enumerations and records are mappings in the graph file
# (sorted by name in the typed graph); definitions and invariants are lists.
_COLLECTIONS = (
    ("inputs", "input", "name"),
    ("definitions", "definition", "name"),
    ("nodes", "node", "id"),
    ("invariants", "invariant", "name"),
    ("interventions", "intervention", "id"),
    ("enums", "enumeration", "name"),
    ("records", "record", "name"),
)
_LISTS = ("definitions", "invariants")


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


def elements(graph: Graph, key: str, named_by: str) -> dict[str, Any]:
    """The elements of one collection of the graph, by name."""
    return {getattr(element, named_by): element for element in getattr(graph, key)}


# -- what the diff compares: an element's fields, named as in the graph file ------------------


def facets(element: Element | Part) -> dict[str, Any]:
    """The fields of an element the diff compares: its object in the graph file
    (``graph_writer.write_element``, so keyed by the file's names), without source positions,
    and a node without its items and branches (``_parts`` compares those)."""
    written: dict[str, Any] = _unplaced(write_element(element))
    return written


def _unplaced(value: Any) -> Any:
    """A graph file value without its source positions, items and branches, at any depth."""
    if isinstance(value, dict):
        return {k: _unplaced(v) for k, v in value.items() if k not in ("source", "items", "branches")}
    if isinstance(value, list):
        return [_unplaced(v) for v in value]
    return value


def _changed_fields(before: Element | Part, after: Element | Part) -> tuple[str, ...]:
    old, new = facets(before), facets(after)
    return tuple(sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)))


def _line(element: Element | Part | None) -> int | None:
    """The line the guideline writes the element on (inputs, definitions, enumerations and
    records carry no position in the graph)."""
    match element:
        case Intervention():
            source = element.source
        case DecisionNode() | ActionNode() | TerminalNode() | Invariant() | Edge():
            source = element.trace.source
        case RecommendItem() | AvoidItem() | FlagItem() | MonitorItem():
            source = element.trace.source
        case _:
            source = None
    return source.line if source is not None and source.line else None


def structural_diff(old: Graph, new: Graph) -> StructuralDiff:
    diff = StructuralDiff()
    for key in ("id", "version", "content_hash", "title"):
        before, after = getattr(old.guideline, key), getattr(new.guideline, key)
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


def _children(node: Node, kind: str) -> tuple[Part, ...]:
    """A node's items (kind ``item``) or branches (``branch``); none for other nodes."""
    if kind == "item":
        return node.items if isinstance(node, ActionNode) else ()
    return node.branches if isinstance(node, DecisionNode) else ()


def _parts(node_id: str, was: Node, now: Node) -> list[Edit]:
    """The items and branches of a node that were added, removed or changed."""
    found = []
    for kind in ("item", "branch"):
        before = {part.id: part for part in _children(was, kind)}
        after = {part.id: part for part in _children(now, kind)}
        old_ids, new_ids = list(before), list(after)  # in the node's order
        for part in sorted(set(before) | set(after)):
            old_part, new_part = before.get(part), after.get(part)
            if old_part is None or new_part is None:
                change = "added" if old_part is None else "removed"
                found.append(Edit(kind, part, change, (), node_id, _line(old_part), _line(new_part)))
                continue
            fields = _changed_fields(old_part, new_part)
            if old_ids.index(part) != new_ids.index(part):
                fields = tuple(sorted({*fields, "position"}))
            if fields:
                found.append(Edit(kind, part, "changed", fields, node_id, _line(old_part), _line(new_part)))
    return found


# -- undoing one edit ------------------------------------------------------------------


def revertible(diff: StructuralDiff) -> list[Edit]:
    """The top-level edits (whole elements; a node with its items and branches)."""
    return [e for e in diff.edits if e.parent is None]


def revert(new: Graph, old: Graph, edit: Edit) -> Graph:
    """``new`` with ``edit`` undone (the element as ``old`` has it, or absent when added)."""
    for key, kind, named_by in _COLLECTIONS:
        if kind != edit.kind:
            continue
        before = elements(old, key, named_by)
        entries = [e for e in getattr(new, key) if getattr(e, named_by) != edit.name]
        if edit.name in before:
            if key in _LISTS:  # where the old version has it
                position = [getattr(e, named_by) for e in getattr(old, key)].index(edit.name)
            else:  # a mapping: in name order, as the graph file has it
                position = sum(1 for e in entries if getattr(e, named_by) < edit.name)
            entries.insert(min(position, len(entries)), before[edit.name])
        changed: dict[str, Any] = {key: tuple(entries)}
        return dataclasses.replace(new, **changed)
    raise ValueError(f"cannot revert a {edit.kind}")


# -- one edit made in several places ------------------------------------------------------

# What does not change what a patient gets: an element's wording and where it stands (the
# typed graph's fields; ``trace`` holds a pathway element's notes, quote, citations and source).
_WORDING = frozenset(
    {
        "trace",
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
    }
)


# Fields the graph file writes only when they have a value: one version having it and the
# other not is a change of the whole element (or expression) that holds it.
_OPTIONAL = frozenset({"binding", "default", "tables", "points", "at"})


def _absent(value: Any) -> bool:
    return value is None or value == ()


def _logic_fields(value: Any) -> dict[str, Any]:
    """A typed value's fields that are not wording."""
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.name not in _WORDING}


def _is_composite(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _logic_changes(before: Any, after: Any, enclosing: Any = None) -> list[tuple[str, str]]:
    """The smallest differing parts of two versions of an element, each shown within the
    expression that holds it (``egfr < 30`` -> ``egfr < 35``, not ``30`` -> ``35``); wording
    and source positions are left out."""
    if _is_composite(before) and _is_composite(after):
        if _is_expression(before) and not isinstance(before, ex.Constant):
            enclosing = (before, after)
        if type(before) is not type(after):
            return [_shown(enclosing or (before, after))]
        old, new = _logic_fields(before), _logic_fields(after)
        found = []
        for name in sorted(old):
            if name in _OPTIONAL and _absent(old[name]) != _absent(new[name]):
                found.append(_shown(enclosing or (before, after)))  # a field only one version has
            else:
                found.extend(_logic_changes(old[name], new[name], enclosing))
        return found
    if isinstance(before, dict) and isinstance(after, dict) and before.keys() == after.keys():
        return [
            found for key in sorted(before) for found in _logic_changes(before[key], after[key], enclosing)
        ]
    if isinstance(before, tuple) and isinstance(after, tuple) and len(before) == len(after):
        return [
            found
            for old_value, new_value in zip(before, after, strict=True)
            for found in _logic_changes(old_value, new_value, enclosing)
        ]
    if before == after:
        return []
    return [_shown(enclosing or (before, after))]


_EXPRESSIONS: tuple[type, ...] = ex.Expression.__args__


def _is_expression(value: Any) -> bool:
    return isinstance(value, _EXPRESSIONS)


def _shown(pair: tuple[Any, Any]) -> tuple[str, str]:
    """The two sides of a change, without wording, as comparable text."""
    before, after = pair
    return repr(_bare_logic(before)), repr(_bare_logic(after))


def _bare_logic(value: Any) -> Any:
    if _is_composite(value):
        fields = _logic_fields(value)
        return (type(value).__name__, tuple((name, _bare_logic(fields[name])) for name in sorted(fields)))
    if isinstance(value, dict):
        return tuple((key, _bare_logic(value[key])) for key in sorted(value))
    if isinstance(value, tuple):
        return tuple(_bare_logic(inner) for inner in value)
    return value


def logic_edit(edit: Edit, old: Graph, new: Graph) -> frozenset[tuple[str, str]] | None:
    """What a changed element's edit does to its logic, as a set of (before, after) expressions;
    None for an added or removed element, or an edit of wording alone."""
    if edit.change != "changed":
        return None
    for key, kind, named_by in _COLLECTIONS:
        if kind == edit.kind:
            before, after = elements(old, key, named_by)[edit.name], elements(new, key, named_by)[edit.name]
            changes = frozenset(_logic_changes(_comparable(before), _comparable(after)))
            return changes or None
    return None


def _comparable(element: Element) -> Any:
    """An element as its logic is compared: an enumeration's points as a mapping (their order in
    the typed graph is the file's, which is no change)."""
    if isinstance(element, Enumeration):
        return dataclasses.replace(element, points=tuple(sorted(element.points)))
    return element


def same_edits(edits: list[Edit], old: Graph, new: Graph) -> list[list[Edit]]:
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


def _starts(graph: Graph) -> list[int]:
    """The first line of every element the graph places: interventions, invariants, nodes and
    their items and branches."""
    placed: list[Element | Part] = [*graph.interventions, *graph.invariants]
    for node in graph.nodes:
        placed.append(node)
        if isinstance(node, DecisionNode):
            placed.extend(node.branches)
        elif isinstance(node, ActionNode):
            placed.extend((*node.items, node.next))
    return sorted({line for line in map(_line, placed) if line is not None})


def element_lines(graph: Graph, line: int | None, total: int) -> range:
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
    edit: Edit, old: Graph, new: Graph, hunks: list[SourceHunk], old_total: int, new_total: int
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
