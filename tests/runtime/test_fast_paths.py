"""The evaluator's shortcuts give exactly what the plain closures give.

``Program(graph, fuse=False)`` compiles every expression to the generic closure tree,
applies action items one by one and evaluates every invariant; the default compiles the
commonest shapes to fused closures (fibrolang/fused.py), applies runs of unguarded items
as one batch and skips invariants that cannot fail. On random patients, including absent
facts at every level, both must give byte-identical results, the same ``missing`` facts
and the same exceptions. Also: the cheap result constructors equal the dataclasses'.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from typing import Any

import graphs as g
import pytest
from helpers import ENUMS, INPUTS, RECORDS

import fibrolang
from fibrolang.load import Guideline
from fibrolang.program import Program
from fibrolang.result import GuardOutcome, Result, Trace, new_result, new_trace

MEDICATIONS = g.inp("medications")
AGENTS = ("duloxetine", "pregabalin", "amitriptyline")


def _unfused(document: g.Json) -> Guideline:
    guideline = fibrolang.load(document)
    slow = object.__new__(Guideline)
    for name in ("graph", "inputs", "_validate", "_defaults"):
        setattr(slow, name, getattr(guideline, name))
    slow._program = Program(guideline.graph, fuse=False)
    return slow


def _outcome(guideline: Guideline, patient: dict[str, Any]) -> str:
    try:
        return guideline.evaluate(patient).to_json()
    except fibrolang.SafetyViolation as violation:
        return f"violation {violation.invariant} {violation.nodes} {violation.edges}"
    except fibrolang.InvalidPatient as invalid:
        return f"invalid {invalid}"


def _trial(rng: random.Random) -> dict[str, Any]:
    fields = {
        "weeks": rng.choice((0, 3, 4, 12)),
        "response": rng.choice(("adequate", "inadequate")),
        "ongoing": rng.random() < 0.5,
    }
    return {name: value for name, value in fields.items() if rng.random() < 0.7}


def _helpers_patient(rng: random.Random) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "p": rng.random() < 0.5,
        "q": rng.random() < 0.5,
        "r": rng.random() < 0.5,
        "x": rng.choice((0, 1.5, 3)),
        "y": rng.choice((0, 2)),
        "n": rng.randint(0, 100),
        "agent": rng.choice(AGENTS),
        "agents": rng.sample(AGENTS, rng.randint(0, 3)),
        "medications": {agent: _trial(rng) for agent in rng.sample(AGENTS, rng.randint(0, 3))},
        "egfr": rng.choice((10, 30, 90)),
    }
    return {name: value for name, value in fields.items() if rng.random() < 0.75}


def _field(agent: g.Json, name: str) -> g.Json:
    return g.field(g.entry(MEDICATIONS, agent), name)


def _shapes() -> list[g.Json]:
    """Every shape fibrolang/fused.py handles, with literal and bound keys, and near misses."""
    duloxetine = g.member("duloxetine", "agent")
    a = g.var("a")
    shapes: list[g.Json] = []
    for key in (duloxetine, a):
        shapes += [
            g.isin(key, MEDICATIONS),
            g.isin(key, g.inp("agents")),
            g.and_(g.isin(key, MEDICATIONS), _field(key, "ongoing")),
            g.and_(g.isin(key, MEDICATIONS), g.not_(_field(key, "ongoing"))),
            g.and_(
                g.isin(key, MEDICATIONS),
                _field(key, "ongoing"),
                g.cmp(">=", _field(key, "weeks"), g.ref("four")),
            ),
            g.and_(
                g.isin(key, MEDICATIONS),
                g.or_(
                    g.cmp("==", _field(key, "response"), g.member("inadequate", "response")),
                    g.cmp("<", _field(key, "weeks"), g.const(4, "weeks")),
                ),
            ),
            g.or_(g.isin(key, MEDICATIONS), _field(key, "ongoing")),
            g.cmp(">=", _field(key, "weeks"), g.ref("four")),
            g.cmp("!=", _field(key, "response"), g.member("adequate", "response")),
            g.not_(_field(key, "ongoing")),
        ]
    quantified = [
        g.quant(kind, "a", g.enum_all("agent"), shape)
        for kind in ("any", "all", "count")
        for shape in shapes[len(shapes) // 2 :]
    ]
    plain = shapes[: len(shapes) // 2]
    plain += [
        g.cmp("<", g.inp("x"), g.const(2)),
        g.cmp("==", g.inp("agent"), g.ref("favourite")),
        g.not_(g.ref("pq")),
        g.and_(g.ref("pq"), g.not_(g.ref("pq")), g.inp("r")),
        g.or_(g.inp("p"), g.inp("q"), g.inp("r")),
        g.and_(g.inp("p"), g.inp("q"), g.inp("r"), g.not_(g.ref("pq"))),
        g.or_(g.inp("p"), g.inp("q"), g.inp("r"), g.ref("pq"), g.inp("p")),
        g.count_true(g.ref("pq"), g.not_(g.ref("pq")), g.inp("r")),
        # a boolean input, then an input compared with a constant (fused.boolean_input_then)
        g.and_(g.inp("p"), g.cmp("<", g.inp("x"), g.const(1.5))),
        g.and_(g.not_(g.inp("q")), g.cmp(">=", g.inp("n"), g.const(50))),
        g.or_(g.inp("r"), g.cmp(">", g.inp("x"), g.const(1.5))),
        g.or_(g.not_(g.inp("p")), g.cmp("<=", g.inp("n"), g.const(50))),
    ]
    return plain + quantified


def test_fused_expressions_agree_with_the_closure_tree() -> None:
    definitions = [
        g.definition("four", g.const(4, "weeks")),
        g.definition("favourite", g.member("pregabalin", "agent")),
        g.definition("pq", g.and_(g.inp("p"), g.inp("q"))),
    ]
    definitions += [
        g.definition(f"shape_{index}", shape, output=True) for index, shape in enumerate(_shapes())
    ]
    document = g.graph(
        INPUTS, {"end": g.terminal()}, "end", enums=ENUMS, records=RECORDS, definitions=definitions
    )
    fast, slow = fibrolang.load(document), _unfused(document)
    rng = random.Random(41)
    for _ in range(600):
        patient = _helpers_patient(rng)
        assert _outcome(fast, patient) == _outcome(slow, patient), patient
    # and each shape as a guard, where an unknown names its missing facts
    for shape in _shapes():
        if shape["op"] in ("count", "count_true"):
            continue
        guarded = g.single_guard(shape, INPUTS, enums=ENUMS, records=RECORDS, definitions=definitions[:3])
        fast, slow = fibrolang.load(guarded), _unfused(guarded)
        for _ in range(40):
            patient = _helpers_patient(rng)
            assert _outcome(fast, patient) == _outcome(slow, patient), (shape, patient)


def test_the_tour_agrees_fused_and_unfused() -> None:
    fast, slow = fibrolang.load(g.tour_graph()), _unfused(g.tour_graph())
    rng = random.Random(5)
    for _ in range(1500):
        patient = _tour_patient(rng)
        assert _outcome(fast, patient) == _outcome(slow, patient), patient


def _tour_patient(rng: random.Random) -> dict[str, Any]:
    trial = {
        "daily_dose_mg": rng.choice((30, 60)),
        "weeks": rng.choice((2, 8)),
        "response": rng.choice(("adequate", "inadequate", "not_tolerated", "unknown")),
        "ongoing": rng.random() < 0.5,
    }
    fields: dict[str, Any] = {
        "age": rng.choice((10, 30, 50)),
        "egfr": rng.choice((20, 80)),
        "chronic_liver_disease": rng.random() < 0.3,
        "pain_score": rng.randint(0, 10),
        "comorbidities": rng.sample(("back_pain", "hypertension", "headache"), rng.randint(0, 3)),
        "medications": {
            agent: {k: v for k, v in trial.items() if rng.random() < 0.8}
            for agent in rng.sample(AGENTS, rng.randint(0, 3))
        },
        "preferred": rng.choice(AGENTS),
    }
    return {name: value for name, value in fields.items() if rng.random() < 0.8}


def _batch_graph() -> g.Json:
    """Two steps whose unguarded runs repeat entries, so a batch must fall back."""
    dose = {"min": 10, "max": 20, "unit": "mg/day", "frequency": None}
    first = [
        g.recommend("duloxetine", dose=dose),
        g.flag("f1", "one"),
        g.recommend("duloxetine", dose=dose),
        g.avoid("pregabalin", "no"),
        g.monitor("m", "watch"),
        g.recommend("pregabalin", "stop"),
        g.recommend("amitriptyline", guard=g.inp("p")),
    ]
    second = [
        g.flag("f2", "two"),
        g.flag("f1", "one again"),
        g.avoid("pregabalin", "again"),
        g.recommend("duloxetine", dose=dose),
        g.recommend("amitriptyline"),
        g.monitor("m", "watch"),
        g.flag("f3", guard=g.plan("flagged", "f1")),
    ]
    nodes = {
        "check": g.decision(
            "check",
            [
                g.branch("check", 1, g.inp("q"), "one", "q"),
                g.branch("check", "otherwise", None, "two", "not q"),
            ],
        ),
        "one": g.action("one", first, "two"),
        "two": g.action("two", second, "done"),
        "done": g.terminal(),
    }
    interventions = {name: g.drug(name.title()) for name in AGENTS}
    invariants = [
        g.invariant(
            "ceiling", "never", g.and_(g.cmp(">", g.dose_of("duloxetine"), g.const(15, "mg/day")), g.inp("r"))
        ),
        g.invariant("stopped_only", "always", g.or_(g.not_(g.plan("recommended", "pregabalin")), g.inp("p"))),
    ]
    return g.graph(
        {"p": g.boolean(), "q": g.boolean(), "r": g.boolean()},
        nodes,
        "check",
        interventions=interventions,
        invariants=invariants,
    )


@pytest.mark.parametrize(
    "patient",
    [
        {},
        {"p": True},
        {"p": False},
        {"q": True},
        {"p": True, "q": True, "r": False},
        {"p": False, "q": False, "r": False},
        {"p": True, "q": True, "r": True},
    ],
)
def test_batched_items_keep_the_first_of_identical_entries_in_order(patient: dict[str, Any]) -> None:
    document = _batch_graph()
    fast, slow = fibrolang.load(document), _unfused(document)
    assert _outcome(fast, patient) == _outcome(slow, patient)


def test_invariant_triggers_skip_only_rules_that_cannot_fail() -> None:
    document = _batch_graph()
    fast = fibrolang.load(document)
    with pytest.raises(fibrolang.SafetyViolation) as caught:
        fast.evaluate({"p": True, "q": False, "r": True})
    assert caught.value.invariant == "ceiling"
    result = fast.evaluate({"p": False, "q": True, "r": False})  # pregabalin only stopped
    assert result.status == "ok"
    assert [flag.id for flag in result.flags] == ["f1", "f2", "f3"]
    assert [(item.intervention, item.action) for item in result.recommendations] == [
        ("duloxetine", "start"),
        ("pregabalin", "stop"),
        ("amitriptyline", "start"),
    ]
    assert [item.reason for item in result.avoid] == ["no"]
    assert [item.item for item in result.monitoring] == ["one/5"]


def test_cheap_constructors_equal_the_dataclasses() -> None:
    assert [field.name for field in dataclasses.fields(Result)] == [
        "status",
        "message",
        "missing",
        "recommendations",
        "avoid",
        "flags",
        "monitoring",
        "outputs",
        "trace",
        "guideline",
        "assumed",  # set by fibrolang/absent_defaults.py after the walk; new_result sets ()
    ]
    assert [field.name for field in dataclasses.fields(Trace)] == ["nodes", "edges", "guards"]
    guards = (GuardOutcome("a/1", None, True),)
    assert new_trace(("start", "a"), ("start",), guards) == Trace(("start", "a"), ("start",), guards)
    trace = Trace((), (), ())
    identity = fibrolang.GuidelineIdentity("id", "1", "sha256:0")
    args: tuple[Any, ...] = ("ok", "m", ("x",), (), (), (), (), {}, trace, identity)
    built = new_result(*args)
    assert built == Result(*args)
    assert hash(built.trace) == hash(trace)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.status = "not_applicable"  # type: ignore[misc]


def test_definition_guards_read_from_the_memo_agree_with_the_closures() -> None:
    """Items guarded by a definition, ``d`` or ``not d``, which the lean walk reads from the
    per-evaluation memo inline (``ItemStep.definition``): the same plans and the same
    unknowns as the unfused closures, whether the definition is computed first by such an
    item, by a decision before it, or not at all (unknown)."""
    pq = g.ref("pq")
    items = [
        g.recommend("duloxetine", guard=pq),
        g.recommend("pregabalin", guard=g.not_(pq)),
        g.flag("f1", "pq again", guard=pq),
        g.recommend("amitriptyline", guard=g.not_(pq)),
    ]
    nodes = {
        "check": g.decision(
            "check",
            [
                g.branch("check", 1, g.inp("r"), "first", "r"),
                g.branch("check", 2, g.and_(g.not_(g.inp("r")), pq), "first", "pq decided here"),
                g.branch("check", "otherwise", None, "first", "neither"),
            ],
        ),
        "first": g.action("first", items, "done"),
        "done": g.terminal(),
    }
    document = g.graph(
        {"p": g.boolean(), "q": g.boolean(), "r": g.boolean()},
        nodes,
        "check",
        interventions={name: g.drug(name.title()) for name in AGENTS},
        definitions=[g.definition("pq", g.and_(g.inp("p"), g.inp("q")))],
    )
    fast, slow = fibrolang.load(document), _unfused(document)
    lean_items = fast._program.start.branches[0].target.lean_items  # type: ignore[attr-defined]
    assert [item.definition for item in lean_items] == [0, 0, 0, 0]
    assert [item.skipped_by for item in lean_items] == [False, True, False, True]
    values = (True, False, None)
    for p, q, r in itertools.product(values, values, values):
        patient = {name: value for name, value in (("p", p), ("q", q), ("r", r)) if value is not None}
        expected = slow.evaluate(patient)
        got = fast.evaluate(patient, trace=False)
        assert dataclasses.replace(expected, trace=got.trace) == got, patient
        assert fast.evaluate(patient) == expected, patient
