"""The lean walk as a diagram of the questions a patient is asked, built as walks go.

The lean walk (``Program.run_lean``) of a pathway asks, from one plan state
(``fibrolang.lean.PlanState``), the same guards in the same order for every
patient, up to the next guard whose answer depends on the patient: everything in
between (an unguarded item, an ``otherwise`` branch, an item guarded by
``X is recommended and ...`` where X is not recommended, the run into the next
step) is fixed by the plan state alone. A ``Cursor`` is one such guard at one plan
state, with what is fixed before it already done; its two followers (the cursors
after the guard holds and after it fails) are made the first time some walk needs
them and kept, so a walk asks the patient-dependent guards one after another, in
one loop, without visiting steps or the items fixed by the plan.

A cursor is one of:

- ``INPUT``: a guard read inline, a boolean input or ``input <op> constant``;
- ``DEFINITION``: an item guard that is a memoised definition ``d`` or ``not d``;
- ``GUARD``: any other guard, a closure (the plan set on the walk first if it reads it);
- ``END``: a terminal step; ``INCOMPLETE``: a decision none of whose branches held;
- ``FOLLOW``: a follower not made yet (``origin`` and ``held`` say which): the walk that
  reaches it makes it (``Cursor.follow``), which puts it in its place while the budget lasts.

The guards are asked in the full walk's order (``DecisionStep.visit``,
``ActionStep.visit``, through the runs of action steps ``chain_actions`` makes), the
items applied to the plan states as the full walk applies them. Followers are
kept while the program's budget of cursors (``budget[0]``, as many as the plan-state
trie's) lasts; beyond it they are made afresh for each walk and not remembered.
"""

from __future__ import annotations

from typing import Any

from fibrolang.items import ItemStep
from fibrolang.lean import PlanState
from fibrolang.pathway import ActionStep, Branch, DecisionStep, Step, TerminalStep
from fibrolang.result import Result
from fibrolang.values import Question

INPUT, DEFINITION, GUARD, FOLLOW, END, INCOMPLETE = range(6)


class Cursor:
    """One guard to ask (or the end of the walk), at one plan state."""

    __slots__ = (
        "branch",
        "budget",
        "compare",
        "compute",
        "constant",
        "definition",
        "description",
        "guard",
        "held",
        "index",
        "kind",
        "missing",
        "name",
        "on_false",
        "on_true",
        "origin",
        "reads_plan",
        "settled",
        "skipped_by",
        "state",
        "step",
    )

    def __init__(self, kind: int, state: PlanState, step: Step, index: int, budget: list[int]) -> None:
        self.kind = kind
        self.budget = budget  # followers still to keep, shared by all the program's cursors
        self.state = state
        self.step = step
        self.index = index  # of the branch or (lean) item asked, in ``step``
        self.branch: Branch | None = None  # the branch asked, for a decision's guard
        # the next cursor when the guard holds, and when it fails (FOLLOW until made; an END
        # or INCOMPLETE cursor, which has none, names itself)
        self.on_true: Cursor = self
        self.on_false: Cursor = self
        self.origin: Cursor = self  # FOLLOW: the cursor whose follower this stands for ...
        self.held = False  # ... after its guard held or failed
        self.description: Question | None = None  # what an unknown answer leaves undecided
        self.name: str | None = None  # INPUT: the input read ...
        self.compare: Any = None  # ... compared (else a boolean) ...
        self.constant: Any = None  # ... with this
        self.missing: frozenset[str] = frozenset()  # ... and what it lacks when absent
        self.definition: int | None = None  # DEFINITION: its slot in the memo ...
        self.compute: Any = None  # ... how to compute it ...
        self.skipped_by: Any = False  # ... and the value that fails the guard
        self.guard: Any = None  # GUARD: the closure ...
        self.reads_plan = False  # ... and whether it reads the plan
        self.settled: Result | None = None  # END: the result of every walk ending here, once known

    def follow(self, held: bool) -> Cursor:
        """The next cursor after this guard held (or failed), kept while the budget lasts."""
        state = self.state
        step = self.step
        branch = self.branch
        if branch is not None:
            if held:
                child = state.children.get(branch) or state.taking(branch)
                found = advance(child, branch.target, 0, self.budget)
            else:
                found = advance(state, step, self.index + 1, self.budget)
        else:
            assert isinstance(step, ActionStep)
            if held:
                item = step.lean_items[self.index]
                child = state.children.get(item) or state.applying(item)
                found = advance(child, step, self.index + 1, self.budget)
            else:
                found = advance(state, step, self.index + 1, self.budget)
        budget = self.budget
        if budget[0] > 0:
            budget[0] -= 1
            if held:
                self.on_true = found
            else:
                self.on_false = found
        return found

    def awaiting(self) -> Cursor:
        """This cursor of a guard, its followers not made yet."""
        self.on_true = _follower(self, True)
        self.on_false = _follower(self, False)
        return self


def _follower(origin: Cursor, held: bool) -> Cursor:
    pending = Cursor(FOLLOW, origin.state, origin.step, origin.index, origin.budget)
    pending.origin, pending.held = origin, held
    return pending


def advance(state: PlanState, step: Step, index: int, budget: list[int]) -> Cursor:
    """The cursor of the first guard, from branch or (lean) item ``index`` of ``step`` on,
    whose answer the plan state does not fix; what is fixed before it is applied."""
    while True:
        if step.__class__ is ActionStep:
            assert isinstance(step, ActionStep)
            items = step.lean_items
            while index < len(items):
                item = items[index]
                if item.guard is None:
                    state = state.children.get(item) or state.applying(item)
                elif item.requires is None or item.requires in state.recommended:
                    return _item_cursor(state, step, index, item, budget)
                index += 1  # applied, or `X is recommended and ...` with X not recommended
            step, index = step.lean_target, 0
        elif step.__class__ is DecisionStep:
            assert isinstance(step, DecisionStep)
            if index >= len(step.branches):
                return Cursor(INCOMPLETE, state, step, index, budget)
            branch = step.branches[index]
            if branch.guard is not None:
                return _branch_cursor(state, step, index, branch, budget)
            state = state.children.get(branch) or state.taking(branch)
            step, index = branch.target, 0
        elif step.__class__ is TerminalStep:
            return Cursor(END, state, step, 0, budget)
        else:  # a target left unresolved: the Program refuses such a graph before any walk
            raise NotImplementedError(f"no lean walk through a {type(step).__name__}")


def _branch_cursor(
    state: PlanState, step: DecisionStep, index: int, branch: Branch, budget: list[int]
) -> Cursor:
    """As ``DecisionStep.lean`` asks the branch's guard."""
    if branch.input is not None:
        cursor = Cursor(INPUT, state, step, index, budget)
        cursor.name, cursor.compare, cursor.constant = branch.input, branch.compare, branch.constant
        cursor.missing = branch.input_missing
    else:
        cursor = Cursor(GUARD, state, step, index, budget)
        cursor.guard, cursor.reads_plan = branch.guard, branch.reads_plan
    cursor.branch = branch
    cursor.description = step.description
    return cursor.awaiting()


def _item_cursor(state: PlanState, step: ActionStep, index: int, item: ItemStep, budget: list[int]) -> Cursor:
    """As ``ActionStep.lean`` asks the item's guard."""
    if item.input is not None:
        cursor = Cursor(INPUT, state, step, index, budget)
        cursor.name, cursor.missing = item.input, item.input_missing
    elif item.definition is not None:
        cursor = Cursor(DEFINITION, state, step, index, budget)
        cursor.definition, cursor.compute, cursor.skipped_by = item.definition, item.compute, item.skipped_by
    else:
        cursor = Cursor(GUARD, state, step, index, budget)
        cursor.guard, cursor.reads_plan = item.guard, item.reads_plan
    cursor.description = item.description
    return cursor.awaiting()
