"""The unit of each numeric output, for ``explain``: ``dose = 3000 mg``, not ``dose = 3000``.

The graph does not store an output's unit; the runtime's expression compiler works it out
(``Shape.unit``) from the inputs' units, the constants and the conversions the compiler wrote
into the graph, exactly as it does when the guideline is loaded.
"""

from __future__ import annotations

from fibrolang.closures import ExpressionCompiler
from fibrolang.errors import Problem
from fibrolang.graph import Graph


def output_units(graph: Graph) -> dict[str, str]:
    """The unit of every output that is a number with a unit, by name."""
    problems: list[Problem] = []
    compiler = ExpressionCompiler(graph, problems, fuse=False)
    units: dict[str, str] = {}
    for index, definition in enumerate(graph.definitions):
        compiled = compiler.define(definition.name, definition.expr, f"definitions[{index}].expr")
        if definition.output and compiled.shape.kind == "number" and compiled.shape.unit:
            units[definition.name] = compiled.shape.unit
    return units if not problems else {}
