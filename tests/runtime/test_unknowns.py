"""Missing data: Kleene logic, and ``missing`` naming exactly the absent facts a guard read."""

import itertools

import graphs as g
import pytest
from helpers import ENUMS, INPUTS, RECORDS, decide, truth, value

import fibrolang

TRUTH = (True, False, None)


def _kleene_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _kleene_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def _patient(**values: bool | None) -> dict[str, bool]:
    return {name: v for name, v in values.items() if v is not None}


@pytest.mark.parametrize(("a", "b"), list(itertools.product(TRUTH, TRUTH)))
def test_and_or_not_follow_kleene(a: bool | None, b: bool | None) -> None:
    patient = _patient(p=a, q=b)
    assert truth(g.and_(g.inp("p"), g.inp("q")), patient) is _kleene_and(a, b)
    assert truth(g.or_(g.inp("p"), g.inp("q")), patient) is _kleene_or(a, b)
    assert truth(g.not_(g.inp("p")), patient) is (None if a is None else not a)


@pytest.mark.parametrize(("a", "b"), list(itertools.product(TRUTH, TRUTH)))
def test_missing_names_only_the_unknown_operands_that_matter(a: bool | None, b: bool | None) -> None:
    result = decide(g.and_(g.inp("p"), g.inp("q")), _patient(p=a, q=b))
    if result.status == "insufficient_data":
        expected = [name for name, v in (("p", a), ("q", b)) if v is None]
        assert list(result.missing) == expected
    else:
        assert result.missing == ()


def test_unknown_propagates_through_comparison_and_arithmetic() -> None:
    guard = g.cmp(">", g.arith("+", g.inp("x"), g.inp("y")), g.const(3))
    assert decide(guard, {"x": 1}).missing == ("y",)
    assert decide(guard, {}).missing == ("x", "y")
    assert value(g.neg(g.inp("x")), {}) is None


def test_missing_map_and_missing_entry_and_missing_field_are_named_precisely() -> None:
    weeks = g.cmp(
        ">=",
        g.field(g.entry(g.inp("medications"), g.member("duloxetine", "agent")), "weeks"),
        g.const(4, "weeks"),
    )
    assert decide(weeks, {}).missing == ("medications.duloxetine.weeks",)
    assert decide(weeks, {"medications": {}}).missing == ("medications.duloxetine.weeks",)
    assert decide(weeks, {"medications": {"duloxetine": {"response": "adequate"}}}).missing == (
        "medications.duloxetine.weeks",
    )
    assert truth(weeks, {"medications": {"duloxetine": {"weeks": 4}}}) is True


def test_membership_in_a_given_map_is_never_unknown() -> None:
    dulox_in = g.isin(g.member("duloxetine", "agent"), g.inp("medications"))
    assert truth(dulox_in, {"medications": {"pregabalin": {}}}) is False
    assert decide(dulox_in, {}).missing == ("medications",)


def test_a_guarded_field_read_needs_nothing_when_the_entry_is_absent() -> None:
    dulox = g.member("duloxetine", "agent")
    guard = g.and_(
        g.isin(dulox, g.inp("medications")),
        g.cmp(">=", g.field(g.entry(g.inp("medications"), dulox), "weeks"), g.const(4)),
    )
    assert truth(guard, {"medications": {}}) is False
    assert decide(guard, {"medications": {"duloxetine": {}}}).missing == ("medications.duloxetine.weeks",)


def test_quantifier_unknowns() -> None:
    meds = g.inp("medications")
    long_trial = g.cmp(">=", g.field(g.entry(meds, g.var("a")), "weeks"), g.const(4))
    any_long = g.quant("any", "a", g.inp("agents"), long_trial)
    all_long = g.quant("all", "a", g.inp("agents"), long_trial)
    agents = ["duloxetine", "pregabalin"]
    # collection unknown
    assert decide(any_long, {"medications": {}}).missing == ("agents",)
    # one member decides: any is true / all is false regardless of the unknown one
    partial = {"agents": agents, "medications": {"pregabalin": {"weeks": 8}}}
    assert truth(any_long, partial) is True
    short = {"agents": agents, "medications": {"pregabalin": {"weeks": 1}}}
    assert truth(all_long, short) is False
    # the unknown one matters
    assert decide(any_long, short).missing == ("medications.duloxetine.weeks",)
    assert decide(all_long, partial).missing == ("medications.duloxetine.weeks",)
    count = g.cmp(">=", g.quant("count", "a", g.inp("agents"), long_trial), g.const(1))
    assert decide(count, partial).missing == ("medications.duloxetine.weeks",)
    assert decide(
        g.cmp(">", g.sum_("a", g.inp("agents"), g.field(g.entry(meds, g.var("a")), "weeks")), g.const(0)),
        partial,
    ).missing == ("medications.duloxetine.weeks",)


def test_if_with_an_unknown_condition_is_unknown_and_names_what_it_needed() -> None:
    guard = g.cmp(">", g.if_(g.inp("p"), g.inp("x"), g.const(0)), g.const(1))
    assert decide(guard, {"x": 5}).missing == ("p",)
    assert decide(guard, {}).missing == ("p", "x")
    assert truth(guard, {"p": False}) is False  # x is not needed on this branch


def test_count_true_is_unknown_when_an_operand_is() -> None:
    assert value(g.count_true(g.inp("p"), g.inp("q")), {"p": True}) is None
    assert value(g.count_true(g.inp("p"), g.inp("q")), {"p": True, "q": False}) == 1


def _two_branch_graph() -> fibrolang.Guideline:
    document = g.graph(
        INPUTS,
        {
            "d": g.decision(
                "d",
                [
                    g.branch("d", 1, g.inp("p"), "first"),
                    g.branch("d", 2, g.inp("q"), "second"),
                    g.branch("d", "otherwise", None, "third"),
                ],
            ),
            "first": g.terminal("ok", "first"),
            "second": g.terminal("ok", "second"),
            "third": g.terminal("ok", "third"),
        },
        "d",
        enums=ENUMS,
        records=RECORDS,
    )
    return fibrolang.load(document)


def test_an_unknown_guard_before_a_true_one_stops_the_walk() -> None:
    result = _two_branch_graph().evaluate({"q": True})
    assert result.status == "insufficient_data"
    assert result.missing == ("p",)
    assert result.trace.nodes == ("start", "d")
    assert [(o.edge, o.value) for o in result.trace.guards] == [("d/1", None)]
    assert result.recommendations == ()


def test_a_fact_no_taken_guard_reads_may_be_absent() -> None:
    result = _two_branch_graph().evaluate({"p": True})  # q is never read
    assert (result.status, result.message) == ("ok", "first")
    result = _two_branch_graph().evaluate({"p": False, "q": False})
    assert result.message == "third"


def test_an_unknown_item_guard_gives_insufficient_data_and_no_plan() -> None:
    guideline = fibrolang.load(g.tour_graph())
    result = guideline.evaluate({"age": 50, "chronic_liver_disease": False, "medications": {}})
    assert result.status == "insufficient_data"
    assert result.missing == ("egfr",)
    assert result.trace.guards[-1].item == "plan/2"
    assert result.trace.guards[-1].value is None
    assert (result.recommendations, result.avoid, result.flags, result.monitoring) == ((), (), (), ())
    # the liver disease makes egfr irrelevant: the and-guard is false without it
    result = guideline.evaluate({"age": 50, "chronic_liver_disease": True, "medications": {}})
    assert result.status == "ok"
