"""The lean walk (``trace=False``): the plan as a pointer into a trie of shared plan states.

A full walk appends every item it applies to lists and sets of its own, then
copies them into the result's tuples. The lean walk records no trace, so the
plan is all it builds, and the plan after a sequence of decisions and applied
items is the same for every patient who took that sequence. ``PlanState`` is
that plan, built once and shared: applying an item (or taking a branch) moves
the walk to the state's child for it, made the first time some walk takes it
(by applying the item to a scratch ``Walk``, so the plan is exactly what the
full walk builds). A state at the end of a pathway keeps the ``Result`` it
gives, so a walk that ends there returns it without building anything (and,
when no safety rule can fail on its plan, without looking at the rules:
``settled``).

At most ``budget[0]`` more states are kept (shared by the whole trie); beyond
that, new states are made afresh for each walk and not remembered, as
``pathway.Path`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fibrolang.graph import Status
from fibrolang.result import Avoidance, Flag, Monitoring, Recommendation, Result
from fibrolang.values import Context, Question

if TYPE_CHECKING:
    from fibrolang.items import ItemStep
    from fibrolang.pathway import Branch, Path

STATE_BUDGET = 4096
"""Plan states kept per program."""


class PlanState:
    """The plan (and the decisions) after one sequence of branches and applied items."""

    __slots__ = (
        "avoid",
        "avoided",
        "budget",
        "children",
        "doses",
        "flagged",
        "flags",
        "monitoring",
        "path",
        "recommendations",
        "recommended",
        "result",
        "seen",
        "settled",
    )

    def __init__(self, path: Path, budget: list[int]) -> None:
        self.path = path
        self.budget = budget
        self.children: dict[object, PlanState] = {}
        self.recommended: frozenset[str] = frozenset()
        self.avoided: frozenset[str] = frozenset()
        self.flagged: frozenset[str] = frozenset()
        self.doses: dict[str, int | float] = {}
        self.seen: frozenset[int] = frozenset()
        self.recommendations: tuple[Recommendation, ...] = ()
        self.avoid: tuple[Avoidance, ...] = ()
        self.flags: tuple[Flag, ...] = ()
        self.monitoring: tuple[Monitoring, ...] = ()
        self.result: Result | None = None  # the ok result ending here, once built
        self.settled: Result | None = None  # that result, when no safety rule can fail here

    def _keep(self, key: object, child: PlanState) -> PlanState:
        if self.budget[0] > 0:
            self.budget[0] -= 1
            self.children[key] = child
        return child

    def taking(self, branch: Branch) -> PlanState:
        """The state after one more decision: the same plan, one more reason."""
        path = self.path
        child = PlanState(path.children.get(branch) or path.then(branch), self.budget)
        child.recommended, child.avoided, child.flagged = self.recommended, self.avoided, self.flagged
        child.doses, child.seen = self.doses, self.seen
        child.recommendations, child.avoid = self.recommendations, self.avoid
        child.flags, child.monitoring = self.flags, self.monitoring
        return self._keep(branch, child)

    def applying(self, item: ItemStep) -> PlanState:
        """The state after applying ``item``, as the full walk applies it."""
        from fibrolang.pathway import Walk

        scratch = Walk({}, [], 0, self.path)
        scratch.recommended, scratch.avoided = set(self.recommended), set(self.avoided)
        scratch.flagged, scratch.doses, scratch.seen = set(self.flagged), dict(self.doses), set(self.seen)
        scratch.recommendations, scratch.avoid = list(self.recommendations), list(self.avoid)
        scratch.flags, scratch.monitoring = list(self.flags), list(self.monitoring)
        item.apply(scratch)
        child = PlanState(self.path, self.budget)
        child.recommended, child.avoided = frozenset(scratch.recommended), frozenset(scratch.avoided)
        child.flagged, child.doses, child.seen = (
            frozenset(scratch.flagged),
            scratch.doses,
            frozenset(scratch.seen),
        )
        child.recommendations, child.avoid = tuple(scratch.recommendations), tuple(scratch.avoid)
        child.flags, child.monitoring = tuple(scratch.flags), tuple(scratch.monitoring)
        return self._keep(item, child)


NO_BOUND: list[Any] = []
"""``bound`` of a guideline without quantifiers: never read or written."""


class LeanWalk(Context):
    """The state of one lean evaluation: its context and a pointer to its plan state.

    The plan fields of the context (``recommended``, ``avoided``, ``flagged``, ``doses``)
    are the current state's, read-only: only ``PlanState.applying`` builds plans."""

    __slots__ = ("missing", "state", "status", "status_message")

    def __init__(self, inputs: dict[str, Any], definitions: list[Any], depth: int, state: PlanState) -> None:
        self.inputs = inputs
        self.definitions = definitions
        self.bound = [None] * depth if depth else NO_BOUND
        self.state = state
        self.recommended = state.recommended  # type: ignore[assignment]
        self.avoided = state.avoided  # type: ignore[assignment]
        self.flagged = state.flagged  # type: ignore[assignment]
        self.doses = state.doses
        self.status: Status = "insufficient_data"
        self.status_message: str | None = None
        self.missing: tuple[str, ...] = ()

    def move(self, state: PlanState) -> None:
        self.state = state
        self.recommended = state.recommended  # type: ignore[assignment]
        self.avoided = state.avoided  # type: ignore[assignment]
        self.flagged = state.flagged  # type: ignore[assignment]
        self.doses = state.doses

    def undecided(self, question: Question, missing: frozenset[str]) -> None:
        """End the walk: ``question`` cannot be decided without the ``missing`` facts."""
        self.status = "insufficient_data"
        self.missing, self.status_message = question.unanswered(missing)
