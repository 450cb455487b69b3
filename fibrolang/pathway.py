"""Compile the pathway's nodes into steps, and walk them for one patient.

Each node becomes a ``Step`` whose ``visit(walk)`` does the node's work and
returns the next step (or None when the walk ends). Everything a result
holds that does not depend on the patient (guard outcomes, reasons, the
recommendation, avoid, flag and monitoring objects) is built once here, so
an evaluation mostly appends ready-made objects to lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fibrolang.compile import Evaluator
from fibrolang.errors import GuidelineError, Problem
from fibrolang.graph import (
    ActionNode,
    DecisionNode,
    Graph,
    Intervention,
    RecommendItem,
    Status,
    Traceability,
)
from fibrolang.result import (
    Avoidance,
    Citation,
    Flag,
    GuardOutcome,
    Monitoring,
    Reason,
    Recommendation,
)
from fibrolang.values import Context

_MEMO_LIMIT = 4096


class Walk:
    """The mutable state of one evaluation while it walks the pathway."""

    __slots__ = ("avoid", "context", "decided", "edges", "flags", "guards", "missing",
                 "monitoring", "nodes", "recommendations", "seen", "status", "status_message",
                 "why")

    def __init__(self, context: Context) -> None:
        self.context = context
        self.nodes: list[str] = ["start"]
        self.edges: list[str] = ["start"]
        self.guards: list[GuardOutcome] = []
        self.why: list[Reason] = []
        self.decided: list[str] = []
        self.recommendations: list[Recommendation] = []
        self.avoid: list[Avoidance] = []
        self.flags: list[Flag] = []
        self.monitoring: list[Monitoring] = []
        self.seen: set[int] = set()
        self.status: Status = "insufficient_data"
        self.status_message: str | None = None
        self.missing: tuple[str, ...] = ()

    def undecided(self, missing: frozenset[str], what: str) -> None:
        self.status = "insufficient_data"
        self.missing = tuple(sorted(missing))
        self.status_message = f"Not enough data to decide {what}: missing {', '.join(self.missing)}."


class Step:
    __slots__ = ("id",)

    def __init__(self, node_id: str) -> None:
        self.id = node_id

    def visit(self, walk: Walk) -> Step | None:
        raise NotImplementedError


class Branch:
    __slots__ = ("failed", "guard", "held", "id", "reason", "target", "undecided")

    def __init__(self, edge_id: str, label: str | None, guard: Evaluator | None) -> None:
        self.id = edge_id
        self.guard = guard
        self.target: Step = Step("")
        self.held = GuardOutcome(edge_id, None, True)
        self.failed = GuardOutcome(edge_id, None, False)
        self.undecided = GuardOutcome(edge_id, None, None)
        self.reason = Reason(edge_id, label)


class DecisionStep(Step):
    __slots__ = ("branches", "question")

    def __init__(self, node: DecisionNode, branches: tuple[Branch, ...]) -> None:
        super().__init__(node.id)
        self.question = node.question
        self.branches = branches

    def visit(self, walk: Walk) -> Step | None:
        context = walk.context
        for branch in self.branches:
            guard = branch.guard
            if guard is not None:
                value = guard(context)
                if value is False:
                    walk.guards.append(branch.failed)
                    continue
                if value is not True:
                    walk.guards.append(branch.undecided)
                    walk.undecided(value.missing, self._describe())
                    return None
                walk.guards.append(branch.held)
            walk.edges.append(branch.id)
            walk.why.append(branch.reason)
            walk.decided.append(branch.id)
            return branch.target
        raise GuidelineError(
            f"the guideline is incomplete: no branch of decision {self.id} holds and it has "
            "no otherwise",
            (Problem(f"nodes.{self.id}", "no branch holds for this patient", "no_branch_holds"),))

    def _describe(self) -> str:
        return f"{self.id} ({self.question})" if self.question else self.id


class ItemStep:
    """One action item: its guard, its outcomes, and what applying it adds."""

    __slots__ = ("failed", "guard", "held", "id", "identity", "undecided")

    def __init__(self, item_id: str, guard: Evaluator | None, identity: int) -> None:
        self.id = item_id
        self.guard = guard
        self.identity = identity
        self.held = GuardOutcome(None, item_id, True)
        self.failed = GuardOutcome(None, item_id, False)
        self.undecided = GuardOutcome(None, item_id, None)

    def apply(self, walk: Walk) -> None:
        raise NotImplementedError


class RecommendStep(ItemStep):
    __slots__ = ("dose_bound", "intervention", "made", "make", "stops")

    def __init__(self, item_id: str, guard: Evaluator | None, identity: int,
                 item: RecommendItem, make: Callable[[tuple[Reason, ...]], Recommendation]
                 ) -> None:
        super().__init__(item_id, guard, identity)
        self.intervention = item.intervention
        self.stops = item.action == "stop"
        bounds = [bound.maximum for bound in (item.dose,) if bound is not None]
        bounds += [titration.target for titration in (item.titration,) if titration is not None]
        self.dose_bound = max(bounds) if bounds else None
        self.make = make
        self.made: dict[tuple[str, ...], Recommendation] = {}

    def apply(self, walk: Walk) -> None:
        if not self.stops:
            context = walk.context
            context.recommended.add(self.intervention)
            bound = self.dose_bound
            if bound is not None:
                current = context.doses.get(self.intervention)
                if current is None or bound > current:
                    context.doses[self.intervention] = bound
        key = tuple(walk.decided)
        recommendation = self.made.get(key)
        if recommendation is None:
            recommendation = self.make(tuple(walk.why))
            if len(self.made) < _MEMO_LIMIT:
                self.made[key] = recommendation
        walk.recommendations.append(recommendation)


class AvoidStep(ItemStep):
    __slots__ = ("avoidance",)

    def __init__(self, item_id: str, guard: Evaluator | None, identity: int,
                 avoidance: Avoidance) -> None:
        super().__init__(item_id, guard, identity)
        self.avoidance = avoidance

    def apply(self, walk: Walk) -> None:
        walk.context.avoided.add(self.avoidance.intervention)
        walk.avoid.append(self.avoidance)


class FlagStep(ItemStep):
    __slots__ = ("flag",)

    def __init__(self, item_id: str, guard: Evaluator | None, identity: int, flag: Flag) -> None:
        super().__init__(item_id, guard, identity)
        self.flag = flag

    def apply(self, walk: Walk) -> None:
        walk.context.flagged.add(self.flag.id)
        walk.flags.append(self.flag)


class MonitorStep(ItemStep):
    __slots__ = ("monitoring",)

    def __init__(self, item_id: str, guard: Evaluator | None, identity: int,
                 monitoring: Monitoring) -> None:
        super().__init__(item_id, guard, identity)
        self.monitoring = monitoring

    def apply(self, walk: Walk) -> None:
        walk.monitoring.append(self.monitoring)


class ActionStep(Step):
    __slots__ = ("items", "next_id", "target")

    def __init__(self, node: ActionNode, items: tuple[ItemStep, ...]) -> None:
        super().__init__(node.id)
        self.items = items
        self.next_id = node.next.id
        self.target: Step = Step("")

    def visit(self, walk: Walk) -> Step | None:
        context = walk.context
        seen = walk.seen
        for item in self.items:
            guard = item.guard
            if guard is not None:
                value = guard(context)
                if value is False:
                    walk.guards.append(item.failed)
                    continue
                if value is not True:
                    walk.guards.append(item.undecided)
                    walk.undecided(value.missing, f"whether item {item.id} applies")
                    return None
                walk.guards.append(item.held)
            if item.identity in seen:
                continue  # the same entry was already added on this path: keep the first
            seen.add(item.identity)
            item.apply(walk)
        walk.edges.append(self.next_id)
        return self.target


class TerminalStep(Step):
    __slots__ = ("message", "status")

    def __init__(self, node_id: str, status: Status, message: str | None) -> None:
        super().__init__(node_id)
        self.status = status
        self.message = message

    def visit(self, walk: Walk) -> Step | None:
        walk.status = self.status
        walk.status_message = self.message
        return None


class StepFactory:
    """Builds the ready-made result objects for items of one graph."""

    def __init__(self, graph: Graph) -> None:
        self.interventions = {item.id: item for item in graph.interventions}
        self.citations = dict(graph.guideline.citations)
        self.identities: dict[tuple[Any, ...], int] = {}

    def identity(self, key: tuple[Any, ...]) -> int:
        return self.identities.setdefault(key, len(self.identities))

    def cite(self, *groups: tuple[int, ...]) -> tuple[Citation, ...]:
        numbers = list(dict.fromkeys(number for group in groups for number in group))
        return tuple(Citation(number, self.citations.get(number)) for number in numbers)

    def recommendation_maker(self, node_id: str, item: RecommendItem
                             ) -> Callable[[tuple[Reason, ...]], Recommendation]:
        intervention = self.interventions.get(item.intervention) or _UNCATALOGUED
        trace: Traceability = item.trace
        citations = self.cite(trace.citations, intervention.citations)
        notes = trace.notes + intervention.notes

        def make(why: tuple[Reason, ...]) -> Recommendation:
            return Recommendation(
                intervention=item.intervention, kind=intervention.kind, label=intervention.label,
                drug_class=intervention.drug_class, action=item.action, dose=item.dose,
                titration=item.titration, evidence=intervention.evidence, citations=citations,
                quote=trace.quote if trace.quote is not None else intervention.quote,
                notes=notes, node=node_id, item=item.id, why=why)

        return make

    def label(self, intervention: str) -> str | None:
        found = self.interventions.get(intervention)
        return found.label if found else None


_UNCATALOGUED = Intervention("", "drug", None, None, None, None, None, (), (), (), (), None, ())
