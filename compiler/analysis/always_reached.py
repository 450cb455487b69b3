"""The nodes every patient reaches, found from the shape of the graph alone.

A walk stops only at an *exit*: a terminal, a decision without ``otherwise``
(no branch may hold), or a node with a guard that can be unknown (a map entry
the patient does not have stops the walk with ``insufficient_data``). Every
other node passes every patient who reaches it on along exactly one edge. So
every walk from ``start`` ends at an exit, and a node that lies on every path
from ``start`` to every exit (it dominates them all) is reached by every
patient: its path condition ``~reach N`` is true for every patient.

That is what lets a question about a long chain stop at the last such node
before it (``cone.Cones`` with ``cut``): the equation of ``~reach N`` and the
whole walk before it are replaced by ``~reach N`` itself, true. The verdict
is the same (docs/benchmarks.md, "Safety proofs"); the question no longer
grows with the length of the chain before it.

The dominators are found in one pass over the nodes in topological order
(``fibrolang.graph_order.DominatorTree``: Cooper, Harvey and Kennedy's
intersection of immediate dominators; on a DAG one pass suffices), and the
exits' nearest common dominator is where the chain ends.
"""

from __future__ import annotations

import z3

from compiler.analysis.paths import PathConditions
from fibrolang.graph import TerminalNode
from fibrolang.graph_order import DominatorTree


def exits(paths: PathConditions) -> list[str]:
    """The reachable nodes where a walk may stop, in topological order."""
    nodes = paths.nodes
    placed = set(paths.order)
    leaving: dict[str, list[str]] = {}
    for edge in paths.edges.values():
        leaving.setdefault(edge.node, []).append(edge.target)
    found = []
    for node_id in paths.order:
        node = nodes[node_id]
        undecided = paths.undecided.get(node_id)
        stops = (
            isinstance(node, TerminalNode)
            or node_id in paths.no_branch
            or (undecided is not None and not z3.is_false(undecided))
            or not leaving.get(node_id)
            or any(target not in placed for target in leaving[node_id])
        )
        if stops:
            found.append(node_id)
    return found


def always_reached(paths: PathConditions) -> list[str]:
    """The nodes every patient reaches (a sufficient condition: the shape of the graph shows it),
    from ``start`` on, in topological order."""
    order = paths.order
    start = paths.graph.start
    if not order or order[0] != start:
        return []
    before: dict[str, list[str]] = {node_id: [] for node_id in order}
    for edge in paths.edges.values():
        if edge.target in before and edge.node in before:
            before[edge.target].append(edge.node)
    tree = DominatorTree(order, before)
    stops = [node_id for node_id in exits(paths) if node_id in tree.parent]
    if not stops:
        return []
    common = stops[0]
    for other in stops[1:]:
        common = tree.meet(common, other)
    return tree.chain(common)
