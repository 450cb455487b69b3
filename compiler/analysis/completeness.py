"""Incomplete decisions and overlapping exclusive branches.

- FIB202: a decision without ``otherwise`` where some patient who reaches it
  matches no branch. The counterexample is replayed: the runtime must refuse
  the patient with "no branch of decision ... holds".
- FIB204: a decision declared ``exclusive`` where a patient matches two
  branches. The runtime must take the first for that patient, and take the
  second on a probe copy of the graph without the branches before it.
- FIB211 (warning): a complete patient for whom a guard reads a map entry
  the patient does not have, so the runtime answers ``insufficient_data``
  although no input is missing (e.g. ``medications[duloxetine].weeks`` for a
  patient who never took duloxetine). Guard it with ``duloxetine in
  medications and ...``.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from compiler.analysis.context import Analysis
from compiler.analysis.encode import Term
from compiler.analysis.replay import Replay, without_branches
from compiler.diagnostics.catalogue import RelatedSpan
from compiler.front import syntax as s
from fibrolang.graph import DecisionNode, Node


def _refused(prefix: str) -> Callable[[Replay], bool]:
    return lambda replay: replay.outcome == "incomplete" and prefix in replay.detail


def _takes(edge_id: str) -> Callable[[Replay], bool]:
    return lambda replay: edge_id in replay.edges


def check_completeness(analysis: Analysis) -> None:
    paths = analysis.paths
    nodes = paths.nodes
    for node_id, stuck in paths.no_branch.items():
        span = analysis.sources.span(nodes[node_id].trace.source, s.Decision)
        prefix = f"no branch of decision {node_id} holds"
        found = analysis.find(
            span,
            f"a patient for whom no branch of {node_id} holds",
            [stuck],
            analysis.graph,
            _refused(prefix),
        )
        if found is None:
            continue
        patient, _replay = found
        analysis.report(
            "FIB202",
            f"decision {node_id} is incomplete: some patients who reach it match no branch",
            span,
            hint="add an `otherwise` branch, or widen the guards; the patient below matches none",
            patient=patient,
        )
    for node_id in paths.order:
        undecided = paths.undecided.get(node_id)
        if undecided is not None and not z3.is_false(undecided):
            _undecided(analysis, node_id, nodes[node_id], undecided)


def _undecided(analysis: Analysis, node_id: str, node: Node, undecided: Term) -> None:
    span = analysis.sources.span(node.trace.source, (s.Decision, s.Step))
    found = analysis.find(
        span,
        f"a complete patient left undecided at {node_id}",
        [undecided],
        analysis.graph,
        lambda replay: replay.outcome == "insufficient_data" and replay.nodes[-1:] == (node_id,),
    )
    if found is None:
        return
    patient, replay = found
    analysis.report(
        "FIB211",
        f"at {node_id}, a guard reads a map entry the patient may not have: a complete patient gets "
        f"insufficient_data ({replay.result.get('message') or 'undecided'})",
        span,
        hint="test `key in map and ...` before reading `map[key].field`",
        patient=patient,
        path=replay.edges,
    )


def check_overlap(analysis: Analysis) -> None:
    paths = analysis.paths
    nodes = paths.nodes
    for node_id in paths.order:
        node = nodes[node_id]
        if not isinstance(node, DecisionNode) or not node.exclusive:
            continue
        guards = paths.guards[node_id]
        branches = node.branches
        for later in range(len(guards)):
            for first in range(later):
                first_guard, later_guard = guards[first], guards[later]
                if first_guard is None or later_guard is None:
                    continue
                first_id, later_id = branches[first].id, branches[later].id
                span = analysis.sources.guard_span(branches[later].trace.source, s.Branch)
                goals = [paths.reach[node_id], first_guard.holds(), later_guard.holds()]
                what = f"a patient matching both {first_id} and {later_id}"
                found = analysis.find(span, what, goals, analysis.graph, _takes(first_id))
                if found is None:
                    continue
                patient, _replay = found
                probe = without_branches(analysis.graph, node_id, later)
                second = analysis.runtime.run(probe, patient)
                if later_id not in second.edges:
                    analysis.disagreement(span, what, patient, second)
                    continue
                analysis.report(
                    "FIB204",
                    f"branches {first_id} and {later_id} of exclusive decision {node_id} overlap: "
                    "a patient matches both",
                    span,
                    hint="make the guards exclusive, or drop `exclusive` if first-match order is intended",
                    related=[
                        RelatedSpan(
                            analysis.sources.guard_span(branches[first].trace.source, s.Branch),
                            f"branch {first_id} also matches this patient",
                        )
                    ],
                    patient=patient,
                )
