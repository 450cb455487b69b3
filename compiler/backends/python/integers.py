"""Which number expressions of a graph are always integers (``--target python``).

Arithmetic on decimals goes through the prelude's ``_plus``, ``_minus`` and ``_times``
(exact on the decimals as written, fibrolang/operators.py); where both operands are
always integers the generated module writes the plain operator instead, which gives the
same integer, faster. "Not known to be an integer" is always safe: the prelude function
computes two integers directly too.
"""

from __future__ import annotations

from fibrolang import expressions as ex
from fibrolang.graph import Graph, MapType, NumberType, ValueType
from fibrolang.operators import BINARY


class Integers:
    """Whether an expression of ``graph`` only ever takes integer values (or is unknown)."""

    def __init__(self, graph: Graph) -> None:
        self.inputs: dict[str, ValueType] = {declared.name: declared.type for declared in graph.inputs}
        self.fields = {record.name: {f.name: f.type for f in record.fields} for record in graph.records}
        self.definitions = {definition.name: definition.expr for definition in graph.definitions}
        self.memo: dict[str, bool] = {}

    def integral(self, expr: ex.Expression) -> bool:
        if isinstance(expr, ex.Constant):
            return type(expr.value) is int
        if isinstance(expr, ex.InputReference):
            return _integral_type(self.inputs.get(expr.name))
        if isinstance(expr, ex.Field):
            return self._integral_field(expr)
        if isinstance(expr, ex.DefinitionReference):
            if expr.name not in self.memo:
                self.memo[expr.name] = False  # no cycles in a checked graph
                definition = self.definitions.get(expr.name)
                self.memo[expr.name] = definition is not None and self.integral(definition)
            return self.memo[expr.name]
        if isinstance(expr, ex.Arithmetic):
            keeps = BINARY[expr.operator].keeps_integers
            return keeps and self.integral(expr.left) and self.integral(expr.right)
        if isinstance(expr, ex.UnaryMinus):
            return self.integral(expr.operand)
        if isinstance(expr, ex.Conditional):
            return self.integral(expr.then) and self.integral(expr.otherwise)
        if isinstance(expr, ex.Sum):
            return self.integral(expr.body)
        if isinstance(expr, ex.Quantifier):
            return expr.kind == "count"
        return isinstance(expr, ex.CountTrue | ex.Elapsed)  # whole units between two dates

    def _integral_field(self, expr: ex.Field) -> bool:
        """``map[key].field`` of a map input: the record field's declared type."""
        entry = expr.record
        if isinstance(entry, ex.Entry) and isinstance(entry.map, ex.InputReference):
            declared = self.inputs.get(entry.map.name)
            if isinstance(declared, MapType):
                return _integral_type(self.fields.get(declared.record, {}).get(expr.name))
        return False


def _integral_type(declared: ValueType | None) -> bool:
    return isinstance(declared, NumberType) and declared.integral
