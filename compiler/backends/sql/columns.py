"""Named columns computed in layers: each a projection over the one before.

Every definition, guard and walk flag becomes one named column, computed once. A column's
layer is one more than the deepest column it reads, so each layer is a ``SELECT *, ...``
over the previous one and neither engine has to inline a shared expression into the next
(DuckDB and Spark would otherwise copy a definition's expression into every use).
"""

from __future__ import annotations

from sqlglot import exp


class Columns:
    """The computed columns of the query, in the order they were added."""

    def __init__(self) -> None:
        self.expressions: dict[str, exp.Expr] = {}
        self.layers: dict[str, int] = {}

    def add(self, name: str, expression: exp.Expr, keep: bool = False) -> exp.Expr:
        """Compute ``expression`` as column ``name``; a literal or a bare column is returned as it is
        (unless ``keep``: other columns will read this one by name)."""
        if (not keep and isinstance(expression, exp.Boolean | exp.Column | exp.Null)) or (
            isinstance(expression, exp.Cast) and isinstance(expression.this, exp.Literal)
        ):
            return expression
        if name in self.expressions:
            raise AssertionError(f"column {name} computed twice")
        depth = 0
        for reference in expression.find_all(exp.Column):
            depth = max(depth, self.layers.get(reference.name, 0))
        self.expressions[name] = expression
        self.layers[name] = depth + 1
        return exp.column(name, quoted=True)

    def by_layer(self) -> list[list[tuple[str, exp.Expr]]]:
        deepest = max(self.layers.values(), default=0)
        layers: list[list[tuple[str, exp.Expr]]] = [[] for _ in range(deepest)]
        for name, expression in self.expressions.items():
            layers[self.layers[name] - 1].append((name, expression))
        return layers
