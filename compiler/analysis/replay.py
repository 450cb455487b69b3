"""Replay a witness patient through the real runtime before any verdict is reported.

A z3 model is a claim; the runtime is the ground truth an embedding developer
will run. Every counterexample and witness goes through
``fibrolang.load(graph).evaluate(patient)`` and the analysis checks that the
runtime takes the predicted path or breaks the predicted property. When it
does not, the analysis reports an internal error instead of a verdict.

Properties the runtime cannot observe directly (a contraindication holding, a
branch that would also match) are replayed on a *probe* copy of the graph:
the same pathway with one extra invariant (so the runtime raises
``SafetyViolation`` exactly when the property is broken) or with an earlier
branch removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import fibrolang
from fibrolang.expressions import Expression
from fibrolang.graph import DecisionNode, Graph, Invariant, SourcePosition, Traceability
from fibrolang.load import Guideline


@dataclass(frozen=True)
class Replay:
    """What the runtime did with one patient."""

    outcome: str  # ok / not_applicable / insufficient_data / violation / incomplete / invalid / error
    edges: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    recommended: tuple[str, ...] = ()
    avoided: tuple[str, ...] = ()
    violated: str | None = None
    detail: str = ""
    result: Mapping[str, Any] = field(default_factory=dict)


class Runtime:
    """Loads each graph variant once and replays patients on it."""

    def __init__(self) -> None:
        self._loaded: dict[int, tuple[Graph, Guideline]] = {}

    def _guideline(self, graph: Graph) -> Guideline:
        entry = self._loaded.get(id(graph))
        if entry is None or entry[0] is not graph:
            # the graph under analysis, or a probe copy the analysis made of it; a file's
            # integrity is checked where the file is read (fibrolang.load of a path)
            entry = (graph, Guideline(graph))
            self._loaded[id(graph)] = entry
        return entry[1]

    def run(self, graph: Graph, patient: Mapping[str, Any]) -> Replay:
        try:
            guideline = self._guideline(graph)
        except fibrolang.GuidelineError as error:
            return Replay("error", detail=f"the runtime cannot load the graph: {error}")
        try:
            result = guideline.evaluate(patient)
        except fibrolang.SafetyViolation as violation:
            return Replay(
                "violation",
                edges=tuple(violation.edges),
                nodes=tuple(violation.nodes),
                violated=violation.invariant,
                detail=str(violation),
            )
        except fibrolang.InvalidPatient as error:
            return Replay("invalid", detail=str(error))
        except fibrolang.GuidelineError as error:
            return Replay("incomplete", detail=str(error))
        data = result.to_dict()
        return Replay(
            data["status"],
            edges=tuple(result.trace.edges),
            nodes=tuple(result.trace.nodes),
            recommended=tuple(r["intervention"] for r in data["recommendations"] if r["action"] != "stop"),
            avoided=tuple(a["intervention"] for a in data["avoid"]),
            result=data,
        )


def with_invariant(graph: Graph, name: str, kind: Literal["never", "always"], condition: Expression) -> Graph:
    """A probe graph: the same pathway, checked against one invariant only."""
    trace = Traceability((), None, (), SourcePosition(0, 0))
    return replace(graph, invariants=(Invariant(name, None, kind, condition, trace),))


def without_invariants(graph: Graph) -> Graph:
    return replace(graph, invariants=())


def without_branches(graph: Graph, node_id: str, keep: int) -> Graph:
    """A probe graph in which a decision keeps only its branches from position ``keep`` on."""
    nodes = tuple(
        replace(node, branches=node.branches[keep:])
        if node.id == node_id and isinstance(node, DecisionNode)
        else node
        for node in graph.nodes
    )
    return replace(graph, nodes=nodes)
