"""Unreachable and shadowed branches, and action items that never apply.

For every branch of every reachable decision, in order:

- the branch can be taken by some patient: fine;
- its guard can never hold for a patient who reaches the decision (given the
  input ranges, the definitions and the guards on the way there): FIB201,
  with the guards on the way that exclude it as related spans;
- its guard can hold there, but only for patients an earlier branch already
  takes: FIB203 (a dead branch), with the covering earlier branches.

A decision that itself cannot be reached gets no diagnostics of its own: the
branch leading to it was already reported (no cascades). Item guards that can
never hold where the step is reached get the warning FIB210.
"""

from __future__ import annotations

from compiler.analysis.context import Analysis
from compiler.analysis.encode import TRUE, Term
from compiler.analysis.paths import EdgeCondition
from compiler.analysis.spans import ITEM_KINDS
from compiler.diagnostics.catalogue import RelatedSpan
from compiler.front import syntax as s
from fibrolang.graph import DecisionNode, TerminalNode

MAX_PATHS_EXPLAINED = 8


def check_reachability(analysis: Analysis) -> None:
    paths = analysis.paths
    nodes = paths.nodes
    for node_id in paths.order:
        node = nodes[node_id]
        if isinstance(node, TerminalNode):
            continue
        node_span = analysis.sources.span(node.trace.source, (s.Decision, s.Step))
        reached = analysis.holds(node_span, f"whether {node_id} can be reached", [paths.reach[node_id]])
        if not reached:
            continue
        if isinstance(node, DecisionNode):
            _decision(analysis, node_id)
        else:
            _items(analysis, node_id)


def _decision(analysis: Analysis, node_id: str) -> None:
    paths = analysis.paths
    edges = [e for e in paths.edges.values() if e.node == node_id]
    guards = paths.guards[node_id]
    reach = paths.reach[node_id]
    for edge in edges:
        span = analysis.sources.guard_span(edge.edge.trace.source, s.Branch)
        taken = analysis.holds(span, f"whether branch {edge.id} can be taken", [edge.taken])
        if taken is not False:
            continue
        guard = guards[edge.index]
        if guard is None:
            analysis.report(
                "FIB203",
                f"the otherwise branch {edge.id} is never taken: the branches before it cover every "
                f"patient who reaches {node_id}",
                span,
                hint="remove the otherwise branch, or make the earlier guards narrower",
                related=_covering(analysis, node_id, edge, [reach]),
            )
            continue
        can_hold = analysis.holds(span, f"whether the guard of {edge.id} can hold", [reach, guard.holds()])
        if can_hold is None:
            continue
        if can_hold:
            analysis.report(
                "FIB203",
                f"branch {edge.id} is dead: every patient its guard matches is already taken by an "
                f"earlier branch of {node_id}",
                span,
                hint="reorder the branches, narrow the earlier guard, or remove this branch",
                related=_covering(analysis, node_id, edge, [reach, guard.holds()]),
            )
            continue
        alone = analysis.holds(span, f"whether the guard of {edge.id} can ever hold", [guard.holds()])
        if alone is False:
            analysis.report(
                "FIB201",
                f"branch {edge.id} is unreachable: its guard can never hold for any patient "
                "(given the declared input ranges and the definitions)",
                span,
                hint="check the comparison and its threshold against the input's declared range",
            )
        elif alone:
            analysis.report(
                "FIB201",
                f"branch {edge.id} is unreachable: its guard can never hold for a patient who reaches "
                f"{node_id}",
                span,
                hint="the guards on the way to this decision already exclude it; see the related guards",
                related=_excluding(analysis, node_id, guard.holds()),
            )


def _covering(analysis: Analysis, node_id: str, edge: EdgeCondition, goals: list[Term]) -> list[RelatedSpan]:
    """The earlier branches of the decision that together cover ``edge``."""
    paths = analysis.paths
    guards = paths.guards[node_id]
    assumptions = {}
    earlier: dict[str, EdgeCondition] = {}
    for other in paths.edges.values():
        guard = guards[other.index] if other.node == node_id else None
        if other.node == node_id and other.index < edge.index and guard is not None:
            assumptions[other.id] = guard.fails()
            earlier[other.id] = other
    core = analysis.prover.core(goals, assumptions)
    chosen = core if core is not None else list(assumptions)
    return [
        RelatedSpan(
            analysis.sources.guard_span(earlier[edge_id].edge.trace.source, s.Branch),
            f"earlier branch {edge_id} already takes these patients",
        )
        for edge_id in chosen
    ]


def _excluding(analysis: Analysis, node_id: str, guard: Term) -> list[RelatedSpan]:
    """The guards on the ways to ``node_id`` that exclude ``guard``."""
    paths = analysis.paths
    incoming: dict[str, list[EdgeCondition]] = {}
    for edge in paths.edges.values():
        incoming.setdefault(edge.target, []).append(edge)
    ways: list[list[EdgeCondition]] = []

    def walk(target: str, suffix: list[EdgeCondition]) -> None:
        if len(ways) > MAX_PATHS_EXPLAINED:
            return
        if target == analysis.graph.start:
            ways.append(suffix)
            return
        for edge in incoming.get(target, []):
            walk(edge.node, [edge, *suffix])

    walk(node_id, [])
    related: dict[str, RelatedSpan] = {}
    if len(ways) > MAX_PATHS_EXPLAINED:
        ways = []
    for way in ways:
        assumptions = {e.id: e.local for e in way if e.guard is not None or not _true(e.local)}
        core = analysis.prover.core([guard], assumptions)
        for edge_id in core or []:
            edge = paths.edges[edge_id]
            related.setdefault(
                edge_id,
                RelatedSpan(
                    analysis.sources.guard_span(edge.edge.trace.source, s.Branch),
                    f"on the way here, branch {edge_id} excludes it",
                ),
            )
    if not related:
        for edge in incoming.get(node_id, []):
            related[edge.id] = RelatedSpan(
                analysis.sources.span(edge.edge.trace.source, s.Branch),
                f"{node_id} is reached via {edge.id}",
            )
    return list(related.values())


def _true(term: Term) -> bool:
    return bool(term.eq(TRUE))


def _items(analysis: Analysis, node_id: str) -> None:
    paths = analysis.paths
    for item in paths.items.values():
        if item.node != node_id or item.guard is None:
            continue
        span = analysis.sources.guard_span(item.item.trace.source, ITEM_KINDS)
        applies = analysis.holds(span, f"whether item {item.id} can apply", [item.applies])
        if applies is not False:
            continue
        analysis.report(
            "FIB210",
            f"item {item.id} never applies: its guard can never hold for a patient who reaches {node_id}",
            span,
            hint="remove the item, or correct its guard",
        )
