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

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import fibrolang
from compiler.analysis.encode import JSON


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
        self._loaded: dict[int, tuple[JSON, Any]] = {}

    def _guideline(self, graph: JSON) -> Any:
        entry = self._loaded.get(id(graph))
        if entry is None or entry[0] is not graph:
            # verify=False: the graph under analysis, or a probe copy the analysis made of it;
            # a file's integrity is checked where the file is read (fibrolang.load of a path)
            entry = (graph, fibrolang.load(graph, verify=False))
            self._loaded[id(graph)] = entry
        return entry[1]

    def run(self, graph: JSON, patient: Mapping[str, Any]) -> Replay:
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


def with_invariant(graph: JSON, name: str, kind: str, condition: JSON) -> JSON:
    """A probe graph: the same pathway, checked against one invariant only."""
    probe = copy.copy(graph)
    probe["invariants"] = [
        {
            "name": name,
            "title": None,
            "kind": kind,
            "condition": condition,
            "quote": None,
            "notes": [],
            "citations": [],
            "source": {"line": 0, "column": 0},
        }
    ]
    return probe


def without_invariants(graph: JSON) -> JSON:
    probe = copy.copy(graph)
    probe["invariants"] = []
    return probe


def without_branches(graph: JSON, node_id: str, keep: int) -> JSON:
    """A probe graph in which a decision keeps only its branches from position ``keep`` on."""
    probe = copy.copy(graph)
    nodes = dict(graph["nodes"])
    node = dict(nodes[node_id])
    node["branches"] = node["branches"][keep:]
    nodes[node_id] = node
    probe["nodes"] = nodes
    return probe
