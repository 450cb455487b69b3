"""The lean walk through its diagram of cursors (``fibrolang.lean_cursor``) gives exactly
the full walk's answers.

Random pathways (decisions with inline, fused and plan-reading guards, ``otherwise`` or
none, action steps with unguarded items, items guarded by a boolean input, by a memoised
definition or its negation, by ``X is recommended and ...``, runs of action steps, two
``ok`` outcomes with different messages, an ``insufficient_data`` outcome, safety rules),
random patients with facts left out: ``evaluate(patient, trace=False)`` is the full
result without its trace, or raises the same error, whatever the walks before it built
and whether the budgets of the plan-state trie and of the cursors last or are spent.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import graphs as g
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fibrolang
from fibrolang.program import NO_TRACE

AGENTS = ("a", "b", "c", "d")
N = g.inp("n")


def _guard(rng: random.Random, kind: str) -> g.Json | None:
    """A guard of one of the shapes the lean walk reads differently."""
    agent = rng.choice(AGENTS)
    choices: list[g.Json | None] = [
        None,
        g.inp(rng.choice("pqr")),  # a boolean input, inline
        g.cmp(rng.choice(("<", ">=", "==")), N, g.const(rng.choice((2, 4, 5)))),  # inline comparison
        g.and_(g.inp("p"), g.cmp("<", N, g.const(4))),  # fused closure
        g.not_(g.inp(rng.choice("pqr"))),
        g.or_(g.inp("q"), g.inp("r")),
        g.and_(g.plan("recommended", agent), g.inp(rng.choice("pq"))),  # requires an agent
        g.plan("recommended", agent),
        g.ref("pn"),  # a memoised definition ...
        g.not_(g.ref("pn")),  # ... and its negation
    ]
    if kind == "branch":
        choices = choices[1:]
    return rng.choice(choices)


def _item(rng: random.Random) -> g.Json:
    guard = _guard(rng, "item")
    roll = rng.random()
    if roll < 0.55:
        return g.recommend(rng.choice(AGENTS), guard=guard)
    if roll < 0.7:
        return g.avoid(rng.choice(AGENTS), "why", guard=guard)
    if roll < 0.85:
        return g.flag(rng.choice(("f", "h")), "flag", guard=guard)
    return g.monitor("m", "monitor", guard=guard)


def _document(rng: random.Random) -> g.Json:
    """A layered pathway: each node leads only to nodes after it."""
    ends = ["done", "also_done", "ask"]
    names = [f"n{index}" for index in range(rng.randint(2, 7))]
    nodes: g.Json = {
        "done": g.terminal("ok", "Plan complete."),
        "also_done": g.terminal("ok", "Plan complete, another way."),
        "ask": g.terminal("insufficient_data", "Ask again."),
    }
    for index, name in enumerate(names):
        later = names[index + 1 :] + ends[: 1 if index + 1 < len(names) else 3]
        if rng.random() < 0.4:
            count = rng.randint(1, 3)
            branches = [
                g.branch(name, number + 1, _guard(rng, "branch"), rng.choice(later), f"b{number}")
                for number in range(count)
            ]
            if rng.random() < 0.7:
                branches.append(g.branch(name, "otherwise", None, rng.choice(later), "otherwise"))
            nodes[name] = g.decision(name, branches, "which?")
        else:
            items = [_item(rng) for _ in range(rng.randint(0, 4))]
            target = later[0] if rng.random() < 0.6 else rng.choice(later)
            nodes[name] = g.action(name, items, target)
    invariants = [
        g.invariant("no_a_with_q", "never", g.and_(g.plan("recommended", "a"), g.inp("q"))),
        g.invariant("b_flagged", "always", g.or_(g.not_(g.plan("recommended", "b")), g.plan("flagged", "f"))),
    ]
    return g.graph(
        {"p": g.boolean(), "q": g.boolean(), "r": g.boolean(), "n": g.number("integer", None, 0, 10)},
        nodes,
        names[0],
        interventions={name: g.drug(name.upper()) for name in AGENTS},
        definitions=[g.definition("pn", g.and_(g.not_(g.inp("p")), g.cmp(">=", N, g.const(5))))],
        invariants=rng.sample(invariants, rng.randint(0, 2)),
    )


def _patient(rng: random.Random) -> dict[str, Any]:
    facts = {
        "p": rng.random() < 0.5,
        "q": rng.random() < 0.5,
        "r": rng.random() < 0.5,
        "n": rng.randint(0, 10),
    }
    return {name: value for name, value in facts.items() if rng.random() < 0.85}


def _answer(guideline: fibrolang.Guideline, patient: dict[str, Any], trace: bool) -> Any:
    try:
        result = guideline.evaluate(patient, trace=trace)
    except (fibrolang.SafetyViolation, fibrolang.GuidelineError) as error:
        return (type(error).__name__, str(error))
    return dataclasses.replace(result, trace=NO_TRACE)


@pytest.mark.parametrize(("states", "cursors"), [(None, None), (0, 0), (5, 5), (0, None), (None, 0)])
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_the_lean_walk_gives_the_full_answers(states: int | None, cursors: int | None, seed: int) -> None:
    rng = random.Random(seed)
    try:
        guideline = fibrolang.load(_document(rng))
    except fibrolang.GuidelineError:  # a random pathway the runtime refuses: nothing to walk
        return
    if states is not None:  # the plan states kept ...
        guideline._program.root_state.budget[0] = states
    if cursors is not None:  # ... and the cursors
        guideline._program.entry.budget[0] = cursors
    for _ in range(40):  # later walks follow the cursors earlier ones made
        patient = _patient(rng)
        assert _answer(guideline, patient, trace=False) == _answer(guideline, patient, trace=True), patient


def test_a_decision_no_branch_of_which_holds_raises_in_the_lean_walk_too() -> None:
    guideline = fibrolang.load(
        g.graph(
            {"p": g.boolean()},
            {"d": g.decision("d", [g.branch("d", 1, g.inp("p"), "end")]), "end": g.terminal()},
            "d",
        )
    )
    for _ in range(2):  # the cursor made, then the cursor kept
        assert guideline.evaluate({"p": True}, trace=False).status == "ok"
        with pytest.raises(fibrolang.GuidelineError) as caught:
            guideline.evaluate({"p": False}, trace=False)
        assert [problem.code for problem in caught.value.problems] == ["no_branch_holds"]
