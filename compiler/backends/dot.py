"""Graphviz DOT for the flowchart of a decision graph (docs/graph-format.md).

The chart is drawn from the compiled graph itself, so what a committee approves
is what the runtime executes: decisions are diamonds with the clinical
question, branch edges carry the author's label and the guard in plain words,
steps are recommendation boxes (agent, dose, evidence, citations; avoid items
and contraindications in the avoid style), flags and monitoring are notes beside
their step, outcomes are terminals. A title block (guideline, version, content
hash, sources) heads the chart; the legend, the references and the numbered notes
sit under it.

``render_dot(graph, direction=..., highlight=trace)`` is deterministic: nodes in
source order, no set iteration, no clock or environment. Strings from the graph
reach the output only through ``dot_text.escape``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from compiler.backends import dot_labels as labels
from compiler.backends.dot_labels import PALETTE, Footnotes
from compiler.backends.dot_tables import table_nodes
from compiler.backends.dot_text import escape, identifier, styled

Graph = Mapping[str, Any]
JSON = Mapping[str, Any]

START = "(start)"  # the DOT id of the start pseudo-node; parentheses never occur in a name
DIRECTIONS = ("TB", "LR")


class GuardOutcomeLike(Protocol):
    @property
    def item(self) -> str | None: ...

    @property
    def value(self) -> bool | None: ...


class Trace(Protocol):
    """What the chart needs of a runtime trace (fibrolang.Trace has these)."""

    @property
    def nodes(self) -> Sequence[str]: ...

    @property
    def edges(self) -> Sequence[str]: ...

    @property
    def guards(self) -> Sequence[GuardOutcomeLike]: ...


@dataclass(frozen=True)
class TraceData:
    """A trace read from a result's JSON (``{"nodes": [...], "edges": [...], "guards": [...]}``)."""

    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    guards: tuple[GuardData, ...] = ()


@dataclass(frozen=True)
class GuardData:
    item: str | None
    value: bool | None
    edge: str | None = None


def trace_from_dict(data: Mapping[str, Any]) -> TraceData:
    guards = tuple(
        GuardData(item=g.get("item"), value=g.get("value"), edge=g.get("edge"))
        for g in data.get("guards") or []
    )
    return TraceData(tuple(data.get("nodes") or ()), tuple(data.get("edges") or ()), guards)


@dataclass(frozen=True)
class Highlight:
    nodes: frozenset[str]
    edges: frozenset[str]
    given: frozenset[str]  # ids of the action items the patient's plan received


def highlight_of(graph: Graph, trace: Trace | None) -> Highlight | None:
    if trace is None:
        return None
    nodes = frozenset(trace.nodes)
    decided = {g.item: g.value for g in trace.guards if g.item is not None}
    given = set()
    for node_id in trace.nodes:
        node = graph.get("nodes", {}).get(node_id) or {}
        for item in node.get("items") or []:
            item_id = str(item.get("id"))
            if item.get("guard") is None or decided.get(item_id) is True:
                given.add(item_id)
    return Highlight(nodes, frozenset(trace.edges), frozenset(given))


def nodes_in_source_order(graph: Graph) -> list[tuple[str, JSON]]:
    """The pathway's nodes in the order the guideline wrote them (the canonical JSON
    sorts keys, so the order is recovered from the source positions)."""

    def position(entry: tuple[str, JSON]) -> tuple[int, int, str]:
        source = entry[1].get("source") or {}
        return (int(source.get("line") or 0), int(source.get("column") or 0), entry[0])

    return sorted((graph.get("nodes") or {}).items(), key=position)


def successors(node: JSON) -> list[tuple[str, str]]:
    """(edge id, target) pairs leaving a node, in branch order."""
    if node.get("kind") == "decision":
        return [(str(b.get("id")), str(b.get("target"))) for b in node.get("branches") or []]
    if node.get("kind") == "action" and node.get("next"):
        return [(str(node["next"].get("id")), str(node["next"].get("target")))]
    return []


# -- stages ----------------------------------------------------------------------


def stages(graph: Graph) -> list[list[str]]:
    """The pathway cut into stages for clustering.

    The graph has no stage construct, so stages come from its shape: the nodes
    every complete (``ok``) path passes through form the main line; a run of
    main-line nodes that follow one another directly is one stage, and a
    main-line decision together with the region of alternatives it opens
    (everything between it and the next main-line node) is another. Nodes off
    the main line join the stage of their first predecessor. A pathway that is
    one stage is not clustered.
    """
    ordered = [node_id for node_id, _ in nodes_in_source_order(graph)]
    nodes = graph.get("nodes") or {}
    start = str(graph.get("start"))
    in_order = topological(nodes, start, ordered)
    if not in_order:
        return []
    predecessors: dict[str, list[str]] = {n: [] for n in in_order}
    for node_id in in_order:
        for _, target in successors(nodes[node_id]):
            if target in predecessors and node_id not in predecessors[target]:
                predecessors[target].append(node_id)
    dominators: dict[str, frozenset[str]] = {}
    for node_id in in_order:
        sets = [dominators[p] for p in predecessors[node_id] if p in dominators]
        common = frozenset.intersection(*sets) if sets else frozenset()
        dominators[node_id] = common | {node_id}
    ends = [n for n in in_order if nodes[n].get("kind") == "terminal" and nodes[n].get("status") == "ok"]
    if not ends:
        return []
    main_set = frozenset.intersection(*(dominators[e] for e in ends))
    main = [n for n in in_order if n in main_set]
    reaches = _reachability(nodes, in_order)
    assigned: dict[str, int] = {}
    groups: list[list[str]] = []
    current: list[str] = []
    for index, node_id in enumerate(main):
        following = main[index + 1] if index + 1 < len(main) else None
        region = [
            n
            for n in in_order
            if following is not None
            and n not in main_set
            and n in reaches[node_id]
            and following in reaches[n]
        ]
        if region:
            if current:
                groups.append(current)
            groups.append([node_id, *region])
            current = []
        else:
            current.append(node_id)
    if current:
        groups.append(current)
    for number, group in enumerate(groups):
        for node_id in group:
            assigned[node_id] = number
    for node_id in in_order:
        if node_id not in assigned:
            owners = [assigned[p] for p in predecessors[node_id] if p in assigned]
            if owners:
                assigned[node_id] = owners[0]
                groups[owners[0]].append(node_id)
    if len(groups) < 2:
        return []
    order = {n: i for i, n in enumerate(ordered)}
    return [sorted(group, key=order.__getitem__) for group in groups]


def topological(nodes: Mapping[str, JSON], start: str, ordered: list[str]) -> list[str]:
    """Nodes reachable from the start, every node after all its predecessors."""
    seen: set[str] = set()
    finished: list[str] = []
    stack: list[tuple[str, int]] = [(start, 0)] if start in nodes else []
    while stack:
        node_id, index = stack.pop()
        if index == 0:
            if node_id in seen:
                continue
            seen.add(node_id)
        targets = [t for _, t in successors(nodes[node_id]) if t in nodes]
        if index < len(targets):
            stack.append((node_id, index + 1))
            if targets[index] not in seen:
                stack.append((targets[index], 0))
        else:
            finished.append(node_id)
    return list(reversed(finished))


def _reachability(nodes: Mapping[str, JSON], order: list[str]) -> dict[str, set[str]]:
    reaches: dict[str, set[str]] = {}
    for node_id in reversed(order):
        found = {node_id}
        for _, target in successors(nodes[node_id]):
            found |= reaches.get(target, set())
        reaches[node_id] = found
    return reaches


# -- the DOT text ------------------------------------------------------------------


def dot_attributes(pairs: Sequence[tuple[str, str]]) -> str:
    """DOT attributes; values are either HTML labels (``<...>``, built from escaped
    text) or fixed words and colours from this module, quoted."""
    rendered = []
    for key, value in pairs:
        if value.startswith("<") and value.endswith(">"):
            rendered.append(f"{key}={value}")
        else:
            rendered.append(f'{key}="{value}"')
    return "[" + " ".join(rendered) + "]"


class Chart:
    """The chart's pieces. ``paper``: the printed pages' variant (compiler/backends/
    print_pages.py), where a step's notes are rows under its items, not a note beside."""

    def __init__(
        self, graph: Graph, direction: str, highlight: Highlight | None, *, paper: bool = False
    ) -> None:
        self.graph = graph
        self.direction = direction
        self.highlight = highlight
        self.paper = paper
        self.footnotes = Footnotes()
        self.lines: list[str] = []

    def taken_node(self, node_id: str) -> bool:
        return self.highlight is not None and node_id in self.highlight.nodes

    def taken_edge(self, edge_id: str) -> bool:
        return self.highlight is not None and edge_id in self.highlight.edges

    def node_style(self, node_id: str, element_id: str) -> list[tuple[str, str]]:
        pairs = [("id", f"node:{element_id}")]
        if self.highlight is None:
            return pairs
        if self.taken_node(node_id):
            return [*pairs, ("class", "taken"), ("penwidth", "4"), ("color", PALETTE.taken)]
        return [*pairs, ("class", "not-taken")]

    def edge_style(self, edge_id: str) -> list[tuple[str, str]]:
        pairs = [("id", f"edge:{identifier(edge_id)}")]
        if self.highlight is None:
            return pairs
        if self.taken_edge(edge_id):
            return [*pairs, ("class", "taken"), ("penwidth", "4"), ("color", PALETTE.taken)]
        return [*pairs, ("class", "not-taken"), ("color", "#B3B3B3")]

    def given(self) -> frozenset[str] | None:
        return self.highlight.given if self.highlight is not None else None

    def node_lines(self, node_id: str, node: JSON, indent: str) -> list[str]:
        dot_id = identifier(node_id)
        kind = node.get("kind")
        citations = node.get("citations") or []
        out: list[str] = []
        if kind == "decision":
            notes = self.footnotes.markers(node.get("notes") or [])
            label = labels.decision_label(str(node.get("question") or node_id), citations, notes)
            pairs = [
                ("shape", "diamond"),
                ("style", "filled"),
                ("fillcolor", PALETTE.decision_fill),
                ("color", PALETTE.decision_line),
                ("margin", "0.02"),
                ("label", f"<{label}>"),
            ]
        elif kind == "action":
            label = labels.action_label(
                self.graph,
                node,
                self.footnotes,
                self.given(),
                taken=self.taken_node(node_id),
                column_break=labels.PAPER_COLUMN_BREAK if self.paper else labels.COLUMN_BREAK,
                notes_inside=self.paper,
                width=labels.PAPER_WIDE if self.paper else labels.WIDE,
                max_lines=labels.PAPER_MAX_LINES if self.paper else None,
            )
            pairs = [("shape", "plain"), ("label", f"<{label}>")]
        else:
            status = str(node.get("status"))
            notes = self.footnotes.markers(node.get("notes") or [])
            label = labels.terminal_label(status, node.get("message"), citations, notes)
            fill = {
                "ok": PALETTE.ok_fill,
                "not_applicable": PALETTE.not_applicable_fill,
                "insufficient_data": PALETTE.insufficient_fill,
            }.get(status, PALETTE.not_applicable_fill)
            style = "rounded,filled,dashed" if status != "ok" else "rounded,filled"
            pairs = [("shape", "box"), ("style", style), ("fillcolor", fill), ("label", f"<{label}>")]
            if status == "insufficient_data":
                pairs.append(("color", PALETTE.insufficient_line))
        out.append(f'{indent}"{dot_id}" {dot_attributes([*pairs, *self.node_style(node_id, dot_id)])};')
        if kind == "action" and labels.has_notes_items(node) and not self.paper:
            note_id = f"{dot_id}:notes"
            note = labels.notes_label(self.graph, node, self.footnotes, self.given())
            note_pairs = [
                ("shape", "note"),
                ("style", "filled"),
                ("fillcolor", PALETTE.note_fill),
                ("color", PALETTE.note_line),
                ("label", f"<{note}>"),
                ("id", f"note:{dot_id}"),
            ]
            out.append(f'{indent}"{note_id}" {dot_attributes(note_pairs)};')
            out.append(
                f'{indent}"{dot_id}" -> "{note_id}" '
                f'[style="dashed" arrowhead="none" color="{PALETTE.note_line}" id="note-link:{dot_id}"];'
            )
            out.append(f'{indent}{{rank="same"; "{dot_id}"; "{note_id}";}}')
        return out

    def edge_lines(
        self, node_id: str, node: JSON, head: Callable[[str, str], str] | None = None
    ) -> list[str]:
        """The edges leaving a node; ``head(edge id, target)`` names the DOT node an
        edge is drawn to (on paper, an off-page connector), by default the target."""
        out: list[str] = []
        source = identifier(node_id)
        if head is None:

            def head(edge_id: str, target: str) -> str:
                return identifier(target)

        if node.get("kind") == "decision":
            branches = node.get("branches") or []
            guarded = [b for b in branches if b.get("guard") is not None]
            numbered = not node.get("exclusive") and len(guarded) >= 2
            ordinal = 0
            for branch in branches:
                ordinal_shown = None
                if numbered and branch.get("guard") is not None:
                    ordinal += 1
                    ordinal_shown = ordinal
                notes = self.footnotes.markers(branch.get("notes") or [])
                label = labels.edge_label(self.graph, branch, ordinal_shown, notes)
                pairs = [("label", f"<{label}>"), *self.edge_style(str(branch.get("id")))]
                target = head(str(branch.get("id")), str(branch.get("target")))
                out.append(f'  "{source}" -> "{target}" {dot_attributes(pairs)};')
        elif node.get("kind") == "action" and node.get("next"):
            edge = node["next"]
            pairs = self.edge_style(str(edge.get("id")))
            target = head(str(edge.get("id")), str(edge.get("target")))
            out.append(f'  "{source}" -> "{target}" {dot_attributes(pairs)};')
        return out

    def preamble(self, name: str) -> list[str]:
        """The header comment, ``digraph NAME {`` and the graph, node and edge defaults."""
        guideline = self.graph.get("guideline") or {}
        font = labels.FONT
        return [
            f"// Generated by `fibrolang graph` from guideline {escape(str(guideline.get('id')))} "
            f"version {escape(str(guideline.get('version')))}; do not edit.",
            f"// Content hash: {escape(str(guideline.get('content_hash')))}",
            f"digraph {name} {{",
            f'  graph [rankdir="{self.direction}" fontname="{font}" fontsize="{labels.BASE_SIZE}" '
            f'nodesep="{0.25 if self.paper else 0.3}" ranksep="0.45" newrank="true" labelloc="t" '
            f'labeljust="c" pad="{0.1 if self.paper else 0.3}" bgcolor="white" id="{name}"];',
            f'  node [fontname="{font}" fontsize="{labels.BASE_SIZE}" fontcolor="{PALETTE.ink}" '
            f'color="{PALETTE.ink}" penwidth="1.2"];',
            f'  edge [fontname="{font}" fontsize="{labels.SMALL + 1}" color="{PALETTE.ink}" '
            f'fontcolor="{PALETTE.ink}" arrowsize="0.8"];',
        ]

    def start_line(self, indent: str = "    ") -> str:
        pairs = [
            ("shape", "oval"),
            ("style", "filled"),
            ("fillcolor", PALETTE.step_header),
            ("label", f"<{labels.start_label(self.graph)}>"),
            *self.node_style("start", START),
        ]
        return f'{indent}"{START}" {dot_attributes(pairs)};'

    def start_edge(self, head: str | None = None) -> str:
        target = head if head is not None else identifier(str(self.graph.get("start")))
        return f'  "{START}" -> "{target}" {dot_attributes(self.edge_style("start"))};'

    def render(self) -> str:
        graph = self.graph
        ordered = nodes_in_source_order(graph)
        self.lines = [
            *self.preamble("flowchart"),
            f"  label=<{labels.title_block(graph)}>;",
        ]
        node_lines: dict[str, list[str]] = {}
        edges = [self.start_edge()]
        for node_id, node in ordered:  # notes are numbered in this order: each node, then its branches
            node_lines[node_id] = self.node_lines(node_id, node, "    ")
            edges.extend(self.edge_lines(node_id, node))
        body = [self.start_line()]
        groups = stages(graph)
        placed: set[str] = set()
        for number, group in enumerate(groups, 1):
            body.append(f'    subgraph "cluster_stage_{number}" {{')
            body.append(
                f"      label=<{styled(escape(f'Stage {number} of {len(groups)}'), bold=True)}>; "
                f'labeljust="l"; labelloc="t"; style="rounded,dashed"; pencolor="{PALETTE.cluster_line}";'
            )
            for node_id in group:
                body.extend("  " + line for line in node_lines[node_id])
                placed.add(node_id)
            body.append("    }")
        for node_id, _ in ordered:
            if node_id not in placed:
                body.extend(node_lines[node_id])
        body.extend(table_nodes(graph))  # lookup tables beside the pathway (none: nothing)
        key = self.key()
        self.lines.append('  subgraph "cluster_chart" {')
        self.lines.append(f'    label=<{key}>; labelloc="b"; labeljust="l"; pencolor="transparent";')
        self.lines.extend(body)
        self.lines.append("  }")
        self.lines.extend(edges)
        self.lines.append("}")
        return "\n".join(self.lines) + "\n"

    def key(self) -> str:
        """Legend, references and numbered notes, under the chart."""
        guideline = self.graph.get("guideline") or {}
        citations = guideline.get("citations") or {}
        references = [
            (f"[{number}]", str(citations[number]))
            for number in sorted(citations, key=lambda n: (int(n) if str(n).isdigit() else 0, str(n)))
        ]
        notes = [(str(i), text) for i, text in enumerate(self.footnotes.texts, 1)]
        return labels.key_table(references, notes)


def render_dot(graph: Graph, *, direction: str = "TB", highlight: Trace | None = None) -> str:
    """The flowchart of a decision graph as DOT text (``direction``: ``TB`` or ``LR``;
    ``highlight``: a runtime trace whose nodes and edges are drawn as taken)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    return Chart(graph, direction, highlight_of(graph, highlight)).render()
