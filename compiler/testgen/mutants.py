"""Mutants of a decision graph: the small mistakes a guideline edit can make.

Each operator changes one thing in a copy of the graph (the JSON the runtime
loads), everywhere the pathway's logic lives: branch guards, action-item
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
change, so a report can be compared across runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from fibrolang import read_graph
from fibrolang.graph import Graph
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
    graph: JSON  # the mutated graph JSON document (what is written out, loaded and diffed)

    @cached_property
    def model(self) -> Graph:
        """The mutated graph, typed (what the equivalence classifier encodes); ``GuidelineError``
        when the mutant is not a graph the runtime reads."""
        return read_graph(self.graph)


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


def _guard_sites(graph: JSON) -> Iterator[tuple[str, list[Any]]]:
    """(location, path to an expression in the graph) for every branch guard, item guard and definition."""
    for node_id, node in graph["nodes"].items():
        for index, branch in enumerate(node.get("branches", [])):
            if branch["guard"] is not None:
                yield branch["id"], ["nodes", node_id, "branches", index, "guard"]
        for index, item in enumerate(node.get("items", [])):
            if item["guard"] is not None:
                yield item["id"], ["nodes", node_id, "items", index, "guard"]
    for index, definition in enumerate(graph["definitions"]):
        yield f"define {definition['name']}", ["definitions", index, "expr"]


def _at(document: Any, path: list[Any]) -> Any:
    for step in path:
        document = document[step]
    return document


def _comparisons(expr: Any, path: list[Any]) -> Iterator[tuple[list[Any], JSON]]:
    """Every comparison in ``expr`` with its path, in a stable (depth-first, source) order."""
    if isinstance(expr, dict):
        if expr.get("op") in _FLIPS:
            yield path, expr
        for key in sorted(expr):
            yield from _comparisons(expr[key], [*path, key])
    elif isinstance(expr, list):
        for index, value in enumerate(expr):
            yield from _comparisons(value, [*path, index])


def _is_number_constant(expr: Any) -> bool:
    return isinstance(expr, dict) and expr.get("op") == "const" and not isinstance(expr.get("value"), bool)


def _replace(graph: JSON, path: list[Any], value: Any) -> JSON:
    """A copy of ``graph`` with the value at ``path`` replaced. Only the containers on the path
    are copied: the rest is shared with the original (the runtime never changes a graph)."""
    if not path:
        return dict(value)
    head, rest = path[0], path[1:]
    copied: Any = list(graph) if isinstance(graph, list) else dict(graph)
    copied[head] = _replace(graph[head], rest, value) if rest else value
    return copied  # type: ignore[no-any-return]


# -- the operators ------------------------------------------------------------------


def _flip_comparisons(graph: JSON) -> Iterator[Mutant]:
    for location, site in _guard_sites(graph):
        for ordinal, (path, comparison) in enumerate(_comparisons(_at(graph, site), site), start=1):
            for replacement in _FLIPS[comparison["op"]]:
                change = f"{comparison['op']} → {replacement}"
                mutated = {**comparison, "op": replacement}
                where = f"#{ordinal} {_describe(comparison)}"
                yield Mutant(
                    f"flip-comparison {location} {where} {change}",
                    "flip-comparison",
                    location,
                    f"{where}: {change}",
                    _replace(graph, path, mutated),
                )


def _describe(comparison: JSON) -> str:
    for side in ("right", "left"):
        if _is_number_constant(comparison[side]):
            return f"[{comparison['op']} {_number(comparison[side]['value'])}]"
    return f"[{comparison['op']}]"


def _move_thresholds(graph: JSON) -> Iterator[Mutant]:
    for location, site in _guard_sites(graph):
        expr = _at(graph, site)
        if location.startswith("define ") and _is_number_constant(expr):
            yield from _moves(graph, location, site, expr, "")
            continue
        for ordinal, (path, comparison) in enumerate(_comparisons(expr, site), start=1):
            for side in ("left", "right"):
                if _is_number_constant(comparison[side]):
                    where = f"#{ordinal} [{comparison['op']}] "
                    yield from _moves(graph, location, [*path, side], comparison[side], where)


def _moves(graph: JSON, location: str, path: list[Any], constant: JSON, where: str) -> Iterator[Mutant]:
    value = constant["value"]
    for direction in (-1, 1):
        moved = _moved(value, direction)
        change = f"{where}{_number(value)} → {_number(moved)}"
        yield Mutant(
            f"move-threshold {location} {change}",
            "move-threshold",
            location,
            change,
            _replace(graph, path, {**constant, "value": moved}),
        )


def _drop_branches(graph: JSON) -> Iterator[Mutant]:
    for node_id, node in graph["nodes"].items():
        branches = node.get("branches", [])
        if len(branches) < 2:
            continue
        for index, branch in enumerate(branches):
            if branch["guard"] is None:
                continue
            kept = branches[:index] + branches[index + 1 :]
            yield Mutant(
                f"drop-branch {branch['id']}",
                "drop-branch",
                branch["id"],
                f"branch {branch['id']} → {branch['target']} removed",
                _replace(graph, ["nodes", node_id, "branches"], kept),
            )


def _swap_agents(graph: JSON) -> Iterator[Mutant]:
    catalogue = graph["interventions"]
    for node_id, node in graph["nodes"].items():
        for index, item in enumerate(node.get("items", [])):
            if item["kind"] != "recommend" or item["intervention"] not in catalogue:
                continue
            kind = catalogue[item["intervention"]].get("kind")
            same = [name for name, entry in catalogue.items() if entry.get("kind") == kind]
            if len(same) < 2:
                continue
            other = same[(same.index(item["intervention"]) + 1) % len(same)]
            mutated = {**item, "intervention": other}
            change = f"{item['intervention']} → {other}"
            yield Mutant(
                f"swap-agent {item['id']} {change}",
                "swap-agent",
                item["id"],
                change,
                _replace(graph, ["nodes", node_id, "items", index], mutated),
            )


def _drop_items(graph: JSON, kind: str, operator: str) -> Iterator[Mutant]:
    for node_id, node in graph["nodes"].items():
        items = node.get("items", [])
        for index, item in enumerate(items):
            if item["kind"] != kind:
                continue
            what = item.get("flag") or item.get("intervention") or item.get("what")
            yield Mutant(
                f"{operator} {item['id']}",
                operator,
                item["id"],
                f"{kind} {what} removed",
                _replace(graph, ["nodes", node_id, "items"], items[:index] + items[index + 1 :]),
            )


def _arm_values(expr: Any, path: list[Any]) -> Iterator[tuple[list[Any], JSON, str]]:
    """(path, constant, arm) of every number, member or text an ``if`` arm gives, depth first."""
    if isinstance(expr, dict):
        if expr.get("op") == "if":
            for arm in ("then", "else"):
                value = expr[arm]
                if isinstance(value, dict) and (_is_number_constant(value) or value.get("op") in _NAMED):
                    yield [*path, arm], value, arm
        for key in sorted(expr):
            yield from _arm_values(expr[key], [*path, key])
    elif isinstance(expr, list):
        for index, value in enumerate(expr):
            yield from _arm_values(value, [*path, index])


def _change_arm_values(graph: JSON) -> Iterator[Mutant]:
    for index, definition in enumerate(graph["definitions"]):
        location = f"define {definition['name']}"
        site = ["definitions", index, "expr"]
        arms = list(_arm_values(definition["expr"], site))
        texts = list(dict.fromkeys(c["value"] for _, c, _ in arms if c["op"] == "text"))  # in arm order
        for ordinal, (path, constant, arm) in enumerate(arms, start=1):
            where = f"#{ordinal} {arm}"
            if constant["op"] == "text":  # the next other text the definition gives
                if len(texts) < 2:
                    continue
                other = texts[(texts.index(constant["value"]) + 1) % len(texts)]
                changes = [
                    (f"{where} {_arm_text(constant)} → {json.dumps(other)}", {**constant, "value": other})
                ]
            elif constant["op"] == "member":
                members = graph["enums"][constant["enum"]]["members"]
                if len(members) < 2:
                    continue
                other = members[(members.index(constant["value"]) + 1) % len(members)]
                changes = [(f"{where} {constant['value']} → {other}", {**constant, "value": other})]
            else:
                value = constant["value"]
                changes = [
                    (f"{where} {_number(value)} → {_number(moved)}", {**constant, "value": moved})
                    for moved in (_moved(value, -1), _moved(value, 1))
                ]
            for change, replacement in changes:
                yield Mutant(
                    f"change-arm-value {location} {change}",
                    "change-arm-value",
                    location,
                    change,
                    _replace(graph, path, replacement),
                )


def _change_defaults(graph: JSON) -> Iterator[Mutant]:
    """The default of each input that declares one, changed (``default false`` → ``true``)."""
    for name, declared in graph["inputs"].items():
        if "default" not in declared:
            continue
        value = declared["default"]
        kind = declared["type"]["kind"]
        if isinstance(value, bool):
            others: list[Any] = [not value]
        elif kind == "enum":
            members = graph["enums"][declared["type"]["enum"]]["members"]
            others = [members[(members.index(value) + 1) % len(members)]] if len(members) > 1 else []
        else:
            others = [_moved(value, -1), _moved(value, 1)]
        for other in others:
            change = f"{json.dumps(value)} → {json.dumps(other)}"
            yield Mutant(
                f"change-default input {name} {change}",
                "change-default",
                f"input {name}",
                change,
                _replace(graph, ["inputs", name, "default"], other),
            )


def _unset_arms(graph: JSON) -> Iterator[Mutant]:
    """An output that may be unset (fibrolang/unset.py): each value arm (a table cell) made
    unset, and each ``unset`` arm given the output's first value, as a cell changed to its
    neighbour's value would."""
    for index, definition in enumerate(graph["definitions"]):
        arms = list(_output_arms(definition["expr"], ["definitions", index, "expr"]))
        if not definition.get("output") or not any(arm.get("op") == "unset" for _, arm in arms):
            continue
        location = f"define {definition['name']}"
        first = next((arm for _, arm in arms if arm.get("op") != "unset"), None)
        for ordinal, (path, arm) in enumerate(arms, start=1):
            if arm.get("op") == "unset":
                if first is None:
                    continue
                change = f"#{ordinal} unset → {_arm_text(first)}"
                yield Mutant(
                    f"unset-arm {location} {change}",
                    "unset-arm",
                    location,
                    change,
                    _replace(graph, path, first),
                )
            else:
                change = f"#{ordinal} {_arm_text(arm)} → unset"
                mutated = _replace(graph, path, {"op": "unset"})
                yield Mutant(f"unset-arm {location} {change}", "unset-arm", location, change, mutated)


def _output_arms(expr: JSON, path: list[Any]) -> Iterator[tuple[list[Any], JSON]]:
    """The value arms of an output's ``if`` chain (its table cells, its ``unset``s), in order."""
    if expr.get("op") == "if":
        for arm in ("then", "else"):
            yield from _output_arms(expr[arm], [*path, arm])
    elif expr.get("op") in ("unset", *_NAMED) or _is_number_constant(expr):
        yield path, expr


def _arm_text(arm: JSON) -> str:
    if arm.get("op") == "unset":
        return "unset"
    if arm.get("op") == "member":
        return str(arm["value"])
    if arm.get("op") == "text":
        return json.dumps(arm["value"])  # quoted and escaped: a text may hold any character
    return _number(arm["value"])


_NAMED = ("member", "text")
"""Arm values that are not numbers: an enum member, a text (compiler/check/text.py)."""


def mutants(graph: JSON) -> list[Mutant]:
    """Every mutant of a graph, in a stable order (operator, then graph order)."""
    graph = json.loads(json.dumps(graph, sort_keys=True))
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
