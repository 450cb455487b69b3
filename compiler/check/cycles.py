"""Definitions that depend on one another (``define a = b``, ``define b = a``): each cycle
as a path, so the checker can report it once and type its members ``Unknown``."""

from __future__ import annotations

from compiler.check.expressions import children
from compiler.check.symbols import Symbols
from compiler.front import syntax as s


def definition_cycles(symbols: Symbols) -> list[tuple[str, ...]]:
    """Each set of definitions that depend on one another, as a path that
    starts and ends at the first of them in declaration order."""
    order = list(symbols.definitions)
    edges = {name: _dependencies(symbols.definitions[name].expression, symbols) for name in order}
    cycles: list[tuple[str, ...]] = []
    covered: set[str] = set()
    for start in order:
        if start in covered:
            continue
        path = _path_back(start, edges)
        if path is not None:
            cycles.append(path)
            covered.update(path)
    return cycles


def _path_back(start: str, edges: dict[str, list[str]]) -> tuple[str, ...] | None:
    """The shortest path of dependencies from ``start`` back to itself."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for name in frontier:
            for target in edges.get(name, []):
                if target == start:
                    path = [name]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return (start, *reversed(path[:-1]), start) if len(path) > 1 else (start, start)
                if target not in previous:
                    previous[target] = name
                    following.append(target)
        frontier = following
    return None


def _dependencies(expr: s.Expr, symbols: Symbols) -> list[str]:
    found: list[str] = []

    def visit(node: s.Expr, bound: frozenset[str]) -> None:
        if isinstance(node, s.Reference):
            name = node.name.text
            if name not in bound and name in symbols.definitions and name not in found:
                found.append(name)
            return
        if isinstance(node, s.Quantifier):
            visit(node.collection, bound)
            if node.body is not None:
                visit(node.body, bound | {node.variable.text})
            return
        for child in children(node):
            visit(child, bound)

    visit(expr, frozenset())
    return found
