"""The order of a decision graph's nodes: successors, predecessors, topological orders, dominators.

One module for every walker the toolchain needs over the pathway (the flowchart's
stages and printed pages, the analysis's path conditions, the SQL target, the CDS
cards). The order functions take node ids and a ``following`` function (the ids a
node leads to, in branch order), so they serve the typed ``Graph`` (``targets``)
as well as any sub-graph a caller cuts out of it; nothing here depends on a
node's content. Every result is a list in a deterministic order: no set is
iterated.

The pathway is a DAG (``fibrolang.structure`` refuses a cycle), and the dominator
functions rely on it: one pass in topological order suffices.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from fibrolang.graph import ActionItem, ActionNode, DecisionNode, Edge, Graph, Node

Following = Callable[[str], Iterable[str]]
"""The ids a node leads to, in branch order (repeats allowed)."""


class CycleError(ValueError):
    """``depth_first_order(..., strict=True)`` met an edge back to a node on the current path."""

    def __init__(self, node: str) -> None:
        super().__init__(f"the pathway has a cycle through {node!r}")
        self.node = node


# ---- the typed graph ------------------------------------------------------------


def successors(node: Node) -> tuple[Edge, ...]:
    """The edges leaving a node, in branch order: a decision's branches, an action's ``next``."""
    if isinstance(node, DecisionNode):
        return node.branches
    if isinstance(node, ActionNode):
        return (node.next,)
    return ()


def guarded_entries(node: Node) -> tuple[Edge, ...] | tuple[ActionItem, ...]:
    """The entries of a node that may carry a guard, in order: a decision's branches, an
    action's items (an ending has none)."""
    if isinstance(node, DecisionNode):
        return node.branches
    if isinstance(node, ActionNode):
        return node.items
    return ()


def targets(node: Node) -> list[str]:
    """The ids of the nodes a node leads to, in branch order."""
    return [edge.target for edge in successors(node)]


def nodes_by_id(graph: Graph) -> dict[str, Node]:
    """The graph's nodes by id (in the graph's order)."""
    return {node.id: node for node in graph.nodes}


_last_index: tuple[Graph | None, dict[str, Node]] = (None, {})


def node_by_id(graph: Graph, node_id: str) -> Node | None:
    """One node of the graph by id, None when there is none. The index of the last graph
    asked about is kept (one reference, replaced whole: safe to share between threads), so
    a caller looking up many nodes of one graph builds it once."""
    global _last_index
    indexed, index = _last_index
    if indexed is not graph:
        index = nodes_by_id(graph)
        _last_index = (graph, index)
    return index.get(node_id)


def in_source_order(graph: Graph) -> list[Node]:
    """The nodes in the order the guideline wrote them (the graph's own order is by id,
    as the canonical JSON sorts keys; the order is recovered from the source positions)."""

    def position(node: Node) -> tuple[int, int, str]:
        source = node.trace.source
        return (source.line, source.column, node.id) if source else (0, 0, node.id)

    return sorted(graph.nodes, key=position)


def following_in(nodes: Mapping[str, Node]) -> Following:
    """The ``following`` function of a set of nodes: targets that are not in ``nodes`` are left out."""

    def following(node_id: str) -> list[str]:
        return [target for target in targets(nodes[node_id]) if target in nodes]

    return following


# ---- orders ---------------------------------------------------------------------


def depth_first_order(start: str, following: Following, *, strict: bool = False) -> list[str]:
    """The nodes reachable from ``start``, each after all its predecessors: the reverse
    post-order of a depth-first walk that takes the edges in branch order.

    An edge back to a node on the current path (a cycle) is skipped, or raises
    ``CycleError`` when ``strict``."""
    state: dict[str, int] = {start: 1}  # 1: on the current path, 2: finished
    finished: list[str] = []
    stack: list[tuple[str, Iterator[str]]] = [(start, iter(following(start)))]
    while stack:
        current, pending = stack[-1]
        child = next(pending, None)
        if child is None:
            stack.pop()
            state[current] = 2
            finished.append(current)
            continue
        seen = state.get(child)
        if seen == 1 and strict:
            raise CycleError(child)
        if seen is None:
            state[child] = 1
            stack.append((child, iter(following(child))))
    finished.reverse()
    return finished


def ranked_order(start: str, following: Following, rank: Callable[[str], int]) -> list[str]:
    """The nodes reachable from ``start`` in a topological order that, among the nodes
    ready at each step (all predecessors placed), takes the one of least ``rank``.
    Nodes on a cycle are left out."""
    reachable: list[str] = []
    leads_to: dict[str, list[str]] = {}
    stack = [start]
    while stack:
        node_id = stack.pop()
        if node_id in leads_to:
            continue
        reachable.append(node_id)
        leads_to[node_id] = list(following(node_id))
        stack.extend(reversed(leads_to[node_id]))
    indegree = dict.fromkeys(reachable, 0)
    for node_id in reachable:
        for target in leads_to[node_id]:
            indegree[target] += 1
    ready = [(rank(n), n) for n in reachable if indegree[n] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, node_id = heapq.heappop(ready)
        order.append(node_id)
        for target in leads_to[node_id]:
            indegree[target] -= 1
            if indegree[target] == 0:
                heapq.heappush(ready, (rank(target), target))
    return order


def predecessors(order: Sequence[str], following: Following) -> dict[str, list[str]]:
    """For each node of ``order``, the nodes of ``order`` that lead to it, once each, in ``order``."""
    found: dict[str, list[str]] = {node_id: [] for node_id in order}
    for node_id in order:
        for target in following(node_id):
            if target in found and node_id not in found[target]:
                found[target].append(node_id)
    return found


def reachability(order: Sequence[str], following: Following) -> dict[str, set[str]]:
    """For each node of a topological ``order``, the nodes it reaches (itself included)."""
    reaches: dict[str, set[str]] = {}
    for node_id in reversed(order):
        found = {node_id}
        for target in following(node_id):
            found |= reaches.get(target, set())
        reaches[node_id] = found
    return reaches


# ---- dominators -----------------------------------------------------------------


def dominators(order: Sequence[str], before: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
    """For each node of a topological ``order``, the nodes that lie on every path to it
    from a root (a node with no predecessor in ``before``), itself included.

    ``before`` maps each node to its predecessors (``predecessors``). A node reached
    from two roots with no node in common is dominated by itself alone."""
    found: dict[str, frozenset[str]] = {}
    for node_id in order:
        sets = [found[p] for p in before[node_id] if p in found]
        common = frozenset.intersection(*sets) if sets else frozenset()
        found[node_id] = common | {node_id}
    return found


class DominatorTree:
    """The immediate dominators of the nodes of a topological ``order`` from its first
    node (Cooper, Harvey and Kennedy's intersection; on a DAG one pass suffices), in
    time linear in the edges times the depth of the tree.

    ``before`` maps each node to its predecessors (repeats allowed). A node none of
    whose predecessors is reached from the first node has no entry in ``parent``."""

    def __init__(self, order: Sequence[str], before: Mapping[str, Sequence[str]]) -> None:
        self.root = order[0]
        self.position = {node_id: index for index, node_id in enumerate(order)}
        self.parent: dict[str, str] = {self.root: self.root}
        for node_id in order[1:]:
            arrivals = [p for p in before.get(node_id, ()) if p in self.parent]
            if not arrivals:
                continue
            common = arrivals[0]
            for other in arrivals[1:]:
                common = self.meet(common, other)
            self.parent[node_id] = common

    def meet(self, first: str, second: str) -> str:
        """The nearest node that dominates both."""
        position, parent = self.position, self.parent
        while first != second:
            while position[first] > position[second]:
                first = parent[first]
            while position[second] > position[first]:
                second = parent[second]
        return first

    def chain(self, node_id: str) -> list[str]:
        """The dominators of a node from the root down to the node itself."""
        found = [node_id]
        while found[-1] != self.root:
            found.append(self.parent[found[-1]])
        found.reverse()
        return found


# ---- paths ----------------------------------------------------------------------


def count_paths(start: str, following: Following) -> int:
    """The number of paths from ``start`` to a node that leads nowhere, counted node by
    node in reverse topological order (never enumerated). Edges back onto the current
    path (a cycle) are left out."""
    counts: dict[str, int] = {}
    for node_id in reversed(depth_first_order(start, following)):
        leads_to = list(following(node_id))
        counts[node_id] = sum(counts.get(target, 0) for target in leads_to) if leads_to else 1
    return counts[start]


def edge_paths(start: str, leaving: Callable[[str], Iterable[tuple[str, str]]]) -> list[tuple[str, ...]]:
    """Every path from ``start`` to a node that leads nowhere, as the ids of the edges it
    takes, in branch order; ``leaving`` gives each node's (edge id, target) pairs. The
    number of paths can be exponential in the size of the graph: count them first
    (``count_paths``)."""
    found: list[tuple[str, ...]] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(start, ())]
    while stack:
        node_id, path = stack.pop()
        edges = list(leaving(node_id))
        if not edges:
            found.append(path)
            continue
        for edge_id, target in reversed(edges):
            stack.append((target, (*path, edge_id)))
    return found
