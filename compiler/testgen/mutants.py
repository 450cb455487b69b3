"""Mutants of a decision graph: the small mistakes a guideline edit can make.

Each operator changes one thing in a copy of the typed graph
(``dataclasses.replace`` on its nodes, items, definitions and expressions; the rest
is shared with the original), everywhere the pathway's logic lives: branch guards, action-item
guards and definitions. Invariants are not mutated: they are proved by
``fibrolang check`` and guard the runtime, they do not shape the answer.

=================  ======================================================
operator           change
=================  ======================================================
flip-comparison    ``<`` → ``<=`` or ``>=``; ``<=`` → ``<`` or ``>``; ``>`` → ``>=``
                   or ``<=``; ``>=`` → ``>`` or ``<``; ``==`` ↔ ``!=``
move-threshold     a number compared in a guard or definition (or a definition
                   that is a number, like ``minimum_trial = 4 weeks``) moved
                   up and down by one unit of its precision (18 → 17, 19;
                   1.5 → 1.4, 1.6)
drop-branch        a guarded branch removed from a decision (when one remains)
swap-agent         a recommended intervention replaced by the next one of the
                   same kind in the catalogue (a drug by a drug)
drop-flag          a flag item removed
drop-avoid         an avoid item removed
drop-monitor       a monitoring item removed
change-arm-value   the value an arm of an ``if`` in a definition or output gives:
                   a number moved up and down by one unit of its precision, an
                   enumeration member replaced by the next one (a score's points,
                   a row of a lookup table)
change-default     the value assumed for an absent fact (``default false when
                   absent``): a yes/no flipped, a number moved up and down by
                   one unit of its precision, a member replaced by the next one
=================  ======================================================

Mutant ids are stable: operator, location (edge, item or definition id) and
change, so a report can be compared across runs. Expressions are walked depth
first, their parts in the graph file's sorted-key order
(``fibrolang.expression_parts``), so ``#3`` names the third comparison met in the
canonical JSON. A mutant's graph JSON (``Mutant.graph``, for a file or a diff) is
written by ``fibrolang.graph_writer``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from typing import Any, cast

from fibrolang import expressions as ex
from fibrolang.expression_parts import Step, parts, replaced
from fibrolang.graph import (
    ActionItem,
    ActionNode,
    AvoidItem,
    DecisionNode,
    EnumType,
    FlagItem,
    Graph,
    MonitorItem,
    Node,
    RecommendItem,
)
from fibrolang.graph_writer import write_graph
from fibrolang.operators import COMPARISONS, binary

JSON = dict[str, Any]

_FLIPS = {symbol: binary(symbol).mutants for symbol in COMPARISONS}
# The operators that change only guards (directly or through a definition).
GUARD_OPERATORS = ("flip-comparison", "move-threshold")
OPERATORS = (
    "flip-comparison",
    "move-threshold",
    "drop-branch",
    "swap-agent",
    "drop-flag",
    "drop-avoid",
    "drop-monitor",
    "change-arm-value",
    "change-default",
)


@dataclass(frozen=True)
class Mutant:
    id: str
    operator: str
    location: str  # edge id, item id or definition name
    change: str  # what changed, in a few words
    model: Graph  # the mutated graph, typed (what is loaded, encoded and diffed)

    @cached_property
    def graph(self) -> JSON:
        """The mutated graph as a graph JSON document (``fibrolang.graph_writer``), without a
        ``graph_hash``: it was changed on purpose, so ``fibrolang.load`` refuses it unless
        ``verify=False`` (``integrity.with_graph_hash`` makes a loadable file of it)."""
        return write_graph(self.model, hashed=False)


def precision_step(value: int | float) -> int | float:
    """One unit of the precision a number was written with: 18 → 1, 1.5 → 0.1, 0.25 → 0.01."""
    if isinstance(value, int):
        return 1
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return 1 if places == 0 else float(Decimal(1).scaleb(-places))


def _moved(value: int | float, direction: int) -> int | float:
    step = precision_step(value)
    if isinstance(value, int):
        return value + direction * int(step)
    return float(Decimal(repr(value)) + direction * Decimal(repr(step)))


def _number(value: int | float) -> str:
    return repr(value)


# -- where guards live ------------------------------------------------------------

Put = Callable[[ex.Expression], Graph]
"""The graph with one site's expression replaced."""


@dataclass(frozen=True)
class _Site:
    location: str  # the edge or item id, or ``define NAME``
    expr: ex.Expression
    put: Put


def _with_node(graph: Graph, index: int, node: Node) -> Graph:
    return replace(graph, nodes=(*graph.nodes[:index], node, *graph.nodes[index + 1 :]))


def _with_item(graph: Graph, index: int, node: ActionNode, at: int, item: ActionItem) -> Graph:
    return _with_node(graph, index, replace(node, items=(*node.items[:at], item, *node.items[at + 1 :])))


def _branch_put(graph: Graph, index: int, node: DecisionNode, at: int) -> Put:
    def put(guard: ex.Expression) -> Graph:
        branch = replace(node.branches[at], guard=guard)
        return _with_node(graph, index, replace(node, branches=_put_at(node.branches, at, branch)))

    return put


def _item_put(graph: Graph, index: int, node: ActionNode, at: int) -> Put:
    return lambda guard: _with_item(graph, index, node, at, replace(node.items[at], guard=guard))


def _definition_put(graph: Graph, index: int) -> Put:
    def put(expr: ex.Expression) -> Graph:
        definition = replace(graph.definitions[index], expr=expr)
        return replace(graph, definitions=_put_at(graph.definitions, index, definition))

    return put


def _put_at(values: tuple[Any, ...], index: int, value: Any) -> tuple[Any, ...]:
    return (*values[:index], value, *values[index + 1 :])


def _without(values: tuple[Any, ...], index: int) -> tuple[Any, ...]:
    return values[:index] + values[index + 1 :]


def _guard_sites(graph: Graph) -> Iterator[_Site]:
    """Every branch guard, item guard and definition, with how to put a changed one back."""
    for index, node in enumerate(graph.nodes):
        if isinstance(node, DecisionNode):
            for at, branch in enumerate(node.branches):
                if branch.guard is not None:
                    yield _Site(branch.id, branch.guard, _branch_put(graph, index, node, at))
        elif isinstance(node, ActionNode):
            for at, item in enumerate(node.items):
                if item.guard is not None:
                    yield _Site(item.id, item.guard, _item_put(graph, index, node, at))
    for index, definition in enumerate(graph.definitions):
        yield _Site(f"define {definition.name}", definition.expr, _definition_put(graph, index))


def _walk(expr: ex.Expression, path: Step = ()) -> Iterator[tuple[Step, ex.Expression]]:
    """``expr`` and every expression inside it with its path, depth first, in sorted-key order."""
    yield path, expr
    for step, part in parts(expr):
        yield from _walk(part, path + step)


def _comparisons(expr: ex.Expression) -> Iterator[tuple[Step, ex.Comparison]]:
    """Every comparison in ``expr`` with its path, in a stable (depth-first, source) order."""
    for path, inner in _walk(expr):
        if isinstance(inner, ex.Comparison) and inner.operator in _FLIPS:
            yield path, inner


def _is_number_constant(expr: ex.Expression) -> bool:
    return isinstance(expr, ex.Constant) and not isinstance(expr.value, bool)


def _value(constant: ex.Expression) -> int | float:
    assert isinstance(constant, ex.Constant) and not isinstance(constant.value, bool)
    return constant.value


# -- the operators ------------------------------------------------------------------


def _flip_comparisons(graph: Graph) -> Iterator[Mutant]:
    for site in _guard_sites(graph):
        for ordinal, (path, comparison) in enumerate(_comparisons(site.expr), start=1):
            for replacement in _FLIPS[comparison.operator]:
                change = f"{comparison.operator} → {replacement}"
                mutated = replace(comparison, operator=cast(Any, replacement))
                where = f"#{ordinal} {_describe(comparison)}"
                yield Mutant(
                    f"flip-comparison {site.location} {where} {change}",
                    "flip-comparison",
                    site.location,
                    f"{where}: {change}",
                    site.put(replaced(site.expr, path, mutated)),
                )


def _describe(comparison: ex.Comparison) -> str:
    for side in (comparison.right, comparison.left):
        if _is_number_constant(side):
            return f"[{comparison.operator} {_number(_value(side))}]"
    return f"[{comparison.operator}]"


def _move_thresholds(graph: Graph) -> Iterator[Mutant]:
    for site in _guard_sites(graph):
        if site.location.startswith("define ") and _is_number_constant(site.expr):
            yield from _moves(site, (), site.expr, "")
            continue
        for ordinal, (path, comparison) in enumerate(_comparisons(site.expr), start=1):
            for side, operand in (("left", comparison.left), ("right", comparison.right)):
                if _is_number_constant(operand):
                    where = f"#{ordinal} [{comparison.operator}] "
                    yield from _moves(site, (*path, side), operand, where)


def _moves(site: _Site, path: Step, constant: ex.Expression, where: str) -> Iterator[Mutant]:
    assert isinstance(constant, ex.Constant)
    value = _value(constant)
    for direction in (-1, 1):
        moved = _moved(value, direction)
        change = f"{where}{_number(value)} → {_number(moved)}"
        yield Mutant(
            f"move-threshold {site.location} {change}",
            "move-threshold",
            site.location,
            change,
            site.put(replaced(site.expr, path, replace(constant, value=moved))),
        )


def _drop_branches(graph: Graph) -> Iterator[Mutant]:
    for index, node in enumerate(graph.nodes):
        if not isinstance(node, DecisionNode) or len(node.branches) < 2:
            continue
        for at, branch in enumerate(node.branches):
            if branch.guard is None:
                continue
            yield Mutant(
                f"drop-branch {branch.id}",
                "drop-branch",
                branch.id,
                f"branch {branch.id} → {branch.target} removed",
                _with_node(graph, index, replace(node, branches=_without(node.branches, at))),
            )


def _swap_agents(graph: Graph) -> Iterator[Mutant]:
    catalogue = {entry.id: entry for entry in graph.interventions}
    for index, node in enumerate(graph.nodes):
        if not isinstance(node, ActionNode):
            continue
        for at, item in enumerate(node.items):
            if not isinstance(item, RecommendItem) or item.intervention not in catalogue:
                continue
            kind = catalogue[item.intervention].kind
            same = [name for name, entry in catalogue.items() if entry.kind == kind]
            if len(same) < 2:
                continue
            other = same[(same.index(item.intervention) + 1) % len(same)]
            change = f"{item.intervention} → {other}"
            yield Mutant(
                f"swap-agent {item.id} {change}",
                "swap-agent",
                item.id,
                change,
                _with_item(graph, index, node, at, replace(item, intervention=other)),
            )


_DROPPED: dict[str, type[ActionItem]] = {"flag": FlagItem, "avoid": AvoidItem, "monitor": MonitorItem}


def _dropped_what(item: ActionItem) -> str | None:
    """What a dropped item named: its flag, its intervention, what it monitors."""
    if isinstance(item, FlagItem):
        return item.flag or None
    if isinstance(item, AvoidItem | RecommendItem):
        return item.intervention or None
    return item.what or None


def _drop_items(graph: Graph, kind: str, operator: str) -> Iterator[Mutant]:
    for index, node in enumerate(graph.nodes):
        if not isinstance(node, ActionNode):
            continue
        for at, item in enumerate(node.items):
            if not isinstance(item, _DROPPED[kind]):
                continue
            yield Mutant(
                f"{operator} {item.id}",
                operator,
                item.id,
                f"{kind} {_dropped_what(item)} removed",
                _with_node(graph, index, replace(node, items=_without(node.items, at))),
            )


_NAMED = (ex.MemberLiteral, ex.TextLiteral)
"""Arm values that are not numbers: an enum member, a text (compiler/check/text.py)."""


def _is_arm_value(expr: ex.Expression) -> bool:
    return _is_number_constant(expr) or isinstance(expr, _NAMED)


def _arm_values(expr: ex.Expression, path: Step = ()) -> Iterator[tuple[Step, ex.Expression, str]]:
    """(path, constant, arm) of every number, member or text an ``if`` arm gives, depth first."""
    if isinstance(expr, ex.Conditional):
        for arm, value in (("then", expr.then), ("else", expr.otherwise)):
            if _is_arm_value(value):
                yield (*path, arm), value, arm
    for step, part in parts(expr):
        yield from _arm_values(part, path + step)


def _change_arm_values(graph: Graph) -> Iterator[Mutant]:
    enums = {enum.name: enum for enum in graph.enums}
    for index, definition in enumerate(graph.definitions):
        location = f"define {definition.name}"
        put = _definition_put(graph, index)
        arms = list(_arm_values(definition.expr))
        texts = list(dict.fromkeys(c.value for _, c, _ in arms if isinstance(c, ex.TextLiteral)))  # arm order
        for ordinal, (path, constant, arm) in enumerate(arms, start=1):
            where = f"#{ordinal} {arm}"
            changes: list[tuple[str, ex.Expression]]
            if isinstance(constant, ex.TextLiteral):  # the next other text the definition gives
                if len(texts) < 2:
                    continue
                other = texts[(texts.index(constant.value) + 1) % len(texts)]
                changes = [
                    (f"{where} {_arm_text(constant)} → {json.dumps(other)}", replace(constant, value=other))
                ]
            elif isinstance(constant, ex.MemberLiteral):
                members = enums[constant.enum].members
                if len(members) < 2:
                    continue
                other = members[(members.index(constant.value) + 1) % len(members)]
                changes = [(f"{where} {constant.value} → {other}", replace(constant, value=other))]
            else:
                assert isinstance(constant, ex.Constant)
                value = _value(constant)
                changes = [
                    (f"{where} {_number(value)} → {_number(moved)}", replace(constant, value=moved))
                    for moved in (_moved(value, -1), _moved(value, 1))
                ]
            for change, replacement in changes:
                yield Mutant(
                    f"change-arm-value {location} {change}",
                    "change-arm-value",
                    location,
                    change,
                    put(replaced(definition.expr, path, replacement)),
                )


def _change_defaults(graph: Graph) -> Iterator[Mutant]:
    """The default of each input that declares one, changed (``default false`` → ``true``)."""
    enums = {enum.name: enum for enum in graph.enums}
    for index, declared in enumerate(graph.inputs):
        value = declared.default
        if value is None:
            continue
        others: list[Any]
        if isinstance(value, bool):
            others = [not value]
        elif isinstance(declared.type, EnumType):
            members = enums[declared.type.enum].members
            others = [members[(members.index(value) + 1) % len(members)]] if len(members) > 1 else []
        else:
            assert not isinstance(value, str), f"input {declared.name}: a text default is not a number"
            others = [_moved(value, -1), _moved(value, 1)]
        for other in others:
            change = f"{json.dumps(value)} → {json.dumps(other)}"
            changed = replace(declared, default=other)
            yield Mutant(
                f"change-default input {declared.name} {change}",
                "change-default",
                f"input {declared.name}",
                change,
                replace(graph, inputs=_put_at(graph.inputs, index, changed)),
            )


def _unset_arms(graph: Graph) -> Iterator[Mutant]:
    """An output that may be unset (fibrolang/unset.py): each value arm (a table cell) made
    unset, and each ``unset`` arm given the output's first value, as a cell changed to its
    neighbour's value would."""
    for index, definition in enumerate(graph.definitions):
        arms = list(_output_arms(definition.expr))
        if not definition.output or not any(isinstance(arm, ex.Unset) for _, arm in arms):
            continue
        location = f"define {definition.name}"
        put = _definition_put(graph, index)
        first = next((arm for _, arm in arms if not isinstance(arm, ex.Unset)), None)
        for ordinal, (path, arm) in enumerate(arms, start=1):
            if isinstance(arm, ex.Unset):
                if first is None:
                    continue
                change = f"#{ordinal} unset → {_arm_text(first)}"
                mutated = put(replaced(definition.expr, path, first))
            else:
                change = f"#{ordinal} {_arm_text(arm)} → unset"
                mutated = put(replaced(definition.expr, path, ex.Unset()))
            yield Mutant(f"unset-arm {location} {change}", "unset-arm", location, change, mutated)


def _output_arms(expr: ex.Expression, path: Step = ()) -> Iterator[tuple[Step, ex.Expression]]:
    """The value arms of an output's ``if`` chain (its table cells, its ``unset``s), in order."""
    if isinstance(expr, ex.Conditional):
        yield from _output_arms(expr.then, (*path, "then"))
        yield from _output_arms(expr.otherwise, (*path, "else"))
    elif isinstance(expr, ex.Unset) or _is_arm_value(expr):
        yield path, expr


def _arm_text(arm: ex.Expression) -> str:
    if isinstance(arm, ex.Unset):
        return "unset"
    if isinstance(arm, ex.MemberLiteral):
        return str(arm.value)
    if isinstance(arm, ex.TextLiteral):
        return json.dumps(arm.value)  # quoted and escaped: a text may hold any character
    return _number(_value(arm))


def mutants(graph: Graph) -> list[Mutant]:
    """Every mutant of a graph, in a stable order (operator, then graph order: the typed graph's
    nodes, inputs and interventions are in the file's sorted order)."""
    found = [
        *_flip_comparisons(graph),
        *_move_thresholds(graph),
        *_drop_branches(graph),
        *_swap_agents(graph),
        *_drop_items(graph, "flag", "drop-flag"),
        *_drop_items(graph, "avoid", "drop-avoid"),
        *_drop_items(graph, "monitor", "drop-monitor"),
        *_change_arm_values(graph),
        *_change_defaults(graph),
        *_unset_arms(graph),
    ]
    seen: set[str] = set()
    unique = []
    for mutant in found:
        if mutant.id in seen:
            continue
        seen.add(mutant.id)
        unique.append(mutant)
    return unique
