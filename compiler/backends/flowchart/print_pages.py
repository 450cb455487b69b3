"""The printed flowchart, page by page: which nodes go on which page, and each page's DOT.

A committee prints the chart on A4 or Letter and signs it, so the one-page
chart (dot.py) is cut into pages that are each legible at 100%:

* page 1 is the cover: the title block with a sign-off table, the legend, the
  references and an overview with one box per following page, grouped by
  stage, and an arrow wherever the pathway goes from one page to another;
* then the stages (``dot.stages``) in order, one page each when the stage fits
  at the smallest scale the paper allows (``fits``, decided by the caller by
  rendering the candidate page), otherwise cut along its decision subtrees:
  within a stage every node hangs under its immediate dominator, and a subtree
  that does not fit with its parent goes to pages of its own, recursively;
* an edge between two pages ends on its source page at an off-page connector
  ("continues on page 4: Stage 3 - Safety checks ...") and starts on its
  target page at another ("from page 3: Does a first-line agent continue?
  -> Yes"), so a reader can follow every path across the pages;
* the notes a page refers to are printed under its drawing, with the chart's
  global numbers;
* the lookup tables come last, drawn as on the one-page chart, as many on a
  page as fit (the cover's overview lists them, and its key has the same
  sections about the data as the one-page chart's: assumed facts, ordinal
  scores, outputs not set for some patients);
* then one page saying how each computed value is computed (``dot_formulas``), when the
  guideline has any.

The page furniture (header, footer, page n of N) is added by ``print_pdf``.
Everything here is a pure function of the graph and ``fits``: node order is
source order, pages are numbered in reading order, no set is iterated unsorted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from compiler.backends.flowchart import chart_facts
from compiler.backends.flowchart import dot_labels as labels
from compiler.backends.flowchart.dot import (
    START,
    Chart,
    Trace,
    citation_rows,
    dot_attributes,
    highlight_of,
    nodes_in_source_order,
    stages,
    successors,
    topological,
)
from compiler.backends.flowchart.dot_formulas import FORMULAS_ID, computed, formula_nodes
from compiler.backends.flowchart.dot_labels import PALETTE
from compiler.backends.flowchart.dot_tables import table_id, table_ids, table_nodes
from compiler.backends.flowchart.dot_text import escape, identifier, styled, text_markup
from compiler.backends.flowchart.plain_words import name_words
from fibrolang import graph_order
from fibrolang.graph import ActionNode, DecisionNode, Graph, Node, TerminalNode

CONNECTOR_WIDTH = 24  # characters per line in an off-page connector
NOTES_WIDTH = 84  # characters per line in the notes under a page
OVERVIEW_WIDTH = 56
PLACEHOLDER_PAGE = 99  # page numbers as wide as the real ones, while pages are planned

Fits = Callable[[str], bool]
TABLES = -1  # the ``stage`` of a page of lookup tables, after the stages
FORMULAS = -2  # the ``stage`` of the page saying how computed values are computed, last
PRINTED_FORMULA_WIDTH = 60  # characters of formula per line, legible on A4 and Letter
PAGE_GROUPS = {TABLES: "Lookup tables", FORMULAS: "How the values are computed"}


def _page_order(stage: int) -> tuple[bool, int]:
    """The stages in order, then the tables, then the formulas."""
    return (stage < 0, -stage if stage < 0 else stage)


@dataclass(frozen=True)
class Page:
    """One printed page: the cover (``stage`` 0) or a part of a stage."""

    number: int
    stage: int
    stages: int
    part: int
    parts: int
    nodes: tuple[str, ...]

    @property
    def heading(self) -> str:
        if self.stage == 0:
            return "Overview, legend and references"
        words = PAGE_GROUPS.get(self.stage, f"Stage {self.stage} of {self.stages}")
        return words + (f", part {self.part} of {self.parts}" if self.parts > 1 else "")


@dataclass(frozen=True)
class Crossing:
    """An edge of the pathway (or the start arrow) whose two ends are on different pages."""

    edge: str
    source: str  # START for the start arrow
    target: str
    label: str | None


def describe(graph: Graph, node_id: str) -> str:
    """A node in a few words: the decision's question, the step's title, the outcome."""
    node = graph_order.nodes_by_id(graph).get(node_id)
    if isinstance(node, DecisionNode):
        return node.question or node_id
    if isinstance(node, ActionNode):
        return node.title or node_id
    status = str(node.status if node is not None else None)
    words = labels.TERMINAL_WORDS.get(status, name_words(status))
    return f"{words}: {node.message}" if node is not None and node.message else words


# -- planning -----------------------------------------------------------------


def stage_groups(graph: Graph) -> list[list[str]]:
    """The stages in reading order; a pathway without stages is one stage. Nodes
    the start cannot reach (a hand-edited graph) join the last stage."""
    ordered = [node_id for node_id, _ in nodes_in_source_order(graph)]
    groups = stages(graph)
    if not groups:
        reachable = topological(graph_order.nodes_by_id(graph), graph.start, ordered)
        groups = [[n for n in ordered if n in set(reachable)]] if reachable else [[]]
    placed = {n for group in groups for n in group}
    groups[-1].extend(n for n in ordered if n not in placed)
    return [group for group in groups if group]


def split_stage(graph: Graph, nodes: Sequence[str], fits: Callable[[list[str]], bool]) -> list[list[str]]:
    """The stage's nodes cut into pages along its decision subtrees (module docstring)."""
    members = list(nodes)
    if fits(members):
        return [members]
    graph_nodes = graph_order.nodes_by_id(graph)
    inside = set(members)
    position = {n: i for i, n in enumerate(members)}
    order = [n for n in topological(graph_nodes, graph.start, members) if n in inside]
    order += [n for n in members if n not in set(order)]

    def leads_to(node_id: str) -> list[str]:
        return [t for _, t in successors(graph_nodes[node_id]) if t in inside]

    dominators = graph_order.dominators(order, graph_order.predecessors(order, leads_to))
    children: dict[str, list[str]] = {n: [] for n in order}
    roots: list[str] = []
    for node_id in order:
        above = sorted(dominators[node_id] - {node_id}, key=lambda d: (-len(dominators[d]), position[d]))
        (children[above[0]] if above else roots).append(node_id)
    for kids in children.values():
        kids.sort(key=position.__getitem__)
    roots.sort(key=position.__getitem__)

    def subtree(node_id: str) -> list[str]:
        out, stack = [], [node_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(children[current]))
        return out

    def pack(node_id: str) -> list[list[str]]:
        whole = subtree(node_id)
        if fits(whole):
            return [whole]
        page, rest = [node_id], []
        for child in children[node_id]:
            below = subtree(child)
            if fits(page + below):
                page += below
            else:
                rest.extend(pack(child))
        if len(page) == 1 and rest and fits(page + rest[0]):
            return [page + rest[0], *rest[1:]]
        return [page, *rest]

    pages: list[list[str]] = []
    current: list[str] = []
    for root in roots:
        below = subtree(root)
        if fits(current + below):
            current += below
            continue
        if current:
            pages.append(current)
        *done, current = pack(root)
        pages.extend(done)
    if current:
        pages.append(current)
    merged: list[list[str]] = []  # then small neighbours share a page
    for page in pages:
        if merged and fits(merged[-1] + page):
            merged[-1] = merged[-1] + page
        else:
            merged.append(page)
    return [sorted(page, key=position.__getitem__) for page in merged]


# -- the DOT of a page ----------------------------------------------------------


class PrintedChart:
    """The chart's pieces on paper, with the guideline's notes numbered as on the
    one-page chart."""

    def __init__(self, graph: Graph, direction: str, highlight: Trace | None) -> None:
        self.graph = graph
        self.chart = Chart(graph, direction, highlight_of(graph, highlight), paper=True)
        self.ordered = nodes_in_source_order(graph)
        for node_id, node in self.ordered:  # number the notes in the one-page chart's order
            self.chart.node_lines(node_id, node, "")
            self.chart.edge_lines(node_id, node)
        self.node_of: Mapping[str, Node] = dict(self.ordered)
        self.crossings_of = self._edges()
        self.table_titles = {
            table_id(definition, index): definition.label or definition.name
            for definition in graph.definitions
            for index, _table in enumerate(definition.tables, 1)
        }

    def _edges(self) -> list[Crossing]:
        edges = [Crossing("start", START, self.graph.start, None)]
        for node_id, node in self.ordered:
            branches = {b.id: b.label for b in node.branches} if isinstance(node, DecisionNode) else {}
            for edge_id, target in successors(node):
                edges.append(Crossing(edge_id, node_id, target, branches.get(edge_id)))
        return [e for e in edges if e.target in self.node_of]

    def stage_page(self, page: Page, page_of: Callable[[str], Page]) -> str:
        """The DOT of a stage page; ``page_of`` places every node of the graph."""
        chart = self.chart
        members = set(page.nodes)
        chart.footnotes.clear_used()
        body: list[str] = []
        if START in members or self.graph.start in members:
            body.append(chart.start_line("  "))
        for node_id, node in self.ordered:
            if node_id in members:
                body.extend(chart.node_lines(node_id, node, "  "))
        outgoing: dict[str, list[Crossing]] = {}
        incoming: dict[str, list[Crossing]] = {}
        for crossing in self.crossings_of:
            source_here = crossing.source in members or (
                crossing.source == START and self.graph.start in members
            )
            if crossing.source == START:
                continue  # the start oval is always drawn with the start node
            target_here = crossing.target in members
            if source_here and not target_here:
                outgoing.setdefault(crossing.target, []).append(crossing)
            elif target_here and not source_here:
                incoming.setdefault(crossing.target, []).append(crossing)
        edges: list[str] = []
        if any(c.source == START for c in self.crossings_of) and self.graph.start in members:
            edges.append(chart.start_edge())
        for index, target in enumerate(sorted(incoming, key=self._position), 1):
            crossings = incoming[target]
            connector = f"from:{index}"
            label = self.from_label(crossings, page_of)
            body.append(f'  "{connector}" {dot_attributes(self.connector_pairs(label, connector))};')
            taken = any(chart.taken_edge(c.edge) for c in crossings)
            style = [("id", f"from-link:{index}")]
            if chart.highlight is not None:
                style += [("penwidth", "4"), ("color", PALETTE.taken)] if taken else [("color", "#B3B3B3")]
            edges.append(f'  "{connector}" -> "{identifier(target)}" {dot_attributes(style)};')
        heads: dict[str, str] = {}
        for index, target in enumerate(sorted(outgoing, key=self._position), 1):
            connector = f"to:{index}"
            heads[target] = connector
            label = self.to_label(page_of(target), target)
            body.append(f'  "{connector}" {dot_attributes(self.connector_pairs(label, connector))};')

        def head(edge_id: str, target: str) -> str:
            return heads.get(target, identifier(target))

        for node_id, node in self.ordered:
            if node_id in members:
                edges.extend(chart.edge_lines(node_id, node, head))
        lines = chart.preamble("page")
        notes = self.notes_table(sorted(chart.footnotes.used))
        if notes:
            lines.append(f'  label=<{notes}>; labelloc="b"; labeljust="l";')
        return "\n".join([*lines, *body, *edges, "}"]) + "\n"

    def _position(self, node_id: str) -> int:
        return [n for n, _ in self.ordered].index(node_id)

    def connector_pairs(self, label: str, connector: str) -> list[tuple[str, str]]:
        return [
            ("shape", "cds"),  # the off-page connector: a tag pointing on
            ("style", "filled"),
            ("fillcolor", PALETTE.not_applicable_fill),
            ("color", PALETTE.muted),
            ("margin", "0.15,0.12"),  # room for the text inside the tag
            ("label", f"<{label}>"),
            ("id", f"connector:{connector}"),
        ]

    def to_label(self, page: Page, target: str) -> str:
        head = styled(escape(f"continues on page {page.number} ▸"), bold=True)
        words = f"Stage {page.stage}: {describe(self.graph, target)}"
        return head + "<BR/>" + text_markup(words, CONNECTOR_WIDTH, size=labels.SMALL, align="CENTER")

    def from_label(self, crossings: Sequence[Crossing], page_of: Callable[[str], Page]) -> str:
        """Where the paths into a node come from: one line per source page and node,
        with the branch labels taken."""
        sources: dict[tuple[int, str], list[str]] = {}
        for crossing in crossings:
            branches = sources.setdefault((page_of(crossing.source).number, crossing.source), [])
            if crossing.label and crossing.label not in branches:
                branches.append(crossing.label)
        pages = sorted({number for number, _ in sources})
        head = "from page" + ("s " if len(pages) > 1 else " ") + ", ".join(str(n) for n in pages)
        parts = [styled(escape(f"◂ {head}"), bold=True)]
        for (number, source), branches in sorted(
            sources.items(), key=lambda s: (s[0][0], self._position(s[0][1]))
        ):
            words = f"p. {number}: {describe(self.graph, source)}"
            if branches:
                words += " → " + " / ".join(branches)
            parts.append(text_markup(words, CONNECTOR_WIDTH, size=labels.SMALL, align="CENTER"))
        return "<BR/>".join(parts)

    def notes_table(self, numbers: Sequence[int]) -> str:
        if not numbers:
            return ""
        texts = self.chart.footnotes.texts
        rows = [
            f'<TR><TD ALIGN="LEFT" COLSPAN="2">{styled(escape("Notes on this page"), bold=True)}</TD></TR>'
        ]
        for number in numbers:
            rows.append(
                '<TR><TD ALIGN="LEFT" VALIGN="TOP">'
                + text_markup(str(number), 4, bold=True, size=labels.SMALL)
                + '</TD><TD ALIGN="LEFT" BALIGN="LEFT">'
                + text_markup(texts[number - 1], NOTES_WIDTH, size=labels.SMALL)
                + "</TD></TR>"
            )
        return (
            '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>"
        )

    def cover_page(self, pages: Sequence[Page], page_of: Callable[[str], Page]) -> str:
        """Title block and sign-off, legend and references, and the overview of the pages."""
        chart = self.chart
        lines = chart.preamble("cover")
        lines.append('  graph [ranksep="0.3"];')
        lines.append(f"  label=<{labels.title_block(self.graph, sign_off=True)}>;")
        references = citation_rows(self.graph)
        key = labels.key_table(references, [], paper=True, data=key_data(self.graph))
        lines.append('  subgraph "cluster_cover" {')
        lines.append(f'    label=<{key}>; labelloc="b"; labeljust="l"; pencolor="transparent";')
        for stage in sorted({p.stage for p in pages}, key=_page_order):
            rows = "".join(self.overview_row(page) for page in pages if page.stage == stage)
            words = PAGE_GROUPS.get(stage, f"Stage {stage} of {pages[0].stages}")
            title = styled(escape(words), bold=True)
            label = (
                f'<TABLE BORDER="1" COLOR="{PALETTE.cluster_line}" CELLBORDER="0" CELLSPACING="0" '
                f'CELLPADDING="2" STYLE="rounded"><TR><TD COLSPAN="2" ALIGN="LEFT">{title}</TD></TR>'
                f"{rows}</TABLE>"
            )
            lines.append(f'    "stage:{stage}" [shape="plain" label=<{label}> id="overview:stage:{stage}"];')
        lines.append("  }")
        links: list[tuple[int, int]] = []
        for crossing in self.crossings_of:
            if crossing.source == START:
                continue
            link = (page_of(crossing.source).stage, page_of(crossing.target).stage)
            if link[0] != link[1] and link not in links:
                links.append(link)
        for source, target in sorted(links):
            lines.append(f'  "stage:{source}" -> "stage:{target}" [id="overview:{source}-{target}"];')
        return "\n".join([*lines, "}"]) + "\n"

    def tables_page(self, page: Page) -> str:
        """The DOT of a page of lookup tables, drawn as on the one-page chart."""
        lines = self.chart.preamble("page")
        lines.append('  graph [rankdir="LR"];')  # tables without edges: one under another
        return "\n".join([*lines, *table_nodes(self.graph, "  ", page.nodes), "}"]) + "\n"

    def formulas_page(self) -> str:
        """The DOT of the page saying how each computed value is computed, as on the
        one-page chart (``dot_formulas``)."""
        lines = self.chart.preamble("page")
        return "\n".join([*lines, *formula_nodes(self.graph, "  ", PRINTED_FORMULA_WIDTH), "}"]) + "\n"

    def overview_row(self, page: Page) -> str:
        """A page in the overview: its number and what it decides or recommends."""
        if page.stage == FORMULAS:
            words = ", ".join(d.label or d.name for d in computed(self.graph))
        elif page.stage == TABLES:
            titles = [self.table_titles.get(n, n) for n in page.nodes]
            words = ", ".join(titles)
        else:
            shown = [n for n in page.nodes if not isinstance(self.node_of[n], TerminalNode)] or list(
                page.nodes
            )
            words = describe(self.graph, shown[0])
            if len(shown) > 1:
                words += f" (and {len(shown) - 1} more)"
        number = styled(escape(f"p. {page.number}"), bold=True, size=labels.SMALL)
        return (
            f'<TR><TD ALIGN="LEFT" VALIGN="TOP">{number}</TD><TD ALIGN="LEFT" BALIGN="LEFT">'
            f"{text_markup(words, OVERVIEW_WIDTH, size=labels.SMALL)}</TD></TR>"
        )


def plan(graph: Graph, printed: PrintedChart, fits: Fits) -> list[Page]:
    """Every page of the printed chart, the cover first; ``fits(dot)`` says whether a
    candidate page's DOT is legible on the paper."""
    groups = stage_groups(graph)
    stage_of = {n: number for number, group in enumerate(groups, 1) for n in group}

    position = {node_id: index for index, (node_id, _) in enumerate(printed.ordered)}

    def placeholder(node_id: str) -> Page:
        """While pages are planned, every other node is on a page of its own with a
        two-digit number, so a connector is never drawn narrower than it will be."""
        number = PLACEHOLDER_PAGE - position.get(node_id, 0) % 90
        return Page(number, stage_of.get(node_id, 1), len(groups), 1, 1, (node_id,))

    cuts: list[list[list[str]]] = []
    for number, group in enumerate(groups, 1):

        def candidate_fits(nodes: list[str], number: int = number) -> bool:
            page = Page(PLACEHOLDER_PAGE + 1, number, len(groups), 1, 1, tuple(nodes))
            return fits(printed.stage_page(page, placeholder))

        cuts.append(split_stage(graph, group, candidate_fits))
    pages: list[Page] = []
    for number, parts in enumerate(cuts, 1):
        for part, nodes in enumerate(parts, 1):
            pages.append(Page(len(pages) + 2, number, len(groups), part, len(parts), tuple(nodes)))
    pages += table_pages(graph, printed, fits, len(pages) + 2, len(groups))
    if computed(graph):
        pages.append(Page(len(pages) + 2, FORMULAS, len(groups), 1, 1, (FORMULAS_ID,)))
    cover = Page(1, 0, len(groups), 1, 1, ())
    return [cover, *pages]


def table_pages(graph: Graph, printed: PrintedChart, fits: Fits, first: int, stages: int) -> list[Page]:
    """The lookup tables after the stages, as many on a page as fit, in source order (a table
    too big for a page even alone gets a page of its own, printed smaller)."""
    parts: list[list[str]] = []
    for table in table_ids(graph):
        if parts:
            candidate = Page(PLACEHOLDER_PAGE, TABLES, stages, 1, 1, (*parts[-1], table))
            if fits(printed.tables_page(candidate)):
                parts[-1].append(table)
                continue
        parts.append([table])
    return [
        Page(first + index, TABLES, stages, index + 1, len(parts), tuple(nodes))
        for index, nodes in enumerate(parts)
    ]


def key_data(graph: Graph) -> tuple[tuple[str, list[tuple[str, str]]], ...]:
    """The key's sections about the data, as on the one-page chart (``dot.Chart.key``)."""
    return (
        ("Assumed when not recorded", chart_facts.assumed_rows(graph)),
        ("Scores: bands and points", chart_facts.ordinal_rows(graph)),
        ("Outputs not set for some patients", chart_facts.unset_rows(graph)),
    )


def page_dots(graph: Graph, pages: Sequence[Page], printed: PrintedChart) -> list[str]:
    """The DOT of every page, in page order."""
    where = {n: page for page in pages for n in page.nodes}

    def page_of(node_id: str) -> Page:
        return where[node_id]

    def dot(page: Page) -> str:
        if page.stage == 0:
            return printed.cover_page(pages[1:], page_of)
        if page.stage == TABLES:
            return printed.tables_page(page)
        if page.stage == FORMULAS:
            return printed.formulas_page()
        return printed.stage_page(page, page_of)

    return [dot(page) for page in pages]
