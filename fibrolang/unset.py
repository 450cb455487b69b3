"""Outputs that are not set by design: ``output x = if c then v else unset``.

``unset`` (graph op ``{"op": "unset"}``) says the guideline gives no value
here, on purpose: a score of 0 has no annual risk. It is distinct from
unknown (insufficient data): an unset output is left out of the result's
``outputs``, an unknown one is there as ``null`` (docs/result-format.md).

Where it may stand is structural, and checked when a graph is loaded
(``check_unset``): only as the ``then`` or ``else`` of an ``if`` chain that
is the whole expression of an output (a lookup table's cells lower to such a
chain), and nothing may read an output that may be unset. So the ``UNSET``
value reaches nothing but the output reader: no operator ever sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import Any, Final

from fibrolang import expressions as ex
from fibrolang.errors import Problem
from fibrolang.graph import Graph


class Unset:
    """The value of an output the guideline leaves unset (a singleton, ``UNSET``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset()


def check_unset(graph: Graph) -> list[Problem]:
    """Every ``unset`` in a place other than an output's ``if`` arms, and every
    expression that reads an output that may be unset."""
    problems: list[Problem] = []
    may_be_unset = set()
    for index, definition in enumerate(graph.definitions):
        if not _contains_unset(definition.expr):
            continue  # nothing below can be misplaced, nor an arm unset
        path = f"definitions[{index}].expr"
        misplaced = list(_misplaced(definition.expr, path, top=True))
        if definition.output and not misplaced and _has_arm_unset(definition.expr):
            may_be_unset.add(definition.name)
        elif not definition.output and _contains_unset(definition.expr):
            misplaced = [path]
        message = "`unset` may stand only as a value of an output"
        problems += [Problem(at, message, "misplaced_unset") for at in misplaced]
    if may_be_unset:
        for path, expression in _every_expression(graph):
            for reference in _walk(expression):
                if isinstance(reference, ex.DefinitionReference) and reference.name in may_be_unset:
                    problems.append(
                        Problem(
                            path,
                            f"reads the output {reference.name!r}, which may be unset",
                            "reads_unset_output",
                        )
                    )
    return problems


def outputs_that_may_be_unset(graph: Graph) -> frozenset[str]:
    """The outputs with an ``unset`` arm (for the targets that must leave them out)."""
    return frozenset(d.name for d in graph.definitions if d.output and _has_arm_unset(d.expr))


def _misplaced(expr: ex.Expression, path: str, top: bool) -> Iterator[str]:
    if isinstance(expr, ex.Conditional) and top:
        yield from _misplaced(expr.condition, f"{path}.condition", top=False)
        yield from _misplaced(expr.then, f"{path}.then", top=True)
        yield from _misplaced(expr.otherwise, f"{path}.else", top=True)
        return
    if isinstance(expr, ex.Unset):
        if not top or path.endswith("].expr"):  # the whole output unset is no output
            yield path
        return
    for child in _children(expr):
        if _contains_unset(child):
            yield path
            return


def _has_arm_unset(expr: ex.Expression) -> bool:
    if isinstance(expr, ex.Conditional):
        return _has_arm_unset(expr.then) or _has_arm_unset(expr.otherwise)
    return isinstance(expr, ex.Unset)


def _contains_unset(expr: ex.Expression) -> bool:
    stack: list[Any] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ex.Unset):
            return True
        stack += _children(node)
    return False


def _walk(expr: ex.Expression) -> Iterator[ex.Expression]:
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


def _children(expr: Any) -> list[Any]:
    """The dataclass instances among the fields of ``expr`` (a dataclass instance; else
    none), tuples of them opened."""
    found: list[Any] = []
    names = _field_names(expr)
    if names is None:
        return found
    for name in names:
        value = getattr(expr, name)
        if isinstance(value, tuple):
            found += [item for item in value if _field_names(item) is not None]
        elif _field_names(value) is not None:
            found.append(value)
    return found


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _field_names(value: object) -> tuple[str, ...] | None:
    """The field names of a dataclass instance, None for anything else (a class included),
    known per class once (an entry is only ever set to what it would be recomputed as)."""
    if isinstance(value, type):
        return None
    kind = value.__class__
    try:
        return _FIELDS[kind]
    except KeyError:
        names = tuple(item.name for item in fields(kind)) if is_dataclass(kind) else None
        _FIELDS[kind] = names
        return names


def _every_expression(graph: Graph) -> Iterator[tuple[str, ex.Expression]]:
    """Every expression of the graph (definitions, guards, invariants, contraindications),
    with the path of the part that holds it."""
    for part in ("definitions", "nodes", "interventions", "invariants"):
        for index, holder in enumerate(getattr(graph, part)):
            where = f"{part}[{index}]"
            stack: list[Any] = [holder]
            while stack:
                node = stack.pop()
                if isinstance(node, _EXPRESSIONS):
                    yield where, node
                    continue
                stack.extend(_children(node))


_EXPRESSIONS = tuple(ex.Expression.__args__)
