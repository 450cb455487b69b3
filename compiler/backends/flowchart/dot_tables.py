"""The lookup tables of a guideline on its flowchart: one grid per table, as written.

A definition or output written with ``table by ...`` carries the table for
display in the graph (``tables``, compiler/lower_tables.py); each is drawn as
a Graphviz HTML-like table beside the pathway: the output's label, the keys,
when the output is not set (an output that may be unset), the header row of
column keys (two keys), a row per heading, ``otherwise``.
Every string goes through ``dot_text.escape``.
"""

from __future__ import annotations

from collections.abc import Sequence

from compiler.backends.flowchart import chart_facts
from compiler.backends.flowchart.dot_labels import PALETTE, SMALL
from compiler.backends.flowchart.dot_text import escape, styled, text_markup
from fibrolang.graph import Definition, Graph, TableDisplay

UNSET_WIDTH = 48  # characters per line of the words saying when the output is not set


def table_ids(graph: Graph) -> list[str]:
    """The id of every table's node, in source order."""
    return [
        table_id(definition, index)
        for definition in graph.definitions
        for index, _table in enumerate(definition.tables, 1)
    ]


def table_id(definition: Definition, index: int) -> str:
    return f"(table {definition.name} {index})"  # parentheses never occur in a name


def table_nodes(graph: Graph, indent: str = "    ", only: Sequence[str] | None = None) -> list[str]:
    """The DOT lines of a cluster with every lookup table (``only``: those of these ids, for
    a printed page), or none when there is none."""
    nodes = []
    for definition in graph.definitions:
        for index, table in enumerate(definition.tables, 1):
            node_id = table_id(definition, index)
            if only is not None and node_id not in only:
                continue
            label = table_label(definition, table, chart_facts.unset_words(graph, definition))
            nodes.append(f'{indent}  "{escape(node_id)}" [shape="plaintext" margin="0" label=<{label}>];')
    if not nodes:
        return []
    return side_box("tables", "Lookup tables", nodes, indent)


def side_box(name: str, title: str, nodes: Sequence[str], indent: str) -> list[str]:
    """The DOT lines of a dashed, titled cluster beside the pathway (``cluster_<name>``)
    holding ``nodes``: the lookup tables, the formulas of computed values."""
    heading = styled(escape(title), bold=True)
    return [
        f'{indent}subgraph "cluster_{name}" {{',
        f'{indent}  label=<{heading}>; labeljust="l"; labelloc="t"; style="rounded,dashed"; '
        f'pencolor="{PALETTE.cluster_line}";',
        *nodes,
        f"{indent}}}",
    ]


def table_label(definition: Definition, table: TableDisplay, unset: str | None = None) -> str:
    """The grid; ``unset``: when the output has no value (``chart_facts.unset_words``)."""
    columns: Sequence[str] = table.columns
    width = 1 + max(1, len(columns))
    name = definition.name
    label = definition.label
    kind = "output" if definition.output else "definition"
    title = f"{label} ({kind} {name})" if label else f"{kind} {name}"
    rows = [
        _row([_cell(styled(escape(title), bold=True), fill=PALETTE.step_header, colspan=width)]),
        _row([_cell(_small(f"by {table.by}"), colspan=width)]),
    ]
    if unset is not None:
        words = text_markup(unset[:1].upper() + unset[1:], UNSET_WIDTH, size=SMALL)
        rows.append(_row([_cell(words, colspan=width)]))
    if columns:
        rows.append(_row([_cell(""), *(_cell(styled(escape(str(c)), bold=True)) for c in columns)]))
    for row in table.rows:
        heading = _cell(styled(escape(row.heading), bold=True))
        rows.append(_row([heading, *(_cell(escape(value)) for value in row.cells)]))
    otherwise = table.otherwise
    if otherwise is not None:
        rows.append(_row([_cell(_small("otherwise")), _cell(escape(str(otherwise)), colspan=width - 1)]))
    return '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">' + "".join(rows) + "</TABLE>"


def _row(cells: Sequence[str]) -> str:
    return "<TR>" + "".join(cells) + "</TR>"


def _cell(content: str, *, fill: str | None = None, colspan: int = 1) -> str:
    attributes = ['ALIGN="LEFT"', 'CELLPADDING="3"']
    if fill:
        attributes.append(f'BGCOLOR="{fill}"')
    if colspan > 1:
        attributes.append(f'COLSPAN="{colspan}"')
    return f"<TD {' '.join(attributes)}>{content}</TD>"


def _small(text: str) -> str:
    return f'<FONT POINT-SIZE="{SMALL}">{escape(text)}</FONT>'
