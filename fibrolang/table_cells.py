"""Which cell of a lookup table a patient's values select, and why an output is unset: for
``explain``, which prints each table an output is read from with that cell marked.

A table is its ``if`` chain in the definition's ``expr`` (docs/graph-format.md), found
by the table's ``at`` pointer: rows in order (each row's condition, the last row the
chain's final ``else`` unless the table has ``otherwise``), and for two keys the columns
likewise inside each row. The conditions are evaluated with the runtime's own
closures on the patient's validated inputs (defaults filled in). A cell is marked only
when every condition on the way to it is decided and the table is on the path the
definition took (``if c then unset else table ...`` with ``c`` true marks nothing); a
condition that reads the plan or a quantifier's variable, an absent fact, or a graph
without ``at`` give no mark, never a guessed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fibrolang import expressions as ex
from fibrolang.closures import ExpressionCompiler
from fibrolang.errors import Problem
from fibrolang.graph import Definition, Graph, TableDisplay
from fibrolang.values import PENDING, Context

_FIELDS = {"else": "otherwise", "var": "variable"}  # graph JSON keys whose field is named otherwise


@dataclass(frozen=True, slots=True)
class Cell:
    """The cell a patient's values select: ``row`` and ``column`` index the display's rows
    and columns (``column`` is None for one key); both None: the ``otherwise`` cell."""

    row: int | None
    column: int | None


@dataclass(frozen=True, slots=True)
class Unsetting:
    """Why an output has no value: the conditions (each with the value it had) of the ``if``
    arms the definition took to ``unset``, outside tables; ``in_table`` when the ``unset``
    is a table's cell."""

    conditions: tuple[tuple[ex.Expression, bool], ...]
    in_table: bool


class TableCells:
    """Evaluates the conditions of one graph's tables for one patient."""

    def __init__(self, graph: Graph, inputs: dict[str, Any]) -> None:
        self.problems: list[Problem] = []
        self.compiler = ExpressionCompiler(graph, self.problems, fuse=False)
        for index, definition in enumerate(graph.definitions):
            self.compiler.define(definition.name, definition.expr, f"definitions[{index}].expr")
        self.context = Context(inputs, [PENDING] * len(self.compiler.definitions), self.compiler.depth)
        self.usable = not self.problems  # a graph the runtime loaded has none

    def holds(self, condition: ex.Expression) -> bool | None:
        """The condition's value for this patient; None when undecided or not evaluable here."""
        if not self.usable:
            return None
        before = len(self.problems)
        evaluate = self.compiler.condition(condition, "explain")
        if len(self.problems) > before or self.compiler.condition_reads_plan:
            del self.problems[before:]
            return None
        missing_slots = self.compiler.depth - len(self.context.bound)
        if missing_slots > 0:  # a quantifier deeper than every definition's (never, but cheap)
            self.context.bound.extend([None] * missing_slots)
        value = evaluate(self.context)
        return value if isinstance(value, bool) else None

    def applied(self, definition: Definition, table: TableDisplay) -> Cell | None:
        """The cell of ``table`` this patient's values select, or None (see the module)."""
        if table.at is None:
            return None
        node = self._reached(definition.expr, table.at)
        if node is None:
            return None
        found = self._arm(node, len(table.rows), table.otherwise is not None)
        if found is None:
            return None
        row, node = found
        if row is None or not table.columns:
            return Cell(row, None)
        inner = self._arm(node, len(table.columns), table.otherwise is not None)
        if inner is None:
            return None
        column, _cell = inner
        return Cell(row, column) if column is not None else Cell(None, None)

    def unsetting(self, definition: Definition) -> Unsetting | None:
        """The ``if`` arms the definition took to an ``unset`` (None if it took none, or
        a condition on the way is undecided)."""
        roots = {table.at for table in definition.tables if table.at is not None}
        conditions: list[tuple[ex.Expression, bool]] = []
        node: ex.Expression = definition.expr
        pointer = ""
        while isinstance(node, ex.Conditional):
            if pointer in roots:  # the rest is a table's chain: its cell says it
                return Unsetting(tuple(conditions), True) if self._table_unset(node) else None
            value = self.holds(node.condition)
            if value is None:
                return None
            conditions.append((node.condition, value))
            node, pointer = (node.then, pointer + "/then") if value else (node.otherwise, pointer + "/else")
        if isinstance(node, ex.Unset):
            return Unsetting(tuple(conditions), False)
        return None

    def _table_unset(self, node: ex.Expression) -> bool:
        while isinstance(node, ex.Conditional):
            value = self.holds(node.condition)
            if value is None:
                return False
            node = node.then if value else node.otherwise
        return isinstance(node, ex.Unset)

    def _arm(
        self, node: ex.Expression, count: int, otherwise: bool
    ) -> tuple[int | None, ex.Expression] | None:
        """Which of ``count`` arms of a chain holds (None: the ``otherwise`` arm), and its value."""
        for index in range(count):
            if index == count - 1 and not otherwise:
                return index, node  # the last arm is the chain's final `else`
            if not isinstance(node, ex.Conditional):
                return None
            value = self.holds(node.condition)
            if value is None:
                return None
            if value:
                return index, node.then
            node = node.otherwise
        return None, node

    def used(self, definition: Definition, table: TableDisplay) -> bool | None:
        """Whether the definition's evaluation reaches the table for this patient: False when
        it took an ``if`` arm without it, None when that cannot be told."""
        if table.at is None:
            return None
        reached = self._walk(definition.expr, table.at)
        return None if reached is None else reached is not _NOT_TAKEN

    def _reached(self, expr: ex.Expression, pointer: str) -> ex.Expression | None:
        """The node at ``pointer``, when the definition's evaluation goes through it."""
        node = self._walk(expr, pointer)
        return node if isinstance(node, ex.Expression) else None

    def _walk(self, expr: ex.Expression, pointer: str) -> Any:
        """The node at ``pointer``; ``_NOT_TAKEN`` when an ``if`` on the way took the other arm;
        None when that cannot be told (undecided, a quantifier's variable, a wrong pointer)."""
        node: Any = expr
        for step in pointer.split("/")[1:] if pointer else []:
            key = step.replace("~1", "/").replace("~0", "~")
            if isinstance(node, ex.Conditional) and key in ("then", "else"):
                value = self.holds(node.condition)
                if value is None:
                    return None
                if value is not (key == "then"):
                    return _NOT_TAKEN  # the table is on an arm the definition did not take
            if isinstance(node, ex.Quantifier | ex.Sum):
                return None  # a quantifier's variable: not evaluable on its own
            if isinstance(node, tuple):
                if not key.isdigit() or int(key) >= len(node):
                    return None
                node = node[int(key)]
            else:
                node = getattr(node, _FIELDS.get(key, key), None)
            if node is None:
                return None
        return node


_NOT_TAKEN: Any = object()
"""What ``_walk`` gives for a node on an ``if`` arm the evaluation did not take."""
