"""Walking the pathway: decisions, items, plan queries, invariants, results."""

import graphs as g
import pytest

import fibrolang

TOUR_PATIENT = {
    "age": 50,
    "egfr": 80,
    "chronic_liver_disease": False,
    "pain_score": 8,
    "medications": {"duloxetine": {"weeks": 6, "response": "inadequate"}},
}


@pytest.fixture(scope="module")
def tour() -> fibrolang.Guideline:
    return fibrolang.load(g.tour_graph())


def test_the_tour_plan(tour: fibrolang.Guideline) -> None:
    result = tour.evaluate(TOUR_PATIENT)
    assert result.status == "ok"
    assert [(r.action, r.intervention, r.item) for r in result.recommendations] == [
        ("recommend", "exercise", "plan/1"),
        ("start", "duloxetine", "plan/2"),
        ("increase", "duloxetine", "plan/3"),
    ]
    assert [a.intervention for a in result.avoid] == ["pregabalin"]
    assert [f.id for f in result.flags] == ["ecg_before_tca"]
    assert [(m.what, m.after.minimum, m.after.maximum) for m in result.monitoring if m.after] == [
        ("response", 4, 6)
    ]
    assert result.trace.nodes == ("start", "adult", "plan", "done")
    assert result.trace.edges == ("start", "adult/otherwise", "plan/next")
    assert [(o.edge, o.item, o.value) for o in result.trace.guards] == [
        ("adult/1", None, False),
        (None, "plan/2", True),
        (None, "plan/3", True),
        (None, "plan/4", False),
        (None, "plan/6", True),
    ]
    duloxetine = result.recommendations[1]
    assert duloxetine.dose is not None and duloxetine.dose.maximum == 60
    assert duloxetine.evidence is not None and duloxetine.evidence.level == "Ib"
    assert [c.text for c in duloxetine.citations] == ["Reference 1"]
    assert duloxetine.why == (fibrolang.Reason("adult/otherwise", "adult"),)
    assert dict(result.outputs) == {"severe": True, "score": 2, "conditions": None}
    assert result.guideline.id == "test"


def test_a_child_is_not_applicable_and_gets_no_plan(tour: fibrolang.Guideline) -> None:
    result = tour.evaluate({"age": 12, "pain_score": 3})
    assert result.status == "not_applicable"
    assert result.message == "The pathway covers adults only."
    assert result.trace.edges == ("start", "adult/1")
    assert result.recommendations == ()
    assert result.outputs["severe"] is False  # outputs are computed for every result


def test_items_see_what_earlier_items_added(tour: fibrolang.Guideline) -> None:
    # without duloxetine (liver disease) the ECG flag, which asks for it, is not raised
    result = tour.evaluate({**TOUR_PATIENT, "chronic_liver_disease": True, "medications": {}})
    assert [r.intervention for r in result.recommendations] == ["exercise"]
    assert result.flags == ()


def _plan_graph(
    items: list[g.Json], invariants: list[g.Json] | None = None, definitions: list[g.Json] | None = None
) -> fibrolang.Guideline:
    interventions = {"duloxetine": g.drug("Duloxetine"), "pregabalin": g.drug("Pregabalin")}
    return fibrolang.load(
        g.graph(
            {"p": g.boolean()},
            {"plan": g.action("plan", items, "done"), "done": g.terminal()},
            "plan",
            interventions=interventions,
            invariants=invariants,
            definitions=definitions,
        )
    )


DOSE = {"min": 30, "max": 60, "unit": "mg/day", "frequency": None}
TITRATION = {"step": 10, "every": 1, "every_unit": "weeks", "target": 90, "unit": "mg/day"}


def test_plan_queries_and_dose() -> None:
    guideline = _plan_graph(
        [
            g.flag("before", guard=g.plan("recommended", None)),
            g.recommend("duloxetine", dose=DOSE),
            g.flag("dose_60", guard=g.cmp("==", g.dose_of("duloxetine"), g.const(60))),
            g.recommend("duloxetine", "increase", dose=DOSE, titration=TITRATION),
            g.flag("dose_90", guard=g.cmp("==", g.dose_of("duloxetine"), g.const(90))),
            g.flag("no_pregabalin_dose", guard=g.cmp("==", g.dose_of("pregabalin"), g.const(0))),
            g.avoid("pregabalin"),
            g.flag("avoided", guard=g.plan("avoided", "pregabalin")),
            g.flag("flagged", guard=g.and_(g.plan("flagged", "avoided"), g.plan("flagged", None))),
        ]
    )
    flags = [flag.id for flag in guideline.evaluate({}).flags]
    assert flags == ["dose_60", "dose_90", "no_pregabalin_dose", "avoided", "flagged"]


def test_a_stop_recommendation_does_not_count_as_recommended() -> None:
    guideline = _plan_graph(
        [
            g.recommend("duloxetine", "stop"),
            g.flag("recommended", guard=g.plan("recommended", "duloxetine")),
            g.flag("anything", guard=g.plan("recommended", None)),
        ]
    )
    result = guideline.evaluate({})
    assert [r.action for r in result.recommendations] == ["stop"]
    assert result.flags == ()


def test_identical_entries_are_kept_once_in_path_order() -> None:
    guideline = _plan_graph(
        [
            g.recommend("duloxetine", dose=DOSE),
            g.recommend("duloxetine", dose=DOSE),
            g.recommend("duloxetine", dose=None),
            g.flag("f"),
            g.flag("f"),
            g.avoid("pregabalin"),
            g.avoid("pregabalin", "again"),
        ]
    )
    result = guideline.evaluate({})
    assert [(r.item, r.dose is None) for r in result.recommendations] == [("plan/1", False), ("plan/3", True)]
    assert [f.item for f in result.flags] == ["plan/4"]
    assert [a.item for a in result.avoid] == ["plan/6"]


def test_a_definition_that_reads_the_plan_is_recomputed_at_each_use() -> None:
    guideline = _plan_graph(
        [
            g.flag("before", guard=g.ref("on_duloxetine")),
            g.recommend("duloxetine"),
            g.flag("after", guard=g.ref("on_duloxetine")),
        ],
        definitions=[g.definition("on_duloxetine", g.plan("recommended", "duloxetine"))],
    )
    assert [f.id for f in guideline.evaluate({}).flags] == ["after"]


def test_never_invariant_violation_raises_and_withholds_the_plan() -> None:
    guideline = _plan_graph(
        [g.recommend("duloxetine", guard=g.inp("p"))],
        invariants=[g.invariant("no_duloxetine", "never", g.plan("recommended", "duloxetine"))],
    )
    assert guideline.evaluate({"p": False}).status == "ok"
    with pytest.raises(fibrolang.SafetyViolation) as caught:
        guideline.evaluate({"p": True})
    assert caught.value.invariant == "no_duloxetine"
    assert caught.value.edges == ("start", "plan/next")


def test_always_invariant_violation_raises() -> None:
    guideline = _plan_graph(
        [g.recommend("duloxetine", guard=g.inp("p"))],
        invariants=[g.invariant("something", "always", g.plan("recommended", None))],
    )
    assert guideline.evaluate({"p": True}).status == "ok"
    with pytest.raises(fibrolang.SafetyViolation, match="something"):
        guideline.evaluate({"p": False})


def test_an_invariant_the_data_cannot_settle_gives_insufficient_data() -> None:
    guideline = _plan_graph(
        [g.recommend("duloxetine")],
        invariants=[g.invariant("needs_p", "never", g.and_(g.plan("recommended", "duloxetine"), g.inp("p")))],
    )
    result = guideline.evaluate({})
    assert (result.status, result.missing, result.recommendations) == ("insufficient_data", ("p",), ())
    assert "needs_p" in (result.message or "")


def test_no_branch_holding_without_otherwise_is_a_guideline_error() -> None:
    guideline = fibrolang.load(
        g.graph(
            {"p": g.boolean()},
            {"d": g.decision("d", [g.branch("d", 1, g.inp("p"), "end")]), "end": g.terminal()},
            "d",
        )
    )
    assert guideline.evaluate({"p": True}).status == "ok"
    with pytest.raises(fibrolang.GuidelineError) as caught:
        guideline.evaluate({"p": False})
    assert [p.code for p in caught.value.problems] == ["no_branch_holds"]


def test_an_authored_insufficient_data_outcome() -> None:
    guideline = fibrolang.load(g.graph({}, {"end": g.terminal("insufficient_data", "ask")}, "end"))
    result = guideline.evaluate({})
    assert (result.status, result.message, result.missing) == ("insufficient_data", "ask", ())


def test_why_lists_the_decisions_on_the_path() -> None:
    guideline = fibrolang.load(
        g.graph(
            {"p": g.boolean(), "q": g.boolean()},
            {
                "d1": g.decision(
                    "d1",
                    [
                        g.branch("d1", 1, g.inp("p"), "d2", label="p holds"),
                        g.branch("d1", "otherwise", None, "end"),
                    ],
                ),
                "d2": g.decision(
                    "d2", [g.branch("d2", 1, g.inp("q"), "plan"), g.branch("d2", "otherwise", None, "plan")]
                ),
                "plan": g.action("plan", [g.recommend("duloxetine")], "end"),
                "end": g.terminal(),
            },
            "d1",
            interventions={"duloxetine": g.drug("Duloxetine")},
        )
    )
    for q, edge in ((True, "d2/1"), (False, "d2/otherwise")):
        result = guideline.evaluate({"p": True, "q": q})
        assert result.recommendations[0].why == (
            fibrolang.Reason("d1/1", "p holds"),
            fibrolang.Reason(edge, None),
        )


def test_guideline_identity_and_inputs(tour: fibrolang.Guideline) -> None:
    assert (tour.id, tour.version, tour.content_hash) == ("test", "0.1.0", g.HASH)
    assert list(tour.inputs) == sorted(g.tour_graph()["inputs"])
    assert tour.inputs["age"].type.integral is True  # type: ignore[union-attr]


def test_explain_names_status_decisions_plan_and_notes(tour: fibrolang.Guideline) -> None:
    text = tour.explain(tour.evaluate(TOUR_PATIENT))
    for fragment in (
        "Status: ok",
        "Is the patient an adult? -> adult  [adult/otherwise]",
        "start Duloxetine 60 mg/day once daily",
        "level Ib, strength A",
        "[1] Reference 1",
        "Pregabalin: not today",
        "ecg_before_tca: ECG before a tricyclic",
        "Evaluate response after 4 to 6 weeks",
        "score = 2",
    ):
        assert fragment in text
    child = tour.explain(tour.evaluate({"age": 10}))
    assert "age < 18 years" in child and "note: Adults only." in child
    missing = tour.explain(tour.evaluate({}))
    assert "Missing: age" in missing and "could not tell whether" in missing
