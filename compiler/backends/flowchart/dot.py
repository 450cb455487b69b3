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

from compiler.backends.flowchart import chart_facts
from compiler.backends.flowchart import dot_labels as labels
from compiler.backends.flowchart.dot_formulas import formula_nodes
from compiler.backends.flowchart.dot_labels import PALETTE, Footnotes
from compiler.backends.flowchart.dot_tables import table_nodes
from compiler.backends.flowchart.dot_text import escape, identifier, styled
from compiler.backends.flowchart.plain_words import as_graph
from fibrolang import graph_order
from fibrolang.graph import ActionNode, DecisionNode, Graph, Node, TerminalNode

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
    by_id = graph_order.nodes_by_id(graph)
    for node_id in trace.nodes:
        node = by_id.get(node_id)
        for item in node.items if isinstance(node, ActionNode) else ():
            if item.guard is None or decided.get(item.id) is True:
                given.add(item.id)
    return Highlight(nodes, frozenset(trace.edges), frozenset(given))


def nodes_in_source_order(graph: Graph) -> list[tuple[str, Node]]:
    """The pathway's nodes in the order the guideline wrote them (``graph_order.in_source_order``)."""
    return [(node.id, node) for node in graph_order.in_source_order(graph)]


def successors(node: Node) -> list[tuple[str, str]]:
    """(edge id, target) pairs leaving a node, in branch order."""
    return [(edge.id, edge.target) for edge in graph_order.successors(node)]


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
    nodes = graph_order.nodes_by_id(graph)
    start = graph.start
    in_order = topological(nodes, start, ordered)
    if not in_order:
        return []
    leads_to = _following(nodes)
    predecessors = graph_order.predecessors(in_order, leads_to)
    dominators = graph_order.dominators(in_order, predecessors)
    ends = [n for n in in_order if _is_ok_end(nodes[n])]
    if not ends:
        return []
    main_set = frozenset.intersection(*(dominators[e] for e in ends))
    main = [n for n in in_order if n in main_set]
    reaches = graph_order.reachability(in_order, leads_to)
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
    position = {n: i for i, n in enumerate(ordered)}
    return [sorted(group, key=position.__getitem__) for group in groups]


def _is_ok_end(node: Node) -> bool:
    return isinstance(node, TerminalNode) and node.status == "ok"


def _following(nodes: Mapping[str, Node]) -> graph_order.Following:
    """The ids a node leads to (fibrolang.graph_order), those not in ``nodes`` left out."""
    return graph_order.following_in(nodes)


def topological(nodes: Mapping[str, Node], start: str, ordered: list[str]) -> list[str]:
    """Nodes reachable from the start, every node after all its predecessors."""
    return graph_order.depth_first_order(start, _following(nodes)) if start in nodes else []


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

    def node_lines(self, node_id: str, node: Node, indent: str) -> list[str]:
        dot_id = identifier(node_id)
        citations = node.trace.citations
        out: list[str] = []
        if isinstance(node, DecisionNode):
            notes = self.footnotes.markers(node.trace.notes)
            label = labels.decision_label(node.question or node_id, citations, notes)
            pairs = [
                ("shape", "diamond"),
                ("style", "filled"),
                ("fillcolor", PALETTE.decision_fill),
                ("color", PALETTE.decision_line),
                ("margin", "0.02"),
                ("label", f"<{label}>"),
            ]
        elif isinstance(node, ActionNode):
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
            status = node.status
            notes = self.footnotes.markers(node.trace.notes)
            label = labels.terminal_label(status, node.message, citations, notes)
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
        if isinstance(node, ActionNode) and labels.has_notes_items(node) and not self.paper:
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
        self, node_id: str, node: Node, head: Callable[[str, str], str] | None = None
    ) -> list[str]:
        """The edges leaving a node; ``head(edge id, target)`` names the DOT node an
        edge is drawn to (on paper, an off-page connector), by default the target."""
        out: list[str] = []
        source = identifier(node_id)
        if head is None:

            def head(edge_id: str, target: str) -> str:
                return identifier(target)

        if isinstance(node, DecisionNode):
            branches = node.branches
            guarded = [b for b in branches if b.guard is not None]
            numbered = not node.exclusive and len(guarded) >= 2
            ordinal = 0
            for branch in branches:
                ordinal_shown = None
                if numbered and branch.guard is not None:
                    ordinal += 1
                    ordinal_shown = ordinal
                notes = self.footnotes.markers(branch.trace.notes)
                label = labels.edge_label(self.graph, branch, ordinal_shown, notes)
                pairs = [("label", f"<{label}>"), *self.edge_style(branch.id)]
                target = head(branch.id, branch.target)
                out.append(f'  "{source}" -> "{target}" {dot_attributes(pairs)};')
        elif isinstance(node, ActionNode):
            edge = node.next
            pairs = self.edge_style(edge.id)
            target = head(edge.id, edge.target)
            out.append(f'  "{source}" -> "{target}" {dot_attributes(pairs)};')
        return out

    def preamble(self, name: str) -> list[str]:
        """The header comment, ``digraph NAME {`` and the graph, node and edge defaults."""
        guideline = self.graph.guideline
        font = labels.FONT
        return [
            f"// Generated by `fibrolang graph` from guideline {escape(guideline.id)} "
            f"version {escape(guideline.version)}; do not edit.",
            f"// Content hash: {escape(guideline.content_hash)}",
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
        target = head if head is not None else identifier(self.graph.start)
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
        body.extend(formula_nodes(graph))  # how computed values are computed (none: nothing)
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
        references = citation_rows(self.graph)
        notes = [(str(i), text) for i, text in enumerate(self.footnotes.texts, 1)]
        data = (
            ("Assumed when not recorded", chart_facts.assumed_rows(self.graph)),
            ("Scores: bands and points", chart_facts.ordinal_rows(self.graph)),
            ("Outputs not set for some patients", chart_facts.unset_rows(self.graph)),
        )
        return labels.key_table(references, notes, data=data)


def citation_rows(graph: Graph) -> list[tuple[str, str]]:
    """``([n], text)`` of every reference of the guideline, by number."""
    return [(f"[{number}]", text) for number, text in sorted(graph.guideline.citations)]


def render_dot(
    graph: Graph | Mapping[str, Any], *, direction: str = "TB", highlight: Trace | None = None
) -> str:
    """The flowchart of a decision graph (typed, or its JSON document) as DOT text
    (``direction``: ``TB`` or ``LR``; ``highlight``: a runtime trace whose nodes and
    edges are drawn as taken)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    typed = as_graph(graph)
    return Chart(typed, direction, highlight_of(typed, highlight)).render()
