"""How the guideline's computed values are computed, on its flowchart.

A branch reads "Body mass index < 18.5 kg/m²"; a committee signing the chart
must also see how the body mass index is computed. Every definition or output
whose value is computed (arithmetic, a count of conditions that hold, a sum,
whole years between dates), and is not a lookup table (``dot_tables`` draws
those), gets a row beside the pathway: its label and name, and its expression in
the flowchart's plain words (``plain_words``), conversions of units included,
since they are what executes. Every string goes through ``dot_text.escape``.
"""

from __future__ import annotations

from compiler.backends.flowchart.dot_labels import PALETTE, SMALL
from compiler.backends.flowchart.dot_tables import side_box
from compiler.backends.flowchart.dot_text import escape, lines_markup, styled, wrap
from compiler.backends.flowchart.plain_words import plain_words
from fibrolang import expressions as ex
from fibrolang.graph import Definition, Graph

COMPUTED = (ex.Arithmetic, ex.UnaryMinus, ex.Sum, ex.CountTrue, ex.Elapsed)
"""Expressions whose value is computed from others, not read or decided."""

WIDTH = 100  # characters of formula per line
FORMULAS_ID = "(formulas)"  # the DOT id of the box; parentheses never occur in a name


def computed(graph: Graph) -> list[Definition]:
    """The definitions and outputs whose value is computed, in the graph's order."""
    return [d for d in graph.definitions if not d.tables and isinstance(d.expr, COMPUTED)]


def formula_nodes(graph: Graph, indent: str = "    ", width: int = WIDTH) -> list[str]:
    """The DOT lines of a cluster with one table of the computed values, or none
    (``width``: characters of formula per line; a printed page takes fewer)."""
    definitions = computed(graph)
    if not definitions:
        return []
    rows = [_row(definition, graph, width) for definition in definitions]
    table = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">' + "".join(rows) + "</TABLE>"
    node = f'{indent}  "{FORMULAS_ID}" [shape="plaintext" margin="0" label=<{table}>];'
    return side_box("formulas", "How the values are computed", [node], indent)


def _row(definition: Definition, graph: Graph, width: int) -> str:
    kind = "output" if definition.output else "definition"
    name = f"{kind} {definition.name}"
    heading = (
        styled(lines_markup(wrap(definition.label, width // 2), "CENTER"), bold=True) + "<BR/>"
        if definition.label
        else ""
    )
    small = f'<FONT POINT-SIZE="{SMALL}">{escape(name)}</FONT>'
    formula = lines_markup(wrap(_unbracketed(plain_words(graph, definition.expr)), width))
    return (
        f'<TR><TD ALIGN="LEFT" CELLPADDING="3" BGCOLOR="{PALETTE.step_header}">{heading}{small}</TD>'
        f'<TD ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="3">{formula}</TD></TR>'
    )


def _unbracketed(words: str) -> str:
    """The words without one pair of parentheses around all of them (a formula standing
    alone needs none): ``(a ÷ b rounded to 1 decimals)`` reads ``a ÷ b ...``."""
    if not (words.startswith("(") and words.endswith(")")):
        return words
    depth = 0
    for position, char in enumerate(words):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and position < len(words) - 1:
            return words  # the first parenthesis closes before the end: (a) + (b)
    return words[1:-1]
