"""Named columns computed in layers: each a projection over the one before.

Every definition, guard and walk flag becomes one named column, computed once. A column's
layer comes after the deepest column it reads (``by_layer(late=True)``: the last layer before
its first reader), so each layer is a ``SELECT *, ...`` over the previous one and neither
engine has to inline a shared expression into the next (DuckDB and Spark would otherwise
copy a definition's expression into every use).
"""

from __future__ import annotations

from sqlglot import exp


class Columns:
    """The computed columns of the query, in the order they were added."""

    def __init__(self) -> None:
        self.expressions: dict[str, exp.Expr] = {}

    def add(self, name: str, expression: exp.Expr, keep: bool = False) -> exp.Expr:
        """Compute ``expression`` as column ``name``; a literal or a bare column is returned as it is
        (unless ``keep``: other columns will read this one by name)."""
        if (not keep and isinstance(expression, exp.Boolean | exp.Column | exp.Null)) or (
            isinstance(expression, exp.Cast) and isinstance(expression.this, exp.Literal)
        ):
            return expression
        if name in self.expressions:
            raise AssertionError(f"column {name} computed twice")
        self.expressions[name] = expression
        return exp.column(name, quoted=True)

    def layers(self) -> dict[str, int]:
        """Per column, one more than the deepest column it reads (a column may read one added
        after it)."""
        reads = {
            name: {r.name for r in expression.find_all(exp.Column) if r.name in self.expressions}
            for name, expression in self.expressions.items()
        }
        depth: dict[str, int] = {}
        visiting: set[str] = set()

        def deepest(name: str) -> int:
            if name not in depth:
                if name in visiting:
                    raise AssertionError(f"column {name} reads itself")
                visiting.add(name)
                depth[name] = 1 + max((deepest(r) for r in sorted(reads[name])), default=0)
            return depth[name]

        for name in self.expressions:
            deepest(name)
        return depth

    def by_layer(self, late: bool = False) -> list[list[tuple[str, exp.Expr]]]:
        """The columns layer by layer. ``late``: each column in the last layer before the first
        one that reads it (instead of the first layer after the columns it reads), so that
        fewer columns are carried through the layers between."""
        earliest = self.layers()
        deepest = max(earliest.values(), default=0)
        placed = dict(earliest)
        if late:
            readers: dict[str, int] = {}
            for name in sorted(self.expressions, key=lambda n: -earliest[n]):
                placed[name] = readers.get(name, deepest + 1) - 1
                for reference in self.expressions[name].find_all(exp.Column):
                    if reference.name in self.expressions:
                        readers[reference.name] = min(readers.get(reference.name, deepest + 1), placed[name])
        layers: list[list[tuple[str, exp.Expr]]] = [[] for _ in range(deepest)]
        for name, expression in self.expressions.items():
            layers[placed[name] - 1].append((name, expression))
        return layers
