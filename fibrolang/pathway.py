"""Compile the pathway's nodes into steps, and walk them for one patient.

Each node becomes a ``Step`` whose ``visit(walk)`` does the node's work and
returns the next step (or None when the walk ends). Everything a result
holds that does not depend on the patient (guard outcomes, reasons, node
descriptions; the items' ready-made objects, see ``fibrolang.items``) is
built once here, so an evaluation mostly appends to lists.

``Walk`` is at once the evaluation context the compiled closures read
(``values.Context``: inputs, memoised definitions, the plan so far) and the
trace and plan being built: one object per evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fibrolang.closures import Evaluator
from fibrolang.errors import GuidelineError, Problem
from fibrolang.graph import ActionNode, DecisionNode, Status
from fibrolang.items import ItemStep
from fibrolang.result import (
    Avoidance,
    Flag,
    GuardOutcome,
    Monitoring,
    Reason,
    Recommendation,
    guard_outcomes,
)
from fibrolang.values import Context, Question


class Walk(Context):
    """The mutable state of one evaluation: its context, trace and plan so far.

    ``path`` stands for the decisions taken so far (see ``Path``).
    """

    __slots__ = (
        "avoid",
        "edges",
        "flags",
        "guards",
        "missing",
        "monitoring",
        "nodes",
        "path",
        "recommendations",
        "seen",
        "status",
        "status_message",
    )

    def __init__(self, inputs: dict[str, Any], definitions: list[Any], depth: int, path: Path) -> None:
        self.inputs = inputs
        self.definitions = definitions
        self.bound = [None] * depth
        self.recommended = set()
        self.avoided = set()
        self.flagged = set()
        self.doses = {}
        self.nodes: list[str] = ["start"]
        self.edges: list[str] = ["start"]
        self.guards: list[GuardOutcome] = []
        self.path = path
        self.recommendations: list[Recommendation] = []
        self.avoid: list[Avoidance] = []
        self.flags: list[Flag] = []
        self.monitoring: list[Monitoring] = []
        self.seen: set[int] = set()
        self.status: Status = "insufficient_data"
        self.status_message: str | None = None
        self.missing: tuple[str, ...] = ()

    def undecided(self, question: Question, missing: frozenset[str]) -> None:
        """End the walk: ``question`` cannot be decided without the ``missing`` facts."""
        self.status = "insufficient_data"
        self.missing, self.status_message = question.unanswered(missing)


class Path:
    """The decisions a walk has taken so far, as one object shared by all walks that took them.

    A path knows the reasons of its decisions (``why``, given to the recommendations made
    on it) and its extensions by one more branch. Items memoise the recommendations they
    make per path, keyed by the path object itself (hashed by identity, so a lookup costs
    the same however long the path). At most ``budget[0]`` more paths are kept; beyond
    that, new paths are made afresh for each walk and nothing more is memoised.
    """

    __slots__ = ("budget", "children", "why")

    def __init__(self, why: tuple[Reason, ...] = (), budget: list[int] | None = None) -> None:
        self.why = why
        self.budget = [4096] if budget is None else budget
        self.children: dict[Branch, Path] = {}

    def then(self, branch: Branch) -> Path:
        """The path with one more decision (kept, unless the budget is spent)."""
        child = Path((*self.why, branch.reason), self.budget)
        if self.budget[0] > 0:
            self.budget[0] -= 1
            self.children[branch] = child
        return child


class Step:
    __slots__ = ("id",)

    def __init__(self, node_id: str) -> None:
        self.id = node_id

    def visit(self, walk: Walk) -> Step | None:
        raise NotImplementedError


class Branch:
    __slots__ = (
        "compare",
        "constant",
        "failed",
        "guard",
        "held",
        "id",
        "input",
        "input_missing",
        "reads_plan",
        "reason",
        "target",
        "undecided",
    )

    def __init__(self, edge_id: str, label: str | None, guard: Evaluator | None) -> None:
        self.id = edge_id
        self.guard = guard
        self.target: Step = Step("")
        self.held, self.failed, self.undecided = guard_outcomes(edge_id, None)
        self.reason = Reason(edge_id, label)
        self.reads_plan = False  # whether the guard reads the plan (set by the compiler)
        self.input: str | None = None  # the input the guard reads (set by the compiler) ...
        self.compare: Callable[[Any, Any], bool] | None = None  # ... compared (else a boolean) ...
        self.constant: Any = None  # ... with this
        self.input_missing: frozenset[str] = frozenset()  # what it lacks when that is absent


class DecisionStep(Step):
    __slots__ = ("branches", "description")

    def __init__(self, node: DecisionNode, branches: tuple[Branch, ...]) -> None:
        super().__init__(node.id)
        self.description = Question(f"{node.id} ({node.question})" if node.question else node.id)
        self.branches = branches

    def visit(self, walk: Walk) -> Step | None:
        for branch in self.branches:
            guard = branch.guard
            if guard is not None:
                value = guard(walk)
                if value is False:
                    walk.guards.append(branch.failed)
                    continue
                if value is not True:
                    walk.guards.append(branch.undecided)
                    walk.undecided(self.description, value.missing)
                    return None
                walk.guards.append(branch.held)
            walk.edges.append(branch.id)
            path = walk.path
            walk.path = path.children.get(branch) or path.then(branch)
            return branch.target
        raise self._incomplete()

    def _incomplete(self) -> GuidelineError:
        return GuidelineError(
            f"the guideline is incomplete: no branch of decision {self.id} holds and it has no otherwise",
            (Problem(f"nodes.{self.id}", "no branch holds for this patient", "no_branch_holds"),),
        )


class ActionStep(Step):
    __slots__ = ("items", "lean_items", "lean_target", "next_id", "target")

    def __init__(self, node: ActionNode, items: tuple[ItemStep, ...]) -> None:
        super().__init__(node.id)
        self.items = items
        self.next_id = node.next.id
        self.target: Step = Step("")
        # What the lean walk applies and where it goes on: this step's items and target, or,
        # through ``chain_actions``, those of the run of action steps that follows it.
        self.lean_items = items
        self.lean_target: Step = self.target

    def visit(self, walk: Walk) -> Step | None:
        guards = walk.guards
        for item in self.items:
            guard = item.guard
            if guard is not None:
                value = guard(walk)
                if value is False:
                    guards.append(item.failed)
                    continue
                if value is not True:
                    guards.append(item.undecided)
                    walk.undecided(item.description, value.missing)
                    return None
                guards.append(item.held)
            item.apply(walk)
        walk.edges.append(self.next_id)
        return self.target


CHAIN_LIMIT = 64
"""The most items one chained lean step applies (``chain_actions``)."""


def chain_actions(steps: Iterable[Step]) -> None:
    """Let the lean walk go through each run of action steps that follow one another
    (``A -> B -> C``, no decision between) as one step: ``A.lean_items`` are A's items then
    B's then C's, ``A.lean_target`` is C's target. The lean walk records no trace, so it
    applies the same items, in the same order, to the same plan states, and asks the same
    guards (``fibrolang.lean_cursor``). A run stops at ``CHAIN_LIMIT`` items, so a long run
    of steps costs no more than linear memory."""
    done: set[int] = set()
    for first in steps:
        run: list[ActionStep] = []
        step: Step = first
        while isinstance(step, ActionStep) and id(step) not in done:
            run.append(step)
            done.add(id(step))
            step = step.target
        for action in reversed(run):  # each step's follower is chained before it
            following = action.target
            if isinstance(following, ActionStep) and len(action.items + following.lean_items) <= CHAIN_LIMIT:
                action.lean_items = action.items + following.lean_items
                action.lean_target = following.lean_target
            else:
                action.lean_target = following


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
