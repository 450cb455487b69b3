"""Action items compiled for the walk: what each adds to the plan, built once at load time.

Every result object an item can add (recommendation, avoid item, flag,
monitoring) and every guard outcome it can record is made here, once, so an
evaluation mostly appends ready-made objects to lists. A recommendation
depends on the decisions taken before it (its ``why``): it is memoised per
path (``pathway.Path``).

A run of unguarded items in a step (the baseline plan of a guideline is
usually one) becomes one ``Batch``, applied with a few ``extend``/``update``
calls instead of one call per item whenever none of its entries is already
on the path; otherwise its items are applied one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fibrolang.closures import Evaluator
from fibrolang.graph import Graph, Intervention, RecommendItem, Traceability
from fibrolang.result import (
    Avoidance,
    Citation,
    Flag,
    Monitoring,
    Reason,
    Recommendation,
    guard_outcomes,
)
from fibrolang.values import Question

if TYPE_CHECKING:
    from fibrolang.pathway import Path, Walk

_MEMO_LIMIT = 4096
"""Recommendations memoised per item: one per path reaching it, up to this many."""


class ItemStep:
    """One action item: its guard, its outcomes, and what applying it adds."""

    __slots__ = (
        "compute",
        "definition",
        "description",
        "failed",
        "guard",
        "held",
        "id",
        "identity",
        "input",
        "input_missing",
        "reads_plan",
        "requires",
        "skipped_by",
        "undecided",
    )

    def __init__(self, item_id: str, guard: Evaluator | None, identity: int) -> None:
        self.id = item_id
        self.guard = guard
        self.identity = identity  # equal for identical entries: the first on a path is kept
        self.held, self.failed, self.undecided = guard_outcomes(None, item_id)
        self.description = Question(f"whether item {item_id} applies")
        self.reads_plan = False  # whether the guard reads the plan (set by the compiler)
        self.input: str | None = None  # the boolean input the guard is (set by the compiler)
        self.input_missing: frozenset[str] = frozenset()  # what it lacks when that is absent
        self.requires: str | None = None  # X when the guard is `X is recommended and ...`
        # when the guard is a definition `d` (or `not d`) memoised per evaluation (set by the
        # compiler): its slot in the memo, how to compute it, and the value that skips the item
        self.definition: int | None = None
        self.compute: Evaluator | None = None
        self.skipped_by = False

    def apply(self, walk: Walk) -> None:
        """Add the item to the plan, unless the same entry is already on the path."""
        raise NotImplementedError


class RecommendStep(ItemStep):
    __slots__ = ("dose_bound", "intervention", "made", "make", "stops")

    def __init__(
        self,
        item_id: str,
        guard: Evaluator | None,
        identity: int,
        item: RecommendItem,
        make: Callable[[tuple[Reason, ...]], Recommendation],
    ) -> None:
        super().__init__(item_id, guard, identity)
        self.intervention = item.intervention
        self.stops = item.action == "stop"
        bounds = [bound.maximum for bound in (item.dose,) if bound is not None]
        bounds += [titration.target for titration in (item.titration,) if titration is not None]
        self.dose_bound = max(bounds) if bounds else None
        self.make = make
        self.made: dict[Path, Recommendation] = {}

    def apply(self, walk: Walk) -> None:
        seen = walk.seen
        if self.identity in seen:
            return
        seen.add(self.identity)
        if not self.stops:
            walk.recommended.add(self.intervention)
            bound = self.dose_bound
            if bound is not None:
                current = walk.doses.get(self.intervention)
                if current is None or bound > current:
                    walk.doses[self.intervention] = bound
        recommendation = self.made.get(walk.path)
        if recommendation is None:
            recommendation = self.make(walk.path.why)
            if len(self.made) < _MEMO_LIMIT:
                self.made[walk.path] = recommendation
        walk.recommendations.append(recommendation)


class AvoidStep(ItemStep):
    __slots__ = ("avoidance",)

    def __init__(self, item_id: str, guard: Evaluator | None, identity: int, avoidance: Avoidance) -> None:
        super().__init__(item_id, guard, identity)
        self.avoidance = avoidance

    def apply(self, walk: Walk) -> None:
        seen = walk.seen
        if self.identity in seen:
            return
        seen.add(self.identity)
        walk.avoided.add(self.avoidance.intervention)
        walk.avoid.append(self.avoidance)


class FlagStep(ItemStep):
    __slots__ = ("flag",)

    def __init__(self, item_id: str, guard: Evaluator | None, identity: int, flag: Flag) -> None:
        super().__init__(item_id, guard, identity)
        self.flag = flag

    def apply(self, walk: Walk) -> None:
        seen = walk.seen
        if self.identity in seen:
            return
        seen.add(self.identity)
        walk.flagged.add(self.flag.id)
        walk.flags.append(self.flag)


class MonitorStep(ItemStep):
    __slots__ = ("monitoring",)

    def __init__(self, item_id: str, guard: Evaluator | None, identity: int, monitoring: Monitoring) -> None:
        super().__init__(item_id, guard, identity)
        self.monitoring = monitoring

    def apply(self, walk: Walk) -> None:
        seen = walk.seen
        if self.identity in seen:
            return
        seen.add(self.identity)
        walk.monitoring.append(self.monitoring)


class Batch(ItemStep):
    """Consecutive unguarded items of one step, applied together.

    Applying the items one by one, in order, adds the first of any identical entries;
    the batch holds exactly those (precomputed), so when no entry of the batch is on the
    path yet, extending the plan's lists and sets gives the same plan, in the same order.
    """

    __slots__ = (
        "avoid",
        "avoided",
        "doses",
        "flagged",
        "flags",
        "identities",
        "items",
        "made",
        "monitoring",
        "recommended",
        "recommends",
    )

    def __init__(self, items: tuple[ItemStep, ...]) -> None:
        super().__init__(items[0].id, None, -1)
        self.items = items
        first: list[ItemStep] = []
        identities: set[int] = set()
        for item in items:
            if item.identity not in identities:
                identities.add(item.identity)
                first.append(item)
        self.identities = frozenset(identities)
        self.recommends = tuple(item for item in first if isinstance(item, RecommendStep))
        self.recommended = frozenset(item.intervention for item in self.recommends if not item.stops)
        self.doses = tuple(
            (item.intervention, item.dose_bound)
            for item in self.recommends
            if not item.stops and item.dose_bound is not None
        )
        self.avoid = tuple(item.avoidance for item in first if isinstance(item, AvoidStep))
        self.avoided = frozenset(avoidance.intervention for avoidance in self.avoid)
        self.flags = tuple(item.flag for item in first if isinstance(item, FlagStep))
        self.flagged = frozenset(flag.id for flag in self.flags)
        self.monitoring = tuple(item.monitoring for item in first if isinstance(item, MonitorStep))
        self.made: dict[Path, tuple[Recommendation, ...]] = {}

    def apply(self, walk: Walk) -> None:
        seen = walk.seen
        if not seen.isdisjoint(self.identities):
            for item in self.items:
                item.apply(walk)
            return
        seen.update(self.identities)
        if self.recommends:
            made = self.made.get(walk.path)
            if made is None:
                made = tuple(item.make(walk.path.why) for item in self.recommends)
                if len(self.made) < _MEMO_LIMIT:
                    self.made[walk.path] = made
            walk.recommendations.extend(made)
            walk.recommended.update(self.recommended)
            for intervention, bound in self.doses:
                current = walk.doses.get(intervention)
                if current is None or bound > current:
                    walk.doses[intervention] = bound
        if self.avoid:
            walk.avoid.extend(self.avoid)
            walk.avoided.update(self.avoided)
        if self.flags:
            walk.flags.extend(self.flags)
            walk.flagged.update(self.flagged)
        if self.monitoring:
            walk.monitoring.extend(self.monitoring)


def batched(items: tuple[ItemStep, ...]) -> tuple[ItemStep, ...]:
    """The items of a step with each run of two or more unguarded items made one ``Batch``."""
    result: list[ItemStep] = []
    run: list[ItemStep] = []
    for item in (*items, None):
        if item is not None and item.guard is None:
            run.append(item)
            continue
        if len(run) > 1:
            result.append(Batch(tuple(run)))
        else:
            result += run
        run = []
        if item is not None:
            result.append(item)
    return tuple(result)


class ItemFactory:
    """Builds the ready-made result objects for the items of one graph."""

    def __init__(self, graph: Graph) -> None:
        self.interventions = {item.id: item for item in graph.interventions}
        self.citations = dict(graph.guideline.citations)
        self.identities: dict[tuple[Any, ...], int] = {}

    def identity(self, key: tuple[Any, ...]) -> int:
        return self.identities.setdefault(key, len(self.identities))

    def cite(self, *groups: tuple[int, ...]) -> tuple[Citation, ...]:
        numbers = list(dict.fromkeys(number for group in groups for number in group))
        return tuple(Citation(number, self.citations.get(number)) for number in numbers)

    def recommendation_maker(
        self, node_id: str, item: RecommendItem
    ) -> Callable[[tuple[Reason, ...]], Recommendation]:
        intervention = self.interventions.get(item.intervention) or _UNCATALOGUED
        trace: Traceability = item.trace
        citations = self.cite(trace.citations, intervention.citations)
        notes = trace.notes + intervention.notes

        def make(why: tuple[Reason, ...]) -> Recommendation:
            return Recommendation(
                intervention=item.intervention,
                kind=intervention.kind,
                label=intervention.label,
                drug_class=intervention.drug_class,
                action=item.action,
                dose=item.dose,
                titration=item.titration,
                evidence=intervention.evidence,
                citations=citations,
                quote=trace.quote if trace.quote is not None else intervention.quote,
                notes=notes,
                node=node_id,
                item=item.id,
                why=why,
            )

        return make

    def label(self, intervention: str) -> str | None:
        found = self.interventions.get(intervention)
        return found.label if found else None


_UNCATALOGUED = Intervention("", "drug", None, None, None, None, None, (), (), (), (), None, ())
