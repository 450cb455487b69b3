"""Check how the parts of a graph refer to each other.

Run after ``graph_reader`` and before ``pathway`` compiles the nodes: declared
types name existing enumerations and records, edges lead to existing nodes,
ids are unique, ``otherwise`` comes last, items name catalogued interventions,
and the pathway has no cycle. Expression types are checked by ``compile``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from fibrolang.errors import Problem
from fibrolang.graph import (
    ActionNode,
    AvoidItem,
    DecisionNode,
    Edge,
    EnumType,
    Graph,
    MapType,
    Node,
    NumberType,
    RecommendItem,
    SetType,
    ValueType,
)
from fibrolang.graph_order import targets


def check_structure(graph: Graph) -> list[Problem]:
    problems: list[Problem] = []
    enums = {enum.name for enum in graph.enums}
    records = {record.name for record in graph.records}

    for enum in graph.enums:
        if len(set(enum.members)) != len(enum.members):
            problems.append(Problem(f"enums.{enum.name}.members", "a member is listed twice", "duplicate"))

    def check_type(declared: ValueType, path: str, in_record: bool) -> None:
        if isinstance(declared, EnumType | SetType) and declared.enum not in enums:
            problems.append(Problem(path, f"no enumeration is named {declared.enum!r}", "unknown_name"))
        if isinstance(declared, MapType):
            if in_record:
                problems.append(Problem(path, "a record field cannot hold a map", "unsupported"))
            if declared.key not in enums:
                problems.append(Problem(path, f"no enumeration is named {declared.key!r}", "unknown_name"))
            if declared.record not in records:
                problems.append(Problem(path, f"no record is named {declared.record!r}", "unknown_name"))
        if (
            isinstance(declared, NumberType)
            and declared.minimum is not None
            and declared.maximum is not None
            and declared.minimum > declared.maximum
        ):
            problems.append(Problem(path, "min is greater than max", "malformed"))

    for record in graph.records:
        for field in record.fields:
            check_type(field.type, f"records.{record.name}.fields.{field.name}", True)
    for declared in graph.inputs:
        check_type(declared.type, f"inputs.{declared.name}.type", False)

    names = [definition.name for definition in graph.definitions]
    for index, name in enumerate(names):
        if name in names[:index]:
            problems.append(
                Problem(f"definitions[{index}].name", f"definition {name!r} is defined twice", "duplicate")
            )

    problems.extend(_check_pathway(graph))
    return problems


def _check_pathway(graph: Graph) -> list[Problem]:
    problems: list[Problem] = []
    nodes = {node.id: node for node in graph.nodes}
    interventions = {item.id for item in graph.interventions}
    if graph.start and graph.start not in nodes:
        problems.append(Problem("start", f"no node is named {graph.start!r}", "unknown_name"))
    seen_edges: set[str] = {"start"}
    seen_items: set[str] = set()

    def check_edge(edge: Edge, node: str, index: int | None) -> None:
        """``index``: of the branch; None for an action's ``next`` (the path of a problem
        is written only when there is one)."""
        if edge.id in seen_edges:
            path = _edge_path(node, index)
            problems.append(Problem(f"{path}.id", f"edge id {edge.id!r} is used twice", "duplicate"))
        seen_edges.add(edge.id)
        if edge.target not in nodes:
            path = _edge_path(node, index)
            problems.append(Problem(f"{path}.target", f"no node is named {edge.target!r}", "unknown_name"))

    for node in graph.nodes:
        if isinstance(node, DecisionNode):
            branches = node.branches
            if not branches:
                problems.append(
                    Problem(f"nodes.{node.id}.branches", "a decision needs a branch", "malformed")
                )
            last = len(branches) - 1
            for index, branch in enumerate(branches):
                check_edge(branch, node.id, index)
                if branch.guard is None and index != last:
                    problems.append(
                        Problem(
                            f"{_edge_path(node.id, index)}.guard",
                            "only the last branch may be otherwise (guard null)",
                            "malformed",
                        )
                    )
        elif isinstance(node, ActionNode):
            check_edge(node.next, node.id, None)
            for index, item in enumerate(node.items):
                if item.id in seen_items:
                    problems.append(
                        Problem(
                            f"nodes.{node.id}.items[{index}].id",
                            f"item id {item.id!r} is used twice",
                            "duplicate",
                        )
                    )
                seen_items.add(item.id)
                if isinstance(item, RecommendItem | AvoidItem) and item.intervention not in interventions:
                    problems.append(
                        Problem(
                            f"nodes.{node.id}.items[{index}].intervention",
                            f"no intervention is named {item.intervention!r}",
                            "unknown_name",
                        )
                    )
    problems.extend(_check_acyclic(graph, nodes))
    return problems


def _edge_path(node: str, index: int | None) -> str:
    return f"nodes.{node}.next" if index is None else f"nodes.{node}.branches[{index}]"


def _check_acyclic(graph: Graph, nodes: Mapping[str, Node]) -> list[Problem]:
    """Depth-first search in node order; report each cycle once, by the node closing it."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    problems: list[Problem] = []
    for root in sorted(nodes):
        if root in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(targets(nodes[root])))]
        state[root] = 1
        while stack:
            name, pending = stack[-1]
            target = next(pending, None)
            if target is None:
                state[name] = 2
                stack.pop()
                continue
            if target not in nodes:
                continue
            if state.get(target) == 1:
                problems.append(Problem(f"nodes.{name}", f"the pathway loops back to {target!r}", "cycle"))
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(targets(nodes[target]))))
    return problems
